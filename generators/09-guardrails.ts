// Generator 09 — the exposure guardrails (spec 09): the `guardrails` module. VPC flow logs
// to CloudWatch Logs, so an audit can see what reached the VPC; the VPC's default security
// group stripped of its rules, so nothing attached to it by accident is reachable; and the
// region's default EBS encryption. The audit (audit/) checks them over the API.
import { FLOW_LOG_TRAFFIC_TYPES, LOG_RETENTION_DAYS, type Model } from "../model/index.ts";
import { moduleFiles, moduleLayer, type ModuleSpec } from "./module.ts";
import { sourceFile } from "./writers/source.ts";
import { type GeneratedFile, type Generator } from "./types.ts";

const TEST = 9;

const guardrails: ModuleSpec = {
  name: "guardrails",
  test: TEST,
  source: "09-guardrails",
  interfaceSlots: {
    from: "the model's choices (model/sections/guardrails.ts)",
    slots: { flow_log_traffic_types: FLOW_LOG_TRAFFIC_TYPES, log_retention_days: LOG_RETENTION_DAYS },
  },
  files: {
    "flow-logs.tf": sourceFile({ test: TEST, source: "09-guardrails/flow-logs.tf" }),
    "account.tf": sourceFile({ test: TEST, source: "09-guardrails/account.tf" }),
  },
};

export const generator09: Generator = {
  test: TEST,
  name: "guardrails",
  describe: "VPC flow logs, the default security group emptied, default EBS encryption",
  layer: (model: Model) =>
    moduleLayer(guardrails, {
      wiring: { name: "local.name", tags: "local.tags", vpc_id: "module.network.vpc_id" },
      values: {
        flow_log_traffic_type: model.guardrails.flowLogs.trafficType,
        flow_log_retention_days: model.guardrails.flowLogs.retentionDays,
      },
    }),
  generate: (): GeneratedFile[] => moduleFiles(guardrails),
};
