// The cost model against plans whose bills were worked out by hand (eu-west-1 prices of
// cost/prices.ts). First a small plan of the earlier design (a t4g.nano NAT instance with an
// 8 GB disk and a public address, always on; a t4g.small bastion group with a 20 GB disk on
// 5 hours a day), then the committed fixture of the one-bastion design
// (fixtures/one-bastion-plan.json: a t4g.nano group with a public IPv4 and an 8 GB root only
// while it runs, one hour every Saturday, flow logs, a budget) priced month by month for
// accounts of each era, with the clock at fixed days.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../../common/exec.ts";
import { expect, test } from "@playwright/test";
import {
  alternatives,
  estimate,
  sessionUsage,
  usageOf,
  type TofuShow,
  type UsageOptions,
} from "../../cost/model.ts";
import { hoursIn } from "../../cost/options.ts";
import { INSTANCE_HOUR, OFFERS, offersFor, PRICES, type Offer, type Price } from "../../cost/prices.ts";
import { budgetVerdict, monthVerdict, projectBill, type Bill } from "../../cost/bill.ts";
import { sessionExposure } from "../../audit/exposure.ts";
import {
  DEFAULT_MODEL,
  REPO_ROOT,
  scheduledHoursIn,
  type AccountModel,
  type Model,
} from "../../model/index.ts";

const plan: TofuShow = {
  planned_values: {
    root_module: {
      child_modules: [
        {
          resources: [
            {
              address: "module.network.aws_instance.nat[0]",
              type: "aws_instance",
              values: {
                instance_type: "t4g.nano",
                associate_public_ip_address: true,
                root_block_device: [{ volume_size: 8 }],
              },
            },
            { address: "module.network.aws_vpc.this", type: "aws_vpc", values: {} },
          ],
        },
        {
          resources: [
            {
              address: "module.bastion.aws_launch_template.bastion",
              type: "aws_launch_template",
              values: {
                name: "tf-bastion",
                instance_type: "t4g.small",
                block_device_mappings: [{ ebs: [{ volume_size: 20 }] }],
              },
            },
            {
              address: "module.bastion.aws_autoscaling_group.bastion",
              type: "aws_autoscaling_group",
              values: { name: "tf-asg", desired_capacity: 1, launch_template: [{ name: "tf-bastion" }] },
            },
            {
              address: "module.bastion.aws_autoscaling_schedule.start",
              type: "aws_autoscaling_schedule",
              values: { autoscaling_group_name: "tf-asg", desired_capacity: 1 },
            },
          ],
        },
      ],
    },
  },
};
// An average month (730 h) with 5 h a day: 152.083 h on the schedule.
const opts: UsageOptions = {
  month: "2026-11",
  monthHours: 730,
  scheduledHours: (5 * 730) / 24,
  natGatewayGbPerMonth: 5,
  flowLogGbPerPublicIpv4Hour: 0,
};
const usage = usageOf(plan, opts);
const TRIAL: readonly Offer[] = [OFFERS.t4gSmallTrial];
const LEGACY: readonly Offer[] = [OFFERS.legacy12Month];
const BOTH: readonly Offer[] = [...TRIAL, ...LEGACY];

test("the prices the hand computation uses are the table's", () => {
  expect(INSTANCE_HOUR["t4g.nano"]?.usd).toBe(0.0046);
  expect(INSTANCE_HOUR["t4g.small"]?.usd).toBe(0.0184);
  expect(PRICES.gp3.usd).toBe(0.088);
  expect(PRICES.publicIpv4.usd).toBe(0.005);
  expect(PRICES.natGatewayHour.usd).toBe(0.048);
  expect(PRICES.flowLogsToCloudWatch.usd).toBe(0.57);
  expect(PRICES.flowLogsToCloudWatch.region).toBe("eu-west-1");
});

