// The lab's Cost Explorer measures (lab/moto_lab.py's usage ledger): the emulator, started on
// a free loopback port, runs an instance for a few seconds and answers GetCostAndUsage with
// those seconds priced from cost/prices.ts: compute, its disk and its public address, each
// within the bounds the test's own clock allows. Stopping, terminating, other periods, an
// unpriced type and MOON_NOW's clock each change the answer the way they must.
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  CostExplorerClient,
  GetCostAndUsageCommand,
  type GetCostAndUsageCommandInput,
  type GetCostAndUsageCommandOutput,
} from "@aws-sdk/client-cost-explorer";
import {
  CreateLaunchTemplateCommand,
  DescribeVolumesCommand,
  EC2Client,
  RunInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { expect, test } from "@playwright/test";
import { EMULATOR_PRICES_ENV, writeEmulatorPrices } from "../../cost/emulator-prices.ts";
import { monthToDateRequest, readMonthToDate } from "../../cost/explorer.ts";
import { HOURS_PER_MONTH, INSTANCE_HOUR, PRICES, PRICES_REGION } from "../../cost/prices.ts";
import { SERVICES } from "../../cost/services.ts";
import { python, startEmulatorProcess } from "./emulator-process.ts";

const TYPE = "t4g.small";
const DISK_GB = 8;
// The AMI the kit's bastion and NAT name (moto knows it; its root device is /dev/xvda).
const AMI_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64";
// Amounts come as decimal strings with 10 places.
const ROUNDING = 1e-9;

interface Emulator {
  readonly url: string;
  readonly ec2: EC2Client;
  readonly ce: CostExplorerClient;
  readonly ssm: SSMClient;
  stop(): Promise<void>;
}

/**
 * The ledger's clock in these tests: MOON_NOW at a fixed moment (mid-day, mid-month), from
 * which the emulator's clock runs on for the seconds a test takes, so "today" and "this
 * month" are the same on every run and no verdict depends on the machine's date.
 */
const LEDGER_START = "2026-06-15T12:00:00Z";
const emulatorClock = (): Date => new Date(LEDGER_START);

async function startEmulator(moonNow: string = LEDGER_START): Promise<Emulator> {
  const emulator = await startEmulatorProcess((dir) => {
    const prices = join(dir, "prices.json");
    writeEmulatorPrices(prices);
    return { [EMULATOR_PRICES_ENV]: prices, MOON_NOW: moonNow };
  });
  const url = emulator.url;
  const config = {
    endpoint: url,
    credentials: { accessKeyId: "lab", secretAccessKey: "lab" },
    maxAttempts: 1,
  };
  const ec2 = new EC2Client({ ...config, region: PRICES_REGION });
  const ce = new CostExplorerClient({ ...config, region: "us-east-1" });
  const ssm = new SSMClient({ ...config, region: PRICES_REGION });
  return {
    url,
    ec2,
    ce,
    ssm,
    async stop() {
      ec2.destroy();
      ce.destroy();
      ssm.destroy();
      await emulator.stop();
    },
  };
}

/** Launches one instance the way the kit's launch template does: its root device mapped, gp3. */
async function launch(emu: Emulator, type = TYPE): Promise<string> {
  const ami = (await emu.ssm.send(new GetParameterCommand({ Name: AMI_PARAMETER }))).Parameter?.Value;
  const name = `ce-${type}-${Date.now()}`;
  await emu.ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: name,
      LaunchTemplateData: {
        ImageId: ami,
        InstanceType: type as never,
        BlockDeviceMappings: [
          {
            DeviceName: "/dev/xvda",
            Ebs: { VolumeSize: DISK_GB, VolumeType: "gp3", DeleteOnTermination: true },
          },
        ],
      },
    }),
  );
  // No subnet: moto gives the instance an auto-assigned public address.
  const out = await emu.ec2.send(
    new RunInstancesCommand({ MinCount: 1, MaxCount: 1, LaunchTemplate: { LaunchTemplateName: name } }),
  );
  const id = out.Instances?.[0]?.InstanceId;
  if (!id) throw new Error("RunInstances returned no instance");
  return id;
}

const amountOf = (out: GetCostAndUsageCommandOutput, service: string, metric = "UnblendedCost") =>
  (out.ResultsByTime ?? []).reduce(
    (sum, r) =>
      sum + Number(r.Groups?.find((g) => g.Keys?.[0] === service)?.Metrics?.[metric]?.Amount ?? "0"),
    0,
  );

const byService = (emu: Emulator, at = emulatorClock()) =>
  emu.ce.send(new GetCostAndUsageCommand(monthToDateRequest(at)));

