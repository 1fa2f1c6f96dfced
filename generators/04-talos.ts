// Generator 04: the Talos nodes' machine-config patches, per target (infra/<target>/talos/,
// beside the bastion's bundle, not in it: the bastion serves configs, it does not render
// them, and its user data has 16 KiB). The configs themselves hold the cluster's PKI, so
// they are never generated into Git: `talos-config gen` (Talos's own library) makes the
// secrets once and applies these patches — the lab does it at `lab up` (lab/talos.ts),
// keeping the secrets in its state directory; for aws the operator runs `npm run
// talos:configs` (secrets kept in the parameter store); at home, talos-config or talosctl.
// The patches carry what SPEC §3 asks of a node: the five caches as plain-http mirrors,
// CozyStack's requirements, the install disk, and the Image Factory installer per role.
import {
  derived,
  NODE_BOOTS,
  NODE_ROLES,
  type Model,
  type NodeRole,
  type TargetName,
} from "../model/index.ts";
import { nodeSelector, talosConfigId } from "./03-netboot.ts";
import {
  installerImage,
  installPlatform,
  schematicId,
  schematicYaml,
  type Schematic,
} from "./talos-schematic.ts";
import { generatedHeader, type GeneratedFile, type Generator, type RootLayer } from "./types.ts";
import { bastionHours } from "./01-network.ts";
import { moduleFiles, moduleLayer, rooted, type ModuleSpec } from "./module.ts";
import { renderYaml } from "./writers/yaml.ts";
import { Rendered, sourceFile, type SourceFile } from "./writers/source.ts";
import { markdownTable } from "./writers/markdown.ts";
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
  const dir = talosPatchDir(target);
  return sourceFile({
    test: TEST,
    source: "04-talos/talos.md",
    values: {
      from: "the model",
      slots: {
        target,
        commands: new Rendered(
          [
            `talos-config gen --out DIR ${talosGenArgs(model, target, dir).join(" ")}`,
            "# or, with Talos's CLI (DIR outside this repository: the configs hold the cluster's keys):",
            `talosctl gen config ${shq(model.nodes.clusterName)} ${shq(clusterEndpoint(model))} --output-dir DIR --with-secrets DIR/secrets.yaml \\`,
            `  --config-patch @${dir}/${patchFile("common")} --config-patch-control-plane @${dir}/${patchFile("controlplane")} \\`,
            `  --config-patch-worker @${dir}/${patchFile("worker")}`,
          ].join("\n"),
        ),
        controlplane_config: talosConfigId("controlplane"),
        worker_config: talosConfigId("worker"),
        secrets: new Rendered(
          target === "lab"
            ? "`lab up` does this itself, keeping the secrets bundle in the lab's state directory."
            : "Keep `secrets.yaml` out of Git (a password manager, or an SSM SecureString parameter on aws).",
        ),
        schematics: new Rendered(
          markdownTable(
            ["role", "Image Factory extensions", "schematic ID (computed offline)"],
            NODE_ROLES.map((role) => {
              const s = schematicFor(model, role);
              return [role, s.officialExtensions.join(", "), `\`${schematicId(s)}\``];
            }),
          ),
        ),
      },
    },
  });
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

/** The nodes module: its HCL is 04-talos/; the model's values reach it through the roots. */
const nodes: ModuleSpec = {
  name: "nodes",
  test: TEST,
  source: "04-talos",
  interfaceSlots: {
    from: "the model's choices (model/sections/nodes.ts)",
    slots: { node_roles: NODE_ROLES, node_boots: NODE_BOOTS },
  },
  files: {
    "security.tf": sourceFile({ test: TEST, source: "04-talos/security.tf" }),
    "nodes.tf": sourceFile(nodesSource()),
    "schedule.tf": sourceFile({ test: TEST, source: "04-talos/schedule.tf" }),
  },
  readmeSlots: {
    from: "the AMI table (generators/node-amis.ts)",
    slots: {
      ipxe_owner: upstreamAmi("ipxe").owner,
      ipxe_not_created_before: upstreamAmi("ipxe").notCreatedBefore?.at.slice(0, 10) ?? "",
      talos_owner: upstreamAmi("talos").owner,
    },
  },
};

function nodesLayer(model: Model): RootLayer {
  const n = model.nodes;
  return moduleLayer(nodes, {
    wiring: {
      name: "local.name",
      tags: "local.tags",
      vpc_id: "module.network.vpc_id",
      subnet_id: "module.network.private_subnet_id",
      bastion_security_group_id: "module.bastion.bastion_security_group_id",
    },
    values: {
      // The session switch: `tofu apply -var nodes_enabled=true` starts one. The lab's
      // baseline has none: specs 04 and 09 apply the nodes layer for a test (against the
      // upstream AMIs the emulator registers) and remove it; its booted nodes are QEMU guests.
      enabled: rooted("nodes_enabled", false),
      machines: rooted(
        "node_machines",
        Object.fromEntries(derived(model).nodes.map((m) => [m.name, { ip: m.ip, role: m.role }])),
      ),
      instance_type: rooted("node_instance_type", n.aws.instanceType),
      system_volume_gb: rooted("node_system_volume_gb", n.aws.systemVolumeGb),
      data_volume_gb: rooted("node_data_volume_gb", n.aws.dataVolumeGb),
      boot: rooted("node_boot", n.aws.boot),
      public_ipv4: rooted("node_public_ipv4", n.aws.publicIpv4),
      matchbox_url: derived(model).matchboxUrl,
      talos_version: model.versions.talos,
      talos_api_port: n.talosApiPort,
      kubernetes_api_port: n.kubernetesApiPort,
      ...bastionHours(model),
    },
    operatorInputs: ["enabled"],
  });
}

function generate(model: Model): GeneratedFile[] {
  const header = generatedHeader(TEST);
  return [
    ...moduleFiles(nodes),
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
