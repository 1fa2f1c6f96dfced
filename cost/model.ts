// The cost model: the monthly bill of a plan (`tofu show -json`, of a plan file or of the
// applied state), with the schedules applied to instance hours and a free-tier profile
// applied to the pooled offers. Every line item says how it was computed and from which
// price; nothing here calls AWS.
import {
  FREE_OFFERS,
  HOURS_PER_MONTH,
  INSTANCE_HOUR,
  offersOf,
  PRICES,
  type FreeTierProfile,
  type Price,
} from "./prices.ts";
import { SERVICES, type ServiceName } from "./services.ts";

/** The part of `tofu show -json` the model reads (planned_values for a plan, values for a state). */
export interface TofuModule {
  readonly resources?: readonly TofuResource[];
  readonly child_modules?: readonly TofuModule[];
}
export interface TofuResource {
  readonly address: string;
  readonly mode?: string;
  readonly type: string;
  readonly values: Readonly<Record<string, unknown>>;
}
export interface TofuShow {
  readonly planned_values?: { readonly root_module: TofuModule };
  readonly values?: { readonly root_module: TofuModule };
}

/** One billable quantity of the month, before any free tier. */
export interface Usage {
  readonly address: string;
  readonly kind:
    | "instance"
    | "ebs"
    | "publicIpv4"
    | "natGatewayHour"
    | "natGatewayGb"
    | "flowLogGb"
    | "logStorageGb"
    | "s3Gb"
    | "s3Put"
    | "s3Get";
  /** For instances: the type (the free trial pools t4g.small hours). */
  readonly instanceType?: string;
  /** For public IPv4: held by an EC2 instance (the legacy free tier covers only those). */
  readonly onEc2?: boolean;
  readonly quantity: number;
  readonly why: string;
}

export interface LineItem extends Usage {
  /** The service it is billed under, as Cost Explorer names it. */
  readonly service: ServiceName;
  readonly unit: string;
  readonly unitUsd: number;
  readonly grossUsd: number;
  readonly freeUsd: number;
  readonly netUsd: number;
  readonly source: string;
}

export interface Estimate {
  readonly profile: FreeTierProfile;
  readonly lines: readonly LineItem[];
  readonly grossUsd: number;
  readonly totalUsd: number;
}

/** How long things run: the bastion group's schedule, and assumptions about traffic. */
export interface UsageOptions {
  /** Hours a month an Auto Scaling group with scheduled actions runs (the bastion). */
  readonly scheduledHoursPerMonth: number;
  /** GB a month through a NAT gateway, were there one. */
  readonly natGatewayGbPerMonth: number;
  /** GB a month of flow-log records a VPC flow log delivers (an estimate: see cost/README.md). */
  readonly flowLogGbPerMonth: number;
  /** The OpenTofu state in S3 (the aws root's backend, outside the plan), when there is one. */
  readonly stateBackend?: {
    readonly kb: number;
    readonly putsPerMonth: number;
    readonly getsPerMonth: number;
  };
}

/** Every resource of a module tree, child modules included. */
export function resources(m: TofuModule | undefined): TofuResource[] {
  if (!m) return [];
  return [...(m.resources ?? []), ...(m.child_modules ?? []).flatMap(resources)];
}

const num = (v: unknown, what: string): number => {
  if (typeof v !== "number") throw new Error(`${what} is ${JSON.stringify(v)}, not a number`);
  return v;
};
const str = (v: unknown): string => (typeof v === "string" ? v : "");
const list = (v: unknown): Record<string, unknown>[] =>
  Array.isArray(v) ? (v as Record<string, unknown>[]) : [];

