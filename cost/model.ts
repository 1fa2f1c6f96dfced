// The cost model: the bill of one calendar month of a plan (`tofu show -json`, of a plan file
// or of the applied state), with the schedules applied to that month's hours and the month's
// offers (derived from the account, cost/prices.ts) applied to the pooled usage. Every line
// item says how it was computed and from which price; nothing here calls AWS or reads a clock.
import {
  freePools,
  HOURS_PER_MONTH,
  INSTANCE_HOUR,
  PRICES,
  type FreePool,
  type Offer,
  type Price,
} from "./prices.ts";
import { SEPARATE_NAT } from "./options.ts";
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

/** One billable quantity of the month, before any offer. */
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
  /** For public IPv4: held by an EC2 instance (the legacy 12-month tier covers only those). */
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
  /** What the month's free quantities cover of it. */
  readonly freeUsd: number;
  /** What is left: the spend, before any credits. */
  readonly netUsd: number;
  readonly source: string;
}

/** The bill of some usage under some offers: line items, before and after the free quantities. */
export interface Estimate {
  /** The names of the offers it drew on (all of them listed, whether they covered anything or not). */
  readonly offers: readonly string[];
  readonly lines: readonly LineItem[];
  /** Before any offer. */
  readonly grossUsd: number;
  /** What the offers' free quantities cover. */
  readonly freeTierUsd: number;
  /** The spend: gross − free tier, before credits (credits pay it; they do not make it smaller). */
  readonly totalUsd: number;
}