test("every price and offer names its source and date", () => {
  const all: [string, Price][] = [...Object.entries(INSTANCE_HOUR), ...Object.entries(PRICES)];
  for (const [name, p] of all) {
    expect(p.source, `${name} has a source`).toMatch(/\S{8,}/);
    expect(p.sourceDate, `${name} has a dated source`).toMatch(/^20\d\d-\d\d/);
    if (p.region !== "eu-west-1" && p.region !== "all" && p.region !== "global")
      expect(p.note, `${name} says why a ${p.region} price stands in`).toBeTruthy();
  }
  const offers: [string, Offer][] = Object.entries(OFFERS);
  for (const [name, o] of offers) {
    expect(o.source, `${name} has a source`).toMatch(/\S{8,}/);
    expect(o.sourceDate, `${name} has a dated source`).toMatch(/^20\d\d-\d\d/);
    expect(
      o.alwaysFree === true || o.until !== undefined || o.monthsFromOpening !== undefined,
      `${name} says when it ends, as data`,
    ).toBe(true);
  }
  // The trial's end is a date in the table, not in the code.
  expect(OFFERS.t4gSmallTrial.until).toBe("2026-12-31");
});

test("no offer: every hour and GB is paid", () => {
  const e = estimate(usage, []);
  // NAT 730 × 0.0046 = 3.358; its disk 8 × 0.088 = 0.704; its address 730 × 0.005 = 3.65;
  // bastion 152.083 × 0.0184 = 2.79833; its disk 20 GB for 152.083 of 730 h = 4.16667 GB-month × 0.088 = 0.36667.
  expect(e.lines.map((l) => [l.address, l.kind, +l.netUsd.toFixed(5)])).toEqual([
    ["module.network.aws_instance.nat[0]", "instance", 3.358],
    ["module.network.aws_instance.nat[0]", "ebs", 0.704],
    ["module.network.aws_instance.nat[0]", "publicIpv4", 3.65],
    ["module.bastion.aws_autoscaling_group.bastion", "instance", 2.79833],
    ["module.bastion.aws_autoscaling_group.bastion", "ebs", 0.36667],
  ]);
  expect(e.totalUsd).toBeCloseTo(10.877, 5);
  expect(e.freeTierUsd).toBe(0);
});

test("the trial and the legacy tier: the bastion's hours, both disks and the address are free; the t4g.nano is not", () => {
  const e = estimate(usage, BOTH);
  expect(e.offers).toEqual(["t4g.small trial", "legacy 12-month tier"]);
  expect(e.totalUsd).toBeCloseTo(3.358, 6);
  expect(e.freeTierUsd).toBeCloseTo(10.877 - 3.358, 5);
  expect(e.lines.find((l) => l.kind === "instance" && l.instanceType === "t4g.nano")?.netUsd).toBeCloseTo(
    3.358,
    6,
  );
});

test("each offer draws only on its own pools", () => {
  expect(estimate(usage, []).totalUsd).toBeCloseTo(10.877, 5);
  // the trial: the bastion's 2.79833 free.
  expect(estimate(usage, TRIAL).totalUsd).toBeCloseTo(10.877 - 2.79833, 4);
  // the legacy tier: both disks (0.704 + 0.36667) and the address (3.65) free.
  expect(estimate(usage, LEGACY).totalUsd).toBeCloseTo(10.877 - 0.704 - 0.36667 - 3.65, 4);
  // always-free allowances pool nothing this plan uses.
  expect(estimate(usage, [OFFERS.dataOut, OFFERS.cloudwatchLogs]).totalUsd).toBeCloseTo(10.877, 5);
});