/** The billable usage a plan implies. */
export function usageOf(show: TofuShow, opts: UsageOptions): Usage[] {
  const all = resources(show.planned_values?.root_module ?? show.values?.root_module).filter(
    (r) => r.mode !== "data",
  );
  const byType = (t: string) => all.filter((r) => r.type === t);
  const out: Usage[] = [];
  for (const r of byType("aws_instance")) {
    const type = str(r.values.instance_type);
    // Generated instances that keep the bastion's hours say so in a tag (generator 01).
    const tags = (r.values.tags ?? {}) as Record<string, unknown>;
    const onSchedule = tags.Schedule === "bastion";
    const hours = onSchedule ? opts.scheduledHoursPerMonth : HOURS_PER_MONTH;
    const why = onSchedule ? `on the bastion's schedule, ${hours.toFixed(1)} h a month` : "always on";
    out.push({ address: r.address, kind: "instance", instanceType: type, quantity: hours, why });
    for (const d of list(r.values.root_block_device))
      out.push({
        address: r.address,
        kind: "ebs",
        quantity: num(d.volume_size, `${r.address} root volume size`),
        why: "root volume, kept while the instance exists (stopped or not)",
      });
    if (r.values.associate_public_ip_address === true)
      out.push({
        address: r.address,
        kind: "publicIpv4",
        onEc2: true,
        quantity: hours,
        why: onSchedule ? "its public address, released while stopped" : "its public address",
      });
  }
  const scheduled = new Set(
    byType("aws_autoscaling_schedule").map((s) => str(s.values.autoscaling_group_name)),
  );
  const templates = new Map(byType("aws_launch_template").map((t) => [str(t.values.name) || t.address, t]));
  for (const g of byType("aws_autoscaling_group")) {
    const lt = list(g.values.launch_template)[0];
    const template = templates.get(str(lt?.name)) ?? byType("aws_launch_template")[0];
    if (!template) throw new Error(`${g.address} has no launch template in the plan`);
    const count = num(g.values.desired_capacity ?? g.values.max_size, `${g.address} desired capacity`);
    const onSchedule = scheduled.has(str(g.values.name));
    // A group scaled to zero terminates its instance, and its root volume with it.
    const hours = onSchedule ? opts.scheduledHoursPerMonth : HOURS_PER_MONTH;
    const why = onSchedule ? `on its schedule, ${hours.toFixed(1)} h a month` : "always on";
    out.push({
      address: g.address,
      kind: "instance",
      instanceType: str(template.values.instance_type),
      quantity: count * hours,
      why,
    });
    for (const m of list(template.values.block_device_mappings))
      for (const e of list(m.ebs))
        out.push({
          address: g.address,
          kind: "ebs",
          quantity: (count * num(e.volume_size, `${template.address} volume size`) * hours) / HOURS_PER_MONTH,
          why: `root volume, only while the instance runs (${why})`,
        });
  }
  for (const v of byType("aws_ebs_volume"))
    out.push({
      address: v.address,
      kind: "ebs",
      quantity: num(v.values.size, `${v.address} size`),
      why: "volume",
    });
  for (const e of byType("aws_eip"))
    out.push({
      address: e.address,
      kind: "publicIpv4",
      onEc2: Boolean(e.values.instance),
      quantity: HOURS_PER_MONTH,
      why: e.values.instance
        ? "Elastic IP on an instance"
        : "Elastic IP (a NAT gateway's, say): not EC2's free tier",
    });
  const logGroups = byType("aws_cloudwatch_log_group");
  for (const f of byType("aws_flow_log")) {
    if (str(f.values.log_destination_type) !== "cloud-watch-logs")
      throw new Error(
        `${f.address}: only flow logs to CloudWatch Logs are priced; add its destination to cost/`,
      );
    out.push({
      address: f.address,
      kind: "flowLogGb",
      quantity: opts.flowLogGbPerMonth,
      why: `${str(f.values.traffic_type) || "ALL"} flows, estimated`,
    });
  }
  for (const g of logGroups) {
    // At a steady state a group holds what came in over its retention period.
    const days = typeof g.values.retention_in_days === "number" ? g.values.retention_in_days : 0;
    const ingested = byType("aws_flow_log").length * opts.flowLogGbPerMonth;
    if (days === 0 && ingested > 0)
      throw new Error(
        `${g.address} keeps its logs forever: set retention_in_days, or the storage grows without end`,
      );
    out.push({
      address: g.address,
      kind: "logStorageGb",
      quantity: (ingested * days) / 30,
      why: `${days} days of what the flow log delivers`,
    });
  }
  if (opts.stateBackend) {
    const b = opts.stateBackend;
    out.push(
      { address: 'backend "s3"', kind: "s3Gb", quantity: b.kb / 1e6, why: `the state, ${b.kb} kB` },
      {
        address: 'backend "s3"',
        kind: "s3Put",
        quantity: b.putsPerMonth / 1000,
        why: `${b.putsPerMonth} writes`,
      },
      {
        address: 'backend "s3"',
        kind: "s3Get",
        quantity: b.getsPerMonth / 1000,
        why: `${b.getsPerMonth} reads`,
      },
    );
  }
  for (const n of byType("aws_nat_gateway")) {
    out.push({ address: n.address, kind: "natGatewayHour", quantity: HOURS_PER_MONTH, why: "always on" });
    out.push({
      address: n.address,
      kind: "natGatewayGb",
      quantity: opts.natGatewayGbPerMonth,
      why: "assumed traffic through it",
    });
  }
  return out;
}

