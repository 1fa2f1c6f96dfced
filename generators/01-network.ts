// Generator 01 — the network layer (spec 01): the `network` OpenTofu module and the
// `lab` and `aws` roots that call it. Everything here is read from the model.
import { NAT_CHOICES, NAT_SCHEDULES, type Model } from "../model/index.ts";
import { instanceScheduleBlocks, scheduleVariables } from "./instance-schedule.ts";
import { versionsTf } from "./roots.ts";
import { attrs, block, comment, hclFile, ref, type Block } from "./writers/hcl.ts";
import { renderShell } from "./writers/shell.ts";
import {
  checkovSkip,
  INSTANCE_CHECKOV_SKIPS,
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
} from "./types.ts";

const MODULE_DIR = "infra/modules/network";
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

const tagged = (name: string) => ref(`merge(var.tags, { Name = "\${var.name}-${name}" })`);

function networkTf(): string {
  const blocks: (Block | ReturnType<typeof comment>)[] = [
    block(
      "resource",
      ["aws_vpc", "this"],
      checkovSkip(
        "CKV2_AWS_11",
        "its flow log is in the guardrails module, where checkov does not follow the VPC; the audit checks it over the API",
      ),
      checkovSkip(
        "CKV2_AWS_12",
        "the guardrails module empties its default group, where checkov does not follow the VPC; the audit checks it over the API",
      ),
      attrs({
        cidr_block: ref("var.vpc_cidr"),
        assign_generated_ipv6_cidr_block: true,
        enable_dns_support: true,
        enable_dns_hostnames: true,
        tags: tagged("vpc"),
      }),
    ),
    block(
      "resource",
      ["aws_internet_gateway", "this"],
      attrs({ vpc_id: ref("aws_vpc.this.id"), tags: tagged("igw") }),
    ),
    comment("IPv6 egress costs nothing: an egress-only gateway lets the private subnet out, never in."),
    block(
      "resource",
      ["aws_egress_only_internet_gateway", "this"],
      attrs({ vpc_id: ref("aws_vpc.this.id"), tags: tagged("eigw") }),
    ),
    comment("No address in the public subnet gets a public IPv4 by default: each one costs $0.005/hour."),
    block(
      "resource",
      ["aws_subnet", "public"],
      attrs({
        vpc_id: ref("aws_vpc.this.id"),
        availability_zone: ref("var.availability_zone"),
        cidr_block: ref("var.public_subnet_cidr"),
        ipv6_cidr_block: ref("cidrsubnet(aws_vpc.this.ipv6_cidr_block, 8, var.public_subnet_ipv6_index)"),
        map_public_ip_on_launch: false,
        assign_ipv6_address_on_creation: true,
        tags: tagged("public"),
      }),
    ),
    block(
      "resource",
      ["aws_subnet", "private"],
      attrs({
        vpc_id: ref("aws_vpc.this.id"),
        availability_zone: ref("var.availability_zone"),
        cidr_block: ref("var.private_subnet_cidr"),
        ipv6_cidr_block: ref("cidrsubnet(aws_vpc.this.ipv6_cidr_block, 8, var.private_subnet_ipv6_index)"),
        map_public_ip_on_launch: false,
        assign_ipv6_address_on_creation: true,
        tags: tagged("private"),
      }),
    ),
    block(
      "resource",
      ["aws_route_table", "public"],
      attrs({ vpc_id: ref("aws_vpc.this.id"), tags: tagged("public") }),
    ),
    block(
      "resource",
      ["aws_route", "public_ipv4"],
      attrs({
        route_table_id: ref("aws_route_table.public.id"),
        destination_cidr_block: "0.0.0.0/0",
        gateway_id: ref("aws_internet_gateway.this.id"),
      }),
    ),
    block(
      "resource",
      ["aws_route", "public_ipv6"],
      attrs({
        route_table_id: ref("aws_route_table.public.id"),
        destination_ipv6_cidr_block: "::/0",
        gateway_id: ref("aws_internet_gateway.this.id"),
      }),
    ),
    block(
      "resource",
      ["aws_route_table_association", "public"],
      attrs({ subnet_id: ref("aws_subnet.public.id"), route_table_id: ref("aws_route_table.public.id") }),
    ),
    comment("The private subnet's IPv4 default route is added in nat.tf, by the NAT choice."),
    block(
      "resource",
      ["aws_route_table", "private"],
      attrs({ vpc_id: ref("aws_vpc.this.id"), tags: tagged("private") }),
    ),
    block(
      "resource",
      ["aws_route", "private_ipv6"],
      attrs({
        route_table_id: ref("aws_route_table.private.id"),
        destination_ipv6_cidr_block: "::/0",
        egress_only_gateway_id: ref("aws_egress_only_internet_gateway.this.id"),
      }),
    ),
    block(
      "resource",
      ["aws_route_table_association", "private"],
      attrs({ subnet_id: ref("aws_subnet.private.id"), route_table_id: ref("aws_route_table.private.id") }),
    ),
  ];
  return hclFile(header("The VPC, its two subnets, gateways and route tables."), blocks);
}

