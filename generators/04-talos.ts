// Generator 04: the Talos nodes' machine-config patches, per target (infra/<target>/talos/,
// beside the bastion's bundle, not in it: the bastion serves configs, it does not render
// them, and its user data has 16 KiB). The configs themselves hold the cluster's PKI, so
// they are never generated into Git: `talos-config gen` (Talos's own library) makes the
// secrets once and applies these patches — the lab does it at `lab up` (lab/talos.ts),
// keeping the secrets in its state directory; for aws the operator runs `npm run
// talos:configs` (secrets kept in the parameter store); at home, talos-config or talosctl.
// The patches carry what SPEC §3 asks of a node: the five caches as plain-http mirrors,
// CozyStack's requirements, the install disk, and the Image Factory installer per role.
import { derived, type Model, type NodeRole, type TargetName } from "../model/index.ts";
import { nodeSelector, talosConfigId } from "./03-netboot.ts";
import {
  installerImage,
  installPlatform,
  schematicId,
  schematicYaml,
  type Schematic,
} from "./talos-schematic.ts";
import {
  generatedHeader,
  markdownHeader,
  type GeneratedFile,
  type Generator,
  type RootLayer,
  type RootTarget,
} from "./types.ts";
import { instanceScheduleBlocks, scheduleVariables } from "./instance-schedule.ts";
import { moduleFiles, moduleLayer, type LayerVariable } from "./module.ts";
import { hclFile } from "./writers/hcl.ts";
import { type TofuOutput } from "./writers/tofu.ts";
import { renderYaml } from "./writers/yaml.ts";
import { sourceFile, type SourceFile } from "./writers/source.ts";
import { upstreamAmi } from "./node-amis.ts";
import { shq } from "./writers/shell.ts";

const TEST = 4;
const TARGETS: readonly TargetName[] = ["lab", "aws", "home"];

/**
 * Which Image Factory schematic a role installs: control-plane nodes carry the gateway's
 * extensions (the one node the operator reaches the cluster through gets Tailscale), workers
 * the compute set.
 */
export function schematicFor(model: Model, role: NodeRole): Schematic {
  return { officialExtensions: model.nodes.extensions[role === "controlplane" ? "gateway" : "compute"] };
}

/** The first control-plane node's fixed address: the cluster's endpoint and talosctl's. */
export function firstControlPlaneIp(model: Model): string {
  const cp = model.nodes.machines.find((m) => m.role === "controlplane");
  if (!cp) throw new Error("the model has no controlplane node");
  return cp.ip;
}

/** The cluster's API endpoint: the first control-plane node's fixed address. */
export function clusterEndpoint(model: Model): string {
  return `https://${firstControlPlaneIp(model)}:${model.nodes.kubernetesApiPort}`;
}

/** Every registry the nodes pull from, mirrored by the bastion's cache for it, over plain http. */
export function mirrors(model: Model): Record<string, { endpoints: string[] }> {
  return Object.fromEntries(
    model.services.caches.map((c) => [
      c.upstream,
      { endpoints: [`http://${model.bastion.privateIp}:${c.port}`] },
    ]),
  );
}

/**
 * Kernel modules CozyStack needs: Open vSwitch for Kube-OVN, DRBD and ZFS for storage, VFIO
 * for KubeVirt's passthrough.
 */
export const COZYSTACK_KERNEL_MODULES: readonly { name: string; parameters?: string[] }[] = [
  { name: "openvswitch" },
  { name: "drbd", parameters: ["usermode_helper=disabled"] },
  { name: "zfs" },
  { name: "spl" },
  { name: "vfio_pci" },
  { name: "vfio_iommu_type1" },
];

/** CozyStack's Kube-OVN and its many pods fill the neighbour tables of a default kernel. */
export const COZYSTACK_SYSCTLS: Readonly<Record<string, string>> = {
  "net.ipv4.neigh.default.gc_thresh1": "4096",
  "net.ipv4.neigh.default.gc_thresh2": "8192",
  "net.ipv4.neigh.default.gc_thresh3": "16384",
};

/**
 * Where Talos installs. On EC2 the system volume is the launch template's mapping of the
 * AMI's root device, an NVMe device whose number is not stable across boots, so Talos picks
 * it by size: below (or above) the size halfway to the data volume's, which the model keeps
 * different, so it holds whatever bytes EC2 reports for a volume of N GiB. Talos reads the
 * operator, then the size in humanize's units, GiB = 2^30 bytes (siderolabs/talos
 * pkg/machinery/config/types/v1alpha1, InstallDiskSizeMatcher; dustin/go-humanize ParseBytes).
 */