function priceOf(u: Usage): Price {
  switch (u.kind) {
    case "instance": {
      const p = INSTANCE_HOUR[u.instanceType ?? ""];
      if (!p)
        throw new Error(
          `${u.address}: no price for instance type ${u.instanceType ?? "?"}; add it to cost/prices.ts`,
        );
      return p;
    }
    case "ebs":
      return PRICES.gp3;
    case "publicIpv4":
      return PRICES.publicIpv4;
    case "natGatewayHour":
      return PRICES.natGatewayHour;
    case "natGatewayGb":
      return PRICES.natGatewayGb;
    case "flowLogGb":
      return PRICES.flowLogsToCloudWatch;
    case "logStorageGb":
      return PRICES.cloudwatchLogsStorage;
    case "s3Gb":
      return PRICES.s3Standard;
    case "s3Put":
      return PRICES.s3Put;
    case "s3Get":
      return PRICES.s3Get;
  }
}

function serviceOf(u: Usage): ServiceName {
  switch (u.kind) {
    case "instance":
      return SERVICES.ec2Compute;
    case "ebs":
    case "natGatewayHour":
    case "natGatewayGb":
      return SERVICES.ec2Other;
    case "publicIpv4":
      return SERVICES.vpc;
    case "flowLogGb":
    case "logStorageGb":
      return SERVICES.cloudwatch;
    case "s3Gb":
    case "s3Put":
    case "s3Get":
      return SERVICES.s3;
  }
}

/** Whether the t4g.small trial still runs on a day (it ends with its `until` date, UTC). */
export function trialRuns(on: Date): boolean {
  const until = FREE_OFFERS.t4gSmallTrial.until;
  return on.getTime() < Date.parse(`${until}T00:00:00Z`) + 24 * 3600 * 1000;
}

/** Free quantities of a month under a profile, pooled across resources as AWS pools them. */
function freePools(profile: FreeTierProfile, on: Date): Map<string, number> {
  const o = offersOf(profile);
  const pools = new Map<string, number>();
  // An ended trial covers nothing, whatever the profile says.
  if (o.trial && trialRuns(on)) pools.set("instance:t4g.small", 750);
  if (o.legacy) {
    pools.set("ebs", 30);
    pools.set("publicIpv4", 750);
  }
  return pools;
}

function poolKey(u: Usage): string {
  if (u.kind === "instance") return `instance:${u.instanceType ?? ""}`;
  if (u.kind === "publicIpv4" && !u.onEc2) return "publicIpv4:not-ec2";
  return u.kind;
}

/** The bill of some usage under a profile, on a day (the offers that still run then). */
export function estimate(usage: readonly Usage[], profile: FreeTierProfile, on: Date = new Date()): Estimate {
  const pools = freePools(profile, on);
  const lines = usage.map((u): LineItem => {
    const price = priceOf(u);
    const left = pools.get(poolKey(u)) ?? 0;
    const free = Math.min(left, u.quantity);
    if (left > 0) pools.set(poolKey(u), left - free);
    const gross = u.quantity * price.usd;
    const freeUsd = free * price.usd;
    return {
      ...u,
      service: serviceOf(u),
      unit: price.unit,
      unitUsd: price.usd,
      grossUsd: gross,
      freeUsd,
      netUsd: gross - freeUsd,
      source: `${price.source} (${price.sourceDate}${price.region === "eu-west-1" ? "" : `, ${price.region}`})`,
    };
  });
  const sum = (f: (l: LineItem) => number) => lines.reduce((a, l) => a + f(l), 0);
  return { profile, lines, grossUsd: sum((l) => l.grossUsd), totalUsd: sum((l) => l.netUsd) };
}