/** The AWS CLI's `aws ce get-cost-and-usage --granularity MONTHLY --metrics BlendedCost` for a month. */
function cliShaped(at: Date): GetCostAndUsageCommandInput {
  const start = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  const end = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
  return {
    TimePeriod: { Start: start.toISOString().slice(0, 10), End: end.toISOString().slice(0, 10) },
    Granularity: "MONTHLY",
    Metrics: ["BlendedCost"],
  };
}

test.describe("the lab's Cost Explorer measures what the emulator ran", () => {
  test.describe.configure({ mode: "serial" });
  test.skip(!existsSync(python), `moto is not installed (${python}): run npm run setup`);

  let emu: Emulator | undefined;
  test.beforeAll(async () => {
    emu = await startEmulator();
  });
  test.afterAll(async () => {
    await emu?.stop();
  });
  const running = (): Emulator => {
    if (!emu) throw new Error("the emulator did not start");
    return emu;
  };

  let instance = "";
  test("a running instance's hours, its disk and its public address, priced from cost/prices.ts", async () => {
    const emu = running();
    const before = Date.now();
    instance = await launch(emu);
    const launched = Date.now();
    const volumes = await emu.ec2.send(new DescribeVolumesCommand({}));
    expect(
      volumes.Volumes?.map((v) => `${v.Size ?? "?"} GB ${v.VolumeType ?? "?"}`),
      "the template's mapping of the root device is the root volume: one disk, not moto's default beside it",
    ).toEqual([`${DISK_GB} GB gp3`]);
    await new Promise((r) => setTimeout(r, 2000));
    const asked = Date.now();
    const out = await byService(emu);
    const answered = Date.now();
    // The ledger opened the spans between `before` and `launched`, and priced them at a moment
    // between `asked` and `answered`: the hours lie between these bounds.
    const lo = (asked - launched) / 3_600_000;
    const hi = (answered - before) / 3_600_000;
    expect(lo, "the instance ran about 2 s").toBeGreaterThan(1.9 / 3600);
    const within = (what: string, amount: number, perHour: number) => {
      expect(amount, `${what}: at least ${lo.toFixed(7)} h × $${perHour}`).toBeGreaterThanOrEqual(
        lo * perHour - ROUNDING,
      );
      expect(amount, `${what}: at most ${hi.toFixed(7)} h × $${perHour}`).toBeLessThanOrEqual(
        hi * perHour + ROUNDING,
      );
    };
    within("compute", amountOf(out, SERVICES.ec2Compute), INSTANCE_HOUR[TYPE]?.usd ?? NaN);
    within("the gp3 disk", amountOf(out, SERVICES.ec2Other), (DISK_GB * PRICES.gp3.usd) / HOURS_PER_MONTH);
    within("the public IPv4 address", amountOf(out, SERVICES.vpc), PRICES.publicIpv4.usd);
    expect(
      out.ResultsByTime?.[0]?.Groups?.map((g) => g.Keys?.[0]).sort(),
      "only the services that observed usage",
    ).toEqual([SERVICES.ec2Compute, SERVICES.ec2Other, SERVICES.vpc].sort());

    const mtd = await readMonthToDate(emu.ce, emulatorClock());
    expect(mtd.totalUsd, "the kit's own reader sees the same usage").toBeGreaterThan(0);
  });

  test("the AWS CLI's monthly BlendedCost query, without grouping, gets a total", async () => {
    const emu = running();
    const out = await emu.ce.send(new GetCostAndUsageCommand(cliShaped(emulatorClock())));
    const period = out.ResultsByTime?.[0];
    expect(out.ResultsByTime, "one period for the month").toHaveLength(1);
    expect(period?.Groups, "no groups without GroupBy").toEqual([]);
    expect(period?.Total?.BlendedCost?.Unit).toBe("USD");
    expect(Number(period?.Total?.BlendedCost?.Amount ?? "0"), "a non-empty, positive total").toBeGreaterThan(
      0,
    );
    expect(period?.Estimated, "this month is still open").toBe(true);
  });

  test("a stopped instance stops costing compute and its address; its disk still costs", async () => {
    const emu = running();
    await emu.ec2.send(new StopInstancesCommand({ InstanceIds: [instance] }));
    const first = await byService(emu);
    await new Promise((r) => setTimeout(r, 1000));
    const second = await byService(emu);
    expect(amountOf(second, SERVICES.ec2Compute), "compute").toBe(amountOf(first, SERVICES.ec2Compute));
    expect(amountOf(second, SERVICES.vpc), "the auto-assigned address went with the stop").toBe(
      amountOf(first, SERVICES.vpc),
    );
    expect(amountOf(second, SERVICES.ec2Other), "the disk").toBeGreaterThan(
      amountOf(first, SERVICES.ec2Other),
    );

    await emu.ec2.send(new TerminateInstancesCommand({ InstanceIds: [instance] }));
    const third = await byService(emu);
    await new Promise((r) => setTimeout(r, 1000));
    const fourth = await byService(emu);
    expect(amountOf(fourth, SERVICES.ec2Other), "the disk went with the instance").toBe(
      amountOf(third, SERVICES.ec2Other),
    );
  });

  test("usage counts only within the period asked and up to now", async () => {
    const emu = running();
    const now = emulatorClock();
    const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 15));
    const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 15));
    for (const [what, at] of [
      ["last month", lastMonth],
      ["next month", nextMonth],
    ] as const) {
      const out = await emu.ce.send(new GetCostAndUsageCommand(cliShaped(at)));
      expect(out.ResultsByTime?.[0]?.Total?.BlendedCost?.Amount, what).toBe("0");
    }
    const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    const day = (d: Date) => d.toISOString().slice(0, 10);
    const daily = await emu.ce.send(
      new GetCostAndUsageCommand({
        TimePeriod: { Start: day(today), End: day(new Date(today.getTime() + 2 * 86_400_000)) },
        Granularity: "DAILY",
        Metrics: ["UnblendedCost", "AmortizedCost"],
      }),
    );
    const amounts = daily.ResultsByTime?.map((r) => Number(r.Total?.UnblendedCost?.Amount ?? "NaN"));
    expect(amounts, "DAILY: today's usage, and nothing yet tomorrow").toHaveLength(2);
    expect(amounts?.[0]).toBeGreaterThan(0);
    expect(amounts?.[1]).toBe(0);
    expect(
      daily.ResultsByTime?.[0]?.Total?.AmortizedCost?.Amount,
      "every cost metric: the same numbers",
    ).toBe(daily.ResultsByTime?.[0]?.Total?.UnblendedCost?.Amount);
  });

  test("what the lab cannot answer is refused by name, never guessed", async () => {
    const emu = running();
    const refused = async (input: GetCostAndUsageCommandInput) => {
      try {
        await emu.ce.send(new GetCostAndUsageCommand(input));
        return "answered";
      } catch (e) {
        return (e as Error).message;
      }
    };
    const month = cliShaped(emulatorClock());
    expect(await refused({ ...month, Granularity: "HOURLY" })).toContain("HOURLY");
    expect(await refused({ ...month, Metrics: ["UsageQuantity"] })).toContain("UsageQuantity");
    expect(await refused({ ...month, GroupBy: [{ Type: "TAG", Key: "Project" }] })).toContain("TAG Project");

    const unpriced = "m5.large";
    expect(INSTANCE_HOUR[unpriced], `the test needs a type the table does not price`).toBeUndefined();
    const other = await launch(emu, unpriced);
    expect(await refused(month), "an instance type without a price").toContain(unpriced);
    await emu.ec2.send(new TerminateInstancesCommand({ InstanceIds: [other] }));
  });
});

