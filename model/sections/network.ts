// The network section: the VPC, its two subnets and the NAT choice (SPEC §3, §5).
import { cidrContains, cidrsOverlap } from "../net.ts";
import { closest, isArmInstanceType, type Places, type Rules } from "../rules.ts";
import type { Model } from "../types.ts";

/**
 * How the private subnet reaches the IPv4 internet (SPEC §3): the bastion itself (one
 * instance, docs/decisions.md), a NAT instance of its own, a NAT gateway, or none.
 */
export const NAT_CHOICES = ["bastion", "nat_instance", "nat_gateway", "none"] as const;
export type NatChoice = (typeof NAT_CHOICES)[number];
/** When a NAT instance runs: on the bastion's schedule, or always. */
export const NAT_SCHEDULES = ["bastion", "always"] as const;
export type NatSchedule = (typeof NAT_SCHEDULES)[number];

export interface SubnetModel {
  /** IPv4 CIDR, e.g. "10.20.13.0/24". */
  readonly cidr: string;
  /** Index of the subnet's /64 inside the VPC's /56 IPv6 block. */
  readonly ipv6Index: number;
}

export interface NetworkModel {
  readonly vpcCidr: string;
  readonly public: SubnetModel;
  readonly private: SubnetModel;
  /** One zone keeps the baseline cheap; a single-AZ lab is the point of the kit. */
  readonly availabilityZone: string;
  readonly nat: NatChoice;
  /** Instance type of the NAT instance when nat = "nat_instance" (ARM64 only). */
  readonly natInstanceType: string;
  /**
   * "bastion": EventBridge Scheduler starts and stops the NAT instance on the bastion's hours
   * (the private subnet has IPv4 egress only then, which is when anything there runs);
   * "always": it runs all month.
   */
  readonly natSchedule: NatSchedule;
  /** Root volume of the NAT instance in GiB (gp3, encrypted); the AMI's snapshot needs 8. */
  readonly natInstanceVolumeGb: number;
  /** SSM public parameter naming the NAT instance's AMI (Amazon Linux 2023, arm64). */
  readonly natInstanceAmiParameter: string;
}

/** Amazon Linux 2023 for Graviton: the NAT instance and the bastion boot the same image. */
export const AL2023_ARM64 = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64";

export const NETWORK_DEFAULTS: NetworkModel = {
  vpcCidr: "10.20.0.0/16",
  public: { cidr: "10.20.1.0/24", ipv6Index: 1 },
  private: { cidr: "10.20.13.0/24", ipv6Index: 13 },
  availabilityZone: "eu-west-1a",
  // The bastion masquerades for the private subnet: one instance, one public IPv4, one
  // root volume, each paid only while it runs. A NAT instance of its own doubles the
  // instance-hours and keeps a stopped root volume all month; a NAT gateway is about $35
  // a month before traffic (docs/decisions.md, priced by `npm run cost`).
  nat: "bastion",
  // Used only with nat = "nat_instance".
  natInstanceType: "t4g.micro",
  natSchedule: "bastion",
  natInstanceVolumeGb: 8,
  natInstanceAmiParameter: AL2023_ARM64,
};

/** The VPC and its subnets; returns them parsed, for the sections that place things in them. */
export function networkRules(model: Model, r: Rules): Places {
  const { add, cidr } = r;
  const net = model.network;
  const vpc = cidr("network.vpcCidr", net.vpcCidr);
  if (vpc && (vpc.prefix < 16 || vpc.prefix > 28))
    add(
      "network.vpcCidr",
      net.vpcCidr,
      "has a prefix AWS does not allow for a VPC",
      "use a prefix from /16 to /28",
    );
  const subnets = (["public", "private"] as const).map((role) => {
    const path = `network.${role}.cidr`;
    const s = cidr(path, net[role].cidr);
    if (s && vpc && !cidrContains(vpc, s))
      add(path, net[role].cidr, `is outside the VPC ${net.vpcCidr}`, `pick a subnet inside ${net.vpcCidr}`);
    if (s && (s.prefix < 16 || s.prefix > 28))
      add(
        path,
        net[role].cidr,
        "has a prefix AWS does not allow for a subnet",
        "use a prefix from /16 to /28",
      );
    const idx = net[role].ipv6Index;
    if (!Number.isInteger(idx) || idx < 0 || idx > 255)
      add(
        `network.${role}.ipv6Index`,
        idx,
        "is not the index of a /64 inside the VPC's /56",
        "use an integer 0-255",
      );
    return s;
  });
  const [pub, priv] = subnets;
  if (pub && priv && cidrsOverlap(pub, priv))
    add(
      "network.private.cidr",
      net.private.cidr,
      `overlaps the public subnet ${net.public.cidr}`,
      "give the two subnets disjoint ranges, e.g. 10.20.1.0/24 and 10.20.13.0/24",
    );
  if (net.public.ipv6Index === net.private.ipv6Index)
    add(
      "network.private.ipv6Index",
      net.private.ipv6Index,
      "is the public subnet's IPv6 index too",
      "use a different index",
    );
  if (
    !net.availabilityZone.startsWith(model.region) ||
    !/^[a-z]$/.test(net.availabilityZone.slice(model.region.length))
  )
    add(
      "network.availabilityZone",
      net.availabilityZone,
      `is not a zone of region ${model.region}`,
      `use the region name plus a letter, e.g. ${model.region}a`,
    );
  if (!(NAT_CHOICES as readonly string[]).includes(net.nat)) {
    const guess = closest(net.nat, NAT_CHOICES);
    add(
      "network.nat",
      net.nat,
      "is not a NAT choice",
      `use one of ${NAT_CHOICES.join(", ")}${guess ? ` (did you mean "${guess}"?)` : ""}`,
    );
  }
  if (!(NAT_SCHEDULES as readonly string[]).includes(net.natSchedule))
    add(
      "network.natSchedule",
      net.natSchedule,
      "is not a NAT schedule",
      `use one of ${NAT_SCHEDULES.join(", ")}`,
    );
  if (!isArmInstanceType(net.natInstanceType))
    add(
      "network.natInstanceType",
      net.natInstanceType,
      "is not an ARM64 (Graviton) instance type",
      "use a Graviton type such as t4g.nano",
    );
  if (
    !Number.isInteger(net.natInstanceVolumeGb) ||
    net.natInstanceVolumeGb < 8 ||
    net.natInstanceVolumeGb > 64
  )
    add(
      "network.natInstanceVolumeGb",
      net.natInstanceVolumeGb,
      "is not a root volume size the NAT instance can use",
      "use 8-64 GiB; Amazon Linux 2023's snapshot needs 8",
    );
  if (!net.natInstanceAmiParameter.startsWith("/aws/service/"))
    add(
      "network.natInstanceAmiParameter",
      net.natInstanceAmiParameter,
      "is not an AWS public SSM parameter",
      "use a path under /aws/service/, e.g. /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
    );
  return { vpc, pub, priv };
}