test("the alternatives of the earlier design, under the trial and the legacy tier", () => {
  const alt = Object.fromEntries(
    alternatives(plan, opts, { ...opts, scheduledHours: 5 * 30 }).map((a) => [
      a.name,
      estimate(a.usage, BOTH).totalUsd,
    ]),
  );
  expect(alt["as planned"]).toBeCloseTo(3.358, 6);
  // 730 × 0.048 + 5 GB × 0.048 + its EIP 730 × 0.005 (not EC2's, so not free) = 38.93.
  expect(alt["a NAT gateway for the private subnet's IPv4"]).toBeCloseTo(38.93, 6);
  expect(alt["no IPv4 egress (IPv6 only; no NAT, no public IPv4)"]).toBeCloseTo(0, 6);
  // A t4g.nano NAT on the bastion's 152.083 h: 0.69958, its disk and address free.
  expect(alt["two instances: the bastion, and a t4g.nano NAT on its schedule"]).toBeCloseTo(
    ((5 * 730) / 24) * 0.0046,
    6,
  );
  expect(alt["two instances: the bastion, and a t4g.nano NAT always on"]).toBeCloseTo(3.358, 6);
  expect(alt["no public IPv4 anywhere"]).toBeCloseTo(3.358, 6);
  // 730 h of t4g.small is inside 750 h; 28 GB inside 30 GB.
  expect(alt["bastion always on"]).toBeCloseTo(3.358, 6);
  // 150 h of t4g.small, inside the trial.
  expect(alt["the seed's schedule: 18:00-23:00 every day"]).toBeCloseTo(3.358, 6);
});

test("a NAT instance tagged for the bastion's schedule counts its hours, and the trial covers it", () => {
  const scheduled: TofuShow = {
    values: {
      root_module: {
        resources: [
          {
            address: "module.network.aws_instance.nat[0]",
            type: "aws_instance",
            values: {
              instance_type: "t4g.small",
              associate_public_ip_address: true,
              root_block_device: [{ volume_size: 8 }],
              tags: { Name: "moon-and-back-nat", Schedule: "bastion" },
            },
          },
        ],
      },
    },
  };
  const u = usageOf(scheduled, opts);
  // 152.083 h of t4g.small and of its address; its 8 GB disk all month (kept while stopped).
  expect(u.map((x) => [x.kind, +x.quantity.toFixed(3)])).toEqual([
    ["instance", 152.083],
    ["ebs", 8],
    ["publicIpv4", 152.083],
  ]);
  expect(estimate(u, []).totalUsd).toBeCloseTo(152.0833333 * 0.0184 + 8 * 0.088 + 152.0833333 * 0.005, 6);
  expect(estimate(u, BOTH).totalUsd).toBeCloseTo(0, 9);
});

test("an experiment session: two m7g.xlarge nodes with 132 GB each", () => {
  // Per hour: 2 × 0.1819 + 2 × 132 GB × 1/730 month × 0.088 = 0.3638 + 23.232/730 = 0.3956247.
  expect(estimate(sessionUsage(2, "m7g.xlarge", 132, 1), []).totalUsd).toBeCloseTo(0.3956247, 6);
  // 4 h: 1.4552 + 4 × 0.0318247 = 1.5824986.
  expect(estimate(sessionUsage(2, "m7g.xlarge", 132, 4), []).totalUsd).toBeCloseTo(1.5824986, 6);
});

test("an instance type with no price is refused, naming it", () => {
  expect(() => estimate(sessionUsage(1, "x9g.huge", 10, 1), [])).toThrow(/x9g\.huge.*cost\/prices\.ts/);
});

test("a flow log is priced by its estimated volume at eu-west-1's rate, its group by the days it keeps", () => {
  const flow = usageOf(
    {
      values: {
        root_module: {
          resources: [
            {
              address: "f",
              type: "aws_flow_log",
              values: { log_destination_type: "cloud-watch-logs", traffic_type: "ALL" },
            },
            { address: "g", type: "aws_cloudwatch_log_group", values: { retention_in_days: 15 } },
            // The scans the records are mostly about come to a public address, held all month.
            { address: "e", type: "aws_eip", values: { instance: "i-1" } },
          ],
        },
      },
    },
    { ...opts, flowLogGbPerPublicIpv4Hour: 2 / 730 },
  );
  // 2 GB × $0.57 ingested; 2 GB × 15/30 month kept × $0.03; the legacy tier covers the
  // address's 730 h. No offer covers vended logs.
  expect(estimate(flow, [...BOTH, OFFERS.cloudwatchLogs]).totalUsd).toBeCloseTo(1.14 + 0.03, 10);
});

