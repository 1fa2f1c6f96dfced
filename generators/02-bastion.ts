// Generator 02 — the bastion (spec 02): the `bastion` OpenTofu module (an ARM64 instance in
// an Auto Scaling group of at most one, started and stopped on a schedule, with a fixed
// address from a persistent network interface its boot script attaches) and that boot
// script, a file of its own. Everything here is read from the model.
import { derived, type Model } from "../model/index.ts";
import { versionsTf } from "./roots.ts";
import { attrs, block, comment, hclFile, ref, type Block, type Comment } from "./writers/hcl.ts";
import { renderShell } from "./writers/shell.ts";
import { BUNDLE_DIR_ON_BASTION } from "./03-netboot.ts";
import {
  encryptedVolume,
  imdsV2Only,
  interfaceTables,
  outputBlock,
  variableBlock,
  type TofuOutput,
  type TofuVariable,
} from "./writers/tofu.ts";
import {
  generatedHeader,
  markdownHeader,
  type GeneratedFile,
  type Generator,
  type RootLayer,
  type RootTarget,
} from "./types.ts";

const MODULE_DIR = "infra/modules/bastion";
const TEST = 2;
const header = (what: string): string => `${what}\n${generatedHeader(TEST)}`;
const ARM_TYPE_RE = "^(a1|[a-z]+[0-9]+g[a-z]*)\\\\.[a-z0-9]+$";
/** The tag that marks the fixed interface for the group whose instance attaches it. */
export const ENI_TAG = "moon-and-back:bastion-of";
/** The tag that names, on the bastion, the budget its hard cap checks. */
export const BUDGET_TAG = "moon-and-back:budget";
/** The boot script's own routing table for replies from the fixed address. */
const ENI_TABLE = "1001";
/** The boundary of the user data's MIME parts (cloud-config, then the boot script). */
export const MIME_BOUNDARY = "MOON-AND-BACK-USER-DATA";

/** A module variable and, when the root sets it from its own variable, that variable's name and default. */
interface BastionVariable extends TofuVariable {
  /** Root variable name; undefined when the root wires the input from another module. */
  readonly root?: string;
}

/** The netboot services' ports (SPEC §5), each a rule open to the VPC. */
function netbootPorts(
  model: Model,
): Record<string, { ip_protocol: string; port: number; description: string }> {
  const s = model.services;
  return {
    matchbox: {
      ip_protocol: "tcp",
      port: s.matchboxPort,
      description: "matchbox: boot scripts, kernels, configs",
    },
    "dns-udp": { ip_protocol: "udp", port: s.dnsPort, description: "The DNS filter" },
    "dns-tcp": { ip_protocol: "tcp", port: s.dnsPort, description: "The DNS filter" },
    tftp: { ip_protocol: "udp", port: s.tftpPort, description: "TFTP: netboot loaders" },
    ...Object.fromEntries(
      s.caches.map((c) => [
        `cache-${c.upstream.replaceAll(".", "-")}`,
        { ip_protocol: "tcp", port: c.port, description: `Pull-through cache of ${c.upstream}` },
      ]),
    ),
  };
}

