// Security groups, enforced: the rules the emulator holds, compiled into one nftables
// table on the VPC router. Like AWS's, they are stateful (replies pass), allow-only (a
// packet no rule allows is dropped) and per interface: ingress is checked for packets to an
// interface's addresses (or to the NAT instance, for traffic it forwards), egress for
// packets from them. The router's bridges hand bridged traffic to this table too
// (br_netfilter), so two hosts on one subnet are filtered like two hosts across subnets.
import {
  DescribeRouteTablesCommand,
  DescribeSecurityGroupRulesCommand,
  type NetworkInterface,
  type SecurityGroupRule,
} from "@aws-sdk/client-ec2";
import type { AwsClients } from "../common/target.ts";
import type { Model } from "../model/index.ts";

export const SG_TABLE = "lab_sg";

const PROTOCOLS: Record<string, string> = { "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6" };

/** The chain that checks ingress to an interface, so a spec can read its drop counter. */
export const ingressChain = (eniId: string) => `in_${eniId.replace(/[^A-Za-z0-9]/g, "_")}`;
const egressChain = (eniId: string) => `out_${eniId.replace(/[^A-Za-z0-9]/g, "_")}`;

function addressesOf(e: NetworkInterface): { v4: string[]; v6: string[] } {
  return {
    v4: (e.PrivateIpAddresses ?? []).flatMap((a) => (a.PrivateIpAddress ? [a.PrivateIpAddress] : [])),
    v6: (e.Ipv6Addresses ?? []).flatMap((a) => (a.Ipv6Address ? [a.Ipv6Address] : [])),
  };
}

/** One rule as nftables matches, one line per address family it covers. */
function ruleLines(
  rule: SecurityGroupRule,
  groupAddresses: (groupId: string) => { v4: string[]; v6: string[] },
): string[] {
  const peer = rule.IsEgress ? "daddr" : "saddr";
  const proto = PROTOCOLS[rule.IpProtocol ?? ""] ?? rule.IpProtocol ?? "-1";
  const from = rule.FromPort ?? -1;
  const to = rule.ToPort ?? -1;
  let l4 = "";
  if (proto === "tcp" || proto === "udp")
    l4 = from === to ? `${proto} dport ${from}` : `${proto} dport ${from}-${to}`;
  else if (proto === "icmp") l4 = from >= 0 ? `icmp type ${from}` : "meta l4proto icmp";
  else if (proto === "icmpv6") l4 = from >= 0 ? `icmpv6 type ${from}` : "meta l4proto ipv6-icmp";
  else if (proto !== "-1") l4 = `meta l4proto ${proto}`;
  const lines: string[] = [];
  const emit = (family: "ip" | "ip6", set: string[]) => {
    if (set.length === 0) return;
    if (proto === "icmp" && family === "ip6") return;
    if (proto === "icmpv6" && family === "ip") return;
    lines.push(`    ${[family, peer, `{ ${set.join(", ")} }`, l4, "return"].filter(Boolean).join(" ")}`);
  };
  if (rule.CidrIpv4) emit("ip", [rule.CidrIpv4]);
  if (rule.CidrIpv6) emit("ip6", [rule.CidrIpv6]);
  const ref = rule.ReferencedGroupInfo?.GroupId;
  if (ref) {
    const a = groupAddresses(ref);
    emit("ip", a.v4);
    emit("ip6", a.v6);
  }
  return lines;
}

/** The whole table from what the emulator holds, replaced atomically on every load. */
export async function securityGroupRuleset(
  model: Model,
  aws: AwsClients,
  enis: readonly NetworkInterface[],
): Promise<string> {
  const groupIds = [...new Set(enis.flatMap((e) => (e.Groups ?? []).map((g) => g.GroupId ?? "")))].filter(
    Boolean,
  );
  const rules = groupIds.length
    ? ((
        await aws.ec2.send(
          new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: groupIds }] }),
        )
      ).SecurityGroupRules ?? [])
    : [];
  // An interface that is a route's target (the NAT instance) receives traffic for other
  // addresses: its ingress applies to what the router sends it for the internet.
  const tables = await aws.ec2.send(new DescribeRouteTablesCommand({}));
  const routeTargets = new Set(
    (tables.RouteTables ?? []).flatMap((t) => (t.Routes ?? []).flatMap((r) => r.NetworkInterfaceId ?? [])),
  );
  return compileSecurityGroups(model.network.vpcCidr, enis, rules, routeTargets);
}

/** Compiles interfaces and their groups' rules into one nftables table (a pure function). */
export function compileSecurityGroups(
  vpcCidr: string,
  enis: readonly NetworkInterface[],
  rules: readonly SecurityGroupRule[],
  routeTargets: ReadonlySet<string>,
): string {
  const withGroups = enis.filter((e) => e.NetworkInterfaceId && (e.Groups ?? []).length > 0);
  const groupAddresses = (groupId: string) => {
    const members = withGroups.filter((e) => (e.Groups ?? []).some((g) => g.GroupId === groupId));
    return {
      v4: members.flatMap((e) => addressesOf(e).v4),
      v6: members.flatMap((e) => addressesOf(e).v6),
    };
  };

  const dispatch: string[] = [];
  const chains: string[] = [];
  for (const e of withGroups) {
    const id = e.NetworkInterfaceId ?? "";
    const { v4, v6 } = addressesOf(e);
    const mine = rules.filter((r) => (e.Groups ?? []).some((g) => g.GroupId === r.GroupId));
    const ingress = mine.filter((r) => !r.IsEgress).flatMap((r) => ruleLines(r, groupAddresses));
    const egress = mine.filter((r) => r.IsEgress).flatMap((r) => ruleLines(r, groupAddresses));
    if (v4.length) dispatch.push(`    ip saddr { ${v4.join(", ")} } jump ${egressChain(id)}`);
    if (v6.length) dispatch.push(`    ip6 saddr { ${v6.join(", ")} } jump ${egressChain(id)}`);
    if (v4.length) dispatch.push(`    ip daddr { ${v4.join(", ")} } jump ${ingressChain(id)}`);
    if (v6.length) dispatch.push(`    ip6 daddr { ${v6.join(", ")} } jump ${ingressChain(id)}`);
    // Sent to the NAT for the internet: from inside the VPC, not from the NAT itself, leaving the VPC.
    if (routeTargets.has(id) && v4.length)
      dispatch.push(
        `    iifname != "igw" oifname != "igw" ip saddr != { ${v4.join(", ")} } ip daddr != ${vpcCidr} jump ${ingressChain(id)}`,
      );
    chains.push(
      `  chain ${ingressChain(id)} {`,
      `    # ${id}: ingress of ${(e.Groups ?? []).map((g) => g.GroupId).join(", ")}`,
      ...ingress,
      "    counter drop",
      "  }",
      `  chain ${egressChain(id)} {`,
      ...egress,
      "    counter drop",
      "  }",
    );
  }
  return [
    `table inet ${SG_TABLE} {}`,
    `delete table inet ${SG_TABLE}`,
    `table inet ${SG_TABLE} {`,
    "  chain forward {",
    "    type filter hook forward priority filter - 10; policy accept;",
    "    ct state established,related accept",
    "    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert } accept",
    // Security groups do not filter DHCP on AWS either (it is the subnet's service); in the
    // lab it is the bastion's dnsmasq answering netbooting machines that have no address yet.
    "    udp sport 68 udp dport 67 accept",
    "    udp sport 67 udp dport 68 accept",
    ...dispatch,
    "  }",
    ...chains,
    "}",
    "",
  ].join("\n");
}