test("a session's public IPv4 on nodes is an exposure, named by resource", () => {
  expect(sessionExposure(DEFAULT_MODEL)).toEqual([]);
  const exposed = sessionExposure({
    ...DEFAULT_MODEL,
    nodes: { ...DEFAULT_MODEL.nodes, aws: { ...DEFAULT_MODEL.nodes.aws, publicIpv4: true } },
  });
  expect(exposed.map((f) => f.resource)).toEqual([
    'module.nodes.aws_eip.node["talos-node-1"]',
    'module.nodes.aws_eip.node["talos-node-2"]',
  ]);
});

// ——— The offers, derived from the account ———

const names = (account: AccountModel, month: string) =>
  offersFor(account, month)
    .filter((o) => o.alwaysFree !== true)
    .map((o) => o.name);

test("the offers of a month follow from the account: its era, its plan and the dates each runs", () => {
  const existing: AccountModel = { opened: "2024-01", plan: "paid" };
  expect(names(existing, "2024-06")).toEqual(["t4g.small trial", "legacy 12-month tier"]);
  expect(names(existing, "2025-01")).toEqual(["t4g.small trial", "legacy 12-month tier"]);
  expect(names(existing, "2025-02")).toEqual(["t4g.small trial"]);
  expect(names(existing, "2026-12")).toEqual(["t4g.small trial"]);
  expect(names(existing, "2027-01")).toEqual([]);
  const legacy: AccountModel = { opened: "2025-01", plan: "paid" };
  expect(names(legacy, "2026-01")).toEqual(["t4g.small trial", "legacy 12-month tier"]);
  expect(names(legacy, "2026-02")).toEqual(["t4g.small trial"]);
  const free: AccountModel = { opened: "2025-09", plan: "free" };
  expect(names(free, "2025-09")).toEqual(["t4g.small trial", "sign-up credits", "free plan"]);
  expect(names(free, "2026-03")).toEqual(["t4g.small trial", "sign-up credits", "free plan"]);
  expect(names(free, "2026-04")).toEqual(["t4g.small trial", "sign-up credits"]);
  expect(names(free, "2026-09")).toEqual(["t4g.small trial", "sign-up credits"]);
  expect(names(free, "2026-10")).toEqual(["t4g.small trial"]);
  expect(names({ opened: "2025-09", plan: "paid" }, "2025-12")).toEqual([
    "t4g.small trial",
    "sign-up credits",
  ]);
  // July 2025 turns on the day: before the 15th the legacy tier, from the 15th credits.
  expect(names({ opened: "2025-07-14", plan: "paid" }, "2025-08")).toEqual([
    "t4g.small trial",
    "legacy 12-month tier",
  ]);
  expect(names({ opened: "2025-07-15", plan: "paid" }, "2025-08")).toEqual([
    "t4g.small trial",
    "sign-up credits",
  ]);
  // Always-free allowances are every account's.
  expect(offersFor(existing, "2030-01").map((o) => o.name)).toContain("100 GB out");
});

test("the schedule's hours are counted per month: a month with five Saturdays has five sessions", () => {
  const saturdays = { start: "0 10 * * 6", stop: "0 11 * * 6", timeZone: "Europe/Paris" };
  expect(scheduledHoursIn(saturdays, "2026-12")).toBe(4);
  expect(scheduledHoursIn(saturdays, "2027-01")).toBe(5);
  expect(scheduledHoursIn(saturdays, "2027-02")).toBe(4);
  const evenings = { start: "0 18 * * *", stop: "0 23 * * *", timeZone: "Europe/Paris" };
  expect(scheduledHoursIn(evenings, "2027-02")).toBe(5 * 28);
  expect(scheduledHoursIn(evenings, "2027-01")).toBe(5 * 31);
  // Weekdays only: January 2027 has 21 of them.
  expect(scheduledHoursIn({ ...evenings, start: "0 18 * * 1-5", stop: "0 23 * * 1-5" }, "2027-01")).toBe(
    5 * 21,
  );
  // A window past midnight (Paris, UTC+1 in winter): the one of 31 December 2026 ends at 01:00
  // on 1 January, i.e. 00:00 UTC, so January counts 31 whole windows less the 31st's last hour.
  const late = { start: "0 22 * * *", stop: "0 2 * * *", timeZone: "Europe/Paris" };
  expect(scheduledHoursIn(late, "2027-01")).toBe(31 * 4);
  expect(hoursIn("2027-02")).toBe(672);
  expect(hoursIn("2028-02")).toBe(696);
});

