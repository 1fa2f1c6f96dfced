// The lab's scheduler: it carries out the emulator's schedules when the lab clock
// (lab/clock.ts) passes their times, as AWS would — Auto Scaling's scheduled actions set the
// group's sizes (unless the group's ScheduledActions process is suspended, as the bastion's
// hard cap does), and EventBridge Scheduler's universal targets call the API with the role
// the schedule names, which the emulator checks as IAM would (lab/moto_lab.py: the role must
// trust scheduler.amazonaws.com and allow the action). Every firing is recorded with its
// outcome in stateDir/schedules.json. The hypervisor daemon runs a pass every second.
import {
  DescribeAutoScalingGroupsCommand,
  DescribeScheduledActionsCommand,
  UpdateAutoScalingGroupCommand,
  type ScheduledUpdateGroupAction,
} from "@aws-sdk/client-auto-scaling";
import { EC2Client, StartInstancesCommand, StopInstancesCommand } from "@aws-sdk/client-ec2";
import { GetScheduleCommand, ListSchedulesCommand, type GetScheduleOutput } from "@aws-sdk/client-scheduler";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AwsClients } from "../common/target.ts";
import type { Model } from "../model/index.ts";
import { readLabClock } from "./clock.ts";
import { firings, parseSchedulerExpression, parseUnixCron, type ScheduleExpression } from "./cron.ts";

export interface Firing {
  /** The minute it fired at, on the lab clock. */
  readonly at: string;
  readonly source: "auto-scaling" | "scheduler";
  /** The scheduled action's or the schedule's name. */
  readonly name: string;
  /** What it did, e.g. "moon-and-back-bastion: min 0, max 1, desired 0" or "ec2:StopInstances i-…". */
  readonly what: string;
  readonly outcome: "done" | "skipped" | "failed";
  readonly detail?: string;
}

interface SchedulerState {
  /** The latest lab time up to which every schedule was carried out (it never goes back). */
  evaluatedTo: string;
  firings: Firing[];
  /** The schedules whose expression or time zone the lab could not read, each reported once. */
  reported?: string[];
}

/** The service principal EventBridge Scheduler assumes a target's role as. */
export const SCHEDULER_PRINCIPAL = "scheduler.amazonaws.com";
/** How far back a jump of the clock is carried out: more than a week, so every weekly schedule's last firing is in it. */
const MAX_WINDOW_MS = 8 * 24 * 3_600_000;

export const schedulesFile = (model: Model) => join(model.lab.stateDir, "schedules.json");

export function readFirings(model: Model): Firing[] {
  const f = schedulesFile(model);
  return existsSync(f) ? (JSON.parse(readFileSync(f, "utf8")) as SchedulerState).firings : [];
}

function save(model: Model, state: SchedulerState): void {
  const f = schedulesFile(model);
  writeFileSync(`${f}.tmp`, JSON.stringify(state, null, 2));
  renameSync(`${f}.tmp`, f);
}

/**
 * The credentials the lab signs a schedule's target call with: the emulator reads the
 * service, the role and the schedule from them and authorises the call as that role.
 */
export function assumedRoleKey(service: string, roleArn: string, sourceArn: string): string {
  return `ASIAROLE${Buffer.from(`${service} ${roleArn} ${sourceArn}`).toString("hex").toUpperCase()}`;
}

/**
 * The aws:SourceArn Scheduler sets when it assumes a target's role: the schedule group's ARN,
 * never the schedule's (https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html).
 */
export function scheduleGroupArn(s: Pick<GetScheduleOutput, "Arn" | "GroupName">): string {
  const m = /^(arn:[^:]+:scheduler:[^:]*:\d*):schedule\/([^/]+)\//.exec(s.Arn ?? "");
  return m ? `${m[1] ?? ""}:schedule-group/${s.GroupName ?? m[2] ?? "default"}` : (s.Arn ?? "");
}