/** The free-tier offers a profile draws on, for the report. */
export function offersUsed(profile: FreeTierProfile): string[] {
  const o = offersOf(profile);
  return [
    ...(o.trial ? [FREE_OFFERS.t4gSmallTrial.what] : []),
    ...(o.legacy ? [FREE_OFFERS.legacyEbs.what, FREE_OFFERS.legacyPublicIpv4.what] : []),
  ];
}

/** A design choice and the usage it would have instead of the plan's. */
export interface Alternative {
  readonly name: string;
  readonly usage: readonly Usage[];
}

const isNatInstance = (u: Usage) => /aws_instance\.nat(\[|$)/.test(u.address);
const isBastion = (u: Usage) => u.address.includes("aws_autoscaling_group");

/**
 * The plan next to its alternatives (SPEC §3): the NAT choice, public IPv4, the bastion's
 * schedule. Each is the plan's usage with that one choice changed.
 */
export function alternatives(planned: readonly Usage[], opts: UsageOptions): Alternative[] {
  const withoutNat = planned.filter(
    (u) => !isNatInstance(u) && u.kind !== "natGatewayHour" && u.kind !== "natGatewayGb",
  );
  const gateway: Usage[] = [
    { address: "aws_nat_gateway", kind: "natGatewayHour", quantity: HOURS_PER_MONTH, why: "always on" },
    {
      address: "aws_nat_gateway",
      kind: "natGatewayGb",
      quantity: opts.natGatewayGbPerMonth,
      why: "assumed traffic",
    },
    {
      address: "aws_eip.nat",
      kind: "publicIpv4",
      onEc2: false,
      quantity: HOURS_PER_MONTH,
      why: "the gateway's address",
    },
  ];
  const scheduledNat = planned.filter(isNatInstance).map((u): Usage => {
    if (u.kind === "ebs") return { ...u, why: "root volume, kept while stopped" };
    const hours = opts.scheduledHoursPerMonth;
    return u.kind === "instance"
      ? { ...u, instanceType: "t4g.small", quantity: hours, why: `t4g.small on the bastion's schedule` }
      : { ...u, quantity: hours, why: "released while stopped" };
  });
  return [
    { name: "as planned", usage: planned },
    { name: "NAT gateway instead of a NAT instance", usage: [...withoutNat, ...gateway] },
    { name: "no NAT (IPv6 egress only; no IPv4 from the private subnet)", usage: withoutNat },
    {
      name: "NAT instance as t4g.small on the bastion's schedule",
      usage: [...planned.filter((u) => !isNatInstance(u)), ...scheduledNat],
    },
    {
      name: "NAT instance as t4g.nano, always on",
      usage: [
        ...planned.filter((u) => !isNatInstance(u)),
        ...planned
          .filter(isNatInstance)
          .map((u): Usage =>
            u.kind === "ebs"
              ? u
              : u.kind === "instance"
                ? { ...u, instanceType: "t4g.nano", quantity: HOURS_PER_MONTH, why: "always on" }
                : { ...u, quantity: HOURS_PER_MONTH, why: "its public address, always" },
          ),
      ],
    },
    { name: "no public IPv4 anywhere", usage: planned.filter((u) => u.kind !== "publicIpv4") },
    {
      name: "bastion always on",
      usage: planned.map((u) =>
        isBastion(u)
          ? { ...u, quantity: (u.quantity * HOURS_PER_MONTH) / opts.scheduledHoursPerMonth, why: "always on" }
          : u,
      ),
    },
  ];
}

/** An experiment session: the model's nodes, running for some hours, then destroyed. */
export function sessionUsage(
  nodes: number,
  instanceType: string,
  diskGbPerNode: number,
  hours: number,
): Usage[] {
  return [
    {
      address: "module.nodes",
      kind: "instance",
      instanceType,
      quantity: nodes * hours,
      why: `${nodes} nodes × ${hours} h`,
    },
    {
      address: "module.nodes",
      kind: "ebs",
      quantity: (nodes * diskGbPerNode * hours) / HOURS_PER_MONTH,
      why: `${nodes} × ${diskGbPerNode} GB for ${hours} h`,
    },
  ];
}
