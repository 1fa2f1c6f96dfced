// Generator 02 — the bastion (spec 02): the `bastion` OpenTofu module (an ARM64 instance in
// an Auto Scaling group of at most one, started and stopped on a schedule, with a fixed
// address from a persistent network interface its boot script attaches) and that boot
// script, a file of its own. Everything here is read from the model.
import { derived, type Model } from "../model/index.ts";
import { moduleFiles, moduleLayer, type LayerVariable, type ModuleSpec } from "./module.ts";
import { renderSource, sourceFile, type SourceFile } from "./writers/source.ts";
import { BUNDLE_DIR_ON_BASTION } from "./03-netboot.ts";
import type { TofuOutput } from "./writers/tofu.ts";
import type { GeneratedFile, Generator, RootTarget } from "./types.ts";

const TEST = 2;
const ARM_TYPE_RE = "^(a1|[a-z]+[0-9]+g[a-z]*)\\\\.[a-z0-9]+$";
/** The tag that marks the fixed interface for the group whose instance attaches it. */
export const ENI_TAG = "moon-and-back:bastion-of";
/** The tag that names, on the bastion, the budget its hard cap checks. */
export const BUDGET_TAG = "moon-and-back:budget";
/** The boundary of the user data's MIME parts (cloud-config, then the boot script). */
export const MIME_BOUNDARY = "MOON-AND-BACK-USER-DATA";

/** The bastion's HCL and boot script with the names the lab and the specs also read. */
function bastionSource(file: "bastion.tf" | "bastion-boot.sh"): SourceFile {
  const slots: Record<string, string> = {
    bundle_dir: BUNDLE_DIR_ON_BASTION,
    eni_tag: ENI_TAG,
    budget_tag: BUDGET_TAG,
    ...(file === "bastion.tf" ? { mime_boundary: MIME_BOUNDARY } : {}),
  };
  return {
    test: TEST,
    source: `02-bastion/${file}`,
    values: {
      from: "the names the lab and the specs also read (generators/02-bastion.ts, 03-netboot.ts)",
      slots,
    },
  };
}

/** The boot script as the bastion runs it (no header): what the boot spec runs. */
export const bastionBootScript = (): string => renderSource(bastionSource("bastion-boot.sh"));

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

function moduleVariables(model: Model): LayerVariable[] {
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

/** The module: its variables carry no defaults but name's and tags'; the roots default to the model. */
function spec(model: Model): ModuleSpec {
  return {
    name: "bastion",
    test: TEST,
    variables: moduleVariables(model).map((v) => ({
      ...v,
      default: v.name === "name" || v.name === "tags" ? v.default : undefined,
    })),
    outputs: moduleOutputs,
    files: {
      "iam.tf": sourceFile({ test: TEST, source: "02-bastion/iam.tf" }),
      "security.tf": sourceFile({ test: TEST, source: "02-bastion/security.tf" }),
      "bastion.tf": sourceFile(bastionSource("bastion.tf")),
      "bastion-boot.sh": sourceFile(bastionSource("bastion-boot.sh")),
    },
    readme: [
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
    ],
  };
}

export const generator02: Generator = {
  test: TEST,
  name: "bastion",
  describe: "the bastion: group of one, fixed interface, schedule, SSH from home only",
  layer(model: Model, target: RootTarget) {
    const defaults = Object.fromEntries(
      moduleVariables(model).flatMap((v) => (v.root === undefined ? [] : [[v.root, v.default]])),
    );
    return moduleLayer(
      spec(model),
      {
        vpc_id: "module.network.vpc_id",
        vpc_cidr: "local.vpc_cidr",
        subnet_id: "module.network.private_subnet_id",
        nat: 'local.nat == "bastion"',
        public_subnet_id: "module.network.public_subnet_id",
        subnet_cidr: "local.private_subnet_cidr",
        subnet_ipv6_cidr: "module.network.private_subnet_ipv6_cidr",
        route_table_id: "module.network.private_route_table_id",
        internet_gateway_id: "module.network.internet_gateway_id",
        netboot_dir: '"${path.root}/netboot"',
        budget_name: "module.budget.budget_name",
      },
      {
        ...defaults,
        operator_ipv6_cidr: derived(model).operatorCidr(target) ?? undefined,
        // The lab passes its own operator key; the aws root takes the model's, or asks for one.
        ssh_public_key: target === "aws" ? (model.bastion.sshPublicKey ?? undefined) : undefined,
      },
    );
  },
  generate: (model: Model): GeneratedFile[] => moduleFiles(spec(model)),
};