interface Due {
  readonly t: number;
  readonly fire: () => Promise<Omit<Firing, "at">>;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class LabScheduler {
  /** Schedules already reported as unreadable (source/group/name), so each is said once. */
  private unreadable = new Set<string>();

  constructor(
    private readonly model: Model,
    private readonly aws: AwsClients,
    private readonly endpoint: string,
  ) {}

  /** Carries out what fell due since the last pass; returns the firings. */
  async pass(): Promise<Firing[]> {
    const clock = readLabClock(this.model);
    if (!clock) return [];
    const f = schedulesFile(this.model);
    const state: SchedulerState = existsSync(f)
      ? (JSON.parse(readFileSync(f, "utf8")) as SchedulerState)
      : { evaluatedTo: clock.toISOString(), firings: [] };
    const from = Date.parse(state.evaluatedTo);
    const to = clock.getTime();
    // Set back, the clock fires nothing, and moved forward again it fires only what lies
    // beyond the latest time already carried out: AWS does not repeat what it has done.
    if (to <= from) {
      if (!existsSync(f)) save(this.model, state);
      return [];
    }
    this.unreadable = new Set(state.reported ?? []);
    const after = Math.max(from, to - MAX_WINDOW_MS);
    const due = [...(await this.autoScaling(after, to)), ...(await this.scheduler(after, to))].sort(
      (a, b) => a.t - b.t,
    );
    const fired: Firing[] = [];
    for (const d of due) fired.push({ at: new Date(d.t).toISOString(), ...(await d.fire()) });
    save(this.model, {
      evaluatedTo: clock.toISOString(),
      firings: [...state.firings, ...fired],
      reported: [...this.unreadable],
    });
    return fired;
  }

  /** Records, once per schedule, a failed firing that says why the lab cannot carry it out. */
  private cannotRead(
    schedule: { source: Firing["source"]; group: string; name: string },
    why: string,
    at: number,
    out: Due[],
  ): void {
    const key = `${schedule.source}/${schedule.group}/${schedule.name}`;
    if (this.unreadable.has(key)) return;
    this.unreadable.add(key);
    const { source, name } = schedule;
    out.push({
      t: at,
      fire: () =>
        Promise.resolve({
          source,
          name,
          what: "nothing",
          outcome: "failed",
          detail: `the lab cannot read it: ${why}`,
        }),
    });
  }

  private async autoScaling(after: number, until: number): Promise<Due[]> {
    const out: Due[] = [];
    const actions: ScheduledUpdateGroupAction[] = [];
    let token: string | undefined;
    do {
      const r = await this.aws.autoscaling.send(new DescribeScheduledActionsCommand({ NextToken: token }));
      actions.push(...(r.ScheduledUpdateGroupActions ?? []));
      token = r.NextToken;
    } while (token);
    for (const a of actions) {
      const name = a.ScheduledActionName ?? "";
      const group = a.AutoScalingGroupName ?? "";
      const start = a.StartTime?.getTime() ?? -Infinity;
      const end = a.EndTime?.getTime() ?? Infinity;
      // With a StartTime, the action is performed at that time and then on its recurrence
      // (PutScheduledUpdateGroupAction, StartTime).
      const atStart = start > after && start <= until ? [start] : [];
      let times: number[];
      if (a.Recurrence) {
        const me = { source: "auto-scaling" as const, group, name };
        const spec = parseUnixCron(a.Recurrence);
        if (typeof spec === "string") {
          this.cannotRead(me, spec, until, out);
          continue;
        }
        const recurring = this.times({ kind: "cron", spec }, a.TimeZone ?? "UTC", after, until);
        if (typeof recurring === "string") {
          this.cannotRead(me, recurring, until, out);
          continue;
        }
        times = [...new Set([...atStart, ...recurring.filter((t) => t >= start && t <= end)])].sort(
          (x, y) => x - y,
        );
      } else times = atStart;
      const sizes = [
        a.MinSize === undefined ? "" : `min ${a.MinSize}`,
        a.MaxSize === undefined ? "" : `max ${a.MaxSize}`,
        a.DesiredCapacity === undefined ? "" : `desired ${a.DesiredCapacity}`,
      ]
        .filter(Boolean)
        .join(", ");
      for (const t of times)
        out.push({
          t,
          fire: async () => {
            const base = { source: "auto-scaling" as const, name, what: `${group}: ${sizes}` };
            // Whether the process is suspended is read when the lab carries the action out, not
            // at its minute: the same unless the clock jumped over a suspension's start or end.
            try {
              const g = await this.aws.autoscaling.send(
                new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] }),
              );
              const suspended = (g.AutoScalingGroups?.[0]?.SuspendedProcesses ?? []).some(
                (p) => p.ProcessName === "ScheduledActions",
              );
              if (suspended)
                return {
                  ...base,
                  outcome: "skipped",
                  detail: "the group's ScheduledActions process is suspended",
                };
              await this.aws.autoscaling.send(
                new UpdateAutoScalingGroupCommand({
                  AutoScalingGroupName: group,
                  MinSize: a.MinSize,
                  MaxSize: a.MaxSize,
                  DesiredCapacity: a.DesiredCapacity,
                }),
              );
              return { ...base, outcome: "done" };
            } catch (e) {
              return { ...base, outcome: "failed", detail: message(e) };
            }
          },
        });
    }
    return out;
  }

  private async scheduler(after: number, until: number): Promise<Due[]> {
    const out: Due[] = [];
    const schedules: GetScheduleOutput[] = [];
    let token: string | undefined;
    do {
      const r = await this.aws.scheduler.send(new ListSchedulesCommand({ NextToken: token }));
      for (const s of r.Schedules ?? [])
        schedules.push(
          await this.aws.scheduler.send(new GetScheduleCommand({ Name: s.Name, GroupName: s.GroupName })),
        );
      token = r.NextToken;
    } while (token);
    for (const s of schedules) {
      const name = s.Name ?? "";
      const group = s.GroupName ?? "default";
      if (s.State === "DISABLED") continue;
      const me = { source: "scheduler" as const, group, name };
      const expr = parseSchedulerExpression(s.ScheduleExpression ?? "");
      if (typeof expr === "string") {
        this.cannotRead(me, expr, until, out);
        continue;
      }
      // A one-time schedule ignores StartDate and EndDate (CreateSchedule, StartDate).
      const start = expr.kind === "at" ? -Infinity : (s.StartDate?.getTime() ?? -Infinity);
      const end = expr.kind === "at" ? Infinity : (s.EndDate?.getTime() ?? Infinity);
      const times = this.times(expr, s.ScheduleExpressionTimezone ?? "UTC", after, until);
      if (typeof times === "string") {
        this.cannotRead(me, times, until, out);
        continue;
      }
      for (const t of times) if (t >= start && t <= end) out.push({ t, fire: () => this.invoke(s) });
    }
    return out;
  }

  /** The firing times, or why they cannot be had (moto accepts any time zone name; Intl does not). */
  private times(expr: ScheduleExpression, timeZone: string, after: number, until: number): number[] | string {
    try {
      return [...firings(expr, timeZone, after, until)];
    } catch (e) {
      return `time zone "${timeZone}": ${message(e)}`;
    }
  }

  /** A universal target, arn:aws:scheduler:::aws-sdk:<service>:<apiAction>, called as the schedule's role. */
  private async invoke(s: GetScheduleOutput): Promise<Omit<Firing, "at">> {
    const name = s.Name ?? "";
    const target = /^arn:aws:scheduler:::aws-sdk:([a-z0-9]+):([A-Za-z0-9]+)$/.exec(s.Target?.Arn ?? "");
    const service = target?.[1] ?? "";
    const action = (target?.[2] ?? "").replace(/^./, (c) => c.toUpperCase());
    const base = { source: "scheduler" as const, name };
    let input: { InstanceIds?: string[] };
    try {
      input = JSON.parse(s.Target?.Input ?? "{}") as { InstanceIds?: string[] };
    } catch (e) {
      return {
        ...base,
        what: `${service}:${action}`,
        outcome: "failed",
        detail: `its input is not JSON: ${message(e)}`,
      };
    }
    const what = `${service}:${action} ${(input.InstanceIds ?? []).join(" ")}`.trim();
    if (service !== "ec2" || !["StartInstances", "StopInstances"].includes(action))
      return {
        ...base,
        what,
        outcome: "failed",
        detail: `the lab does not carry out ${s.Target?.Arn ?? "(no target)"}`,
      };
    const ec2 = new EC2Client({
      region: this.model.region,
      endpoint: this.endpoint,
      maxAttempts: 1,
      credentials: {
        accessKeyId: assumedRoleKey(SCHEDULER_PRINCIPAL, s.Target?.RoleArn ?? "", scheduleGroupArn(s)),
        secretAccessKey: "lab",
      },
    });
    try {
      const ids = { InstanceIds: input.InstanceIds ?? [] };
      await ec2.send(
        action === "StartInstances" ? new StartInstancesCommand(ids) : new StopInstancesCommand(ids),
      );
      return { ...base, what, outcome: "done" };
    } catch (e) {
      return { ...base, what, outcome: "failed", detail: message(e) };
    } finally {
      ec2.destroy();
    }
  }
}