// ——— The committed fixture of the one-bastion design, month by month ———

const FIXTURE = JSON.parse(
  readFileSync(join(REPO_ROOT, "specs", "unit", "fixtures", "one-bastion-plan.json"), "utf8"),
) as TofuShow;

/** The default model with the fixture's schedule (one hour every Saturday morning) and an account. */
function modelWith(account: AccountModel): Model {
  return {
    ...DEFAULT_MODEL,
    bastion: {
      ...DEFAULT_MODEL.bastion,
      schedule: {
        ...DEFAULT_MODEL.bastion.schedule,
        start: "0 10 * * 6",
        stop: "0 11 * * 6",
        timeZone: "Europe/Paris",
      },
    },
    budget: { ...DEFAULT_MODEL.budget, account },
  };
}
const EXISTING = modelWith({ opened: "2024-01", plan: "paid" });

// What every month of the fixture costs whatever runs: the S3 state, 150 kB × $0.023 +
// 0.18 × $0.005 + 0.4 × $0.0004 = 0.00106345.
const FIXED = 0.00106345;
// Per hour the address is held: 0.04/152 GB of flow logs at $0.57, 14 days of it kept at $0.03.
const FLOW_PER_HOUR = (0.04 / 152) * 0.57 + (0.04 / 152) * (14 / 30) * 0.03;
/** The fixture's month with `saturdays` one-hour sessions of its t4g.micro, in a month of `days` days. */
const fixtureMonth = (saturdays: number, days: number) =>
  saturdays * 0.0092 +
  ((8 * saturdays) / (days * 24)) * 0.088 +
  saturdays * 0.005 +
  saturdays * FLOW_PER_HOUR +
  FIXED;

const month = (bill: Bill, m: string) => {
  const found = bill.months.find((x) => x.month === m);
  if (!found) throw new Error(`no ${m} in the bill`);
  return found;
};

