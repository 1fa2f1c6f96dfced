// Generator 01 — the network layer (spec 01): the `network` OpenTofu module and the
// `lab` and `aws` roots that call it. Everything here is read from the model.
import { NAT_CHOICES, NAT_SCHEDULES, type Model } from "../model/index.ts";
import { instanceScheduleBlocks, scheduleVariables } from "./instance-schedule.ts";
import { moduleFiles, moduleLayer, type LayerVariable, type ModuleSpec } from "./module.ts";
import { hclFile } from "./writers/hcl.ts";
import { sourceFile } from "./writers/source.ts";
import type { TofuOutput, TofuVariable } from "./writers/tofu.ts";
import { generatedHeader, type GeneratedFile, type Generator } from "./types.ts";

const TEST = 1;
const header = (what: string): string => `${what}\n${generatedHeader(TEST)}`;

const ARM_TYPE_RE = "^(a1|[a-z]+[0-9]+g[a-z]*)\\\\.[a-z0-9]+$";

function moduleVariables(model: Model): TofuVariable[] {
  const cidrValidation = (name: string, example: string) => ({
    condition: `can(cidrnetmask(var.${name}))`,
    message: `${name} must be an IPv4 CIDR such as ${example}.`,
  });
  return [
    {
      name: "name",
      type: "string",
      description: "Prefix of every Name tag.",
      example: `"${model.project}"`,
      validations: [
        {
          condition: `can(regex("^[a-z][a-z0-9-]{0,30}$", var.name))`,
          message: "name must be lowercase letters, digits and dashes.",
        },
      ],
    },
    {
      name: "vpc_cidr",
      type: "string",
      description: "IPv4 range of the VPC.",
      example: `"${model.network.vpcCidr}"`,
      validations: [cidrValidation("vpc_cidr", model.network.vpcCidr)],
    },
    {
      name: "public_subnet_cidr",
      type: "string",
      description:
        "IPv4 range of the public subnet (the NAT and the internet gateway's side), inside vpc_cidr.",
      example: `"${model.network.public.cidr}"`,
      validations: [cidrValidation("public_subnet_cidr", model.network.public.cidr)],
    },
    {
      name: "private_subnet_cidr",
      type: "string",
      description: "IPv4 range of the private subnet (bastion and nodes), inside vpc_cidr.",
      example: `"${model.network.private.cidr}"`,
      validations: [cidrValidation("private_subnet_cidr", model.network.private.cidr)],
    },
    {
      name: "public_subnet_ipv6_index",
      type: "number",
      description: "Which /64 of the VPC's Amazon-provided /56 the public subnet gets.",
      example: String(model.network.public.ipv6Index),
      validations: [
        {
          condition: "var.public_subnet_ipv6_index >= 0 && var.public_subnet_ipv6_index < 256",
          message: "The index must be 0-255.",
        },
      ],
    },
    {
      name: "private_subnet_ipv6_index",
      type: "number",
      description: "Which /64 of the VPC's Amazon-provided /56 the private subnet gets.",
      example: String(model.network.private.ipv6Index),
      validations: [
        {
          condition: "var.private_subnet_ipv6_index >= 0 && var.private_subnet_ipv6_index < 256",
          message: "The index must be 0-255.",
        },
      ],
    },
    {
      name: "availability_zone",
      type: "string",
      description: "The one zone both subnets live in.",
      example: `"${model.network.availabilityZone}"`,
      validations: [
        {
          condition: `can(regex("^[a-z]{2}(-[a-z]+)+-[0-9][a-z]$", var.availability_zone))`,
          message: "availability_zone must be a zone name such as eu-west-1a.",
        },
      ],
    },
    {
      name: "nat",
      type: "string",
      description:
        "How the private subnet reaches the IPv4 internet: bastion (the bastion masquerades for it; the bastion module adds the route), nat_instance (a Graviton instance of its own), nat_gateway (managed, about $35/month before traffic), or none (IPv6 egress only).",
      example: `"${model.network.nat}"`,
      validations: [
        {
          condition: `contains(${JSON.stringify(NAT_CHOICES).replace(/,/g, ", ")}, var.nat)`,
          message: `nat must be one of ${NAT_CHOICES.join(", ")}.`,
        },
      ],
    },
    {
      name: "nat_instance_type",
      type: "string",
      description: "Instance type of the NAT instance; ARM64 (Graviton) only.",
      example: `"${model.network.natInstanceType}"`,
      validations: [
        {
          condition: `can(regex("${ARM_TYPE_RE}", var.nat_instance_type))`,
          message: "nat_instance_type must be a Graviton (ARM64) type such as t4g.nano.",
        },
      ],
    },
    {
      name: "nat_instance_volume_size",
      type: "number",
      description: "Root volume of the NAT instance in GiB (gp3, encrypted).",
      example: String(model.network.natInstanceVolumeGb),
      validations: [
        {
          condition: "var.nat_instance_volume_size >= 8 && var.nat_instance_volume_size <= 64",
          message: "nat_instance_volume_size must be 8-64 GiB.",
        },
      ],
    },
    {
      name: "nat_instance_ami_parameter",
      type: "string",
      description: "Public SSM parameter that names the NAT instance's AMI.",
      example: `"${model.network.natInstanceAmiParameter}"`,
      validations: [
        {
          condition: `startswith(var.nat_instance_ami_parameter, "/aws/service/")`,
          message: "nat_instance_ami_parameter must be an AWS public parameter under /aws/service/.",
        },
      ],
    },
    {
      name: "nat_schedule",
      type: "string",
      description:
        "When the NAT instance runs: bastion (EventBridge Scheduler starts and stops it on the bastion's hours) or always.",
      example: `"${model.network.natSchedule}"`,
      validations: [
        {
          condition: `contains(${JSON.stringify(NAT_SCHEDULES).replace(/,/g, ", ")}, var.nat_schedule)`,
          message: `nat_schedule must be one of ${NAT_SCHEDULES.join(", ")}.`,
        },
      ],
    },
    ...scheduleVariables(model, "the NAT instance"),
    {
      name: "tags",
      type: "map(string)",
      description: "Tags added to every resource.",
      example: '{ Project = "moon-and-back" }',
      default: {},
    },
  ];
}

