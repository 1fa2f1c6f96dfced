// Generator 09 — the exposure guardrails (spec 09): the `guardrails` module. VPC flow logs
// to CloudWatch Logs, so an audit can see what reached the VPC; the VPC's default security
// group stripped of its rules, so nothing attached to it by accident is reachable; and the
// region's default EBS encryption. The audit (audit/) checks them over the API.
import { FLOW_LOG_TRAFFIC_TYPES, LOG_RETENTION_DAYS, type Model } from "../model/index.ts";
import { moduleFiles, moduleLayer, type LayerVariable } from "./module.ts";
import { sourceFile } from "./writers/source.ts";
import type { TofuOutput } from "./writers/tofu.ts";
import { type GeneratedFile, type Generator } from "./types.ts";

const TEST = 9;

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

const spec = (model: Model) => ({
  name: "guardrails",
  test: TEST,
  variables: moduleVariables(model),
  outputs,
  files: {
    "flow-logs.tf": sourceFile({ test: TEST, source: "09-guardrails/flow-logs.tf" }),
    "account.tf": sourceFile({ test: TEST, source: "09-guardrails/account.tf" }),
  },
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
    moduleLayer(spec(model), { name: "local.name", tags: "local.tags", vpc_id: "module.network.vpc_id" }),
  generate: (model: Model): GeneratedFile[] => moduleFiles(spec(model)),
};