export function installTarget(model: Model, target: TargetName): Record<string, unknown> {
  if (target !== "aws") return { disk: model.nodes.installDisk[target] };
  const { systemVolumeGb: system, dataVolumeGb: data } = model.nodes.aws;
  const between = Math.floor((system + data) / 2);
  return { diskSelector: { size: `${system < data ? "<" : ">"}${String(between)}GiB` } };
}

/** Patches applied to every node: mirrors, CozyStack's requirements, the install disk. */
export function commonPatch(model: Model, target: TargetName): Record<string, unknown> {
  return {
    machine: {
      install: installTarget(model, target),
      kubelet: {
        // The node's own subnet, so kubelet never picks a pod or tunnel address.
        nodeIP: { validSubnets: [model.network.private.cidr] },
        extraConfig: { maxPods: 512 },
      },
      sysctls: { ...COZYSTACK_SYSCTLS },
      kernel: { modules: COZYSTACK_KERNEL_MODULES.map((m) => ({ ...m })) },
      // No NAT gateway: every pull goes through the bastion's caches, plain http, no TLS block.
      registries: { mirrors: mirrors(model) },
      files: [
        {
          // KubeVirt's devices belong to the pod's security context, not to root.
          content:
            '[plugins]\n  [plugins."io.containerd.cri.v1.runtime"]\n    device_ownership_from_security_context = true\n',
          path: "/etc/cri/conf.d/20-customization.part",
          op: "create",
        },
      ],
    },
    cluster: {
      // CozyStack installs its own CNI (Kube-OVN + Cilium) and replaces kube-proxy.
      network: {
        cni: { name: "none" },
        dnsDomain: model.nodes.clusterDomain,
        podSubnets: [model.nodes.podCidr],
        serviceSubnets: [model.nodes.serviceCidr],
      },
      proxy: { disabled: true },
      discovery: { enabled: false },
    },
  };
}

export function rolePatch(model: Model, role: NodeRole, target: TargetName): Record<string, unknown> {
  const install = {
    image: installerImage(schematicFor(model, role), model.versions.talos, installPlatform(target)),
  };
  if (role === "worker") return { machine: { install } };
  const controlPlanes = derived(model).nodes.filter((n) => n.role === "controlplane");
  return {
    machine: { install },
    cluster: {
      // A small lab runs workloads on its control planes too.
      allowSchedulingOnControlPlanes: true,
      apiServer: { certSANs: controlPlanes.map((n) => n.ip) },
      etcd: { advertisedSubnets: [model.network.private.cidr] },
    },
  };
}

/**
 * A patch's file name: never a config's (`controlplane.yaml`), so rendering into the patch
 * folder by mistake cannot overwrite a tracked patch with a config that holds the keys.
 */
export const patchFile = (which: "common" | NodeRole) => `patch-${which}.yaml`;

/** The folder of a target's patches, beside (not in) the bastion's bundle. */
export const talosPatchDir = (target: TargetName) => `infra/${target}/talos`;

/** The arguments `talos-config gen` (and, alike, `talosctl gen config`) takes for a target. */
export function talosGenArgs(model: Model, target: TargetName, patchDir: string): string[] {
  return [
    "--cluster",
    model.nodes.clusterName,
    "--endpoint",
    clusterEndpoint(model),
    "--patch",
    `${patchDir}/${patchFile("common")}`,
    "--patch-controlplane",
    `${patchDir}/${patchFile("controlplane")}`,
    "--patch-worker",
    `${patchDir}/${patchFile("worker")}`,
    // talosctl's client config (DIR/talosconfig) talks to the control planes.
    ...model.nodes.machines
      .filter((m) => m.role === "controlplane")
      .flatMap((m) => ["--talos-endpoint", m.ip]),
  ];
}

