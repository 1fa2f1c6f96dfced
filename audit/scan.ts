// The lab's scan from the wire: from the lab internet, and from the operator's home, a TCP
// connect scan of every address the VPC's interfaces hold (private, IPv6, and the lab's
// stand-ins for their public IPv4) over the model's port range and every port the model
// names. From the internet nothing may answer; from home, only SSH on the bastion.
import { DescribeNetworkInterfacesCommand, DescribeVpcsCommand, type EC2Client } from "@aws-sdk/client-ec2";
import type { LabClient } from "../fixtures/lab.ts";
import type { ScanResult } from "../lab/programs/scan.ts";
import { derived, type Model } from "../model/index.ts";

export interface ScanPlan {
  readonly addresses: readonly string[];
  readonly ports: string;
  /** What home may reach: SSH on the bastion's IPv6 addresses. */
  readonly allowedFromHome: readonly { readonly host: string; readonly port: number }[];
}

export async function scanPlan(model: Model, ec2: EC2Client, lab: LabClient): Promise<ScanPlan> {
  const vpcId = (
    await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "cidr", Values: [model.network.vpcCidr] }] }))
  ).Vpcs?.[0]?.VpcId;
  if (!vpcId) throw new Error(`no VPC ${model.network.vpcCidr} in the lab to scan`);
  const enis =
    (await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] })))
      .NetworkInterfaces ?? [];
  const addresses = new Set<string>();
  for (const e of enis) {
    for (const a of e.PrivateIpAddresses ?? []) if (a.PrivateIpAddress) addresses.add(a.PrivateIpAddress);
    for (const a of e.Ipv6Addresses ?? []) if (a.Ipv6Address) addresses.add(a.Ipv6Address);
  }
  // The emulator's public IPv4s stand for addresses the lab routes under its own numbers.
  for (const p of lab.dataPlane.publicAddresses) addresses.add(p.labPublicIp);
  for (const n of derived(model).nodes) addresses.add(n.ip);
  const bastion = enis.find((e) => e.PrivateIpAddress === model.bastion.privateIp);
  const { from, to } = model.guardrails.scanPorts;
  const named = [
    model.services.matchboxPort,
    model.services.dnsPort,
    ...model.services.caches.map((c) => c.port),
    model.nodes.talosApiPort,
    model.nodes.kubernetesApiPort,
    model.lab.probePort,
  ].filter((p) => p < from || p > to);
  return {
    addresses: [...addresses].sort(),
    ports: [`${from}-${to}`, ...new Set(named)].join(","),
    allowedFromHome: (bastion?.Ipv6Addresses ?? []).map((a) => ({ host: a.Ipv6Address ?? "", port: 22 })),
  };
}

export interface WireScan {
  readonly plan: ScanPlan;
  readonly fromInternet: ScanResult;
  readonly fromHome: ScanResult;
  /** Open ports the design does not allow, and signs the scan saw nothing at all; one line each. */
  readonly unexpected: readonly string[];
}

export async function scanFromOutside(model: Model, ec2: EC2Client, lab: LabClient): Promise<WireScan> {
  const plan = await scanPlan(model, ec2, lab);
  const scan = (ns: string) => lab.programResult(ns, "scan", [plan.ports, ...plan.addresses]) as ScanResult;
  const fromInternet = scan(lab.dataPlane.internet.ns);
  const fromHome = scan(lab.dataPlane.home.ns);
  const allowed = new Set(plan.allowedFromHome.map((a) => `[${a.host}]:${a.port}`));
  const key = (o: { host: string; port: number }) => `[${o.host}]:${o.port}`;
  const homeOpen = new Set(fromHome.open.map(key));
  return {
    plan,
    fromInternet,
    fromHome,
    unexpected: [
      // Controls: a scan that reached nothing would find nothing open, and prove nothing.
      ...(plan.allowedFromHome.length === 0
        ? ["the bastion's fixed interface has no IPv6 address to expect SSH on"]
        : []),
      ...plan.allowedFromHome
        .filter((a) => !homeOpen.has(key(a)))
        .map((a) => `${key(a)} (SSH on the bastion) does not answer the operator's home`),
      ...(fromInternet.timedOut + fromInternet.refused === 0
        ? ["no probe from the lab internet reached the VPC (all unreachable): the scan proves nothing"]
        : []),
      ...fromInternet.open.map((o) => `${key(o)} answers the lab internet`),
      ...fromHome.open
        .filter((o) => !allowed.has(key(o)))
        .map((o) => `${key(o)} answers the operator's home`),
    ],
  };
}
