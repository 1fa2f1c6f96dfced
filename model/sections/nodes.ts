// The nodes section: the Talos machines, their addresses and roles, and the EC2 session's instances.
import { cidrContainsIp, cidrHost, cidrSize, cidrsOverlap, parseIpv4, parseIpv4Cidr } from "../net.ts";
import { closest, GRAVITON_SIZES, isArmInstanceType, type Places, type Rules } from "../rules.ts";
import type { Model } from "../types.ts";

export const NODE_ARCHES = ["amd64", "arm64"] as const;
export type NodeArch = (typeof NODE_ARCHES)[number];
export const NODE_ROLES = ["controlplane", "worker"] as const;
export type NodeRole = (typeof NODE_ROLES)[number];

/** A machine that netboots: matchbox selects its group (and so its profile) by MAC. */
export interface NodeMachine {
  /** Lower-case, colon-separated, e.g. "02:4d:42:00:00:01". */
  readonly mac: string;
  /**
   * Its fixed private address, e.g. "10.20.13.11": DHCP reserves it for the MAC in the lab and
   * at home, and AWS assigns it. Fixed before the configs are generated (SPEC §3: the PKI and
   * the cluster endpoint are made once, for these addresses).
   */
  readonly ip: string;
  readonly arch: NodeArch;
  readonly role: NodeRole;
}

/**
 * Official Talos system extensions the kit knows (Image Factory's `siderolabs/…` names). A
 * schematic naming anything else is refused before Image Factory would refuse it.
 */
export const OFFICIAL_EXTENSIONS = [
  "siderolabs/drbd",
  "siderolabs/zfs",
  "siderolabs/spin",
  "siderolabs/tailscale",
  "siderolabs/iscsi-tools",
  "siderolabs/util-linux-tools",
  "siderolabs/qemu-guest-agent",
] as const;

/** How EC2 nodes boot (SPEC §3): the iPXE AMI chaining to matchbox, or Talos's own AMI. */
export const NODE_BOOTS = ["ipxe", "ami"] as const;
export type NodeBoot = (typeof NODE_BOOTS)[number];

export interface NodesModel {
  /** Nodes are named `${namePrefix}${n}`, n counting from 1 in the order of `machines`. */
  readonly namePrefix: string;
  readonly machines: readonly NodeMachine[];
  /**
   * Where the nodes' machine configs (and, on aws, the secrets bundle) live as SecureString
   * parameters: the bastion's netboot start fetches `<path>/configs/<role>/NN` into matchbox.
   */
  readonly configParameterPath: string;
  /** The Talos cluster's name (in its configs and kubeconfig). */
  readonly clusterName: string;
  /** Talos's API (apid) on every node; the bastion reaches it (SPEC §3). */
  readonly talosApiPort: number;
  /** The Kubernetes API on control-plane nodes; the cluster endpoint is the first one's. */
  readonly kubernetesApiPort: number;
  /** Pod and service networks (CozyStack's defaults), outside the VPC. */
  readonly podCidr: string;
  readonly serviceCidr: string;
  /** The cluster's DNS domain; CozyStack expects "cozy.local" (its networking.clusterDomain). */
  readonly clusterDomain: string;
  /** The disk Talos installs to, per target (EC2's Nitro NVMe, the lab's virtio, a home PC's SATA). */
  /**
   * The disk Talos installs to, by path, where the path is known. On aws there is no such
   * path (Nitro names EBS volumes nvme0n1… in no fixed order): Talos picks the disk whose
   * size is `aws.systemVolumeGb`: below the size halfway to the data volume (generator 04).
   */
  readonly installDisk: { readonly home: string; readonly lab: string };
  /**
   * EC2 nodes for an experiment session (SPEC §3: CozyStack's small-lab minimum is 4 cores and
   * 16 GB with a 32 GB system disk and a 100 GB data disk; the validator checks the type).
   */
  readonly aws: {
    readonly instanceType: string;
    readonly systemVolumeGb: number;
    readonly dataVolumeGb: number;
    /** How EC2 nodes boot: the iPXE AMI chaining to matchbox, or Talos's AMI configured from the bastion. */
    readonly boot: NodeBoot;
    /**
     * An Elastic IP on each node: $0.005 an hour each, and a node open to the internet's
     * scans. Keep it false (the nodes go out through the NAT); spec 09 fails when it is true.
     */
    readonly publicIpv4: boolean;
  };
  /**
   * System extensions of each node kind's Image Factory schematic (SPEC §3): compute nodes
   * get DRBD, ZFS and the Spin shim; the one gateway node also Tailscale.
   */
  readonly extensions: { readonly compute: readonly string[]; readonly gateway: readonly string[] };
}