/** One calendar month's hours, and assumptions about traffic. */
export interface UsageOptions {
  /** The calendar month, "YYYY-MM". */
  readonly month: string;
  /** Its hours (its days × 24): what an always-on resource runs. */
  readonly monthHours: number;
  /** Hours the scheduled things run in it (the bastion's group; a NAT instance tagged for its schedule). */
  readonly scheduledHours: number;
  /** GB a month through a NAT gateway, were there one. */
  readonly natGatewayGbPerMonth: number;
  /** GB of flow-log records a VPC flow log delivers per hour a public IPv4 is held (an estimate: see cost/README.md). */
  readonly flowLogGbPerPublicIpv4Hour: number;
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
// The AWS provider keeps a launch template interface's associate_public_ip_address as a string.
const yes = (v: unknown): boolean => v === true || v === "true";
const h = (hours: number) => `${hours.toFixed(1)} h`;

/** The billable usage a plan implies in one month. */
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
    const hours = onSchedule ? opts.scheduledHours : opts.monthHours;
    const why = onSchedule ? `on the bastion's schedule, ${h(hours)} in ${opts.month}` : "always on";
    out.push({ address: r.address, kind: "instance", instanceType: type, quantity: hours, why });
    for (const d of list(r.values.root_block_device))
      out.push({
        address: r.address,
        kind: "ebs",
        quantity: num(d.volume_size, `${r.address} root volume size`),
        why: "root volume, kept while the instance exists (stopped or not)",
      });
    if (yes(r.values.associate_public_ip_address))
      out.push({
        address: r.address,
        kind: "publicIpv4",
        onEc2: true,
        quantity: hours,
        why: onSchedule ? "its public address, released while stopped" : "its public address",
      });
  }
  const schedules = byType("aws_autoscaling_schedule");
  const templates = byType("aws_launch_template");
  for (const g of byType("aws_autoscaling_group")) {
    const lt = list(g.values.launch_template)[0];
    const template =
      templates.find(
        (t) => (lt?.id !== undefined && t.values.id === lt.id) || str(t.values.name) === str(lt?.name),
      ) ?? templates[0];
    if (!template) throw new Error(`${g.address} has no launch template in the plan`);
    const own = schedules.filter((s) => str(s.values.autoscaling_group_name) === str(g.values.name));
    const onSchedule = own.length > 0;
    // A scheduled group runs what its start action asks for (its current capacity may be 0),
    // or, when no action says, as many as it may hold.
    const asked = Math.max(
      0,
      ...own.map((s) => (typeof s.values.desired_capacity === "number" ? s.values.desired_capacity : 0)),
    );
    const count =
      onSchedule && asked > 0
        ? asked
        : num(
            onSchedule ? g.values.max_size : (g.values.desired_capacity ?? g.values.max_size),
            `${g.address} ${onSchedule ? "max size" : "desired capacity"}`,
          );
    // A group scaled to zero terminates its instance, its root volume and its public address.
    const hours = onSchedule ? opts.scheduledHours : opts.monthHours;
    const why = onSchedule ? `on its schedule, ${h(hours)} in ${opts.month}` : "always on";
    out.push({
      address: g.address,
      kind: "instance",
      instanceType: str(template.values.instance_type),
      quantity: count * hours,
      why: count === 1 ? why : `${count} instances ${why}`,
    });
    for (const m of list(template.values.block_device_mappings))
      for (const e of list(m.ebs))
        out.push({
          address: g.address,
          kind: "ebs",
          quantity: (count * num(e.volume_size, `${template.address} volume size`) * hours) / opts.monthHours,
          why: `root volume, only while the instance runs (${why})`,
        });
    for (const n of list(template.values.network_interfaces))
      if (yes(n.associate_public_ip_address))
        out.push({
          address: g.address,
          kind: "publicIpv4",
          onEc2: true,
          quantity: count * hours,
          why: `the public address of its launch template's interface, held only while the instance runs (${why})`,
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
      quantity: opts.monthHours,
      why: e.values.instance
        ? "Elastic IP on an instance"
        : "Elastic IP (a NAT gateway's, say): not EC2's 12-month tier",
    });
  const logGroups = byType("aws_cloudwatch_log_group");
  const publicHours = out.filter((u) => u.kind === "publicIpv4").reduce((a, u) => a + u.quantity, 0);
  const flowLogGb = publicHours * opts.flowLogGbPerPublicIpv4Hour;
  for (const f of byType("aws_flow_log")) {
    if (str(f.values.log_destination_type) !== "cloud-watch-logs")
      throw new Error(
        `${f.address}: only flow logs to CloudWatch Logs are priced; add its destination to cost/`,
      );
    out.push({
      address: f.address,
      kind: "flowLogGb",
      quantity: flowLogGb,
      why: `${str(f.values.traffic_type) || "ALL"} flows, estimated from ${publicHours.toFixed(1)} h of public IPv4`,
    });
  }
  for (const g of logGroups) {
    // At a steady state a group holds what came in over its retention period.
    const days = typeof g.values.retention_in_days === "number" ? g.values.retention_in_days : 0;
    const ingested = byType("aws_flow_log").length * flowLogGb;
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
    out.push({ address: n.address, kind: "natGatewayHour", quantity: opts.monthHours, why: "always on" });
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

/** The pool an offer's free quantity must name to cover a usage (none: no offer covers it). */
function poolOf(u: Usage): FreePool | undefined {
  if (u.kind === "instance") return u.instanceType === "t4g.small" ? "instance:t4g.small" : undefined;
  if (u.kind === "ebs") return "ebs";
  if (u.kind === "publicIpv4") return u.onEc2 ? "publicIpv4:ec2" : undefined;
  return undefined;
}

/**
 * The bill of some usage under a month's offers (`offersFor`, or none): each offer's free
 * quantities pooled across resources, as AWS pools them, and drawn on in the order of the usage.
 */
export function estimate(usage: readonly Usage[], offers: readonly Offer[]): Estimate {
  const pools = freePools(offers);
  const lines = usage.map((u): LineItem => {
    const price = priceOf(u);
    const pool = poolOf(u);
    const left = pool ? (pools.get(pool) ?? 0) : 0;
    const free = Math.min(left, u.quantity);
    if (pool && left > 0) pools.set(pool, left - free);
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
  return {
    offers: offers.map((o) => o.name),
    lines,
    grossUsd: sum((l) => l.grossUsd),
    freeTierUsd: sum((l) => l.freeUsd),
    totalUsd: sum((l) => l.netUsd),
  };
}

/** A design choice and the usage it would have instead of the plan's, in one month. */
export interface Alternative {
  readonly name: string;
  readonly usage: readonly Usage[];
}

const isNatInstance = (u: Usage) => /aws_instance\.nat(\[|$)/.test(u.address);
const isBastion = (u: Usage) => u.address.includes("aws_autoscaling_group");
const isGateway = (u: Usage) =>
  u.kind === "natGatewayHour" || u.kind === "natGatewayGb" || (u.kind === "publicIpv4" && u.onEc2 === false);

/** A NAT instance of its own (the pre-2027 design's second instance), for a number of hours. */
function separateNat(opts: UsageOptions, hours: number, why: string): Usage[] {
  const address = "aws_instance.nat (alternative)";
  return [
    { address, kind: "instance", instanceType: SEPARATE_NAT.instanceType, quantity: hours, why },
    {
      address,
      kind: "ebs",
      quantity: SEPARATE_NAT.rootVolumeGb,
      why: "root volume, kept while the instance is stopped",
    },
    {
      address,
      kind: "publicIpv4",
      onEc2: true,
      quantity: hours,
      why: hours < opts.monthHours ? "its public address, released while stopped" : "its public address",
    },
  ];
}

/**
 * The plan next to its alternatives (SPEC §3, issue 16): the schedule, the NAT choice, public
 * IPv4. Each is the plan's usage in the same month with one choice changed; `seed` is the
 * month's options under the seed's schedule (5 h every evening).
 */
export function alternatives(show: TofuShow, opts: UsageOptions, seed: UsageOptions): Alternative[] {
  const planned = usageOf(show, opts);
  const alwaysOn = usageOf(show, { ...opts, scheduledHours: opts.monthHours });
  // Egress the bastion gives when it is the NAT: its own public address.
  const bastionAddress = (u: Usage) => isBastion(u) && u.kind === "publicIpv4";
  const withoutEgress = planned.filter((u) => !isNatInstance(u) && !isGateway(u));
  const gateway: Usage[] = [
    { address: "aws_nat_gateway", kind: "natGatewayHour", quantity: opts.monthHours, why: "always on" },
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
      quantity: opts.monthHours,
      why: "the gateway's address",
    },
  ];
  const twoInstances = withoutEgress.filter((u) => !bastionAddress(u));
  return [
    { name: "as planned", usage: planned },
    { name: "the seed's schedule: 18:00-23:00 every day", usage: usageOf(show, seed) },
    {
      name: "bastion always on",
      usage: [...planned.filter((u) => !isBastion(u)), ...alwaysOn.filter(isBastion)],
    },
    { name: "a NAT gateway for the private subnet's IPv4", usage: [...withoutEgress, ...gateway] },
    {
      name: `two instances: the bastion, and a ${SEPARATE_NAT.instanceType} NAT on its schedule`,
      usage: [
        ...twoInstances,
        ...separateNat(opts, opts.scheduledHours, `${SEPARATE_NAT.instanceType} on the bastion's schedule`),
      ],
    },
    {
      name: `two instances: the bastion, and a ${SEPARATE_NAT.instanceType} NAT always on`,
      usage: [
        ...twoInstances,
        ...separateNat(opts, opts.monthHours, `${SEPARATE_NAT.instanceType}, always on`),
      ],
    },
    {
      // AWS lets a group of one launch with an existing interface as its first (the fixed
      // address as the primary), but then auto-assigns it no public IPv4: the NAT must be a
      // second instance, in a group of its own so its disk goes when it stops (docs/decisions.md).
      name: `the fixed address as the primary: the bastion, and a ${SEPARATE_NAT.instanceType} NAT in its own group on the schedule`,
      usage: [
        ...twoInstances,
        ...separateNat(
          opts,
          opts.scheduledHours,
          `${SEPARATE_NAT.instanceType} on the bastion's schedule`,
        ).map((u): Usage =>
          u.kind === "ebs"
            ? {
                ...u,
                quantity: (SEPARATE_NAT.rootVolumeGb * opts.scheduledHours) / opts.monthHours,
                why: "root volume, only while the group's instance runs",
              }
            : u,
        ),
      ],
    },
    {
      name: "the bastion as a t4g.nano (0.5 GiB; the free plan refuses it)",
      usage: planned.map((u) =>
        isBastion(u) && u.kind === "instance"
          ? { ...u, instanceType: "t4g.nano", why: `${u.why}, as a t4g.nano` }
          : u,
      ),
    },
    {
      name: "no IPv4 egress (IPv6 only; no NAT, no public IPv4)",
      usage: twoInstances,
    },
    { name: "no public IPv4 anywhere", usage: planned.filter((u) => u.kind !== "publicIpv4") },
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