test("the fixture with the clock at 2026-12-15: four Saturdays, the trial's last month, nothing it covers", () => {
  const bill = projectBill(EXISTING, FIXTURE, { now: new Date("2026-12-15T12:00:00Z") });
  expect(bill.months.map((m) => m.month)).toEqual([
    "2026-12",
    "2027-01",
    "2027-02",
    "2027-03",
    "2027-04",
    "2027-05",
    "2027-06",
    "2027-07",
    "2027-08",
    "2027-09",
    "2027-10",
    "2027-11",
    "2027-12",
  ]);
  const dec = month(bill, "2026-12");
  expect(dec.offers).toEqual(["t4g.small trial"]);
  expect(dec.notes).toContain("t4g.small trial ends this month (2026-12-31)");
  expect(dec.scheduledHours).toBe(4);
  // 4 h of t4g.micro 0.0368 + 8 GB for 4 of 744 h 0.00378495 + 4 h of its address 0.02 + flow logs + the rest.
  expect(dec.totalUsd).toBeCloseTo(fixtureMonth(4, 31), 9);
  expect(dec.totalUsd).toBeCloseTo(0.0622631, 7);
  expect(dec.freeTierUsd).toBe(0);
  expect(dec.creditsUsd).toBe(0);
  expect(dec.netUsd).toBe(dec.totalUsd);
  expect(dec.withinBudget).toBe(true);
  // The current month's line items: the launch template's public address for the scheduled hours.
  const ip = bill.estimate.lines.find((l) => l.kind === "publicIpv4");
  expect(ip?.address).toBe("module.bastion.aws_autoscaling_group.bastion");
  expect(ip?.quantity).toBe(4);
  expect(ip?.onEc2).toBe(true);
  expect(bill.firstBreach).toBeNull();
  expect(budgetVerdict(bill).ok).toBe(true);
  // No NAT instance to change: those alternatives are the ones that add one.
  expect(bill.alternatives.map((a) => a.name)).toEqual([
    "as planned",
    "the seed's schedule: 18:00-23:00 every day",
    "bastion always on",
    "a NAT gateway for the private subnet's IPv4",
    "two instances: the bastion, and a t4g.nano NAT on its schedule",
    "two instances: the bastion, and a t4g.nano NAT always on",
    "the fixed address as the primary: the bastion, and a t4g.nano NAT in its own group on the schedule",
    "the bastion as a t4g.nano (0.5 GiB; the free plan refuses it)",
    "no IPv4 egress (IPv6 only; no NAT, no public IPv4)",
  ]);

  const alt = (name: string) => bill.alternatives.find((a) => a.name === name);
  expect(alt("as planned")?.firstBreach).toBeNull();
  // A second instance for the fixed primary address: within December's four Saturdays,
  // over in January's five (5 × (0.0092 + 0.0046 + 0.005) + 2 disks + flow logs + the rest).
  expect(
    alt("the fixed address as the primary: the bastion, and a t4g.nano NAT in its own group on the schedule")
      ?.firstBreach,
  ).toBe("2027-01");
  // 155 h of t4g.micro, of its address, of 8 GB and of flow logs: 1.426 + 0.775 + 0.14667 + … : over in the first month.
  expect(alt("the seed's schedule: 18:00-23:00 every day")?.totalUsd).toBeCloseTo(
    155 * 0.0092 + 155 * 0.005 + ((8 * 155) / 744) * 0.088 + 155 * FLOW_PER_HOUR + FIXED,
    9,
  );
  expect(alt("the seed's schedule: 18:00-23:00 every day")?.firstBreach).toBe("2026-12");
  expect(alt("a NAT gateway for the private subnet's IPv4")?.firstBreach).toBe("2026-12");
  // A second instance keeps its 8 GB all month: 0.704 alone breaks it.
  expect(alt("two instances: the bastion, and a t4g.nano NAT on its schedule")?.firstBreach).toBe("2026-12");
  expect(alt("no IPv4 egress (IPv6 only; no NAT, no public IPv4)")?.firstBreach).toBeNull();
});

test("the fixture with the clock at 2027-01-15: five Saturdays, no offer left, still within $0.10", () => {
  const bill = projectBill(EXISTING, FIXTURE, { now: new Date("2027-01-15T00:00:00Z") });
  const jan = month(bill, "2027-01");
  expect(jan.offers).toEqual([]);
  expect(jan.scheduledHours).toBe(5);
  // 5 × 0.0092 + 8 × 5/744 × 0.088 + 5 × 0.005 + flow logs + the rest = 0.07756305.
  expect(jan.totalUsd).toBeCloseTo(0.07756305, 8);
  expect(month(bill, "2027-02").totalUsd).toBeCloseTo(fixtureMonth(4, 28), 9);
  expect(bill.months.map((m) => m.scheduledHours)).toEqual([5, 4, 4, 4, 5, 4, 5, 4, 4, 5, 4, 4, 5]);
  for (const m of bill.months) expect(monthVerdict(bill, m).ok, monthVerdict(bill, m).message).toBe(true);
  expect(bill.firstBreach).toBeNull();
  expect(bill.t4gHours).toBe(5);
  expect(bill.alwaysFree).toContain("100 GB out");
});

