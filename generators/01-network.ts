// Generator 01 — the network layer (spec 01): the `network` OpenTofu module and the
// `lab` and `aws` roots that call it. Everything here is read from the model.
import { derived, NAT_CHOICES, type Model } from "../model/index.ts";
import { attr, attrs, blank, block, comment, hclFile, ref, renderHcl, type Block } from "./writers/hcl.ts";
import { markdownTable } from "./writers/markdown.ts";
import { renderShell } from "./writers/shell.ts";
import {
  interfaceTables,
  outputBlock,
  variableBlock,
  type TofuOutput,
  type TofuVariable,
} from "./writers/tofu.ts";
import { generatedHeader, markdownHeader, type GeneratedFile, type Generator } from "./types.ts";

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
        "How the private subnet reaches the IPv4 internet: nat_instance (a Graviton instance, about a tenth of a NAT gateway), nat_gateway (managed, about $35/month before traffic), or none (IPv6 egress only).",
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
];

const tagged = (name: string) => ref(`merge(var.tags, { Name = "\${var.name}-${name}" })`);

function networkTf(): string {
  const blocks: (Block | ReturnType<typeof comment>)[] = [
    block(
      "resource",
      ["aws_vpc", "this"],
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
    header("IPv4 egress for the private subnet, by var.nat: a NAT instance, a NAT gateway, or none."),
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
        attrs({ tags: tagged("nat") }),
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

function versionsTf(constraint: string, extra: Block[] = []): string {
  return hclFile(header("OpenTofu and provider versions."), [
    block(
      "terraform",
      [],
      attrs({ required_version: ">= 1.9" }),
      block("required_providers", [], attr("aws", { source: "hashicorp/aws", version: constraint })),
      extra,
    ),
  ]);
}

/** Root variables: one per model value a user sets, defaulting to the model. */
function rootVariables(model: Model): TofuVariable[] {
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
    tags: model.tags,
  };
  return moduleVariables(model).map((v) => ({ ...v, default: defaults[v.name] as TofuVariable["default"] }));
}

function rootFiles(model: Model, target: "lab" | "aws"): GeneratedFile[] {
  const dir = `infra/${target}`;
  const vars = rootVariables(model);
  const emulator = derived(model).emulatorUrl;
  const endpoints = ["autoscaling", "ce", "ec2", "iam", "logs", "s3", "ssm", "sts", "budgets"];
  const provider =
    target === "lab"
      ? block(
          "provider",
          ["aws"],
          comment("The lab's emulator (moto) on loopback; dummy keys, nothing real is reachable."),
          attrs({
            region: model.region,
            access_key: "lab",
            secret_key: "lab",
            skip_credentials_validation: true,
            skip_metadata_api_check: true,
            skip_requesting_account_id: true,
            s3_use_path_style: true,
          }),
          block("endpoints", [], attrs(Object.fromEntries(endpoints.map((e) => [e, emulator])))),
          block("default_tags", [], attrs({ tags: ref("var.tags") })),
        )
      : block(
          "provider",
          ["aws"],
          attrs({ region: model.region }),
          block("default_tags", [], attrs({ tags: ref("var.tags") })),
        );
  const backend =
    target === "aws"
      ? [
          block(
            "backend",
            ["s3"],
            comment("Partial configuration: tofu init -backend-config=backend.hcl (see README.md)."),
          ),
        ]
      : [];
  const constraint =
    target === "lab" ? model.versions.awsProvider.version : model.versions.awsProvider.constraint;
  const moduleCall = block(
    "module",
    ["network"],
    attrs({ source: "../modules/network" }),
    attrs(
      Object.fromEntries(vars.filter((v) => v.name !== "tags").map((v) => [v.name, ref(`var.${v.name}`)])),
    ),
    attrs({ tags: ref("var.tags") }),
  );
  const outputs = moduleOutputs.map((o) => ({ ...o, value: `module.network.${o.name}` }));
  const intro =
    target === "lab"
      ? `The \`lab\` root: the network layer applied to the lab's AWS emulator at ${emulator}. \`npm run lab:up\` applies it; to run it by hand, start the lab first.`
      : "The `aws` root: the network layer in your own AWS account. Real AWS is never called by the tests.";
  const howTo =
    target === "lab"
      ? [
          "```sh",
          "npm run lab:up        # starts the emulator, tofu init + apply of this root",
          "npm run lab:status",
          "```",
        ]
      : [
          "```sh",
          "cp backend.hcl.example backend.hcl   # your state bucket; backend.hcl is not committed",
          "tofu init -backend-config=backend.hcl",
          "tofu plan -out=tfplan && tofu apply tfplan",
          "```",
          "",
          "State lives in S3 (with its native lock file), never in Git. The provider comes from the",
          `public registry (\`${model.versions.awsProvider.constraint}\`); the lab uses the locally built`,
          `\`${model.versions.awsProvider.version}\` instead.`,
        ];
  const files: GeneratedFile[] = [
    { path: `${dir}/versions.tf`, content: versionsTf(constraint, backend) },
    {
      path: `${dir}/providers.tf`,
      content: hclFile(header("The AWS provider for this target."), [provider]),
    },
    {
      path: `${dir}/variables.tf`,
      content: hclFile(header("Inputs, defaulting to the model."), vars.map(variableBlock)),
    },
    { path: `${dir}/main.tf`, content: hclFile(header("The layers of the kit."), [moduleCall]) },
    {
      path: `${dir}/outputs.tf`,
      content: hclFile(header("What the specs and the lab read back."), outputs.map(outputBlock)),
    },
    {
      path: `${dir}/README.md`,
      content: [
        markdownHeader(`infra/${target}`, TEST),
        "",
        intro,
        "",
        ...howTo,
        "",
        interfaceTables(vars, outputs),
        "",
      ].join("\n"),
    },
  ];
  if (target === "aws")
    files.push({
      path: `${dir}/backend.hcl.example`,
      content: renderHcl([
        comment(header("Copy to backend.hcl and set your own bucket; backend.hcl stays out of Git.")),
        blank,
        ...attrs({
          bucket: "my-tofu-state-bucket",
          key: `${model.project}/aws.tfstate`,
          region: model.region,
          encrypt: true,
          use_lockfile: true,
        }),
      ]),
    });
  return files;
}

export const generator01: Generator = {
  test: TEST,
  name: "network",
  describe:
    "The VPC, subnets, gateways, route tables and NAT choice (infra/modules/network) and the lab and aws roots.",
  generate(model: Model): GeneratedFile[] {
    const vars = moduleVariables(model);
    return [
      { path: `${MODULE_DIR}/versions.tf`, content: versionsTf(">= 6.0") },
      {
        path: `${MODULE_DIR}/variables.tf`,
        content: hclFile(header("Inputs of the network module."), vars.map(variableBlock)),
      },
      { path: `${MODULE_DIR}/network.tf`, content: networkTf() },
      { path: `${MODULE_DIR}/nat.tf`, content: natTf() },
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
          "chosen by `nat`. Files by concern: `network.tf` (VPC, subnets, routes), `nat.tf` (the NAT",
          "choice), `nat-instance.sh` (the NAT instance's boot script).",
          "",
          interfaceTables(vars, moduleOutputs),
          "",
        ].join("\n"),
      },
      ...rootFiles(model, "lab"),
      ...rootFiles(model, "aws"),
      {
        path: "infra/README.md",
        content: [
          markdownHeader("infra/", TEST),
          "",
          "The generated OpenTofu, committed so it can be read and applied without Node.",
          "Never edit it by hand: change the model and run `npm run generate`; `npm test` fails",
          "on a stale or edited file.",
          "",
          markdownTable(
            ["path", "what"],
            [
              [
                "[`modules/network/`](modules/network/README.md)",
                "VPC, subnets, gateways, routes, NAT choice (layer 01)",
              ],
              [
                "[`lab/`](lab/README.md)",
                `the lab root: the modules against the emulator at ${derived(model).emulatorUrl}`,
              ],
              ["[`aws/`](aws/README.md)", `the aws root: your own account, ${model.region}, state in S3`],
            ],
          ),
          "",
        ].join("\n"),
      },
    ];
  },
};
