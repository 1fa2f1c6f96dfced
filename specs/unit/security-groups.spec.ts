// Unit specs of the lab's security-group compiler: the emulator's rules become nftables
// that are stateful, allow-only and per interface, as AWS applies them.
import type { NetworkInterface, SecurityGroupRule } from "@aws-sdk/client-ec2";
import { expect, test } from "@playwright/test";
import { compileSecurityGroups, ingressChain } from "../../lab/security-groups.ts";

const VPC = "10.20.0.0/16";
const bastion: NetworkInterface = {
  NetworkInterfaceId: "eni-bastion",
  Groups: [{ GroupId: "sg-bastion" }],
  PrivateIpAddresses: [{ PrivateIpAddress: "10.20.13.140" }],
  Ipv6Addresses: [{ Ipv6Address: "2001:db8:0:d::8c" }],
};
const node: NetworkInterface = {
  NetworkInterfaceId: "eni-node",
  Groups: [{ GroupId: "sg-node" }],
  PrivateIpAddresses: [{ PrivateIpAddress: "10.20.13.21" }],
};
const nat: NetworkInterface = {
  NetworkInterfaceId: "eni-nat",
  Groups: [{ GroupId: "sg-nat" }],
  PrivateIpAddresses: [{ PrivateIpAddress: "10.20.1.4" }],
};
const rule = (r: Partial<SecurityGroupRule>): SecurityGroupRule => ({ IsEgress: false, ...r });
const rules: SecurityGroupRule[] = [
  rule({
    GroupId: "sg-bastion",
    IpProtocol: "tcp",
    FromPort: 22,
    ToPort: 22,
    CidrIpv6: "2001:db8:ab::10/128",
  }),
  rule({ GroupId: "sg-bastion", IpProtocol: "tcp", FromPort: 5050, ToPort: 5054, CidrIpv4: VPC }),
  rule({ GroupId: "sg-bastion", IpProtocol: "icmp", FromPort: 8, ToPort: 0, CidrIpv4: VPC }),
  rule({ GroupId: "sg-bastion", IsEgress: true, IpProtocol: "-1", CidrIpv4: "0.0.0.0/0" }),
  rule({
    GroupId: "sg-node",
    IpProtocol: "6",
    FromPort: 50000,
    ToPort: 50000,
    ReferencedGroupInfo: { GroupId: "sg-bastion" },
  }),
  rule({ GroupId: "sg-nat", IpProtocol: "-1", CidrIpv4: "10.20.13.0/24" }),
];
const table = compileSecurityGroups(VPC, [bastion, node, nat], rules, new Set(["eni-nat"]));

test("replies pass: the table is stateful", () => {
  expect(table).toContain("ct state established,related accept");
});

test("each interface's ingress allows its rules and drops the rest, with a counter", () => {
  const chain = table.slice(table.indexOf(`chain ${ingressChain("eni-bastion")} {`));
  const body = chain.slice(0, chain.indexOf("\n  }"));
  expect(body).toContain("ip6 saddr { 2001:db8:ab::10/128 } tcp dport 22 return");
  expect(body).toContain("ip saddr { 10.20.0.0/16 } tcp dport 5050-5054 return");
  expect(body).toContain("ip saddr { 10.20.0.0/16 } icmp type 8 return");
  expect(body.trim().endsWith("counter drop"), "anything else is dropped").toBe(true);
  expect(table).toContain(`ip6 daddr { 2001:db8:0:d::8c } jump ${ingressChain("eni-bastion")}`);
});

test("a rule that names a group allows that group's addresses; protocol numbers are read", () => {
  expect(table).toContain("ip saddr { 10.20.13.140 } tcp dport 50000 return");
});

test("a NAT's ingress applies to what the VPC sends it for the internet, not to its own traffic", () => {
  expect(table).toContain(
    `iifname != "igw" oifname != "igw" ip saddr != { 10.20.1.4 } ip daddr != ${VPC} jump ${ingressChain("eni-nat")}`,
  );
});

test("an interface without groups is not filtered", () => {
  const t = compileSecurityGroups(
    VPC,
    [{ NetworkInterfaceId: "eni-x", PrivateIpAddresses: [{ PrivateIpAddress: "10.20.13.9" }] }],
    [],
    new Set(),
  );
  expect(t).not.toContain("10.20.13.9");
});

test("DHCP passes before any interface's rules, as AWS leaves it unfiltered", () => {
  const lines = table.split("\n").map((l) => l.trim());
  const dhcp = lines.indexOf("udp sport 68 udp dport 67 accept");
  expect(dhcp, "a broadcast from a machine with no address yet reaches the DHCP server").toBeGreaterThan(0);
  expect(lines.indexOf("udp sport 67 udp dport 68 accept")).toBeGreaterThan(0);
  expect(dhcp, "before the NAT's catch-all dispatch would drop it").toBeLessThan(
    lines.findIndex((l) => l.includes("jump in_eni_nat")),
  );
});
