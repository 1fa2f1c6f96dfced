// The typed model of a deployment: the one source of truth for every address, name,
// port, schedule, budget and version. Generators, fixtures, specs and the lab all read
// it; nothing else defines these values.

/**
 * How the private subnet reaches the IPv4 internet (SPEC §3): the bastion itself (one
 * instance, docs/decisions.md), a NAT instance of its own, a NAT gateway, or none.
 */
export const NAT_CHOICES = ["bastion", "nat_instance", "nat_gateway", "none"] as const;
export type NatChoice = (typeof NAT_CHOICES)[number];
/** When a NAT instance runs: on the bastion's schedule, or always. */
export const NAT_SCHEDULES = ["bastion", "always"] as const;
export type NatSchedule = (typeof NAT_SCHEDULES)[number];

/**
 * An AWS account's plan (SPEC §3): accounts opened on or after 2025-07-15 choose the free
 * plan (credits only, no charges, at most six months) or the paid plan; older accounts are
 * on the paid plan.
 */
export const ACCOUNT_PLANS = ["paid", "free"] as const;
export type AccountPlan = (typeof ACCOUNT_PLANS)[number];

/** The AWS account the kit runs in: the offers of each month are derived from it (cost/prices.ts). */
export interface AccountModel {
  /**
   * The month it was opened, "YYYY-MM" ("YYYY-MM-DD" when the day matters: in July 2025,
   * before the 15th means the legacy 12-month tier, from the 15th credits).
   */
  readonly opened: string;
  readonly plan: AccountPlan;
}

/** Which flows a VPC flow log records. */
export const FLOW_LOG_TRAFFIC_TYPES = ["ALL", "REJECT", "ACCEPT"] as const;
export type FlowLogTrafficType = (typeof FLOW_LOG_TRAFFIC_TYPES)[number];

/** The retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const TARGETS = ["lab", "aws", "home"] as const;
export type TargetName = (typeof TARGETS)[number];

export interface SubnetModel {
  /** IPv4 CIDR, e.g. "10.20.13.0/24". */
  readonly cidr: string;
  /** Index of the subnet's /64 inside the VPC's /56 IPv6 block. */
  readonly ipv6Index: number;
}

export interface NetworkModel {
  readonly vpcCidr: string;
  readonly public: SubnetModel;
  readonly private: SubnetModel;
  /** One zone keeps the baseline cheap; a single-AZ lab is the point of the kit. */
  readonly availabilityZone: string;
  readonly nat: NatChoice;
  /** Instance type of the NAT instance when nat = "nat_instance" (ARM64 only). */
  readonly natInstanceType: string;
  /**
   * "bastion": EventBridge Scheduler starts and stops the NAT instance on the bastion's hours
   * (the private subnet has IPv4 egress only then, which is when anything there runs);
   * "always": it runs all month.
   */
  readonly natSchedule: NatSchedule;
  /** Root volume of the NAT instance in GiB (gp3, encrypted); the AMI's snapshot needs 8. */
  readonly natInstanceVolumeGb: number;
  /** SSM public parameter naming the NAT instance's AMI (Amazon Linux 2023, arm64). */
  readonly natInstanceAmiParameter: string;
}

export interface ScheduleModel {
  /** Cron recurrence (minute hour day month weekday, read in `timeZone`) that starts the bastion. */
  readonly start: string;
  /** Cron recurrence that stops it. */
  readonly stop: string;
  /** IANA time zone the recurrences are read in. */
  readonly timeZone: string;
  /** How many hours a day the schedule is meant to give (SPEC §5: about 5); start and stop must agree. */
  readonly targetHoursPerDay: number;
}

export interface BastionModel {
  readonly name: string;
  readonly asgName: string;
  /** Fixed private address inside the private subnet. */
  readonly privateIp: string;
  readonly instanceType: string;
  /** Root volume in GiB (gp3, encrypted); the caches live on it. */
  readonly rootVolumeGb: number;
  /** SSM public parameter naming the bastion's AMI (Amazon Linux 2023, arm64). */
  readonly amiParameter: string;
  readonly schedule: ScheduleModel;
  /**
   * The operator's home IPv6 address as a /128: the only source SSH is allowed from.
   * No default: null until you set it (the aws target refuses to run without it; the lab
   * uses its own home namespace's address instead).
   */
  readonly operatorIpv6Cidr: string | null;
  /**
   * The operator's OpenSSH public key (one line). Null until you set it: the aws target
   * needs it; the lab makes a key pair of its own in its state directory.
   */
  readonly sshPublicKey: string | null;
  /** The login user of the bastion's image (ec2-user on Amazon Linux). */
  readonly sshUser: string;
}

