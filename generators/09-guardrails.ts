// Generator 09 — the exposure guardrails (spec 09): the `guardrails` module. VPC flow logs
// to CloudWatch Logs, so an audit can see what reached the VPC; the VPC's default security
// group stripped of its rules, so nothing attached to it by accident is reachable; and the
// region's default EBS encryption. The audit (audit/) checks them over the API.
import { FLOW_LOG_TRAFFIC_TYPES, LOG_RETENTION_DAYS, type Model } from "../model/index.ts";
import { moduleFiles, moduleLayer, type LayerVariable } from "./module.ts";
import { attrs, block, comment, hclFile, ref } from "./writers/hcl.ts";
import { checkovSkip, type TofuOutput } from "./writers/tofu.ts";
import { generatedHeader, type GeneratedFile, type Generator } from "./types.ts";

const TEST = 9;
const header = (what: string): string => `${what}\n${generatedHeader(TEST)}`;

function moduleVariables(model: Model): LayerVariable[] {
  const fl = model.guardrails.flowLogs;
  return [
    { name: "name", type: "string", description: "Prefix of every name.", example: `"${model.project}"` },
    {
      name: "tags",
      type: "map(string)",
      description: "Tags for every resource.",
      example: '{ Project = "moon-and-back" }',
    },
    {
      name: "vpc_id",
      type: "string",
      description: "The VPC whose flows are logged.",
      example: '"vpc-0123456789abcdef0"',
    },
    {
      name: "flow_log_traffic_type",
      root: "flow_log_traffic_type",
      type: "string",
      description: `Which flows are logged: ${FLOW_LOG_TRAFFIC_TYPES.join(", ")}.`,
      example: `"${fl.trafficType}"`,
      default: fl.trafficType,
      validations: [
        {
          condition: `contains(${JSON.stringify(FLOW_LOG_TRAFFIC_TYPES).replaceAll(",", ", ")}, var.flow_log_traffic_type)`,
          message: `flow_log_traffic_type must be one of ${FLOW_LOG_TRAFFIC_TYPES.join(", ")}.`,
        },
      ],
    },
    {
      name: "flow_log_retention_days",
      root: "flow_log_retention_days",
      type: "number",
      description: "Days CloudWatch Logs keeps the flow log.",
      example: String(fl.retentionDays),
      default: fl.retentionDays,
      validations: [
        {
          condition: `contains([${LOG_RETENTION_DAYS.join(", ")}], var.flow_log_retention_days)`,
          message: "flow_log_retention_days must be a period CloudWatch Logs offers, e.g. 14 or 30.",
        },
      ],
    },
  ];
}

const outputs: TofuOutput[] = [
  { name: "flow_log_id", description: "The VPC's flow log.", value: "aws_flow_log.vpc.id" },
  {
    name: "flow_log_group",
    description: "The CloudWatch Logs group the flow log writes to.",
    value: "aws_cloudwatch_log_group.flow_log.name",
  },
];

function flowLogsTf(): string {
  return hclFile(header("The VPC's flow log, its log group and the role that delivers to it."), [
    block(
      "resource",
      ["aws_cloudwatch_log_group", "flow_log"],
      checkovSkip(
        "CKV_AWS_158",
        "a customer-managed KMS key costs $1 a month, ten times the baseline's budget; the group is encrypted with CloudWatch's own key",
      ),
      checkovSkip(
        "CKV_AWS_338",
        "the audit reads recent flows; a year of them would be storage to pay for and nothing to read",
      ),
      attrs({
        name: ref('"/${var.name}/vpc-flow-log"'),
        retention_in_days: ref("var.flow_log_retention_days"),
        tags: ref('merge(var.tags, { Name = "${var.name}-vpc-flow-log" })'),
      }),
    ),
    block(
      "resource",
      ["aws_iam_role", "flow_log"],
      attrs({
        name: ref('"${var.name}-vpc-flow-log"'),
        assume_role_policy: ref(
          'jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "vpc-flow-logs.amazonaws.com" } }] })',
        ),
        tags: ref("var.tags"),
      }),
    ),
    comment("It may write to this one log group and nothing else."),
    block(
      "resource",
      ["aws_iam_role_policy", "flow_log"],
      attrs({
        name: "deliver-flow-log",
        role: ref("aws_iam_role.flow_log.id"),
        policy: ref(
          'jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource = "${aws_cloudwatch_log_group.flow_log.arn}:*" }] })',
        ),
      }),
    ),
    comment("Ten-minute aggregation: the fewest records for the same flows, so the fewest bytes ingested."),
    block(
      "resource",
      ["aws_flow_log", "vpc"],
      attrs({
        vpc_id: ref("var.vpc_id"),
        traffic_type: ref("var.flow_log_traffic_type"),
        log_destination_type: "cloud-watch-logs",
        log_destination: ref("aws_cloudwatch_log_group.flow_log.arn"),
        iam_role_arn: ref("aws_iam_role.flow_log.arn"),
        max_aggregation_interval: 600,
        tags: ref('merge(var.tags, { Name = "${var.name}-vpc-flow-log" })'),
      }),
    ),
  ]);
}

function accountTf(): string {
  return hclFile(header("The VPC's default security group, and the region's default EBS encryption."), [
    comment(
      "Every VPC comes with a default group that lets its members talk to each other and out.\n" +
        "Nothing of the kit uses it; taking its rules away means an interface left in it by\n" +
        "mistake is reachable by nothing and reaches nothing.",
    ),
    block(
      "resource",
      ["aws_default_security_group", "this"],
      attrs({
        vpc_id: ref("var.vpc_id"),
        tags: ref('merge(var.tags, { Name = "${var.name}-default-unused" })'),
      }),
    ),
    comment(
      "Every new volume in the region is encrypted (with the free AWS-managed key), whoever\n" +
        "makes it. An account-wide setting: destroying this module turns it off again.",
    ),
    block("resource", ["aws_ebs_encryption_by_default", "this"], attrs({ enabled: true })),
  ]);
}

const spec = (model: Model) => ({
  name: "guardrails",
  test: TEST,
  variables: moduleVariables(model),
  outputs,
  files: { "flow-logs.tf": flowLogsTf(), "account.tf": accountTf() },
  readme: [
    "What lets an audit prove the design exposes nothing, and keeps a mistake from exposing",
    "something: `flow-logs.tf` logs the VPC's flows to a CloudWatch Logs group (ten-minute",
    "aggregation, kept `flow_log_retention_days`) through a role that may write to that group",
    "only; `account.tf` strips the VPC's default security group of every rule and turns on the",
    "region's default EBS encryption (an account-wide setting, turned off again by a destroy).",
    "IMDSv2 and encrypted disks are set where each instance is defined; tags come from the",
    "provider's `default_tags`. `npm run audit` and spec 09 check all of it over the API.",
  ],
});

export const generator09: Generator = {
  test: TEST,
  name: "guardrails",
  describe: "VPC flow logs, the default security group emptied, default EBS encryption",
  layer: (model: Model) =>
    moduleLayer(spec(model), { name: "var.name", tags: "var.tags", vpc_id: "module.network.vpc_id" }),
  generate: (model: Model): GeneratedFile[] => moduleFiles(spec(model)),
};