test.describe("the ledger's clock is MOON_NOW's when it is set", () => {
  test.skip(!existsSync(python), `moto is not installed (${python}): run npm run setup`);

  test("usage lands in MOON_NOW's month, not the machine's", async () => {
    // The machine's clock, on purpose: this emulator must not meter on it. MOON_NOW is a
    // month that is not the machine's, so the verdict does not depend on when it runs.
    const machine = new Date();
    const ledger = [Date.UTC(2031, 4, 20, 12), Date.UTC(2031, 6, 20, 12)]
      .map((t) => new Date(t))
      .find(
        (d) => d.getUTCFullYear() !== machine.getUTCFullYear() || d.getUTCMonth() !== machine.getUTCMonth(),
      );
    if (!ledger) throw new Error("two different months cannot both be the machine's");
    const emu = await startEmulator(ledger.toISOString());
    try {
      await launch(emu);
      await new Promise((r) => setTimeout(r, 1000));
      const month = await readMonthToDate(emu.ce, ledger);
      expect(month.totalUsd, "MOON_NOW's month has the instance's second").toBeGreaterThan(0);
      const today = await emu.ce.send(new GetCostAndUsageCommand(cliShaped(machine)));
      expect(today.ResultsByTime?.[0]?.Total?.BlendedCost?.Amount, "the machine's month has nothing").toBe(
        "0",
      );
    } finally {
      await emu.stop();
    }
  });
});