export const NODES_DEFAULTS: NodesModel = {
  namePrefix: "talos-node-",
  // The lab's two nodes, one per architecture; locally administered MACs (02:…).
  machines: [
    { mac: "02:4d:42:00:00:01", ip: "10.20.13.11", arch: "amd64", role: "controlplane" },
    { mac: "02:4d:42:00:00:02", ip: "10.20.13.21", arch: "arm64", role: "worker" },
  ],
  configParameterPath: "/moon-and-back/talos",
  clusterName: "moon",
  talosApiPort: 50000,
  kubernetesApiPort: 6443,
  podCidr: "10.244.0.0/16",
  serviceCidr: "10.96.0.0/16",
  clusterDomain: "cozy.local",
  installDisk: { home: "/dev/sda", lab: "/dev/vda" },
  aws: {
    instanceType: "m7g.xlarge",
    systemVolumeGb: 32,
    dataVolumeGb: 100,
    boot: "ipxe",
    publicIpv4: false,
  },
  extensions: {
    compute: ["siderolabs/drbd", "siderolabs/zfs", "siderolabs/spin"],
    gateway: ["siderolabs/drbd", "siderolabs/zfs", "siderolabs/spin", "siderolabs/tailscale"],
  },
};

/** The nodes: MACs and addresses, roles, Kubernetes ranges, install disks, the EC2 type and disks. */
export function nodesRules(model: Model, r: Rules, at: Places): void {
  const { add } = r;
  const { priv } = at;
  const net = model.network;
  const macs = new Map<string, number>();
  // Addresses already taken: what a node must not be given.
  const fixedAddresses = new Map<string, string>([[model.bastion.privateIp, "the bastion's"]]);
  model.nodes.machines.forEach((m, i) => {
    if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(m.mac))
      add(
        `nodes.machines[${i}].mac`,
        m.mac,
        "is not a MAC address",
        'write six lower-case hex pairs, e.g. "02:4d:42:00:00:01"',
      );
    const first = macs.get(m.mac);
    if (first !== undefined)
      add(
        `nodes.machines[${i}].mac`,
        m.mac,
        `is listed twice (also nodes.machines[${first}])`,
        "give every node its own MAC",
      );
    else macs.set(m.mac, i);
    if (!(NODE_ARCHES as readonly string[]).includes(m.arch))
      add(
        `nodes.machines[${i}].arch`,
        m.arch,
        "is not a node architecture",
        `use ${NODE_ARCHES.join(" or ")}`,
      );
    if (!(NODE_ROLES as readonly string[]).includes(m.role))
      add(`nodes.machines[${i}].role`, m.role, "is not a Talos role", `use ${NODE_ROLES.join(" or ")}`);
    const path = `nodes.machines[${i}].ip`;
    const nodeIp = parseIpv4(m.ip);
    const host = priv && nodeIp !== undefined ? nodeIp - priv.base : -1;
    const reserved = fixedAddresses.get(m.ip);
    if (nodeIp === undefined)
      add(path, m.ip, "is not an IPv4 address", 'write it as a.b.c.d, e.g. "10.20.13.11"');
    else if (priv && !cidrContainsIp(priv, nodeIp))
      add(
        path,
        m.ip,
        `is outside the private subnet ${net.private.cidr}`,
        `pick an address inside ${net.private.cidr}`,
      );
    else if (priv && (host < 4 || host > cidrSize(priv) - 2))
      add(
        path,
        m.ip,
        "is one of the five addresses AWS reserves in every subnet",
        `pick from ${cidrHost(priv, 4)} to ${cidrHost(priv, -2)}`,
      );
    else if (host >= model.services.dhcp.firstHost && host <= model.services.dhcp.lastHost)
      add(
        path,
        m.ip,
        `is inside the DHCP range (hosts ${model.services.dhcp.firstHost}-${model.services.dhcp.lastHost})`,
        "pick a fixed address outside the range",
      );
    else if (reserved !== undefined)
      add(path, m.ip, `is already ${reserved}`, "give every node an address of its own");
    fixedAddresses.set(m.ip, `nodes.machines[${i}]'s address`);
  });
  if (!model.nodes.machines.some((m) => m.role === "controlplane"))
    add(
      "nodes.machines",
      model.nodes.machines.length,
      "has no controlplane node",
      'give at least one machine role "controlplane"',
    );
  for (const key of ["talosApiPort", "kubernetesApiPort"] as const) {
    const p = model.nodes[key];
    if (!Number.isInteger(p) || p < 1 || p > 65535)
      add(`nodes.${key}`, p, "is not a TCP port", "use 1-65535");
  }
  if (model.nodes.talosApiPort === model.nodes.kubernetesApiPort)
    add(
      "nodes.kubernetesApiPort",
      model.nodes.kubernetesApiPort,
      "is the Talos API's port too: both listen on every control-plane node",
      "keep Talos on 50000 and Kubernetes on 6443, or give each its own port",
    );
  for (const key of ["podCidr", "serviceCidr"] as const) {
    const c = parseIpv4Cidr(model.nodes[key]);
    const vpc = parseIpv4Cidr(net.vpcCidr);
    if (!c)
      add(
        `nodes.${key}`,
        model.nodes[key],
        "is not an IPv4 CIDR",
        'write it as a.b.c.d/n, e.g. "10.244.0.0/16"',
      );
    else if (vpc && cidrsOverlap(c, vpc))
      add(
        `nodes.${key}`,
        model.nodes[key],
        `overlaps the VPC ${net.vpcCidr}`,
        "use a range outside the VPC, e.g. 10.244.0.0/16",
      );
  }
  for (const [target, disk] of Object.entries(model.nodes.installDisk))
    if (!/^\/dev\/[a-z0-9/]+$/.test(disk))
      add(`nodes.installDisk.${target}`, disk, "is not a disk device path", 'use e.g. "/dev/sda"');
  const na = model.nodes.aws;
  const size = GRAVITON_SIZES[na.instanceType];
  if (!isArmInstanceType(na.instanceType))
    add(
      "nodes.aws.instanceType",
      na.instanceType,
      "is not an ARM64 (Graviton) instance type",
      "use a Graviton type such as m7g.xlarge",
    );
  else if (!size)
    add(
      "nodes.aws.instanceType",
      na.instanceType,
      "is not a Graviton type the kit knows the size of",
      `use one of ${Object.keys(GRAVITON_SIZES).join(", ")}`,
    );
  else if (size.vcpu < 4 || size.memoryGib < 16)
    add(
      "nodes.aws.instanceType",
      na.instanceType,
      `has ${size.vcpu} vCPU and ${size.memoryGib} GiB, under CozyStack's 4 cores and 16 GB`,
      "use m7g.xlarge or larger",
    );
  if (!(na.systemVolumeGb >= 32))
    add(
      "nodes.aws.systemVolumeGb",
      na.systemVolumeGb,
      "is under CozyStack's 32 GB system disk",
      "use 32 or more",
    );
  if (na.dataVolumeGb === na.systemVolumeGb)
    add(
      "nodes.aws.dataVolumeGb",
      na.dataVolumeGb,
      "is the system disk's size: Talos finds its install disk on EC2 by size, and would not know which",
      `use a size other than nodes.aws.systemVolumeGb (${String(na.systemVolumeGb)})`,
    );
  if (!(na.dataVolumeGb >= 100))
    add(
      "nodes.aws.dataVolumeGb",
      na.dataVolumeGb,
      "is under CozyStack's 100 GB data disk",
      "use 100 or more",
    );
  if (!(NODE_BOOTS as readonly string[]).includes(na.boot))
    add(
      "nodes.aws.boot",
      na.boot,
      "is not a node boot choice",
      'use "ipxe" (chain to matchbox) or "ami" (Talos\'s AMI)',
    );
  for (const kind of ["compute", "gateway"] as const) {
    const seen = new Set<string>();
    model.nodes.extensions[kind].forEach((e, i) => {
      const path = `nodes.extensions.${kind}[${i}]`;
      if (!(OFFICIAL_EXTENSIONS as readonly string[]).includes(e)) {
        const guess = closest(e, OFFICIAL_EXTENSIONS);
        add(
          path,
          e,
          "is not an official Talos extension the kit knows",
          guess ? `did you mean "${guess}"?` : `use one of ${OFFICIAL_EXTENSIONS.join(", ")}`,
        );
      }
      if (seen.has(e)) add(path, e, "is listed twice", "list each extension once");
      seen.add(e);
    });
  }
}