export interface RegistryCacheModel {
  /** The registry's name as image references spell it, e.g. "docker.io". */
  readonly upstream: string;
  readonly port: number;
  /** The registry API endpoint the cache pulls from, e.g. "https://registry-1.docker.io". */
  readonly remoteUrl: string;
}

export interface DhcpModel {
  /**
   * First and last host number (inside the private subnet) dnsmasq leases: 160 and 199 in
   * 10.20.13.0/24 are 10.20.13.160-199, and they follow the subnet if it moves.
   */
  readonly firstHost: number;
  readonly lastHost: number;
  /** dnsmasq lease time, e.g. "12h". */
  readonly leaseTime: string;
}

export interface DnsFilterModel {
  /** Resolvers the filter forwards to, per target; the lab's is its own upstream DNS (lab.upstreams.dnsIndex). */
  readonly upstreams: Readonly<Record<Exclude<TargetName, "lab">, readonly string[]>>;
  /** The private zone the bastion answers for, e.g. "moon.internal". */
  readonly localDomain: string;
  /** Names in localDomain that resolve to the bastion, e.g. "matchbox" → matchbox.moon.internal. */
  readonly bastionNames: readonly string[];
  /** Domains the filter blocks (it answers 0.0.0.0 and ::, as Pi-hole's default blocking mode does). */
  readonly blocklist: readonly string[];
}

export interface ServicesModel {
  readonly matchboxPort: number;
  /** DNS (the DNS filter) and TFTP (netboot) on the bastion, reachable from inside the VPC. */
  readonly dnsPort: number;
  readonly tftpPort: number;
  readonly caches: readonly RegistryCacheModel[];
  /**
   * SSM path of the caches' upstream credentials (SecureString `<path>/<upstream>/username`
   * and `/password`, put there by the operator): the bastion's role may read this subtree.
   */
  readonly registryCredentialsPath: string;
  /** DHCP for the home lab and the local lab (on AWS, the VPC's DHCP is AWS's; dnsmasq serves TFTP only). */
  readonly dhcp: DhcpModel;
  readonly dnsFilter: DnsFilterModel;
  /** Where the services keep their data on the bastion (the caches' storage, matchbox's assets). */
  readonly dataDir: string;
  /** How many seconds a supervisor waits before restarting a service that stopped. */
  readonly restartDelaySeconds: number;
}

/**
 * Container images of the compose rendering (aws and home), pinned by version. matchbox and
 * the registry take their tags from the versions the lab builds, so every target runs the same.
 */
export interface ServiceImagesModel {
  readonly dnsmasq: string;
  readonly pihole: string;
  readonly matchboxRepository: string;
  readonly registryRepository: string;
}

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

export interface BudgetModel {
  /** Always-on baseline target in USD per month; the AWS Budgets alert fires at it. */
  readonly monthlyUsd: number;
  /**
   * Your AWS account: when it was opened and its plan. The offers each month's bill draws on
   * (the t4g.small trial, the legacy 12-month tier, credits) follow from it, never by hand.
   */
  readonly account: AccountModel;
  /**
   * Where AWS Budgets mails its alerts. Null until you set it: the aws target requires it;
   * the lab's emulator sends no mail, so the lab uses an address of its own.
   */
  readonly alertEmail: string | null;
}

/** Account and VPC guardrails (generator 09): what an audit expects to find switched on. */
export interface GuardrailsModel {
  /** VPC flow logs to CloudWatch Logs: which traffic, and how long the log group keeps it. */
  readonly flowLogs: { readonly trafficType: FlowLogTrafficType; readonly retentionDays: number };
  /** TCP ports the lab's exposure scan tries on every lab address, beside the model's own ports. */
  readonly scanPorts: { readonly from: number; readonly to: number };
}

export interface GoModuleBuild {
  /** Go module path. */
  readonly module: string;
  /** The exact module version the setup builds (a release tag or a pseudo-version). */
  readonly moduleVersion: string;
}

