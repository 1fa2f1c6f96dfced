// Plain instances that keep the bastion's hours (the nodes, the NAT instance): EventBridge
// Scheduler starts and stops them with the bastion's crons, through a role that may touch
// those instances and nothing else. The bastion itself is a group and uses its own
// scheduled actions; these are instances a group cannot hold (fixed addresses, forwarding).
import type { Model } from "../model/index.ts";
import { attrs, block, comment, ref, type Block, type Comment } from "./writers/hcl.ts";
import type { TofuVariable } from "./writers/tofu.ts";

const CRON_FIELDS =
  'can(regex("^\\\\S+ \\\\S+ [*] \\\\S+ ([*]|[0-7](-[0-7])?(,[0-7](-[0-7])?)*)$", var.NAME))' +
  // HCL's range() counts down where a backwards weekday range ("5-2") means nothing to cron.
  ' && try(alltrue([for r in regexall("([0-7])-([0-7])", element(split(" ", var.NAME), 4)) : tonumber(r[0]) <= tonumber(r[1])]), false)';
const CRON_MESSAGE =
  "Use the bastion's five cron fields with day-of-month * and the weekday as * or 0-7 (0 and 7 are Sunday) in ascending ranges and lists, as Auto Scaling reads them: this module names the weekdays for EventBridge Scheduler, which counts them from 1.";

/** The module variables a schedule reads, each the root's bastion variable of the same purpose. */
export function scheduleVariables(model: Model, who: string): (TofuVariable & { root: string })[] {
  const b = model.bastion.schedule;
  return [
    {
      name: "schedule_start",
      root: "bastion_schedule_start",
      type: "string",
      description: `Cron recurrence that starts ${who} (the bastion's).`,
      example: `"${b.start}"`,
      default: b.start,
      validations: [{ condition: CRON_FIELDS.replaceAll("NAME", "schedule_start"), message: CRON_MESSAGE }],
    },
    {
      name: "schedule_stop",
      root: "bastion_schedule_stop",
      type: "string",
      description: "Cron recurrence that stops them.",
      example: `"${b.stop}"`,
      default: b.stop,
      validations: [{ condition: CRON_FIELDS.replaceAll("NAME", "schedule_stop"), message: CRON_MESSAGE }],
    },
    {
      name: "schedule_time_zone",
      root: "bastion_schedule_time_zone",
      type: "string",
      description: "IANA time zone of the recurrences.",
      example: `"${b.timeZone}"`,
      default: b.timeZone,
    },
  ];
}

export interface InstanceSchedule {
  /** Short name in resource names: `${var.name}-<who>-start`. */
  readonly who: string;
  /** The HCL `count` of every block: 1 when the schedule applies. */
  readonly count: string;
  /** HCL lists of the instances' IDs and ARNs. */
  readonly ids: string;
  readonly arns: string;
}

/** The locals, role, policy and the start and stop schedules. */
export function instanceScheduleBlocks(s: InstanceSchedule): (Block | Comment)[] {
  const schedule = (what: "start" | "stop"): Block =>
    block(
      "resource",
      ["aws_scheduler_schedule", what],
      attrs({
        count: ref(s.count),
        name: ref(`"\${var.name}-${s.who}-${what}"`),
        schedule_expression: ref(`local.scheduler_cron.${what}`),
        schedule_expression_timezone: ref("var.schedule_time_zone"),
      }),
      block("flexible_time_window", [], attrs({ mode: "OFF" })),
      block(
        "target",
        [],
        attrs({
          arn: `arn:aws:scheduler:::aws-sdk:ec2:${what}Instances`,
          role_arn: ref("aws_iam_role.scheduler[0].arn"),
          input: ref(`jsonencode({ InstanceIds = ${s.ids} })`),
        }),
      ),
    );
  return [
    comment(
      "The bastion's five-field crons in EventBridge Scheduler's six-field form: a year, \"?\" for\n" +
        "day-of-month, and the weekdays by name, because Scheduler counts them from 1 = Sunday and\n" +
        "cron from 0 (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html).\n" +
        "model/schedule.ts schedulerCron is the same translation; a unit spec holds the two together.",
    ),
    block(
      "locals",
      [],
      attrs({
        weekday_names: ref('["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]'),
        scheduler_cron: ref(
          '{ for k, v in { start = var.schedule_start, stop = var.schedule_stop } : k => format("cron(%s %s ? %s %s *)", split(" ", v)[0], split(" ", v)[1], split(" ", v)[3], split(" ", v)[4] == "*" ? "*" : join(",", [for d in sort(distinct([for n in flatten([for part in split(",", split(" ", v)[4]) : range(tonumber(split("-", part)[0]), tonumber(reverse(split("-", part))[0]) + 1)]) : tostring(n % 7)])) : local.weekday_names[tonumber(d)]])) }',
        ),
      }),
    ),
    comment(
      "Only this account's schedules in the default group may use the role: Scheduler sets\n" +
        "aws:SourceAccount and, as aws:SourceArn, the schedule group's ARN, never the schedule's\n" +
        "(https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html).",
    ),
    block("data", ["aws_caller_identity", "scheduler"], []),
    block("data", ["aws_region", "scheduler"], []),
    block(
      "resource",
      ["aws_iam_role", "scheduler"],
      attrs({
        count: ref(s.count),
        name: ref(`"\${var.name}-${s.who}-scheduler"`),
        assume_role_policy: ref(
          'jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "scheduler.amazonaws.com" }, Condition = { StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.scheduler.account_id }, ArnLike = { "aws:SourceArn" = "arn:aws:scheduler:${data.aws_region.scheduler.region}:${data.aws_caller_identity.scheduler.account_id}:schedule-group/default" } } }] })',
        ),
        tags: ref("var.tags"),
      }),
    ),
    comment(`It may start and stop these ${s.who === "nodes" ? "nodes" : "instances"} and nothing else.`),
    block(
      "resource",
      ["aws_iam_role_policy", "scheduler"],
      attrs({
        count: ref(s.count),
        name: `start-stop-${s.who}`,
        role: ref("aws_iam_role.scheduler[0].id"),
        policy: ref(
          `jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ["ec2:StartInstances", "ec2:StopInstances"], Resource = ${s.arns} }] })`,
        ),
      }),
    ),
    schedule("start"),
    schedule("stop"),
  ];
}