test("the fixture with the clock at 2027-07-01: July's five Saturdays in summer time, and a budget it would break", () => {
  const bill = projectBill(EXISTING, FIXTURE, { now: new Date("2027-07-01T00:00:00Z") });
  expect(bill.months[0]?.month).toBe("2027-07");
  expect(bill.months.at(-1)?.month).toBe("2028-07");
  expect(month(bill, "2027-07").totalUsd).toBeCloseTo(fixtureMonth(5, 31), 9);
  // 2028-02 has 29 days and four Saturdays.
  expect(month(bill, "2028-02").totalUsd).toBeCloseTo(fixtureMonth(4, 29), 9);
  expect(bill.firstBreach).toBeNull();
  // The same plan against a $0.07 budget breaks in the first five-Saturday month, and says why.
  const tight = projectBill({ ...EXISTING, budget: { ...EXISTING.budget, monthlyUsd: 0.07 } }, FIXTURE, {
    now: new Date("2027-07-01T00:00:00Z"),
  });
  expect(tight.firstBreach).toBe("2027-07");
  const verdict = budgetVerdict(tight);
  expect(verdict.ok).toBe(false);
  expect(verdict.message).toContain("2027-07: projected spend $0.0776");
  expect(verdict.message).toContain("budget $0.0700");
  expect(verdict.message).toContain(
    "module.bastion.aws_autoscaling_group.bastion: 5.0 × $0.0050 per address-hour (in use or idle) = $0.0250 → $0.0250",
  );
  expect(month(tight, "2027-08").withinBudget).toBe(true);
});

test("an account opened 2025-09 on the free plan: its credits pay the spend until they end, and the plan's refusals", () => {
  const bill = projectBill(modelWith({ opened: "2025-09", plan: "free" }), FIXTURE, {
    now: new Date("2025-10-15T00:00:00Z"),
  });
  const oct = month(bill, "2025-10");
  expect(oct.plan).toBe("free");
  expect(oct.offers).toEqual(["t4g.small trial", "sign-up credits", "free plan"]);
  // The credits pay the spend; the spend is still shown, and is what the budget measures.
  expect(oct.creditsUsd).toBeCloseTo(oct.totalUsd, 12);
  expect(oct.netUsd).toBeCloseTo(0, 12);
  expect(oct.creditsLeftUsd).toBeCloseTo(100 - oct.totalUsd, 9);
  expect(oct.totalUsd).toBeGreaterThan(0);
  // The default t4g.micro is one of the free plan's types; a t4g.nano would not be.
  expect(oct.notes.filter((n) => n.startsWith("the free plan refuses"))).toEqual([]);
  const nano = JSON.parse(JSON.stringify(FIXTURE).replaceAll('"t4g.micro"', '"t4g.nano"')) as TofuShow;
  const refused = month(
    projectBill(modelWith({ opened: "2025-09", plan: "free" }), nano, {
      now: new Date("2025-10-15T00:00:00Z"),
    }),
    "2025-10",
  );
  expect(refused.notes).toContain(
    "the free plan refuses t4g.nano (module.bastion.aws_autoscaling_group.bastion)",
  );
  // Six months from the opening: the free plan's last month is 2026-03.
  expect(month(bill, "2026-03").plan).toBe("free");
  expect(month(bill, "2026-03").notes).toContain("free plan ends this month (6 months from 2025-09)");
  const apr = month(bill, "2026-04");
  expect(apr.plan).toBe("paid");
  expect(apr.notes[0]).toMatch(/^the free plan has ended/);
  // Credits still pay on the paid plan, until 12 months from the opening.
  expect(apr.creditsUsd).toBeGreaterThan(0);
  expect(month(bill, "2026-09").notes).toContain("sign-up credits ends this month (12 months from 2025-09)");
  expect(month(bill, "2026-09").creditsUsd).toBeGreaterThan(0);
  const oct26 = month(bill, "2026-10");
  expect(oct26.offers).toEqual(["t4g.small trial"]);
  expect(oct26.creditsUsd).toBe(0);
  expect(oct26.creditsLeftUsd).toBe(0);
  expect(oct26.netUsd).toBe(oct26.totalUsd);
  const spent = bill.months.reduce((a, m) => a + m.creditsUsd, 0);
  expect(month(bill, "2026-09").creditsLeftUsd).toBeCloseTo(100 - spent, 9);
});