function readme(model: Model, target: TargetName): string {
  const header = generatedHeader(TEST);
  const rows = (["controlplane", "worker"] as const).map((role) => {
    const s = schematicFor(model, role);
    return `| ${role} | ${s.officialExtensions.join(", ")} | \`${schematicId(s)}\` |`;
  });
  return [
    markdownHeader(`Talos machine-config patches (${target})`, TEST),
    "",
    "Strategic-merge patches for the nodes' Talos configs. The configs carry the cluster's PKI,",
    "so they are generated from these patches outside Git, once, for the nodes' fixed addresses:",
    "",
    "```sh",
    `talos-config gen --out DIR ${talosGenArgs(model, target, talosPatchDir(target)).join(" ")}`,
    "# or, with Talos's CLI (DIR outside this repository: the configs hold the cluster's keys):",
    `talosctl gen config ${shq(model.nodes.clusterName)} ${shq(clusterEndpoint(model))} --output-dir DIR --with-secrets DIR/secrets.yaml \\`,
    `  --config-patch @${talosPatchDir(target)}/${patchFile("common")} --config-patch-control-plane @${talosPatchDir(target)}/${patchFile("controlplane")} \\`,
    `  --config-patch-worker @${talosPatchDir(target)}/${patchFile("worker")}`,
    "```",
    "",
    `matchbox serves them at \`/generic\` as \`${talosConfigId("controlplane")}\` and \`${talosConfigId("worker")}\` from the bastion's data volume.`,
    target === "lab"
      ? "`lab up` does this itself, keeping the secrets bundle in the lab's state directory."
      : "Keep `secrets.yaml` out of Git (a password manager, or an SSM SecureString parameter on aws).",
    "",
    "| role | Image Factory extensions | schematic ID (computed offline) |",
    "|---|---|---|",
    ...rows,
    "",
    "The schematics themselves are `schematic-<role>.yaml`: POST one to https://factory.talos.dev/schematics",
    "and the factory answers with the same ID.",
    "",
    `<!-- ${header} -->`,
    "",
  ].join("\n");
}

// --- the AWS node path: the `nodes` module -------------------------------------------

/**
 * The data volume's device name: any but the AMI's root; AWS suggests /dev/sd[f-p] for EBS
 * data volumes (https://docs.aws.amazon.com/ebs/latest/userguide/device_naming.html). On
 * Nitro types every EBS volume is an NVMe device whatever its name, so Talos picks its
 * install disk by size, never by this name.
 */
export const DATA_VOLUME_DEVICE = "/dev/sdf";

/** The label an EC2 node's iPXE script gives matchbox (and its kernel arguments) to find its group. */
const AWS_KEY = nodeSelector("aws");
const header = (what: string): string => `${what}\n${generatedHeader(TEST)}`;

function nodeVariables(model: Model): LayerVariable[] {
  const n = model.nodes;
  const first = derived(model).nodes[0];
  const exampleMachine = first
    ? `{ "${first.name}" = { ip = "${first.ip}", role = "${first.role}" } }`
    : "{}";
  const machines = Object.fromEntries(derived(model).nodes.map((m) => [m.name, { ip: m.ip, role: m.role }]));
  return [
    {
      name: "name",
      type: "string",
      description: "Prefix of every Name tag but the nodes' own.",
      example: `"${model.project}"`,
      default: model.project,
    },
    {
      name: "tags",
      type: "map(string)",
      description: "Tags for every resource.",
      example: '{ Project = "moon-and-back" }',
      default: model.tags,
    },
    { name: "vpc_id", type: "string", description: "The VPC.", example: '"vpc-0123456789abcdef0"' },
    {
      name: "subnet_id",
      type: "string",
      description: "The private subnet the nodes live in (no public IP, no route in).",
      example: '"subnet-0123456789abcdef0"',
    },
    {
      name: "bastion_security_group_id",
      type: "string",
      description: "The bastion's group: it reaches the nodes' Talos and Kubernetes APIs.",
      example: '"sg-0123456789abcdef0"',
    },
    {
      name: "enabled",
      root: "nodes_enabled",
      // The session switch: `tofu apply -var nodes_enabled=true` starts one.
      operatorInput: true,
      type: "bool",
      description:
        "Whether the nodes run: an experiment session sets it to true, the always-on baseline keeps it false.",
      example: "true",
      default: false,
    },
    {
      name: "machines",
      root: "node_machines",
      type: "map(object({ ip = string, role = string }))",
      description: "The nodes by name (talos-node-N): each one's fixed private address and Talos role.",
      example: exampleMachine,
      default: machines,
      validations: [
        {
          condition:
            'alltrue([for m in values(var.machines) : contains(["controlplane", "worker"], m.role)])',
          message: 'Each machine\'s role must be "controlplane" or "worker".',
        },
      ],
    },
    {
      name: "instance_type",
      root: "node_instance_type",
      type: "string",
      description: "Graviton type of the nodes; CozyStack needs 4 cores and 16 GB.",
      example: `"${n.aws.instanceType}"`,
      default: n.aws.instanceType,
      validations: [
        {
          condition: `can(regex("^(a1|[a-z]+[0-9]+g[a-z]*)\\\\.[a-z0-9]+$", var.instance_type))`,
          message: "The nodes are ARM64: use a Graviton instance type such as m7g.xlarge.",
        },
      ],
    },
    {
      name: "system_volume_gb",
      root: "node_system_volume_gb",
      type: "number",
      description: "System disk (Talos installs here).",
      example: String(n.aws.systemVolumeGb),
      default: n.aws.systemVolumeGb,
    },
    {
      name: "data_volume_gb",
      root: "node_data_volume_gb",
      type: "number",
      description: "Data disk (CozyStack's storage).",
      example: String(n.aws.dataVolumeGb),
      default: n.aws.dataVolumeGb,
    },
    {
      name: "boot",
      root: "node_boot",
      type: "string",
      description:
        "ipxe: the official iPXE AMI runs a user-data script that chains to matchbox; ami: the official Talos AMI boots into maintenance mode and is configured from the bastion.",
      example: '"ipxe"',
      default: n.aws.boot,
      validations: [
        { condition: 'contains(["ipxe", "ami"], var.boot)', message: 'boot must be "ipxe" or "ami".' },
      ],
    },
    {
      name: "public_ipv4",
      root: "node_public_ipv4",
      type: "bool",
      description:
        "An Elastic IP on each node ($0.005 an hour each, and the node in reach of every scanner); false keeps them behind the NAT, and spec 09 fails on true.",
      example: "false",
      default: n.aws.publicIpv4,
    },
    {
      name: "matchbox_url",
      type: "string",
      description: "matchbox on the bastion, as the nodes reach it.",
      example: `"${derived(model).matchboxUrl}"`,
      default: derived(model).matchboxUrl,
    },
    {
      name: "talos_version",
      type: "string",
      description: "The Talos release of the AMI (boot = ami).",
      example: `"${model.versions.talos}"`,
      default: model.versions.talos,
    },
    {
      name: "talos_api_port",
      type: "number",
      description: "Talos's API on every node.",
      example: String(n.talosApiPort),
      default: n.talosApiPort,
    },
    {
      name: "kubernetes_api_port",
      type: "number",
      description: "The Kubernetes API on control-plane nodes.",
      example: String(n.kubernetesApiPort),
      default: n.kubernetesApiPort,
    },
    ...scheduleVariables(model, "the nodes"),
  ];
}

