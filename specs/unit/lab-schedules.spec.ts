// The lab's scheduler (lab/schedules.ts) and its reading of schedule expressions
// (lab/cron.ts): schedules fire when the lab clock passes their times, as AWS fires them —
// Auto Scaling's Unix cron and EventBridge Scheduler's cron(), each in its time zone; a
// Scheduler target is called as the schedule's role, which the emulator checks as IAM would.
// The emulator runs on a free loopback port of its own. Level: offline (the emulator alone).
import {
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  PutScheduledUpdateGroupActionCommand,
  SuspendProcessesCommand,
} from "@aws-sdk/client-auto-scaling";
import {
  CreateLaunchTemplateCommand,
  DescribeInstancesCommand,
  DescribeSubnetsCommand,
  RunInstancesCommand,
  StopInstancesCommand,
} from "@aws-sdk/client-ec2";
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { CreateScheduleCommand } from "@aws-sdk/client-scheduler";
import { GetParameterCommand } from "@aws-sdk/client-ssm";
import { expect, test } from "@playwright/test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { awsClients, targetFor, type AwsClients } from "../../common/target.ts";
import { setLabClock } from "../../lab/clock.ts";
import {
  firings,
  nextFiring,
  parseSchedulerExpression,
  parseUnixCron,
  type ScheduleExpression,
} from "../../lab/cron.ts";
import { LabScheduler, readFirings } from "../../lab/schedules.ts";
import { DEFAULT_MODEL, mergeModel, type Model } from "../../model/index.ts";
import { python, startEmulatorProcess, type EmulatorProcess } from "./emulator-process.ts";

const cron = (expr: string): ScheduleExpression => {
  const spec = parseUnixCron(expr);
  if (typeof spec === "string") throw new Error(spec);
  return { kind: "cron", spec };
};
const scheduler = (expr: string): ScheduleExpression => {
  const e = parseSchedulerExpression(expr);
  if (typeof e === "string") throw new Error(e);
  return e;
};
const next = (e: ScheduleExpression, tz: string, after: string) =>
  new Date(nextFiring(e, tz, Date.parse(after)) ?? 0).toISOString();

test.describe("schedule expressions, as AWS reads them", () => {
  test("the bastion's recurrence fires on Saturday 10:00 in Paris: 09:00 UTC in winter, 08:00 in summer", () => {
    // 2026-12-06 is a Sunday.
    expect(next(cron("0 10 * * 6"), "Europe/Paris", "2026-12-06T14:00:00Z")).toBe("2026-12-12T09:00:00.000Z");
    expect(next(cron("0 10 * * 6"), "Europe/Paris", "2027-06-01T00:00:00Z")).toBe("2027-06-05T08:00:00.000Z");
  });

  test("Scheduler counts weekdays from 1 = Sunday, Unix cron from 0 (7 is Sunday too)", () => {
    expect(next(scheduler("cron(0 10 ? * 7 *)"), "UTC", "2026-12-06T14:00:00Z")).toBe(
      "2026-12-12T10:00:00.000Z",
    );
    expect(next(scheduler("cron(0 10 ? * SAT *)"), "UTC", "2026-12-06T14:00:00Z")).toBe(
      "2026-12-12T10:00:00.000Z",
    );
    expect(next(cron("0 10 * * 7"), "UTC", "2026-12-06T14:00:00Z")).toBe("2026-12-13T10:00:00.000Z");
    expect(next(cron("0 10 * * 0"), "UTC", "2026-12-06T14:00:00Z")).toBe("2026-12-13T10:00:00.000Z");
  });

  test("a wall time the autumn DST change repeats fires once, the first time", () => {
    // Paris goes from 03:00 back to 02:00 on 2027-10-31: 02:30 is 00:30Z and again 01:30Z.
    const times = (e: ScheduleExpression) => [
      ...firings(e, "Europe/Paris", Date.parse("2027-10-30T22:00:00Z"), Date.parse("2027-10-31T04:00:00Z")),
    ];
    expect(times(scheduler("cron(30 2 * * ? *)")).map((t) => new Date(t).toISOString())).toEqual([
      "2027-10-31T00:30:00.000Z",
    ]);
    expect(times(scheduler("at(2027-10-31T02:30:00)"))).toHaveLength(1);
    expect(times(cron("30 2 * * *"))).toHaveLength(1);
    // Every half hour: twelve half hours pass, and the repeated 02:00 and 02:30 fire once each.
    expect(times(cron("*/30 * * * *"))).toHaveLength(10);
  });

  test("a wall time the spring DST change skips never fires; at() fires once", () => {
    // Paris skips 02:00-03:00 on 2027-03-28.
    expect(next(cron("30 2 * * *"), "Europe/Paris", "2027-03-27T02:00:00Z")).toBe("2027-03-29T00:30:00.000Z");
    expect(next(scheduler("at(2027-01-02T10:00:00)"), "Europe/Paris", "2026-12-30T00:00:00Z")).toBe(
      "2027-01-02T09:00:00.000Z",
    );
    expect(
      nextFiring(scheduler("at(2027-01-02T10:00:00)"), "Europe/Paris", Date.parse("2027-01-03T00:00:00Z")),
    ).toBe(undefined);
  });

  test("what the lab cannot read is refused with the reason, never guessed", () => {
    expect(parseSchedulerExpression("rate(5 minutes)")).toContain("rate()");
    expect(parseSchedulerExpression("cron(0 10 L * ? *)")).toContain("L, W and #");
    expect(parseSchedulerExpression("cron(0 10 * * SAT *)")).toContain('"?"');
    expect(parseUnixCron("0 25 * * *")).toContain("0-23");
    expect(parseUnixCron("0 10 * *")).toContain("five fields");
    expect(parseUnixCron("0 1-5-9 * * *")).toContain("more than one range or step");
    expect(parseUnixCron("0/2/3 10 * * *")).toContain("more than one range or step");
  });
});