export interface VersionsModel {
  /** OpenTofu release, built from the Go module proxy. */
  readonly opentofu: string;
  readonly opentofuBuild: GoModuleBuild;
  /**
   * The hashicorp/aws provider. `version` is what OpenTofu sees in the local mirror and
   * what roots require; `build` is the exact source it is compiled from.
   */
  readonly awsProvider: {
    readonly version: string;
    readonly constraint: string;
    readonly build: GoModuleBuild;
  };
  /** matchbox (boot profiles for the netboot layer), built from its Go module for the lab. */
  readonly matchbox: { readonly version: string; readonly build: GoModuleBuild };
  /** The registry (CNCF distribution) behind the pull-through caches, built from its Go module for the lab. */
  readonly registry: { readonly version: string; readonly build: GoModuleBuild };
  readonly images: ServiceImagesModel;
  /** The Docker Compose plugin the aws bastion installs (Amazon Linux ships Docker without it). */
  readonly composePlugin: string;
  /** The Talos release the nodes boot (its kernel and initramfs are matchbox assets). */
  readonly talos: string;
  /**
   * Talos's config library at that release, which the setup builds into `talos-config`
   * (setup/go/talos-config): the kit generates and validates machine configs with Talos's own code.
   */
  readonly talosMachinery: GoModuleBuild;
  /**
   * CozyStack, the platform the nodes run (SPEC §1). `version` is the release whose installer
   * chart (`cozy-installer`, chart version without the "v") the cluster installs; `appsApi` is
   * the Go module of its application kinds (Tenant, …) that kube-validate decodes them into.
   */
  readonly cozystack: { readonly version: string; readonly appsApi: GoModuleBuild };
  /**
   * Flux, the GitOps engine. CozyStack's operator installs it (one `flux` Deployment with a
   * container per controller), so these are the controller versions CozyStack bundles; their
   * API modules are linked into kube-validate and their CRDs generated from them.
   */
  readonly flux: {
    readonly sourceApi: GoModuleBuild;
    readonly kustomizeApi: GoModuleBuild;
    readonly helmApi: GoModuleBuild;
    readonly notificationApi: GoModuleBuild;
  };
  /** SpinKube's spin-operator: its chart and image version, and its API module (SpinApp, SpinAppExecutor). */
  readonly spinOperator: { readonly version: string; readonly api: GoModuleBuild };
  /** controller-gen, which the setup runs over the upstream API packages to produce their CRDs. */
  readonly controllerTools: GoModuleBuild;
  /** moto, the AWS emulator of the lab, from PyPI. */
  readonly moto: string;
  /** The AWS CLI (v1, from PyPI) that the lab bastion's boot script calls, as EC2's image has one. */
  readonly awscli: string;
  /** checkov (static IaC scan of infra/), from PyPI into a venv of its own: its pins clash with moto's. */
  readonly checkov: string;
}

/**
 * What runs on the cluster once the nodes are up: CozyStack, the GitOps tree Flux applies,
 * spin-operator and the demo (SPEC §4 rows 05–07).
 */
export interface PlatformModel {
  readonly cozystack: {
    /** Where the operator and its installer chart live (the installer chart's namespace). */
    readonly namespace: string;
    /** The installer chart's OCI repository, e.g. "ghcr.io/cozystack/cozystack/cozy-installer". */
    readonly installerChart: string;
    /** The platform variant the Package selects, e.g. "isp-full". */
    readonly variant: "default" | "isp-full" | "isp-hosted" | "isp-full-generic";
    /** The root tenant's host, under which tenants get their names, e.g. "moon.example.org". */
    readonly rootHost: string;
    /** kube-ovn's join network between nodes and pods; must not overlap the VPC, pods or services. */
    readonly joinCidr: string;
    /** Services CozyStack publishes on the root host's ingress. */
    readonly exposedServices: readonly string[];
  };
  readonly gitops: {
    /** The Git repository Flux syncs from; set yours in moon.config.json, e.g. "https://github.com/you/moon-and-back". */
    readonly repositoryUrl: string;
    readonly branch: string;
    /** Folder of the GitOps tree inside the repository (generated). */
    readonly root: string;
    /** The cluster's folder name under `<root>/clusters/`. */
    readonly cluster: string;
    /** Where CozyStack runs the Flux controllers (Deployment `fluxDeployment`). */
    readonly fluxNamespace: string;
    readonly fluxDeployment: string;
    /** The controllers (containers of that Deployment) the tree relies on. */
    readonly fluxControllers: readonly string[];
    /** The namespace of the tree's own GitRepository and Kustomizations. */
    readonly syncNamespace: string;
    /** How often Flux reconciles its Kustomizations, and how long one may take. */
    readonly interval: string;
    readonly timeout: string;
  };
  readonly spin: {
    readonly namespace: string;
    /** The spin-operator chart's OCI repository, e.g. "ghcr.io/spinframework/charts/spin-operator". */
    readonly chart: string;
    /**
     * spin-operator's chart leaves its CRDs out; Flux applies them from the release's tag in
     * this repository (folder `crdsPath`).
     */
    readonly crdsRepository: string;
    readonly crdsPath: string;
    /** RuntimeClass whose handler the Talos `siderolabs/spin` extension registers in containerd. */
    readonly runtimeClass: string;
    readonly handler: string;
    /** The SpinAppExecutor SpinApps name. */
    readonly executor: string;
    /** Nodes the RuntimeClass schedules Spin pods onto (the arm64 nodes that carry the shim). */
    readonly nodeArch: NodeArch;
  };
  readonly demo: {
    /** The demo SpinApp's name (also the Spin application's name). */
    readonly name: string;
    /** The CozyStack tenant (a child of tenant-root) the demo runs in; letters and digits only. */
    readonly tenant: string;
    /** Where the Spin app's OCI artifact is pushed and pulled from (through the ghcr.io cache). */
    readonly image: string;
    readonly replicas: number;
    /** The exact body the component answers with. */
    readonly message: string;
  };
}