const nodeOutputs: TofuOutput[] = [
  {
    name: "node_security_group_id",
    description: "The nodes' security group.",
    value: "aws_security_group.nodes.id",
  },
  {
    name: "node_launch_template_ids",
    description: "Launch template per Talos role.",
    value: "{ for role, lt in aws_launch_template.node : role => lt.id }",
  },
  {
    name: "node_instance_ids",
    description: "Running nodes by name (empty unless enabled).",
    value: "{ for name, i in aws_instance.node : name => i.id }",
  },
  {
    name: "node_private_ips",
    description: "The nodes' fixed addresses by name (empty unless enabled).",
    value: "{ for name, i in aws_instance.node : name => i.private_ip }",
  },
];

/** The nodes' HCL with the AMIs' owners and the names matchbox and the lab also read. */
function nodesSource(): SourceFile {
  const ipxe = upstreamAmi("ipxe");
  if (!ipxe.notCreatedBefore) throw new Error("the iPXE AMI's table entry needs notCreatedBefore");
  return {
    test: TEST,
    source: "04-talos/nodes.tf",
    values: {
      from: "the AMI table (generators/node-amis.ts) and the names in generators/04-talos.ts",
      slots: {
        ipxe_owner: ipxe.owner,
        ipxe_not_created_before: ipxe.notCreatedBefore.at,
        ipxe_not_created_before_why: ipxe.notCreatedBefore.why,
        talos_owner: upstreamAmi("talos").owner,
        data_volume_device: DATA_VOLUME_DEVICE,
        matchbox_name_key: AWS_KEY,
      },
    },
  };
}

function nodesScheduleTf(): string {
  return hclFile(
    header(
      "The nodes keep the bastion's hours: EventBridge Scheduler starts and stops them (plain instances, not a group).",
    ),
    instanceScheduleBlocks({
      who: "nodes",
      count: "var.enabled ? 1 : 0",
      ids: "values(aws_instance.node)[*].id",
      arns: "[for i in values(aws_instance.node) : i.arn]",
    }),
  );
}

