// The exposure audit over the AWS API (SPEC §4 row 09), the same calls against the lab's
// emulator and a real account: no world-open ingress, nothing reachable from outside the
// VPC but SSH from the operator, no public address on a node, the nodes' subnet out to
// the internet only through the NAT, flow logs on, the default group empty, IMDSv2 and
// EBS encryption by default. Each finding names the resource and what is wrong with it.
import {
  DescribeAddressesCommand,
  DescribeFlowLogsCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  GetEbsEncryptionByDefaultCommand,
  type EC2Client,
  type Instance,
} from "@aws-sdk/client-ec2";
import { ENI_TAG } from "../generators/02-bastion.ts";
import { derived, type Model, type TargetName } from "../model/index.ts";
import { cidrContains, ipv6CidrContains, parseIpv4Cidr, parseIpv6Cidr } from "../model/net.ts";

export interface Finding {
  /** The check that found it (one of CHECKS). */
  readonly check: string;
  /** The resource, by ID and name where it has one. */
  readonly resource: string;
  readonly problem: string;
}

export const CHECKS = {
  worldIngress: "no security group allows ingress from 0.0.0.0/0 or ::/0",
  outsideIngress: "nothing from outside the VPC but SSH to the bastion from the operator's /128",
  defaultGroup: "the VPC's default security group has no rules",
  nodePublicIp: "no Talos node has a public IP",
  nodeRoutes: "the nodes' subnet reaches the internet only through the NAT",
  flowLogs: "flow logs are on for the VPC",
  imdsV2: "every instance and launch template requires IMDSv2",
  ebsEncryption: "new EBS volumes are encrypted by default",
} as const;

export interface AuditInput {
  readonly model: Model;
  readonly target: TargetName;
  readonly ec2: EC2Client;
}

export interface AuditResult {
  readonly findings: readonly Finding[];
  /** What each check looked at, for the report. */
  readonly looked: Readonly<Record<string, unknown>>;
}

const nameOf = (tags: readonly { Key?: string; Value?: string }[] | undefined) =>
  tags?.find((t) => t.Key === "Name")?.Value;
const label = (id: string | undefined, tags?: readonly { Key?: string; Value?: string }[]) =>
  `${id ?? "?"}${nameOf(tags) ? ` (${nameOf(tags)})` : ""}`;

