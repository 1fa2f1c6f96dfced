// The guardrails section: what the audit expects switched on (flow logs, the scan's ports).
import { type Rules } from "../rules.ts";
import type { Model } from "../types.ts";

/** Which flows a VPC flow log records. */
export const FLOW_LOG_TRAFFIC_TYPES = ["ALL", "REJECT", "ACCEPT"] as const;
export type FlowLogTrafficType = (typeof FLOW_LOG_TRAFFIC_TYPES)[number];

/** The retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Account and VPC guardrails (generator 09): what an audit expects to find switched on. */
export interface GuardrailsModel {
  /** VPC flow logs to CloudWatch Logs: which traffic, and how long the log group keeps it. */
  readonly flowLogs: { readonly trafficType: FlowLogTrafficType; readonly retentionDays: number };
  /** TCP ports the lab's exposure scan tries on every lab address, beside the model's own ports. */
  readonly scanPorts: { readonly from: number; readonly to: number };
}

export const GUARDRAILS_DEFAULTS: GuardrailsModel = {
  // Rejected and accepted flows alike, so an audit can see what was let in; two weeks keep
  // a few MB at this traffic, inside CloudWatch Logs' free 5 GB.
  flowLogs: { trafficType: "ALL", retentionDays: 14 },
  scanPorts: { from: 1, to: 1024 },
};

/** The guardrails: flow log traffic and retention CloudWatch accepts, the scan's ports. */
export function guardrailsRules(model: Model, r: Rules): void {
  const { add } = r;
  const fl = model.guardrails.flowLogs;
  if (!(FLOW_LOG_TRAFFIC_TYPES as readonly string[]).includes(fl.trafficType))
    add(
      "guardrails.flowLogs.trafficType",
      fl.trafficType,
      "is not a flow-log traffic type",
      `use one of ${FLOW_LOG_TRAFFIC_TYPES.join(", ")}`,
    );
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(fl.retentionDays))
    add(
      "guardrails.flowLogs.retentionDays",
      fl.retentionDays,
      "is not a retention CloudWatch Logs offers",
      `use one of ${LOG_RETENTION_DAYS.join(", ")}`,
    );
  const sp = model.guardrails.scanPorts;
  if (!(
    Number.isInteger(sp.from) &&
    Number.isInteger(sp.to) &&
    sp.from >= 1 &&
    sp.from <= sp.to &&
    sp.to <= 65535
  ))
    add(
      "guardrails.scanPorts",
      `${sp.from}-${sp.to}`,
      "is not a TCP port range",
      "use from ≤ to within 1-65535, e.g. { from: 1, to: 1024 }",
    );
}