function nodesModuleFiles(model: Model): GeneratedFile[] {
  return moduleFiles({
    name: "nodes",
    test: TEST,
    variables: nodeVariables(model),
    outputs: nodeOutputs,
    files: {
      "security.tf": sourceFile({ test: TEST, source: "04-talos/security.tf" }),
      "nodes.tf": sourceFile(nodesSource()),
      "schedule.tf": nodesScheduleTf(),
    },
    readme: [
      "The Talos nodes on EC2, for an experiment session: `enabled = false` (the default) creates",
      "only their security group, so the always-on baseline costs nothing for them. EC2 cannot",
      "PXE-boot from a DHCP server you run (SPEC §3), so the nodes reach matchbox by HTTP instead:",
      "",
      '- `boot = "ipxe"` (default): the official iPXE AMI (arm64, EFI) runs the user-data script',
      "  `#!ipxe` … `chain http://<bastion>:8080/ipxe?node=talos-node-N…`; matchbox picks the node's",
      "  group by its name (EC2 assigns the MAC), then the profile of its arch and role. iPXE",
      `  fetches that script with an IMDSv2 token only in images from ${upstreamAmi("ipxe").notCreatedBefore?.at.slice(0, 10) ?? ""} on (ipxe/ipxe`,
      "  345abfba1), and the nodes require tokens: the data source refuses an older newest image.",
      '- `boot = "ami"`: the official Talos AMI boots into maintenance mode; apply the config from',
      "  the bastion with `talosctl apply-config --insecure --nodes <ip> --file <role>.yaml`, then",
      "  upgrade each node to its role's `factory.talos.dev/aws-installer/<schematic>` image: the AMI",
      "  has no extensions and ignores the config's install image. The exact steps are generated in",
      "  [gitops/infrastructure/platform/README.md](../../../gitops/infrastructure/platform/README.md).",
      "",
      "Each node is a plain instance at its fixed address (an Auto Scaling group cannot pin one,",
      "and the Talos PKI is made for these addresses), launched from its role's template: arm64,",
      "private subnet, no public IP, IMDSv2 required, encrypted gp3 system and data disks. Its",
      "security group lets the bastion reach Talos's and Kubernetes's APIs and the nodes reach",
      "each other (Kube-OVN), nothing else in. EventBridge Scheduler starts and stops them on the",
      "bastion's hours. Check the AMI owners before a first session:",
      `\`aws ec2 describe-images --owners ${upstreamAmi("ipxe").owner} --filters Name=architecture,Values=arm64\` (iPXE),`,
      `\`--owners ${upstreamAmi("talos").owner}\` (Talos).`,
    ],
  });
}

function nodesLayer(model: Model, target: RootTarget): RootLayer {
  return moduleLayer(
    { name: "nodes", variables: nodeVariables(model), outputs: nodeOutputs },
    {
      name: "local.name",
      tags: "local.tags",
      vpc_id: "module.network.vpc_id",
      subnet_id: "module.network.private_subnet_id",
      bastion_security_group_id: "module.bastion.bastion_security_group_id",
    },
    // The lab's baseline has no session: specs 04 and 09 apply the nodes layer for a test
    // (against the upstream AMIs the emulator registers) and remove it; the lab's booted
    // nodes are QEMU guests.
    target === "lab" ? { nodes_enabled: false } : {},
  );
}

function generate(model: Model): GeneratedFile[] {
  const header = generatedHeader(TEST);
  return [
    ...nodesModuleFiles(model),
    ...TARGETS.flatMap((target) => {
      const dir = talosPatchDir(target);
      return [
        { path: `${dir}/README.md`, content: readme(model, target) },
        {
          path: `${dir}/${patchFile("common")}`,
          content: renderYaml(
            commonPatch(model, target),
            `Every node's patch: mirrors, CozyStack's requirements, the install disk.\n${header}`,
          ),
        },
        ...(["controlplane", "worker"] as const).flatMap((role) => [
          {
            path: `${dir}/${patchFile(role)}`,
            content: renderYaml(rolePatch(model, role, target), `The ${role} nodes' patch.\n${header}`),
          },
          {
            path: `${dir}/schematic-${role}.yaml`,
            content: `# Image Factory schematic of the ${role} nodes (ID ${schematicId(schematicFor(model, role))}).\n# ${header}\n${schematicYaml(schematicFor(model, role))}`,
          },
        ]),
      ];
    }),
  ];
}

export const generator04: Generator = {
  test: TEST,
  name: "talos",
  describe:
    "the Talos nodes on EC2: launch templates per role, fixed-address interfaces, iPXE or Talos AMI, schedule",
  generate,
  layer: nodesLayer,
};
