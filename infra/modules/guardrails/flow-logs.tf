# The VPC's flow log, its log group and the role that delivers to it.
# Copied by generator 09 from generators/09-guardrails/flow-logs.tf. Do not edit: edit the source, then run `npm run generate -- --test 9`.

resource "aws_cloudwatch_log_group" "flow_log" {
  # checkov:skip=CKV_AWS_158:a customer-managed KMS key costs $1 a month, ten times the baseline's budget; the group is encrypted with CloudWatch's own key
  # checkov:skip=CKV_AWS_338:the audit reads recent flows; a year of them would be storage to pay for and nothing to read
  name              = "/${var.name}/vpc-flow-log"
  retention_in_days = var.flow_log_retention_days
  tags              = merge(var.tags, { Name = "${var.name}-vpc-flow-log" })
}

resource "aws_iam_role" "flow_log" {
  name               = "${var.name}-vpc-flow-log"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "vpc-flow-logs.amazonaws.com" } }] })
  tags               = var.tags
}

# It may write to this one log group and nothing else.
resource "aws_iam_role_policy" "flow_log" {
  name   = "deliver-flow-log"
  role   = aws_iam_role.flow_log.id
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource = "${aws_cloudwatch_log_group.flow_log.arn}:*" }] })
}

# Ten-minute aggregation: the fewest records for the same flows, so the fewest bytes ingested.
resource "aws_flow_log" "vpc" {
  vpc_id                   = var.vpc_id
  traffic_type             = var.flow_log_traffic_type
  log_destination_type     = "cloud-watch-logs"
  log_destination          = aws_cloudwatch_log_group.flow_log.arn
  iam_role_arn             = aws_iam_role.flow_log.arn
  max_aggregation_interval = 600
  tags                     = merge(var.tags, { Name = "${var.name}-vpc-flow-log" })
}