const moduleOutputs: TofuOutput[] = [
  { name: "vpc_id", description: "ID of the VPC.", value: "aws_vpc.this.id" },
  {
    name: "vpc_ipv6_cidr",
    description: "The VPC's Amazon-provided IPv6 block.",
    value: "aws_vpc.this.ipv6_cidr_block",
  },
  { name: "public_subnet_id", description: "ID of the public subnet.", value: "aws_subnet.public.id" },
  { name: "private_subnet_id", description: "ID of the private subnet.", value: "aws_subnet.private.id" },
  {
    name: "public_route_table_id",
    description: "Route table of the public subnet.",
    value: "aws_route_table.public.id",
  },
  {
    name: "private_route_table_id",
    description: "Route table of the private subnet.",
    value: "aws_route_table.private.id",
  },
  {
    name: "internet_gateway_id",
    description: "ID of the internet gateway.",
    value: "aws_internet_gateway.this.id",
  },
  {
    name: "egress_only_gateway_id",
    description: "ID of the egress-only internet gateway (IPv6).",
    value: "aws_egress_only_internet_gateway.this.id",
  },
  {
    name: "nat_instance_id",
    description: "ID of the NAT instance, or null.",
    value: "one(aws_instance.nat[*].id)",
  },
  {
    name: "nat_gateway_id",
    description: "ID of the NAT gateway, or null.",
    value: "one(aws_nat_gateway.this[*].id)",
  },
  {
    name: "public_subnet_ipv6_cidr",
    description: "The public subnet's IPv6 /64.",
    value: "aws_subnet.public.ipv6_cidr_block",
  },
  {
    name: "private_subnet_ipv6_cidr",
    description: "The private subnet's IPv6 /64.",
    value: "aws_subnet.private.ipv6_cidr_block",
  },
];

/** The schedule's inputs are the root's bastion variables, which the bastion layer declares. */
function spec(model: Model): ModuleSpec {
  const schedule = new Set(scheduleVariables(model, "").map((v) => v.name));
  return {
    name: "network",
    test: TEST,
    variables: moduleVariables(model).map(({ root, ...v }: LayerVariable) =>
      schedule.has(v.name) ? v : { ...v, root: root ?? v.name },
    ),
    outputs: moduleOutputs,
    files: {
      "network.tf": sourceFile({ test: TEST, source: "01-network/network.tf" }),
      "nat.tf": sourceFile({ test: TEST, source: "01-network/nat.tf" }),
      "nat-schedule.tf": hclFile(
        header(
          "The NAT instance keeps the bastion's hours when var.nat_schedule is bastion: EventBridge Scheduler starts and stops it.",
        ),
        instanceScheduleBlocks({
          who: "nat",
          count: 'var.nat == "nat_instance" && var.nat_schedule == "bastion" ? 1 : 0',
          ids: "aws_instance.nat[*].id",
          arns: "aws_instance.nat[*].arn",
        }),
      ),
      "nat-instance.sh": sourceFile({ test: TEST, source: "01-network/nat-instance.sh" }),
    },
    readme: [
      "A VPC with an Amazon IPv6 block, a public and a private subnet in one zone, an internet",
      "gateway, an egress-only internet gateway for IPv6, and the private subnet's IPv4 egress",
      "chosen by `nat` (with `bastion`, the default, the bastion module routes it to the bastion,",
      "which masquerades for it: see docs/decisions.md). Files by concern: `network.tf` (VPC,",
      "subnets, routes), `nat.tf` (the NAT",
      "choice), `nat-schedule.tf` (the NAT instance on the bastion's hours, by `nat_schedule`),",
      "`nat-instance.sh` (the NAT instance's boot script).",
    ],
  };
}

export const generator01: Generator = {
  test: TEST,
  name: "network",
  describe: "VPC, subnets, gateways, route tables and the NAT choice",
  layer(model: Model) {
    const n = model.network;
    return moduleLayer(
      spec(model),
      Object.fromEntries(scheduleVariables(model, "").map((v) => [v.name, `local.${v.root}`])),
      {
        name: model.project,
        vpc_cidr: n.vpcCidr,
        public_subnet_cidr: n.public.cidr,
        private_subnet_cidr: n.private.cidr,
        public_subnet_ipv6_index: n.public.ipv6Index,
        private_subnet_ipv6_index: n.private.ipv6Index,
        availability_zone: n.availabilityZone,
        nat: n.nat,
        nat_instance_type: n.natInstanceType,
        nat_instance_volume_size: n.natInstanceVolumeGb,
        nat_instance_ami_parameter: n.natInstanceAmiParameter,
        nat_schedule: n.natSchedule,
        tags: model.tags,
      },
    );
  },
  generate: (model: Model): GeneratedFile[] => moduleFiles(spec(model)),
};