const REGION = DEFAULT_MODEL.region;
const AMI_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64";
const TZ = "Europe/Paris";
/** Saturday 10:00 in Paris, 2026-12-12: the start of both schedules below. */
const START = "2026-12-12T09:00:00.000Z";

interface World {
  readonly emulator: EmulatorProcess;
  readonly model: Model;
  readonly aws: AwsClients;
  readonly iam: IAMClient;
  readonly scheduler: LabScheduler;
  readonly instanceId: string;
  readonly otherId: string;
}

/**
 * An emulator with a group of up to one (desired 0) with a start action, and two stopped
 * instances; a Scheduler schedule starts the first at the same minute, as a role that
 * trusts `trusted` and may start `allowed`.
 */
async function world(trusted: string, allowed: "instance" | "other"): Promise<World> {
  const emulator = await startEmulatorProcess();
  const stateDir = mkdtempSync(join(tmpdir(), "mab-schedules-"));
  const model = mergeModel(DEFAULT_MODEL, { lab: { stateDir } });
  const endpoint = emulator.url;
  const aws = awsClients({ ...targetFor("lab", model), endpoint });
  const iam = new IAMClient({
    endpoint,
    region: REGION,
    maxAttempts: 1,
    credentials: { accessKeyId: "lab", secretAccessKey: "lab" },
  });
  const image = (await aws.ssm.send(new GetParameterCommand({ Name: AMI_PARAMETER }))).Parameter?.Value ?? "";
  const subnet = (await aws.ec2.send(new DescribeSubnetsCommand({}))).Subnets?.[0]?.SubnetId ?? "";
  await aws.ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: "group",
      LaunchTemplateData: { ImageId: image, InstanceType: "t4g.micro" },
    }),
  );
  await aws.autoscaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: "group",
      MinSize: 0,
      MaxSize: 1,
      DesiredCapacity: 0,
      LaunchTemplate: { LaunchTemplateName: "group" },
      VPCZoneIdentifier: subnet,
    }),
  );
  await aws.autoscaling.send(
    new PutScheduledUpdateGroupActionCommand({
      AutoScalingGroupName: "group",
      ScheduledActionName: "group-start",
      Recurrence: "0 10 * * 6",
      TimeZone: TZ,
      MinSize: 0,
      MaxSize: 1,
      DesiredCapacity: 1,
    }),
  );
  const run = await aws.ec2.send(
    new RunInstancesCommand({ ImageId: image, InstanceType: "t4g.micro", MinCount: 2, MaxCount: 2 }),
  );
  const [instanceId = "", otherId = ""] = (run.Instances ?? []).map((i) => i.InstanceId ?? "");
  await aws.ec2.send(new StopInstancesCommand({ InstanceIds: [instanceId, otherId] }));
  const account = "123456789012";
  const arn = (id: string) => `arn:aws:ec2:${REGION}:${account}:instance/${id}`;
  await iam.send(
    new CreateRoleCommand({
      RoleName: "starter",
      AssumeRolePolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        // As AWS recommends against the confused deputy: the account, and the schedule group
        // (never the schedule) as aws:SourceArn.
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: trusted },
            Action: "sts:AssumeRole",
            Condition: {
              StringEquals: { "aws:SourceAccount": account },
              ArnLike: { "aws:SourceArn": `arn:aws:scheduler:${REGION}:${account}:schedule-group/default` },
            },
          },
        ],
      }),
    }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: "starter",
      PolicyName: "start",
      PolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: ["ec2:StartInstances"],
            Resource: [arn(allowed === "instance" ? instanceId : otherId)],
          },
        ],
      }),
    }),
  );
  await aws.scheduler.send(
    new CreateScheduleCommand({
      Name: "nodes-start",
      ScheduleExpression: "cron(0 10 ? * SAT *)",
      ScheduleExpressionTimezone: TZ,
      FlexibleTimeWindow: { Mode: "OFF" },
      Target: {
        Arn: "arn:aws:scheduler:::aws-sdk:ec2:startInstances",
        RoleArn: `arn:aws:iam::${account}:role/starter`,
        Input: JSON.stringify({ InstanceIds: [instanceId] }),
      },
    }),
  );
  return {
    emulator,
    model,
    aws,
    iam,
    scheduler: new LabScheduler(model, aws, endpoint),
    instanceId,
    otherId,
  };
}