function moduleVariables(model: Model): BastionVariable[] {
  const b = model.bastion;
  return [
    {
      name: "name",
      root: "name",
      type: "string",
      description: "Prefix of every Name tag.",
      example: `"${model.project}"`,
      default: model.project,
    },
    { name: "vpc_id", type: "string", description: "The VPC.", example: '"vpc-0123456789abcdef0"' },
    {
      name: "vpc_cidr",
      type: "string",
      description: "IPv4 range of the VPC: the netboot services answer it.",
      example: `"${model.network.vpcCidr}"`,
    },
    {
      name: "subnet_id",
      type: "string",
      description:
        "The private subnet the bastion's fixed interface lives in (and its instance, unless nat).",
      example: '"subnet-0123456789abcdef0"',
    },
    {
      name: "nat",
      type: "bool",
      description:
        "Whether the bastion is also the private subnet's NAT (network.nat = bastion): its instance then starts in the public subnet with a public IPv4 for as long as it runs, masquerades for the private subnet, and the private subnet's IPv4 default route leads to its fixed interface.",
      example: "true",
    },
    {
      name: "public_subnet_id",
      type: "string",
      description: "The public subnet the bastion's instance starts in when nat is true.",
      example: '"subnet-0fedcba9876543210"',
    },
    {
      name: "subnet_cidr",
      type: "string",
      description: "IPv4 range of that subnet.",
      example: `"${model.network.private.cidr}"`,
    },
    {
      name: "subnet_ipv6_cidr",
      type: "string",
      description: "IPv6 /64 of that subnet; the interface's IPv6 has the same host number as its IPv4.",
      example: '"2001:db8:0:d::/64"',
    },
    {
      name: "route_table_id",
      type: "string",
      description: "Route table of that subnet: it gets a route to the operator's /128 through the gateway.",
      example: '"rtb-0123456789abcdef0"',
    },
    {
      name: "internet_gateway_id",
      type: "string",
      description: "The VPC's internet gateway, for the operator's return path.",
      example: '"igw-0123456789abcdef0"',
    },
    {
      name: "private_ip",
      root: "bastion_private_ip",
      type: "string",
      description: "The bastion's fixed IPv4 address, inside the subnet.",
      example: `"${b.privateIp}"`,
      default: b.privateIp,
      validations: [
        {
          condition: 'can(cidrnetmask("${var.private_ip}/32"))',
          message: `private_ip must be an IPv4 address such as ${b.privateIp}.`,
        },
      ],
    },
    {
      name: "instance_name",
      root: "bastion_name",
      type: "string",
      description: "Name tag of the bastion instance.",
      example: `"${b.name}"`,
      default: b.name,
    },
    {
      name: "asg_name",
      root: "bastion_asg_name",
      type: "string",
      description: "Name of the Auto Scaling group (at most one instance).",
      example: `"${b.asgName}"`,
      default: b.asgName,
    },
    {
      name: "instance_type",
      root: "bastion_instance_type",
      type: "string",
      description: "Instance type; ARM64 (Graviton) only.",
      example: `"${b.instanceType}"`,
      default: b.instanceType,
      validations: [
        {
          condition: `can(regex("${ARM_TYPE_RE}", var.instance_type))`,
          message: "instance_type must be a Graviton (ARM64) type such as t4g.small.",
        },
      ],
    },
    {
      name: "root_volume_size",
      root: "bastion_root_volume_size",
      type: "number",
      description: "Root volume in GiB (gp3, encrypted); the registry caches live on it.",
      example: String(b.rootVolumeGb),
      default: b.rootVolumeGb,
      validations: [
        {
          condition: "var.root_volume_size >= 8 && var.root_volume_size <= 256",
          message: "root_volume_size must be 8-256 GiB.",
        },
      ],
    },
    {
      name: "ami_parameter",
      root: "bastion_ami_parameter",
      type: "string",
      description: "Public SSM parameter that names the bastion's AMI (arm64).",
      example: `"${b.amiParameter}"`,
      default: b.amiParameter,
      validations: [
        {
          condition: `startswith(var.ami_parameter, "/aws/service/")`,
          message: "ami_parameter must be an AWS public parameter under /aws/service/.",
        },
      ],
    },
    {
      name: "operator_ipv6_cidr",
      root: "operator_ipv6_cidr",
      type: "string",
      description: "The operator's home IPv6 address as a /128: the only source SSH is allowed from.",
      example: '"2001:db8:ab::10/128"',
      validations: [
        {
          condition:
            'can(cidrhost(var.operator_ipv6_cidr, 0)) && strcontains(var.operator_ipv6_cidr, ":") && endswith(var.operator_ipv6_cidr, "/128")',
          message: "operator_ipv6_cidr must be one IPv6 address as a /128, never a range.",
        },
      ],
    },
    {
      name: "ssh_public_key",
      root: "ssh_public_key",
      type: "string",
      description: "The operator's OpenSSH public key (one line); the bastion accepts only it.",
      example: '"ssh-ed25519 AAAAC3Nza… you@home"',
      validations: [
        {
          condition:
            'can(regex("^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh.com) [A-Za-z0-9+/]+={0,2}( .*)?$", trimspace(var.ssh_public_key)))',
          message:
            "ssh_public_key must be one line of a .pub file, such as the content of ~/.ssh/id_ed25519.pub.",
        },
      ],
    },
    {
      name: "schedule_start",
      root: "bastion_schedule_start",
      type: "string",
      description: "Cron recurrence that starts the bastion, read in schedule_time_zone.",
      example: `"${b.schedule.start}"`,
      default: b.schedule.start,
    },
    {
      name: "schedule_stop",
      root: "bastion_schedule_stop",
      type: "string",
      description: "Cron recurrence that stops it.",
      example: `"${b.schedule.stop}"`,
      default: b.schedule.stop,
    },
    {
      name: "schedule_time_zone",
      root: "bastion_schedule_time_zone",
      type: "string",
      description: "IANA time zone of the recurrences.",
      example: `"${b.schedule.timeZone}"`,
      default: b.schedule.timeZone,
    },
    {
      name: "netboot_ports",
      root: "netboot_ports",
      type: "map(object({ ip_protocol = string, port = number, description = string }))",
      description: "What the netboot services listen on; each is open to the VPC only.",
      example: '{ matchbox = { ip_protocol = "tcp", port = 8080, description = "matchbox" } }',
      default: netbootPorts(model),
    },
    {
      name: "talos_config_parameter_path",
      root: "talos_config_parameter_path",
      type: "string",
      description:
        "SSM path of the nodes' machine configs (SecureString parameters); the bastion may read its configs/ subtree and nothing else.",
      example: `"${model.nodes.configParameterPath}"`,
      default: model.nodes.configParameterPath,
      validations: [
        {
          condition: 'can(regex("^(/[A-Za-z0-9_.-]+)+$", var.talos_config_parameter_path))',
          message:
            'talos_config_parameter_path must be an SSM path such as "/moon-and-back/talos", without a trailing "/".',
        },
      ],
    },
    {
      name: "registry_credentials_parameter_path",
      root: "registry_credentials_parameter_path",
      type: "string",
      description:
        "SSM path of the caches' upstream credentials (SecureString <path>/<upstream>/username and /password, optional); the bastion may read this subtree.",
      example: `"${model.services.registryCredentialsPath}"`,
      default: model.services.registryCredentialsPath,
      validations: [
        {
          condition: 'can(regex("^(/[A-Za-z0-9_.-]+)+$", var.registry_credentials_parameter_path))',
          message:
            'registry_credentials_parameter_path must be an SSM path such as "/moon-and-back/registry", without a trailing "/".',
        },
      ],
    },
    {
      name: "budget_name",
      type: "string",
      description:
        "The AWS Budgets cost budget the bastion checks at boot and every 15 minutes: once the month's actual spend reaches it, the bastion scales its own group to zero and suspends the schedule (the hard cap).",
      example: `"${model.project}-baseline"`,
    },
    {
      name: "netboot_dir",
      type: "string",
      description:
        "Folder of the netboot services' bundle (generator 03); cloud-init writes it to the bastion from the user data.",
      example: '"${path.root}/netboot"',
    },
    {
      name: "tags",
      root: "tags",
      type: "map(string)",
      description: "Tags added to every resource.",
      example: '{ Project = "moon-and-back" }',
      default: model.tags,
    },
  ];
}

const moduleOutputs: TofuOutput[] = [
  {
    name: "bastion_asg_name",
    description: "The Auto Scaling group that keeps at most one bastion.",
    value: "aws_autoscaling_group.bastion.name",
  },
  {
    name: "bastion_interface_id",
    description: "The persistent interface that carries the fixed address.",
    value: "aws_network_interface.bastion.id",
  },
  {
    name: "bastion_private_ip",
    description: "The bastion's fixed IPv4 address.",
    value: "aws_network_interface.bastion.private_ip",
  },
  {
    name: "bastion_ipv6",
    description: "The bastion's fixed IPv6 address: ssh to it from home.",
    value: "one(aws_network_interface.bastion.ipv6_addresses)",
  },
  {
    name: "bastion_security_group_id",
    description: "The bastion's security group.",
    value: "aws_security_group.bastion.id",
  },
  {
    name: "bastion_launch_template_id",
    description: "The launch template the group starts the bastion from.",
    value: "aws_launch_template.bastion.id",
  },
];

const tagged = (name: string) => ref(`merge(var.tags, { Name = "\${var.name}-${name}" })`);