export async function auditExposure({ model, target, ec2 }: AuditInput): Promise<AuditResult> {
  const findings: Finding[] = [];
  const looked: Record<string, unknown> = {};
  const add = (check: keyof typeof CHECKS, resource: string, problem: string) =>
    findings.push({ check: CHECKS[check], resource, problem });

  const vpc = (
    await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "cidr", Values: [model.network.vpcCidr] }] }))
  ).Vpcs?.[0];
  if (!vpc?.VpcId)
    throw new Error(`no VPC with CIDR ${model.network.vpcCidr} to audit: is ${target} deployed?`);
  const vpcId = vpc.VpcId;
  const vpcV4 = parseIpv4Cidr(model.network.vpcCidr);
  const vpcV6 = (vpc.Ipv6CidrBlockAssociationSet ?? []).map((a) => a.Ipv6CidrBlock ?? "").filter(Boolean);
  const insideVpc = (cidr: string): boolean => {
    if (!cidr.includes(":")) {
      const c = parseIpv4Cidr(cidr);
      return vpcV4 !== undefined && c !== undefined && cidrContains(vpcV4, c);
    }
    const c = parseIpv6Cidr(cidr);
    return (
      c !== undefined &&
      vpcV6.some(
        (block) => (parseIpv6Cidr(block)?.prefix ?? 129) <= c.prefix && ipv6CidrContains(block, c.address),
      )
    );
  };
  const operator = derived(model).operatorCidr(target);

  // Security groups and their rules.
  const groups =
    (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] })))
      .SecurityGroups ?? [];
  const rules =
    (
      await ec2.send(
        new DescribeSecurityGroupRulesCommand({
          Filters: [{ Name: "group-id", Values: groups.map((g) => g.GroupId ?? "") }],
        }),
      )
    ).SecurityGroupRules ?? [];
  looked.securityGroupRules = rules.length;
  const groupName = (id: string | undefined) => {
    const g = groups.find((x) => x.GroupId === id);
    return `${id ?? "?"} (${g?.GroupName ?? "?"})`;
  };
  const bastionGroup = groups.find((g) => g.GroupName === `${model.project}-bastion`)?.GroupId;
  for (const r of rules.filter((x) => !x.IsEgress)) {
    const source = r.CidrIpv4 ?? r.CidrIpv6;
    if (!source) continue; // a group or prefix-list reference: from inside the VPC
    const what = `rule ${r.SecurityGroupRuleId ?? "?"} of ${groupName(r.GroupId)}: ${describePorts(r.IpProtocol, r.FromPort, r.ToPort)} from ${source}`;
    if (source === "0.0.0.0/0" || source === "::/0") add("worldIngress", what, "open to the whole internet");
    else if (!insideVpc(source)) {
      const sshFromOperator =
        r.GroupId === bastionGroup &&
        r.IpProtocol === "tcp" &&
        r.FromPort === 22 &&
        r.ToPort === 22 &&
        source === operator;
      if (!sshFromOperator)
        add(
          "outsideIngress",
          what,
          `from outside the VPC, and not SSH to the bastion from ${operator ?? "the operator"}`,
        );
    }
  }

  const defaultGroup = groups.find((g) => g.GroupName === "default");
  if (
    defaultGroup &&
    ((defaultGroup.IpPermissions?.length ?? 0) > 0 || (defaultGroup.IpPermissionsEgress?.length ?? 0) > 0)
  )
    add(
      "defaultGroup",
      groupName(defaultGroup.GroupId),
      `has ${defaultGroup.IpPermissions?.length ?? 0} ingress and ${defaultGroup.IpPermissionsEgress?.length ?? 0} egress rules; the guardrails module empties it`,
    );

  // Every instance of the VPC that exists (stopped ones keep their settings), read once.
  const instances = (
    (
      await ec2.send(
        new DescribeInstancesCommand({
          Filters: [
            { Name: "vpc-id", Values: [vpcId] },
            { Name: "instance-state-name", Values: ["pending", "running", "stopping", "stopped"] },
          ],
        }),
      )
    ).Reservations ?? []
  ).flatMap((r) => r.Instances ?? []);

  // Nodes: instances and interfaces named talos-node-N, and any Elastic IP on them.
  const nodePattern = `${model.nodes.namePrefix}*`;
  const nodeInstances = instances.filter((i) => nameOf(i.Tags)?.startsWith(model.nodes.namePrefix));
  const nodeEnis =
    (
      await ec2.send(
        new DescribeNetworkInterfacesCommand({
          Filters: [
            { Name: "vpc-id", Values: [vpcId] },
            { Name: "tag:Name", Values: [nodePattern] },
          ],
        }),
      )
    ).NetworkInterfaces ?? [];
  looked.nodes = { instances: nodeInstances.length, interfaces: nodeEnis.length };
  for (const i of nodeInstances)
    if (i.PublicIpAddress)
      add("nodePublicIp", `instance ${label(i.InstanceId, i.Tags)}`, `has public IPv4 ${i.PublicIpAddress}`);
  for (const e of nodeEnis)
    if (e.Association?.PublicIp)
      add(
        "nodePublicIp",
        `interface ${label(e.NetworkInterfaceId, e.TagSet)}`,
        `has public IPv4 ${e.Association.PublicIp}`,
      );
  const addresses = (await ec2.send(new DescribeAddressesCommand({}))).Addresses ?? [];
  const nodeEniIds = new Set(nodeEnis.map((e) => e.NetworkInterfaceId));
  for (const a of addresses.filter((x) => nodeEniIds.has(x.NetworkInterfaceId)))
    add(
      "nodePublicIp",
      `Elastic IP ${label(a.AllocationId, a.Tags)}`,
      `${a.PublicIp ?? "?"} is on node interface ${a.NetworkInterfaceId ?? "?"}`,
    );

  // The nodes' subnet (the private one) and where its routes lead.
  const subnet = (
    await ec2.send(
      new DescribeSubnetsCommand({
        Filters: [
          { Name: "vpc-id", Values: [vpcId] },
          { Name: "cidr-block", Values: [model.network.private.cidr] },
        ],
      }),
    )
  ).Subnets?.[0];
  const table = subnet?.SubnetId
    ? (
        await ec2.send(
          new DescribeRouteTablesCommand({
            Filters: [{ Name: "association.subnet-id", Values: [subnet.SubnetId] }],
          }),
        )
      ).RouteTables?.[0]
    : undefined;
  looked.nodeRoutes = table?.Routes;
  if (!table)
    add("nodeRoutes", `subnet ${model.network.private.cidr}`, "has no route table of its own to audit");
  const nat = instances.filter((i) => nameOf(i.Tags) === `${model.project}-nat`);
  // The bastion as the NAT: the route leads to its fixed interface, attached or not (a
  // stopped bastion leaves it detached, and the subnet without IPv4 egress until it runs).
  const bastionNat =
    model.network.nat === "bastion"
      ? ((
          await ec2.send(
            new DescribeNetworkInterfacesCommand({
              Filters: [{ Name: `tag:${ENI_TAG}`, Values: [model.bastion.asgName] }],
            }),
          )
        ).NetworkInterfaces ?? [])
      : [];
  const natInstance = {
    instances: new Set(nat.map((i) => i.InstanceId ?? "")),
    interfaces: new Set([
      ...nat.flatMap((i) => (i.NetworkInterfaces ?? []).map((n) => n.NetworkInterfaceId ?? "")),
      ...bastionNat.map((n) => n.NetworkInterfaceId ?? ""),
    ]),
  };
  for (const r of table?.Routes ?? []) {
    const dest = r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock ?? r.DestinationPrefixListId ?? "?";
    const where = `route ${dest} in ${label(table?.RouteTableId, table?.Tags)}`;
    if (r.GatewayId?.startsWith("igw-") && dest !== operator)
      add("nodeRoutes", where, `goes straight to the internet gateway ${r.GatewayId}, not through the NAT`);
    if (dest === "0.0.0.0/0") {
      const viaNat =
        r.NatGatewayId !== undefined ||
        (r.InstanceId !== undefined && natInstance.instances.has(r.InstanceId)) ||
        (r.NetworkInterfaceId !== undefined && natInstance.interfaces.has(r.NetworkInterfaceId));
      if (!viaNat)
        add(
          "nodeRoutes",
          where,
          `leads to ${r.GatewayId ?? r.InstanceId ?? r.NetworkInterfaceId ?? "?"}, which is not the NAT`,
        );
    }
    if (dest === "::/0" && !r.EgressOnlyInternetGatewayId)
      add("nodeRoutes", where, "IPv6 to the internet must go through the egress-only gateway");
  }

  // Flow logs.
  const flowLogs =
    (await ec2.send(new DescribeFlowLogsCommand({ Filter: [{ Name: "resource-id", Values: [vpcId] }] })))
      .FlowLogs ?? [];
  looked.flowLogs = flowLogs;
  // ACTIVE with a failing delivery (a role that may not write) logs nothing.
  const active = flowLogs.filter((f) => f.FlowLogStatus === "ACTIVE" && f.DeliverLogsStatus !== "FAILED");
  if (active.length === 0)
    add("flowLogs", `VPC ${label(vpcId, vpc.Tags)}`, "has no active flow log delivering its records");
  else if (
    !active.some((f) => f.TrafficType === model.guardrails.flowLogs.trafficType || f.TrafficType === "ALL")
  )
    add(
      "flowLogs",
      `VPC ${label(vpcId, vpc.Tags)}`,
      `logs ${active.map((f) => f.TrafficType).join(", ")}, not ${model.guardrails.flowLogs.trafficType}`,
    );

  // IMDSv2: plain instances by their own settings, group instances by their launch template
  // (the group is what launches them; the lab's emulator does not pass the template's settings on).
  const fromGroup = (i: Instance) => i.Tags?.some((t) => t.Key === "aws:autoscaling:groupName") ?? false;
  for (const i of instances.filter((x) => !fromGroup(x)))
    if (i.MetadataOptions?.HttpTokens !== "required")
      add(
        "imdsV2",
        `instance ${label(i.InstanceId, i.Tags)}`,
        `HttpTokens is ${i.MetadataOptions?.HttpTokens ?? "unset"}`,
      );
  const templates = (await ec2.send(new DescribeLaunchTemplatesCommand({}))).LaunchTemplates ?? [];
  for (const t of templates.filter((x) => x.LaunchTemplateName?.startsWith(model.project))) {
    const v = (
      await ec2.send(
        new DescribeLaunchTemplateVersionsCommand({
          LaunchTemplateId: t.LaunchTemplateId,
          Versions: ["$Latest"],
        }),
      )
    ).LaunchTemplateVersions?.[0];
    if (v?.LaunchTemplateData?.MetadataOptions?.HttpTokens !== "required")
      add(
        "imdsV2",
        `launch template ${label(t.LaunchTemplateId, t.Tags)} (${t.LaunchTemplateName ?? ""})`,
        "does not require IMDSv2",
      );
  }
  looked.imdsV2 = { instances: instances.length, templates: templates.length };

  const ebs = await ec2.send(new GetEbsEncryptionByDefaultCommand({}));
  looked.ebsEncryptionByDefault = ebs.EbsEncryptionByDefault;
  if (ebs.EbsEncryptionByDefault !== true)
    add("ebsEncryption", `the account in ${model.region}`, "does not encrypt new EBS volumes by default");

  return { findings, looked };
}

function describePorts(
  protocol: string | undefined,
  from: number | undefined,
  to: number | undefined,
): string {
  if (protocol === "-1") return "all traffic";
  const name = { "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6" }[protocol ?? ""] ?? protocol ?? "?";
  return from === to ? `${name} ${from ?? "?"}` : `${name} ${from ?? "?"}-${to ?? "?"}`;
}

/**
 * What an experiment session would expose that the baseline's API cannot show yet (the
 * nodes exist only during a session): read from the model, naming the resource the
 * generated code would make.
 */
export function sessionExposure(model: Model): Finding[] {
  if (!model.nodes.aws.publicIpv4) return [];
  return derived(model).nodes.map((n) => ({
    check: CHECKS.nodePublicIp,
    resource: `module.nodes.aws_eip.node["${n.name}"]`,
    problem: `nodes.aws.publicIpv4 is true: a session would give ${n.name} a public IPv4. Fix: set it to false; the nodes go out through the NAT`,
  }));
}

/** Findings as lines a reader can act on. */
export const describeFindings = (findings: readonly Finding[]): string[] =>
  findings.map((f) => `${f.resource}: ${f.problem} [${f.check}]`);