test("an account opened 2025-01: the legacy tier covers the address and the disk through 2026-01, nothing after", () => {
  const bill = projectBill(modelWith({ opened: "2025-01", plan: "paid" }), FIXTURE, {
    now: new Date("2025-03-15T00:00:00Z"),
  });
  for (const m of bill.months) {
    const legacy = m.month <= "2026-01";
    expect(m.offers.includes("legacy 12-month tier"), m.month).toBe(legacy);
    // Its address-hours and its GB-months are inside 750 h and 30 GB: only the rest is paid.
    if (legacy) {
      expect(m.freeTierUsd, m.month).toBeGreaterThan(0);
      expect(m.totalUsd, m.month).toBeCloseTo(m.scheduledHours * (0.0092 + FLOW_PER_HOUR) + FIXED, 9);
    } else {
      expect(m.freeTierUsd, m.month).toBe(0);
      expect(m.totalUsd, m.month).toBeGreaterThan(m.scheduledHours * (0.0092 + FLOW_PER_HOUR) + FIXED);
    }
  }
  expect(month(bill, "2026-01").notes).toContain(
    "legacy 12-month tier ends this month (12 months from 2025-01)",
  );
  expect(month(bill, "2026-02").offers).toEqual(["t4g.small trial"]);
});

test("a NAT gateway breaks the budget in the first month, and the verdict names its line items", () => {
  const withGateway: TofuShow = {
    planned_values: {
      root_module: {
        resources: [
          { address: "module.network.aws_nat_gateway.this[0]", type: "aws_nat_gateway", values: {} },
          { address: "module.network.aws_eip.nat[0]", type: "aws_eip", values: {} },
        ],
      },
    },
  };
  const bill = projectBill(EXISTING, withGateway, { now: new Date("2026-11-27T12:00:00Z") });
  const verdict = budgetVerdict(bill);
  expect(verdict.ok).toBe(false);
  expect(bill.firstBreach).toBe("2026-11");
  // 720 h (November) × $0.048 = $34.56, first among what breaks it.
  expect(verdict.message).toContain(
    "module.network.aws_nat_gateway.this[0]: 720.0 × $0.0480 per gateway-hour = $34.56 → $34.56 (always on)",
  );
  expect(verdict.message.indexOf("aws_nat_gateway")).toBeLessThan(verdict.message.indexOf("aws_eip"));
});

test("a resource of an unexpected service, or of a type the model cannot price, is named", () => {
  const bill = projectBill(
    EXISTING,
    {
      values: {
        root_module: {
          resources: [
            { address: "aws_db_instance.x", type: "aws_db_instance", values: {} },
            { address: "aws_sqs_queue.y", type: "aws_sqs_queue", values: {} },
          ],
        },
      },
    },
    { now: new Date("2026-11-27T12:00:00Z") },
  );
  expect(bill.unexpected.map((u) => `${u.address}: ${u.problem}`)).toEqual([
    "aws_db_instance.x: Amazon Relational Database Service has no place in the baseline",
    "aws_sqs_queue.y: the cost model does not know this resource type; add it to cost/services.ts with its price",
  ]);
});

test("`cost --lab` reads what the lab last applied, without running the lab's code", () => {
  const dir = mkdtempSync(join(tmpdir(), "moon-cost-lab-"));
  try {
    mkdirSync(join(dir, "lab"));
    copyFileSync(
      join(REPO_ROOT, "specs", "unit", "fixtures", "one-bastion-plan.json"),
      join(dir, "lab", "applied.json"),
    );
    writeFileSync(join(dir, "config.json"), JSON.stringify({ lab: { stateDir: join(dir, "lab") } }));
    const r = run(["npx", "tsx", "cost/cli.ts", "--lab", "--json", join(dir, "cost.json")], {
      cwd: REPO_ROOT,
      env: { ...process.env, MOON_CONFIG: join(dir, "config.json"), MOON_NOW: "2026-12-06" },
      allowFailure: true,
    });
    expect(r.code, `cost --lab:\n${r.stdout}${r.stderr}`).toBe(0);
    expect(r.stdout, "the bill of the applied state, line by line").toContain("line by line");
    expect(r.stdout).toContain("aws_autoscaling_group");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
