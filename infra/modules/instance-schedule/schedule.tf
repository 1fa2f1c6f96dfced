# EventBridge Scheduler starts and stops plain instances on the bastion's hours, through a role that
# may touch those instances and nothing else. The bastion is a group and has its own scheduled actions;
# these are instances a group cannot hold (fixed addresses, forwarding): the NAT instance, the nodes.
# Copied by generator 01 from generators/instance-schedule/schedule.tf. Do not edit: edit the source, then run `npm run generate -- --test 1`.

# The bastion's five-field crons in EventBridge Scheduler's six-field form: a year, "?" for
# day-of-month, and the weekdays by name, because Scheduler counts them from 1 = Sunday and
# cron from 0 (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html).
# model/schedule.ts schedulerCron is the same translation; a unit spec holds the two together.
locals {
  weekday_names  = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
  scheduler_cron = { for k, v in { start = var.schedule_start, stop = var.schedule_stop } : k => format("cron(%s %s ? %s %s *)", split(" ", v)[0], split(" ", v)[1], split(" ", v)[3], split(" ", v)[4] == "*" ? "*" : join(",", [for d in sort(distinct([for n in flatten([for part in split(",", split(" ", v)[4]) : range(tonumber(split("-", part)[0]), tonumber(reverse(split("-", part))[0]) + 1)]) : tostring(n % 7)])) : local.weekday_names[tonumber(d)]])) }
}

# Only this account's schedules in the default group may use the role: Scheduler sets
# aws:SourceAccount and, as aws:SourceArn, the schedule group's ARN, never the schedule's
# (https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html).
data "aws_caller_identity" "scheduler" {}

data "aws_region" "scheduler" {}

resource "aws_iam_role" "scheduler" {
  count              = var.enabled ? 1 : 0
  name               = "${var.name}-scheduler"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "scheduler.amazonaws.com" }, Condition = { StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.scheduler.account_id }, ArnLike = { "aws:SourceArn" = "arn:aws:scheduler:${data.aws_region.scheduler.region}:${data.aws_caller_identity.scheduler.account_id}:schedule-group/default" } } }] })
  tags               = var.tags
}

# It may start and stop these instances and nothing else.
resource "aws_iam_role_policy" "scheduler" {
  count  = var.enabled ? 1 : 0
  name   = "start-stop"
  role   = aws_iam_role.scheduler[0].id
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ["ec2:StartInstances", "ec2:StopInstances"], Resource = var.instance_arns }] })
}

resource "aws_scheduler_schedule" "start" {
  # checkov:skip=CKV_AWS_297:a customer managed KMS key costs $1 a month (https://aws.amazon.com/kms/pricing/), ten times the budget; the schedule holds instance IDs, which Scheduler encrypts at rest with an AWS owned key (https://docs.aws.amazon.com/scheduler/latest/UserGuide/encryption-rest.html)
  count                        = var.enabled ? 1 : 0
  name                         = "${var.name}-start"
  schedule_expression          = local.scheduler_cron.start
  schedule_expression_timezone = var.schedule_time_zone
  flexible_time_window {
    mode = "OFF"
  }
  target {
    arn      = "arn:aws:scheduler:::aws-sdk:ec2:startInstances"
    role_arn = aws_iam_role.scheduler[0].arn
    input    = jsonencode({ InstanceIds = var.instance_ids })
  }
}

resource "aws_scheduler_schedule" "stop" {
  # checkov:skip=CKV_AWS_297:a customer managed KMS key costs $1 a month (https://aws.amazon.com/kms/pricing/), ten times the budget; the schedule holds instance IDs, which Scheduler encrypts at rest with an AWS owned key (https://docs.aws.amazon.com/scheduler/latest/UserGuide/encryption-rest.html)
  count                        = var.enabled ? 1 : 0
  name                         = "${var.name}-stop"
  schedule_expression          = local.scheduler_cron.stop
  schedule_expression_timezone = var.schedule_time_zone
  flexible_time_window {
    mode = "OFF"
  }
  target {
    arn      = "arn:aws:scheduler:::aws-sdk:ec2:stopInstances"
    role_arn = aws_iam_role.scheduler[0].arn
    input    = jsonencode({ InstanceIds = var.instance_ids })
  }
}