async function end(w: World): Promise<void> {
  w.aws.destroy();
  w.iam.destroy();
  await w.emulator.stop();
  rmSync(w.model.lab.stateDir, { recursive: true, force: true });
}

async function state(w: World, id: string): Promise<string | undefined> {
  const r = await w.aws.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  return r.Reservations?.[0]?.Instances?.[0]?.State?.Name;
}

async function desired(w: World): Promise<number | undefined> {
  const r = await w.aws.autoscaling.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["group"] }),
  );
  return r.AutoScalingGroups?.[0]?.DesiredCapacity;
}

test.describe("the lab's scheduler, against the emulator", () => {
  test.skip(!existsSync(python), `no ${python}: run \`npm run setup\` (it installs moto)`);

  test("two starts in the same minute: the group's action and a Scheduler target, each done as AWS does it", async () => {
    const w = await world("scheduler.amazonaws.com", "instance");
    try {
      setLabClock(w.model, new Date("2026-12-12T08:58:00Z"));
      expect(await w.scheduler.pass(), "the first pass only starts the clock's record").toEqual([]);
      setLabClock(w.model, new Date("2026-12-12T08:59:59Z"));
      expect(await w.scheduler.pass(), "nothing is due before 10:00 in Paris").toEqual([]);
      setLabClock(w.model, new Date("2026-12-12T09:00:30Z"));
      const fired = await w.scheduler.pass();
      expect(
        fired.map((f) => [f.at, f.name, f.outcome]),
        "both fire at the same minute, and both are done",
      ).toEqual(
        expect.arrayContaining([
          [START, "group-start", "done"],
          [START, "nodes-start", "done"],
        ]),
      );
      expect(fired).toHaveLength(2);
      expect(await desired(w), "the group's desired capacity is the action's").toBe(1);
      expect(await state(w, w.instanceId), "the Scheduler target started its instance").toBe("running");
      expect(await state(w, w.otherId), "and no other").toBe("stopped");
      expect(readFirings(w.model), "recorded in the lab's state").toHaveLength(2);
      setLabClock(w.model, new Date("2026-12-12T09:30:00Z"));
      expect(await w.scheduler.pass(), "a minute already carried out does not fire again").toEqual([]);
      setLabClock(w.model, new Date("2026-12-12T08:00:00Z"));
      expect(await w.scheduler.pass(), "nor when the clock is set back").toEqual([]);
      setLabClock(w.model, new Date("2026-12-19T09:00:00Z"));
      const week = await w.scheduler.pass();
      expect(
        week.map((f) => [f.at, f.name]),
        "a week on, each fires once more, and the minutes carried out before the clock went back do not fire again",
      ).toEqual(
        expect.arrayContaining([
          ["2026-12-19T09:00:00.000Z", "group-start"],
          ["2026-12-19T09:00:00.000Z", "nodes-start"],
        ]),
      );
      expect(week).toHaveLength(2);
    } finally {
      await end(w);
    }
  });

  test("a Scheduler role that does not trust scheduler.amazonaws.com, or may not start the instance, starts nothing", async () => {
    for (const [trusted, allowed, reason] of [
      ["ec2.amazonaws.com", "instance", "does not trust scheduler.amazonaws.com"],
      ["scheduler.amazonaws.com", "other", "no identity-based policy allows it"],
    ] as const) {
      const w = await world(trusted, allowed);
      try {
        setLabClock(w.model, new Date("2026-12-12T08:59:00Z"));
        await w.scheduler.pass();
        setLabClock(w.model, new Date("2026-12-12T09:00:00Z"));
        const fired = (await w.scheduler.pass()).find((f) => f.name === "nodes-start");
        expect(fired?.outcome, `trust ${trusted}, allowed on the ${allowed}: refused`).toBe("failed");
        expect(fired?.detail, "the emulator says why, as IAM would").toContain(reason);
        expect(await state(w, w.instanceId), "the instance stays stopped").toBe("stopped");
      } finally {
        await end(w);
      }
    }
  });

  test("a group whose ScheduledActions process is suspended (the bastion's hard cap) is not scaled", async () => {
    const w = await world("scheduler.amazonaws.com", "instance");
    try {
      await w.aws.autoscaling.send(
        new SuspendProcessesCommand({
          AutoScalingGroupName: "group",
          ScalingProcesses: ["ScheduledActions"],
        }),
      );
      setLabClock(w.model, new Date("2026-12-12T08:59:00Z"));
      await w.scheduler.pass();
      setLabClock(w.model, new Date("2026-12-12T09:00:00Z"));
      const fired = (await w.scheduler.pass()).find((f) => f.name === "group-start");
      expect(fired?.outcome).toBe("skipped");
      expect(fired?.detail).toContain("suspended");
      expect(await desired(w), "desired stays 0").toBe(0);
    } finally {
      await end(w);
    }
  });
});