function natTf(): string {
  const ifInstance = ref('var.nat == "nat_instance" ? 1 : 0');
  const ifGateway = ref('var.nat == "nat_gateway" ? 1 : 0');
  return hclFile(
    header(
      "IPv4 egress for the private subnet, by var.nat: a NAT instance, a NAT gateway, or none here\n" +
        "(bastion: the bastion module routes the private subnet to the bastion's fixed interface).",
    ),
    [
      comment("nat_gateway: managed and highly available, about $35/month before traffic (SPEC §3)."),
      block("resource", ["aws_eip", "nat"], attrs({ count: ifGateway, domain: "vpc", tags: tagged("nat") })),
      block(
        "resource",
        ["aws_nat_gateway", "this"],
        attrs({
          count: ifGateway,
          allocation_id: ref("aws_eip.nat[0].id"),
          subnet_id: ref("aws_subnet.public.id"),
          tags: tagged("nat"),
          depends_on: ref("[aws_internet_gateway.this]"),
        }),
      ),
      block(
        "resource",
        ["aws_route", "private_ipv4_nat_gateway"],
        attrs({
          count: ifGateway,
          route_table_id: ref("aws_route_table.private.id"),
          destination_cidr_block: "0.0.0.0/0",
          nat_gateway_id: ref("aws_nat_gateway.this[0].id"),
        }),
      ),
      comment(
        "nat_instance: a Graviton instance that masquerades for the private subnet (the fck-nat pattern).",
      ),
      block(
        "data",
        ["aws_ssm_parameter", "nat_ami"],
        attrs({ count: ifInstance, name: ref("var.nat_instance_ami_parameter") }),
      ),
      block(
        "resource",
        ["aws_security_group", "nat"],
        attrs({
          count: ifInstance,
          name: ref('"${var.name}-nat"'),
          description: "NAT instance: forwards traffic from the private subnet only",
          vpc_id: ref("aws_vpc.this.id"),
          tags: tagged("nat"),
        }),
      ),
      block(
        "resource",
        ["aws_vpc_security_group_ingress_rule", "nat_from_private"],
        attrs({
          count: ifInstance,
          security_group_id: ref("aws_security_group.nat[0].id"),
          description: "Everything the private subnet sends out",
          cidr_ipv4: ref("var.private_subnet_cidr"),
          ip_protocol: "-1",
          tags: tagged("nat-from-private"),
        }),
      ),
      block(
        "resource",
        ["aws_vpc_security_group_egress_rule", "nat_to_internet"],
        attrs({
          count: ifInstance,
          security_group_id: ref("aws_security_group.nat[0].id"),
          description: "Forwarded traffic to the IPv4 internet",
          cidr_ipv4: "0.0.0.0/0",
          ip_protocol: "-1",
          tags: tagged("nat-to-internet"),
        }),
      ),
      block(
        "resource",
        ["aws_instance", "nat"],
        checkovSkip("CKV_AWS_88", "a NAT instance forwards to the internet from its own public address"),
        INSTANCE_CHECKOV_SKIPS.ebsOptimized,
        INSTANCE_CHECKOV_SKIPS.monitoring,
        INSTANCE_CHECKOV_SKIPS.noRole("The NAT instance"),
        attrs({
          count: ifInstance,
          ami: ref("data.aws_ssm_parameter.nat_ami[0].insecure_value"),
          instance_type: ref("var.nat_instance_type"),
          subnet_id: ref("aws_subnet.public.id"),
          vpc_security_group_ids: ref("[aws_security_group.nat[0].id]"),
        }),
        comment("The only public IPv4 of the design: the NAT needs one to reach the internet."),
        attrs({ associate_public_ip_address: true }),
        comment("Off, or AWS drops every packet the instance forwards for others."),
        attrs({
          source_dest_check: false,
          user_data: ref('file("${path.module}/nat-instance.sh")'),
          user_data_replace_on_change: true,
        }),
        block("metadata_options", [], attrs({ http_endpoint: "enabled", http_tokens: "required" })),
        block(
          "root_block_device",
          [],
          attrs({ encrypted: true, volume_type: "gp3", volume_size: ref("var.nat_instance_volume_size") }),
        ),
        comment("The cost model reads this tag to count the instance's hours."),
        attrs({ tags: ref('merge(var.tags, { Name = "${var.name}-nat", Schedule = var.nat_schedule })') }),
      ),
      block(
        "resource",
        ["aws_route", "private_ipv4_nat_instance"],
        attrs({
          count: ifInstance,
          route_table_id: ref("aws_route_table.private.id"),
          destination_cidr_block: "0.0.0.0/0",
          network_interface_id: ref("aws_instance.nat[0].primary_network_interface_id"),
        }),
      ),
    ],
  );
}