function iamTf(): string {
  return hclFile(
    header(
      "The bastion's role: Session Manager's channels, and the right to attach one interface — its own — to its own instances.",
    ),
    [
      block(
        "data",
        ["aws_iam_policy_document", "assume"],
        block(
          "statement",
          [],
          attrs({ actions: ["sts:AssumeRole"] }),
          block("principals", [], attrs({ type: "Service", identifiers: ["ec2.amazonaws.com"] })),
        ),
      ),
      block(
        "resource",
        ["aws_iam_role", "bastion"],
        attrs({
          name: ref('"${var.name}-bastion"'),
          assume_role_policy: ref("data.aws_iam_policy_document.assume.json"),
          tags: tagged("bastion"),
        }),
      ),
      comment(
        "Session Manager: a shell on the bastion without SSH, for when home's address changes.\n" +
          "Only its channels: AWS's managed AmazonSSMManagedInstanceCore would also let the bastion\n" +
          "read every parameter, the Talos secrets bundle included. Its channels take no resource.",
      ),
      block(
        "resource",
        ["aws_iam_role_policy", "session_manager"],
        attrs({
          name: "session-manager",
          role: ref("aws_iam_role.bastion.id"),
          policy: ref(
            'jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "ssm:UpdateInstanceInformation", Resource = "arn:aws:ec2:*:*:instance/*" }, { Effect = "Allow", Action = ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"], Resource = "*" }] })',
          ),
        }),
      ),
      block(
        "data",
        ["aws_iam_policy_document", "fixed_interface"],
        block(
          "statement",
          [],
          attrs({
            sid: "TheFixedInterfaceOnly",
            actions: ["ec2:AttachNetworkInterface", "ec2:DetachNetworkInterface"],
            resources: ref("[aws_network_interface.bastion.arn]"),
          }),
        ),
        block(
          "statement",
          [],
          attrs({
            sid: "InstancesOfThisGroupOnly",
            actions: ["ec2:AttachNetworkInterface", "ec2:DetachNetworkInterface"],
            resources: ["arn:aws:ec2:*:*:instance/*"],
          }),
          block(
            "condition",
            [],
            attrs({
              test: "StringEquals",
              variable: "aws:ResourceTag/aws:autoscaling:groupName",
              values: ref("[var.asg_name]"),
            }),
          ),
        ),
        block(
          "statement",
          [],
          attrs({
            sid: "ReportItselfUnhealthy",
            actions: ["autoscaling:SetInstanceHealth"],
            resources: ref(
              '["arn:aws:autoscaling:*:*:autoScalingGroup:*:autoScalingGroupName/${var.asg_name}"]',
            ),
          }),
        ),
        comment(
          "The hard cap: read the month's actual spend from the budget, and when it has reached the\n" +
            "limit, scale this group (and no other) to zero with its schedule suspended.",
        ),
        block(
          "statement",
          [],
          attrs({
            sid: "ReadTheBudget",
            actions: ["budgets:ViewBudget"],
            resources: ref('["arn:aws:budgets::*:budget/${var.budget_name}"]'),
          }),
        ),
        block(
          "statement",
          [],
          attrs({
            sid: "StopItsOwnGroup",
            actions: [
              "autoscaling:SuspendProcesses",
              "autoscaling:SetDesiredCapacity",
              "autoscaling:ResumeProcesses",
            ],
            resources: ref(
              '["arn:aws:autoscaling:*:*:autoScalingGroup:*:autoScalingGroupName/${var.asg_name}"]',
            ),
          }),
        ),
        comment(
          "The nodes' machine configs, for matchbox to serve (generator 04 publishes them); the\n" +
            "secrets bundle beside them stays with the operator.",
        ),
        block(
          "statement",
          [],
          attrs({
            sid: "ReadTheNodesConfigs",
            actions: ["ssm:GetParametersByPath", "ssm:GetParameter", "ssm:GetParameters"],
            resources: ref(
              '["arn:aws:ssm:*:*:parameter${var.talos_config_parameter_path}/configs", "arn:aws:ssm:*:*:parameter${var.talos_config_parameter_path}/configs/*"]',
            ),
          }),
        ),
        comment(
          "The caches' upstream credentials, where the operator put them (the netboot start script\n" +
            "reads each; one that is not there means an anonymous pull).",
        ),
        block(
          "statement",
          [],
          attrs({
            sid: "ReadTheCachesCredentials",
            actions: ["ssm:GetParameter"],
            resources: ref('["arn:aws:ssm:*:*:parameter${var.registry_credentials_parameter_path}/*"]'),
          }),
        ),
        comment("Describe calls support no resource-level permissions."),
        block(
          "statement",
          [],
          attrs({
            sid: "FindTheInterface",
            actions: ["ec2:DescribeInstances", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"],
            resources: ["*"],
          }),
        ),
      ),
      block(
        "resource",
        ["aws_iam_role_policy", "fixed_interface"],
        attrs({
          name: "attach-fixed-interface",
          role: ref("aws_iam_role.bastion.id"),
          policy: ref("data.aws_iam_policy_document.fixed_interface.json"),
        }),
      ),
      block(
        "resource",
        ["aws_iam_instance_profile", "bastion"],
        attrs({
          name: ref('"${var.name}-bastion"'),
          role: ref("aws_iam_role.bastion.name"),
          tags: tagged("bastion"),
        }),
      ),
    ],
  );
}

function securityTf(): string {
  return hclFile(
    header("The bastion's security group: SSH from the operator's /128 only, netboot services from the VPC."),
    [
      block(
        "resource",
        ["aws_security_group", "bastion"],
        attrs({
          name: ref('"${var.name}-bastion"'),
          description: "Bastion: SSH from the operator's home only; netboot services from inside the VPC",
          vpc_id: ref("var.vpc_id"),
          tags: tagged("bastion"),
        }),
      ),
      comment("The only ingress from outside the VPC in the whole design: one address, one port."),
      block(
        "resource",
        ["aws_vpc_security_group_ingress_rule", "ssh_from_home"],
        attrs({
          security_group_id: ref("aws_security_group.bastion.id"),
          description: "SSH from the operator's home IPv6 address only",
          cidr_ipv6: ref("var.operator_ipv6_cidr"),
          ip_protocol: "tcp",
          from_port: 22,
          to_port: 22,
          tags: tagged("ssh-from-home"),
        }),
      ),
      block(
        "resource",
        ["aws_vpc_security_group_ingress_rule", "netboot"],
        attrs({
          for_each: ref("var.netboot_ports"),
          security_group_id: ref("aws_security_group.bastion.id"),
          description: ref("each.value.description"),
          cidr_ipv4: ref("var.vpc_cidr"),
          ip_protocol: ref("each.value.ip_protocol"),
          from_port: ref("each.value.port"),
          to_port: ref("each.value.port"),
          tags: ref('merge(var.tags, { Name = "${var.name}-bastion-${each.key}" })'),
        }),
      ),
      comment(
        "As the private subnet's NAT, the bastion receives what that subnet sends to the internet. A security\n" +
          "group cannot tell a forwarded packet from one for the bastion itself, so port 22 is left out: the\n" +
          "operator's address stays the only way to the bastion's SSH (the nodes cannot SSH out through it).",
      ),
      block(
        "locals",
        [],
        attrs({
          nat_forwarded: {
            "tcp-below-ssh": { ip_protocol: "tcp", from_port: 0, to_port: 21 },
            "tcp-above-ssh": { ip_protocol: "tcp", from_port: 23, to_port: 65535 },
            udp: { ip_protocol: "udp", from_port: 0, to_port: 65535 },
            icmp: { ip_protocol: "icmp", from_port: -1, to_port: -1 },
          },
        }),
      ),
      block(
        "resource",
        ["aws_vpc_security_group_ingress_rule", "forward_from_private"],
        attrs({
          for_each: ref("var.nat ? local.nat_forwarded : {}"),
          security_group_id: ref("aws_security_group.bastion.id"),
          description: ref('"What the private subnet sends out through the bastion (its NAT): ${each.key}"'),
          cidr_ipv4: ref("var.subnet_cidr"),
          ip_protocol: ref("each.value.ip_protocol"),
          from_port: ref("each.value.from_port"),
          to_port: ref("each.value.to_port"),
          tags: ref('merge(var.tags, { Name = "${var.name}-bastion-forward-${each.key}" })'),
        }),
      ),
      comment("Echo requests from inside the VPC: a node or a test can tell the bastion is there."),
      block(
        "resource",
        ["aws_vpc_security_group_ingress_rule", "ping_from_vpc"],
        attrs({
          security_group_id: ref("aws_security_group.bastion.id"),
          description: "ICMP echo from inside the VPC",
          cidr_ipv4: ref("var.vpc_cidr"),
          ip_protocol: "icmp",
          from_port: 8,
          to_port: 0,
          tags: tagged("bastion-ping"),
        }),
      ),
      block(
        "resource",
        ["aws_vpc_security_group_egress_rule", "ipv4"],
        attrs({
          security_group_id: ref("aws_security_group.bastion.id"),
          description: "Out to anywhere over IPv4 (through the NAT): images, packages, the AWS API",
          cidr_ipv4: "0.0.0.0/0",
          ip_protocol: "-1",
          tags: tagged("bastion-out-ipv4"),
        }),
      ),
      block(
        "resource",
        ["aws_vpc_security_group_egress_rule", "ipv6"],
        attrs({
          security_group_id: ref("aws_security_group.bastion.id"),
          description: "Out to anywhere over IPv6 (through the egress-only gateway)",
          cidr_ipv6: "::/0",
          ip_protocol: "-1",
          tags: tagged("bastion-out-ipv6"),
        }),
      ),
      comment(
        "The private subnet's IPv6 is egress-only, but replies to the operator must leave by the\n" +
          "gateway they came in by: one /128 route, nothing wider.",
      ),
      block(
        "resource",
        ["aws_route", "operator_return"],
        attrs({
          route_table_id: ref("var.route_table_id"),
          destination_ipv6_cidr_block: ref("var.operator_ipv6_cidr"),
          gateway_id: ref("var.internet_gateway_id"),
        }),
      ),
    ],
  );
}

function bastionTf(): string {
  const items: (Block | Comment)[] = [
    block(
      "locals",
      [],
      comment("The fixed address's host number in its subnet; its IPv6 uses the same number (….140 → ::8c)."),
      attrs({
        ip_octets: ref('[for o in split(".", var.private_ip) : tonumber(o)]'),
        net_octets: ref('[for o in split(".", split("/", var.subnet_cidr)[0]) : tonumber(o)]'),
        host_number: ref(
          "(local.ip_octets[0] - local.net_octets[0]) * 16777216 + (local.ip_octets[1] - local.net_octets[1]) * 65536 + (local.ip_octets[2] - local.net_octets[2]) * 256 + (local.ip_octets[3] - local.net_octets[3])",
        ),
      }),
      comment(
        "The user data: cloud-init writes the netboot bundle (README files aside), then runs the\n" +
          "boot script, which starts the bundle. Gzipped, as cloud-init accepts, to stay under 16 KiB.",
      ),
      attrs({
        netboot_files: ref('sort([for f in fileset(var.netboot_dir, "**") : f if !endswith(f, ".md")])'),
        cloud_config: ref(
          `"#cloud-config\\n\${yamlencode({ write_files = [for f in local.netboot_files : { path = "${BUNDLE_DIR_ON_BASTION}/\${f}", encoding = "gz+b64", content = base64gzip(file("\${var.netboot_dir}/\${f}")), permissions = f == "start" ? "0755" : "0644" }] })}"`,
        ),
        user_data: ref(
          `join("\\n", ["Content-Type: multipart/mixed; boundary=\\"${MIME_BOUNDARY}\\"", "MIME-Version: 1.0", "", "--${MIME_BOUNDARY}", "Content-Type: text/cloud-config; charset=\\"us-ascii\\"", "", local.cloud_config, "--${MIME_BOUNDARY}", "Content-Type: text/x-shellscript; charset=\\"us-ascii\\"", "", file("\${path.module}/bastion-boot.sh"), "--${MIME_BOUNDARY}--", ""])`,
        ),
        user_data_gz: ref("base64gzip(local.user_data)"),
      }),
    ),
    block("data", ["aws_ssm_parameter", "ami"], attrs({ name: ref("var.ami_parameter") })),
    comment(
      "An Auto Scaling group cannot pin a private IP (SPEC §3): the fixed address lives on this\n" +
        "interface, which outlives every instance; the boot script attaches it.",
    ),
    block(
      "resource",
      ["aws_network_interface", "bastion"],
      attrs({
        subnet_id: ref("var.subnet_id"),
        private_ips: ref("[var.private_ip]"),
        ipv6_addresses: ref("[cidrhost(var.subnet_ipv6_cidr, local.host_number)]"),
        security_groups: ref("[aws_security_group.bastion.id]"),
        description: "The bastion's fixed address; each bastion instance attaches it at boot",
      }),
      comment("Off when the bastion is the NAT, or AWS drops every packet it forwards for the subnet."),
      attrs({
        source_dest_check: ref("!var.nat"),
        tags: ref(`merge(var.tags, { Name = "\${var.name}-bastion", "${ENI_TAG}" = var.asg_name })`),
      }),
      block(
        "lifecycle",
        [],
        block(
          "precondition",
          [],
          attrs({
            condition: ref(
              'local.host_number >= 4 && local.host_number < pow(2, 32 - tonumber(split("/", var.subnet_cidr)[1])) - 1',
            ),
            error_message: "private_ip must be inside subnet_cidr and not one of the addresses AWS reserves.",
          }),
        ),
      ),
    ),
    block(
      "resource",
      ["aws_key_pair", "operator"],
      attrs({
        key_name: ref('"${var.name}-operator"'),
        public_key: ref("var.ssh_public_key"),
        tags: tagged("operator"),
      }),
    ),
    block(
      "resource",
      ["aws_launch_template", "bastion"],
      attrs({
        name: ref('"${var.name}-bastion"'),
        image_id: ref("data.aws_ssm_parameter.ami.insecure_value"),
        instance_type: ref("var.instance_type"),
        key_name: ref("aws_key_pair.operator.key_name"),
      }),
      comment(
        "The first interface: in the public subnet with a public IPv4 when the bastion is the NAT.\n" +
          "AWS auto-assigns that address only to a new first interface, and releases it when the\n" +
          "group scales to zero, so it is paid only while the bastion runs (docs/decisions.md).",
      ),
      block(
        "network_interfaces",
        [],
        attrs({
          device_index: 0,
          associate_public_ip_address: ref("var.nat"),
          security_groups: ref("[aws_security_group.bastion.id]"),
          delete_on_termination: true,
        }),
      ),
      comment(
        "The boot script is a file of its own (read it, shellcheck it, test it); the bundle rides along.",
      ),
      attrs({ user_data: ref("local.user_data_gz"), update_default_version: true }),
      block("iam_instance_profile", [], attrs({ arn: ref("aws_iam_instance_profile.bastion.arn") })),
      block(
        "lifecycle",
        [],
        block(
          "precondition",
          [],
          attrs({
            condition: ref("length(local.user_data_gz) <= 21848"),
            error_message:
              "The user data (boot script and netboot bundle, gzipped) is over the 16 KiB EC2 accepts: trim the bundle.",
          }),
        ),
      ),
      imdsV2Only(),
      comment("Standard credits: a burst never turns into a charge."),
      block("credit_specification", [], attrs({ cpu_credits: "standard" })),
      encryptedVolume("/dev/xvda", ref("var.root_volume_size")),
      block(
        "tag_specifications",
        [],
        attrs({ resource_type: "instance", tags: ref("merge(var.tags, { Name = var.instance_name })") }),
      ),
      block(
        "tag_specifications",
        [],
        attrs({ resource_type: "volume", tags: ref("merge(var.tags, { Name = var.instance_name })") }),
      ),
      attrs({ tags: tagged("bastion") }),
    ),
    comment("At most one bastion. The group replaces a failed one; the schedules below start and stop it."),
    block(
      "resource",
      ["aws_autoscaling_group", "bastion"],
      attrs({
        name: ref("var.asg_name"),
        min_size: 0,
        max_size: 1,
        desired_capacity: 1,
        vpc_zone_identifier: ref("[var.nat ? var.public_subnet_id : var.subnet_id]"),
        health_check_type: "EC2",
      }),
      comment(
        "The bastion is ready when its boot script has attached the interface, not when the group says.",
      ),
      attrs({ wait_for_capacity_timeout: "0" }),
      block(
        "launch_template",
        [],
        attrs({
          id: ref("aws_launch_template.bastion.id"),
          version: ref("aws_launch_template.bastion.latest_version"),
        }),
      ),
      block(
        "dynamic",
        ["tag"],
        attrs({
          for_each: ref(`merge(var.tags, { Name = var.instance_name, "${BUDGET_TAG}" = var.budget_name })`),
        }),
        block(
          "content",
          [],
          attrs({ key: ref("tag.key"), value: ref("tag.value"), propagate_at_launch: true }),
        ),
      ),
      comment(
        "The schedules own the running count, and the hard cap suspends them: an apply must undo\n" +
          "neither (the provider would resume a suspended process it does not list).",
      ),
      block("lifecycle", [], attrs({ ignore_changes: ref("[desired_capacity, suspended_processes]") })),
    ),
    comment(
      "The bastion as the NAT: the private subnet's IPv4 default route leads to its fixed\n" +
        "interface, which outlives every instance, so the route never changes.",
    ),
    block(
      "resource",
      ["aws_route", "private_ipv4_bastion"],
      attrs({
        count: ref("var.nat ? 1 : 0"),
        route_table_id: ref("var.route_table_id"),
        destination_cidr_block: "0.0.0.0/0",
        network_interface_id: ref("aws_network_interface.bastion.id"),
      }),
    ),
    block(
      "resource",
      ["aws_autoscaling_schedule", "start"],
      attrs({
        scheduled_action_name: ref('"${var.asg_name}-start"'),
        autoscaling_group_name: ref("aws_autoscaling_group.bastion.name"),
        min_size: 0,
        max_size: 1,
        desired_capacity: 1,
        recurrence: ref("var.schedule_start"),
        time_zone: ref("var.schedule_time_zone"),
      }),
    ),
    block(
      "resource",
      ["aws_autoscaling_schedule", "stop"],
      attrs({
        scheduled_action_name: ref('"${var.asg_name}-stop"'),
        autoscaling_group_name: ref("aws_autoscaling_group.bastion.name"),
        min_size: 0,
        max_size: 1,
        desired_capacity: 0,
        recurrence: ref("var.schedule_stop"),
        time_zone: ref("var.schedule_time_zone"),
      }),
    ),
  ];
  return hclFile(
    header("The bastion: its fixed interface, key, launch template, group of one and schedule."),
    items,
  );
}

/** The bastion's user data. The lab runs this very file in the bastion's namespace. */
export function bastionBootScript(): string {
  return renderShell({
    firstLine: "#!/bin/bash",
    description:
      "Bastion boot script (user data): attach the fixed interface, configure it, install the\n" +
      "container runtime, start the netboot services.\n" +
      generatedHeader(TEST),
    steps: [
      {
        why: "Settings a test or the lab may override; on EC2 the defaults apply.",
        commands: [
          ': "${IMDS:=http://169.254.169.254}"',
          ': "${MOON_CONTAINER_RUNTIME:=docker}"',
          `: "\${MOON_NETBOOT_START:=${BUNDLE_DIR_ON_BASTION}/start}"`,
          ': "${MOON_DEVICE_WAIT_SECONDS:=60}"',
          ': "${MOON_DATA_DIR:=/var/lib/moon-and-back}"',
          ': "${MOON_BUDGET_GUARD_SECONDS:=900}"',
          ': "${MOON_EGRESS_WAIT_SECONDS:=300}"',
          'log() { echo "bastion-boot: $*" >&2; }',
          "# Retries a call that can meet a transient state (an interface still detaching).",
          'retry() { local n=1; until "$@"; do [ "$n" -ge 5 ] && return 1; sleep $((n * 3)); n=$((n + 1)); done; }',
        ],
      },
      {
        why:
          "A bastion without its fixed address is useless: on any failure, ask the group to\n" +
          "replace this instance rather than leave it running half-configured.",
        commands: [
          "on_exit() {",
          "  local rc=$?",
          '  if [ "$rc" -ne 0 ] && [ -n "${instance_id:-}" ]; then',
          '    log "failed (exit $rc): marking $instance_id unhealthy so the group replaces it"',
          '    aws autoscaling set-instance-health --instance-id "$instance_id" --health-status Unhealthy || true',
          "  fi",
          "}",
          "trap on_exit EXIT",
        ],
      },
      {
        why: "IMDSv2: every metadata read carries a session token (the launch template requires it).",
        commands: [
          'token=$(curl -sSf -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 300" "$IMDS/latest/api/token")',
          'imds() { curl -sSf -H "X-aws-ec2-metadata-token: $token" "$IMDS/latest/meta-data/$1"; }',
          "instance_id=$(imds instance-id)",
          "AWS_DEFAULT_REGION=$(imds placement/region)",
          "export AWS_DEFAULT_REGION",
          'log "instance $instance_id in $AWS_DEFAULT_REGION"',
        ],
      },
      {
        why:
          "The API is reached through the NAT, which (a NAT instance on the same schedule) may\n" +
          "still be starting: wait for any HTTP answer from the regional endpoint, bounded, before\n" +
          "the first call. Where it never comes, the log says so and the boot fails.",
        commands: [
          'api="${AWS_ENDPOINT_URL:-https://ec2.$AWS_DEFAULT_REGION.amazonaws.com}"',
          "waited=0",
          'until curl -s -o /dev/null --max-time 5 "$api"; do',
          '  [ "$waited" -eq 0 ] && log "waiting for a route to $api (the NAT may still be starting)"',
          '  [ "$waited" -ge "$MOON_EGRESS_WAIT_SECONDS" ] && { log "no answer from $api after $waited s: no egress, giving up"; exit 1; }',
          "  sleep 5",
          "  waited=$((waited + 5))",
          "done",
          '[ "$waited" -eq 0 ] || log "egress up: $api answered after about $waited s"',
        ],
      },
      {
        why:
          "The fixed interface is the one tagged for this instance's Auto Scaling group, in its zone.\n" +
          "Its subnet may differ from the instance's (the bastion as NAT starts in the public one).",
        commands: [
          `self=$(aws ec2 describe-instances --instance-ids "$instance_id" --output text --query "Reservations[0].Instances[0].[SubnetId, Placement.AvailabilityZone, Tags[?Key=='aws:autoscaling:groupName'] | [0].Value, Tags[?Key=='${BUDGET_TAG}'] | [0].Value]")`,
          'read -r own_subnet zone group budget <<<"$self"',
          `eni=$(aws ec2 describe-network-interfaces --filters "Name=tag:${ENI_TAG},Values=$group" "Name=availability-zone,Values=$zone" --output text --query "NetworkInterfaces[0].[NetworkInterfaceId, Attachment.AttachmentId, Attachment.InstanceId, MacAddress, PrivateIpAddress, Ipv6Addresses[0].Ipv6Address, SubnetId, SourceDestCheck]")`,
          'read -r eni_id attachment_id owner mac private_ip ipv6 subnet_id source_dest_check <<<"$eni"',
          `test "\${eni_id:-None}" != None || { log "no interface tagged ${ENI_TAG}=$group in $zone"; exit 1; }`,
        ],
      },
      {
        why:
          "The hard cap (docs/decisions.md): once the month's actual spend, as AWS Budgets computes\n" +
          "it (a few times a day), has reached the budget, this group scales to zero and its\n" +
          "schedule stays suspended until the operator resumes it. Checked now, before anything\n" +
          "starts, then every MOON_BUDGET_GUARD_SECONDS.",
        commands: [
          "budget_guard() {",
          "  local spend limit",
          '  read -r spend limit < <(aws budgets describe-budget --account-id "$account_id" --budget-name "$budget" --output text --query "Budget.[CalculatedSpend.ActualSpend.Amount, BudgetLimit.Amount]") || {',
          '    log "budget guard: cannot read the budget $budget: the cap is not enforced this time"',
          "    return 0",
          "  }",
          `  awk -v s="$spend" -v l="$limit" 'BEGIN { exit !(s + 0 >= l + 0) }' || return 0`,
          '  log "budget guard: the month\'s actual spend, $spend USD, has reached the budget of $limit USD: scaling $group to zero, its schedule suspended (resume: aws autoscaling resume-processes --auto-scaling-group-name $group)"',
          "  # Suspend first: scaling to zero terminates this instance, which may not live to make a",
          "  # second call. Should the scale then fail, the schedule is resumed so its stop still comes.",
          '  retry aws autoscaling suspend-processes --auto-scaling-group-name "$group" --scaling-processes ScheduledActions ||',
          '    log "budget guard: FAILED to suspend $group\'s schedule: each scheduled start will be stopped again at boot"',
          '  retry aws autoscaling set-desired-capacity --auto-scaling-group-name "$group" --desired-capacity 0 || {',
          "    # A stop that falls while the schedule is suspended is skipped for good (Auto Scaling runs",
          "    # only actions still to come on resume), so the next check tries the scale again.",
          '    if retry aws autoscaling resume-processes --auto-scaling-group-name "$group" --scaling-processes ScheduledActions; then',
          '      log "budget guard: FAILED to scale $group to zero; its schedule resumed, it runs until its scheduled stop"',
          "    else",
          '      log "budget guard: FAILED to scale $group to zero and to resume its schedule: it runs until the next check scales it, in ${MOON_BUDGET_GUARD_SECONDS}s"',
          "    fi",
          "    return 0",
          "  }",
          "  return 1",
          "}",
          'if [ "${budget:-None}" != None ]; then',
          "  account_id=$(aws sts get-caller-identity --output text --query Account)",
          '  budget_guard || { log "over budget: not starting"; exit 0; }',
          "fi",
        ],
      },
      {
        why:
          "A replacement finds the interface still attached to the instance it replaces (a dead\n" +
          "instance keeps it): detach it by force, then attach it here as device 1.",
        commands: [
          'if [ "$owner" != "$instance_id" ]; then',
          '  if [ "$attachment_id" != None ]; then',
          '    log "detaching $eni_id from $owner"',
          '    retry aws ec2 detach-network-interface --attachment-id "$attachment_id" --force',
          '    retry aws ec2 wait network-interface-available --network-interface-ids "$eni_id"',
          "  fi",
          '  log "attaching $eni_id to $instance_id as device 1"',
          '  retry aws ec2 attach-network-interface --network-interface-id "$eni_id" --instance-id "$instance_id" --device-index 1 >/dev/null',
          "fi",
        ],
      },
      {
        why: "The interface appears as a new device; find it by its MAC address.",
        commands: [
          'dev=""',
          'for _ in $(seq "$MOON_DEVICE_WAIT_SECONDS"); do',
          `  dev=$(ip -o link | awk -v mac="$mac" 'tolower($0) ~ mac { sub(/:$/, "", $2); sub(/@.*/, "", $2); print $2; exit }')`,
          '  [ -n "$dev" ] && break',
          "  sleep 1",
          "done",
          'test -n "$dev" || { log "no device with MAC $mac after ${MOON_DEVICE_WAIT_SECONDS}s"; exit 1; }',
          'log "$eni_id appeared as $dev"',
        ],
      },
      {
        why:
          "Configure it the same way on any distribution. Replies from the fixed address leave by\n" +
          "its own interface: AWS drops a packet whose source is not its interface's.",
        commands: [
          `cidrs=$(aws ec2 describe-subnets --subnet-ids "$subnet_id" --output text --query "Subnets[0].[CidrBlock, Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlock]")`,
          'read -r cidr cidr6 <<<"$cidrs"',
          'log "subnet $subnet_id: $cidr $cidr6"',
          'IFS=./ read -r o1 o2 o3 o4 prefix <<<"$cidr"',
          "n=$(((o1 << 24 | o2 << 16 | o3 << 8 | o4) + 1))",
          'gateway="$((n >> 24 & 255)).$((n >> 16 & 255)).$((n >> 8 & 255)).$((n & 255))"',
          'ip link set "$dev" up',
          'ip addr replace "$private_ip/$prefix" dev "$dev"',
          `ip route replace "$cidr" dev "$dev" src "$private_ip" table ${ENI_TABLE}`,
          `ip route replace default via "$gateway" dev "$dev" table ${ENI_TABLE}`,
          `ip rule del from "$private_ip" lookup ${ENI_TABLE} 2>/dev/null || true`,
          `ip rule add from "$private_ip" lookup ${ENI_TABLE} priority ${ENI_TABLE}`,
          "# Started in another subnet: reach the fixed address's own subnet directly from it.",
          'if [ "$own_subnet" != "$subnet_id" ]; then ip route replace "$cidr" dev "$dev" src "$private_ip"; fi',
          'if [ "$ipv6" != None ]; then',
          '  ip -6 addr replace "$ipv6/${cidr6#*/}" dev "$dev" nodad',
          "  # The subnet router's link-local address comes with its router advertisements.",
          '  gateway6=""',
          '  for _ in $(seq "$MOON_DEVICE_WAIT_SECONDS"); do',
          `    gateway6=$(ip -6 route show default | awk '{ for (i = 1; i < NF; i++) if ($i == "via") { print $(i + 1); exit } }')`,
          '    [ -n "$gateway6" ] && break',
          "    sleep 1",
          "  done",
          '  test -n "$gateway6" || { log "no IPv6 router after ${MOON_DEVICE_WAIT_SECONDS}s: SSH over IPv6 cannot answer"; exit 1; }',
          `  ip -6 route replace default via "$gateway6" dev "$dev" table ${ENI_TABLE}`,
          `  ip -6 rule del from "$ipv6" lookup ${ENI_TABLE} 2>/dev/null || true`,
          `  ip -6 rule add from "$ipv6" lookup ${ENI_TABLE} priority ${ENI_TABLE}`,
          "fi",
          'log "$eni_id is up on $dev: $private_ip $ipv6"',
        ],
      },
      {
        why:
          "The bastion as the private subnet's NAT: its fixed interface's source/destination check\n" +
          "is off (the module turns it off only then), so forward and masquerade what the subnet\n" +
          "sends out by the instance's own first interface and its public address.",
        commands: [
          'if [ "$source_dest_check" = False ]; then',
          "  sysctl -q -w net.ipv4.ip_forward=1",
          "  command -v nft >/dev/null || dnf install -y nftables",
          `  uplink=$(ip -o -4 route show default | awk '{ print $5; exit }')`,
          '  test -n "$uplink" || { log "no default route: cannot be the NAT"; exit 1; }',
          "  nft delete table ip bastion_nat 2>/dev/null || true",
          "  nft add table ip bastion_nat",
          "  nft add chain ip bastion_nat postrouting '{ type nat hook postrouting priority srcnat; policy accept; }'",
          '  nft add rule ip bastion_nat postrouting ip saddr "$cidr" oifname "$uplink" masquerade',
          '  log "NAT for $cidr out by $uplink"',
          "fi",
        ],
      },
      {
        why: "The container runtime the netboot services run in.",
        commands: [
          'case "$MOON_CONTAINER_RUNTIME" in',
          "  docker)",
          "    if ! command -v docker >/dev/null; then",
          "      if command -v dnf >/dev/null; then dnf install -y docker; else apt-get update && apt-get install -y docker.io; fi",
          "    fi",
          "    systemctl enable --now docker",
          "    ;;",
          '  native) log "services run as native processes on this image (the lab bastion)" ;;',
          '  *) log "MOON_CONTAINER_RUNTIME=$MOON_CONTAINER_RUNTIME: use docker or native" && exit 1 ;;',
          "esac",
        ],
      },
      {
        why: "The netboot services (layer 03) install a start command here; it runs once the address is up.",
        commands: [
          'if [ -x "$MOON_NETBOOT_START" ]; then',
          '  log "starting the netboot services: $MOON_NETBOOT_START"',
          '  "$MOON_NETBOOT_START"',
          "else",
          '  log "no netboot services at $MOON_NETBOOT_START yet: nothing to start"',
          "fi",
          'log "ready: $private_ip on $dev"',
          "# User data runs once per instance: the same script at every boot (cloud-init's per-boot",
          "# scripts) brings back the routes, the NAT and the guard after a reboot.",
          "per_boot=/var/lib/cloud/scripts/per-boot/moon-and-back-bastion.sh",
          'if [ "$MOON_CONTAINER_RUNTIME" = docker ] && [ -d "${per_boot%/*}" ] && [ "$0" != "$per_boot" ]; then',
          '  install -m 0755 "$0" "$per_boot"',
          "fi",
          "# MOON_BUDGET_GUARD_SECONDS=0 leaves only the check at boot (the unit specs' stand-ins).",
          'if [ "${budget:-None}" != None ] && [ "$MOON_BUDGET_GUARD_SECONDS" -gt 0 ]; then',
          '  mkdir -p "$MOON_DATA_DIR"',
          '  (while sleep "$MOON_BUDGET_GUARD_SECONDS"; do budget_guard || break; done) >>"$MOON_DATA_DIR/budget-guard.log" 2>&1 </dev/null &',
          '  log "budget guard: every ${MOON_BUDGET_GUARD_SECONDS}s against $budget"',
          "fi",
        ],
      },
    ],
  });
}

function layer(model: Model, target: RootTarget): RootLayer {
  const operator = derived(model).operatorCidr(target);
  const rootDefault = (v: BastionVariable): BastionVariable["default"] => {
    if (v.name === "operator_ipv6_cidr") return operator ?? undefined;
    // The lab passes its own operator key; the aws root takes the model's, or asks for one.
    if (v.name === "ssh_public_key")
      return target === "aws" ? (model.bastion.sshPublicKey ?? undefined) : undefined;
    return v.default;
  };
  const rooted = moduleVariables(model).filter(
    (v): v is BastionVariable & { root: string } => v.root !== undefined,
  );
  const variables: TofuVariable[] = rooted
    .filter((v) => v.root !== "name" && v.root !== "tags")
    .map((v) => ({
      ...v,
      name: v.root,
      default: rootDefault(v),
      validations: v.validations?.map((val) => ({
        condition: val.condition.replaceAll(`var.${v.name}`, `var.${v.root}`),
        message: val.message.replace(v.name, v.root),
      })),
    }));
  const wired: Record<string, string> = {
    vpc_id: "module.network.vpc_id",
    vpc_cidr: "var.vpc_cidr",
    subnet_id: "module.network.private_subnet_id",
    nat: 'var.nat == "bastion"',
    public_subnet_id: "module.network.public_subnet_id",
    subnet_cidr: "var.private_subnet_cidr",
    subnet_ipv6_cidr: "module.network.private_subnet_ipv6_cidr",
    route_table_id: "module.network.private_route_table_id",
    internet_gateway_id: "module.network.internet_gateway_id",
    netboot_dir: '"${path.root}/netboot"',
    budget_name: "module.budget.budget_name",
  };
  return {
    module: "bastion",
    variables,
    inputs: {
      ...Object.fromEntries(rooted.map((v) => [v.name, `var.${v.root}`])),
      ...wired,
    },
    outputs: moduleOutputs.map((o) => ({ ...o, value: `module.bastion.${o.name}` })),
  };
}

export const generator02: Generator = {
  test: TEST,
  name: "bastion",
  describe: "the bastion: group of one, fixed interface, schedule, SSH from home only",
  layer,
  generate(model: Model): GeneratedFile[] {
    const vars = moduleVariables(model).map((v) => ({
      ...v,
      default: v.name === "name" || v.name === "tags" ? v.default : undefined,
    }));
    return [
      { path: `${MODULE_DIR}/versions.tf`, content: versionsTf(">= 6.0", [], TEST) },
      {
        path: `${MODULE_DIR}/variables.tf`,
        content: hclFile(header("Inputs of the bastion module."), vars.map(variableBlock)),
      },
      { path: `${MODULE_DIR}/iam.tf`, content: iamTf() },
      { path: `${MODULE_DIR}/security.tf`, content: securityTf() },
      { path: `${MODULE_DIR}/bastion.tf`, content: bastionTf() },
      {
        path: `${MODULE_DIR}/outputs.tf`,
        content: hclFile(header("Outputs of the bastion module."), moduleOutputs.map(outputBlock)),
      },
      { path: `${MODULE_DIR}/bastion-boot.sh`, content: bastionBootScript() },
      {
        path: `${MODULE_DIR}/README.md`,
        content: [
          markdownHeader("Module `bastion`", TEST),
          "",
          "One ARM64 instance serving the private subnet, in an Auto Scaling group of at most one",
          "that replaces it when it fails and is started and stopped by two scheduled actions. An",
          "Auto Scaling group cannot pin a private IP, so the fixed address lives on a persistent",
          "network interface in the private subnet that every new instance's boot script attaches",
          "(device 1), detaching it by force from a dead predecessor first. The instance role may",
          "attach only that interface, and only to instances of this group.",
          "",
          "With `nat = true` (the model's `network.nat = bastion`, the default) the bastion is also",
          "the private subnet's NAT: the instance starts in the public subnet with a public IPv4",
          "(released when the group scales to zero, so paid only while it runs), the fixed",
          "interface's source/destination check is off, the private subnet's IPv4 default route",
          "leads to that interface, and the boot script masquerades what the subnet sends out. One",
          "instance instead of two is what keeps the baseline under $0.10 a month with no free",
          "tier (docs/decisions.md).",
          "",
          "SSH is open to exactly one address, the operator's home IPv6 /128; the netboot services",
          "(matchbox, TFTP, DNS, the registry caches) answer the VPC only. IMDSv2 is required, the",
          "volumes are encrypted, CPU credits are standard (no surprise charges).",
          "",
          "Files by concern: `bastion.tf` (interface, key, launch template, group, schedules),",
          "`security.tf` (security group, the operator's return route), `iam.tf` (role and",
          "profile), `bastion-boot.sh` (the user data).",
          "",
          interfaceTables(vars, moduleOutputs),
          "",
        ].join("\n"),
      },
    ];
  },
};