export interface LabModel {
  /** The AWS emulator listens here, on loopback only. */
  readonly emulator: { readonly host: string; readonly port: number };
  /** Every lab namespace name starts with this, so teardown can find them all. */
  readonly namespacePrefix: string;
  /** The budget alert's address in the lab (a reserved .invalid name: the emulator mails nothing). */
  readonly budgetAlertEmail: string;
  /** Where the lab keeps its runtime state (tofu state, pids, logs); removed by `lab down`. */
  readonly stateDir: string;
  /** Addresses of the lab's stand-in internet (documentation ranges, RFC 5737). */
  readonly internet: {
    /** Hosts "on the internet" (the web server probes reach). */
    readonly hostsCidr: string;
    /** Link between the internet and the VPC's internet gateway; public addresses come from here. */
    readonly publicCidr: string;
    /** A web server on the lab internet that answers with the address it saw. */
    readonly webPort: number;
    /** IPv6 link between the lab internet and the internet gateway (documentation range, RFC 3849). */
    readonly ipv6LinkCidr: string;
    /** An address on the lab internet that is not the operator's home: SSH from it must fail. */
    readonly strangerIpv6: string;
    /** Host number (in hostsCidr) of the lab's stand-in for the regional AWS API endpoint. */
    readonly awsEndpointIndex: number;
  };
  /** The operator's home network: the lab's stand-in for the address bastion SSH is allowed from. */
  readonly home: {
    readonly ipv6Cidr: string;
    /** Host number of the operator's machine inside ipv6Cidr. */
    readonly hostIndex: number;
  };
  /** The lab internet's upstreams for the netboot layer: registries under the five names, and DNS. */
  readonly upstreams: {
    /** Host number (in internet.hostsCidr) of the upstream DNS that answers for the lab's names. */
    readonly dnsIndex: number;
    /** Host number of the first upstream registry; the others follow, one per cache. */
    readonly firstRegistryIndex: number;
    /** The test image every upstream serves (multi-arch, built by the lab itself). */
    readonly testImage: { readonly repository: string; readonly tag: string; readonly layerBytes: number };
    /** The shaped link to the lab internet, so a cache's benefit is measurable. */
    readonly link: {
      /** Bandwidth each way in Mbit/s (tc tbf on both ends of the link). */
      readonly rateMbit: number;
      /** Added to every upstream registry response, as a far registry's round trip would. */
      readonly latencyMs: number;
    };
  };
  /** Host number (inside the private subnet) of the lab's private test host. */
  readonly privateHostIndex: number;
  /** TCP port the private test host listens on for the exposure probes. */
  readonly probePort: number;
  /**
   * The lab's QEMU nodes (software emulation): memory for the stand-in payload and for real
   * Talos (which needs 2 GiB at least), and vCPUs.
   */
  readonly nodes: {
    readonly memoryMib: { readonly standIn: number; readonly talos: number };
    readonly cpus: number;
    /** The sparse install disk a real-Talos node gets (the stand-in runs from memory). */
    readonly diskGib: number;
  };
}

export interface Model {
  readonly project: string;
  readonly region: string;
  /** Tags put on every resource. */
  readonly tags: Readonly<Record<string, string>>;
  readonly network: NetworkModel;
  readonly bastion: BastionModel;
  readonly services: ServicesModel;
  readonly nodes: NodesModel;
  readonly budget: BudgetModel;
  readonly guardrails: GuardrailsModel;
  readonly versions: VersionsModel;
  readonly platform: PlatformModel;
  readonly lab: LabModel;
}

/** A deep partial of the model, as a user's override file gives it. */
export type ModelOverrides = {
  [K in keyof Model]?: Model[K] extends readonly unknown[]
    ? Model[K]
    : Model[K] extends object
      ? DeepPartial<Model[K]>
      : Model[K];
};
type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K];
};