/** The NAT instance's user data; the lab runs this very file inside its NAT namespace. */
export function natInstanceScript(): string {
  return renderShell({
    firstLine: "#cloud-boothook",
    description:
      "NAT instance boot script: masquerade what the private subnet sends to the internet.\n" +
      "A boothook runs at every boot, so the settings survive a stop and start.\n" +
      generatedHeader(TEST),
    steps: [
      {
        why: "The instance forwards for the private subnet; its source/destination check is off.",
        commands: ["sysctl -q -w net.ipv4.ip_forward=1"],
      },
      {
        why: "nftables may be missing from a minimal image.",
        commands: ["command -v nft >/dev/null || dnf install -y nftables"],
      },
      {
        why: "Masquerade everything that leaves by the default route's interface.",
        commands: [
          "uplink=$(ip -o -4 route show default | awk '{ print $5; exit }')",
          'test -n "$uplink" || { echo "nat-instance: no default route" >&2; exit 1; }',
          "nft delete table ip nat_instance 2>/dev/null || true",
          "nft add table ip nat_instance",
          "nft add chain ip nat_instance postrouting '{ type nat hook postrouting priority srcnat; policy accept; }'",
          'nft add rule ip nat_instance postrouting oifname "$uplink" masquerade',
        ],
      },
    ],
  });
}

/** The network layer's share of a root: every module variable, defaulting to the model. */
function layer(model: Model): RootLayer {
  const n = model.network;
  const defaults: Record<string, unknown> = {
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
  };
  // The schedule's variables are the root's bastion ones: the bastion layer declares them.
  const vars = moduleVariables(model);
  const rootName = (v: TofuVariable): string => ("root" in v && typeof v.root === "string" ? v.root : v.name);
  const variables = vars
    .filter((v) => rootName(v) === v.name)
    .map((v) => ({ ...v, default: defaults[v.name] as TofuVariable["default"] }));
  return {
    module: "network",
    variables,
    inputs: Object.fromEntries(vars.map((v) => [v.name, `var.${rootName(v)}`])),
    outputs: moduleOutputs.map((o) => ({ ...o, value: `module.network.${o.name}` })),
  };
}

export const generator01: Generator = {
  test: TEST,
  name: "network",
  describe: "VPC, subnets, gateways, route tables and the NAT choice",
  layer,
  generate(model: Model): GeneratedFile[] {
    const vars = moduleVariables(model);
    return [
      { path: `${MODULE_DIR}/versions.tf`, content: versionsTf(">= 6.0", [], TEST) },
      {
        path: `${MODULE_DIR}/variables.tf`,
        content: hclFile(header("Inputs of the network module."), vars.map(variableBlock)),
      },
      { path: `${MODULE_DIR}/network.tf`, content: networkTf() },
      { path: `${MODULE_DIR}/nat.tf`, content: natTf() },
      {
        path: `${MODULE_DIR}/nat-schedule.tf`,
        content: hclFile(
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
      },
      {
        path: `${MODULE_DIR}/outputs.tf`,
        content: hclFile(header("Outputs of the network module."), moduleOutputs.map(outputBlock)),
      },
      { path: `${MODULE_DIR}/nat-instance.sh`, content: natInstanceScript() },
      {
        path: `${MODULE_DIR}/README.md`,
        content: [
          markdownHeader("Module `network`", TEST),
          "",
          "A VPC with an Amazon IPv6 block, a public and a private subnet in one zone, an internet",
          "gateway, an egress-only internet gateway for IPv6, and the private subnet's IPv4 egress",
          "chosen by `nat` (with `bastion`, the default, the bastion module routes it to the bastion,",
          "which masquerades for it: see docs/decisions.md). Files by concern: `network.tf` (VPC,",
          "subnets, routes), `nat.tf` (the NAT",
          "choice), `nat-schedule.tf` (the NAT instance on the bastion's hours, by `nat_schedule`),",
          "`nat-instance.sh` (the NAT instance's boot script).",
          "",
          interfaceTables(vars, moduleOutputs),
          "",
        ].join("\n"),
      },
    ];
  },
};
