import type { Model } from "./types.ts";

// Amazon Linux 2023 for Graviton: the NAT instance and the bastion boot the same image.
const AL2023_ARM64 = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64";

// SPEC §5's fixed values and the pinned tool versions. A user changes them with a
// `moon.config.json` override (see model/README.md), never by editing generated files.
export const DEFAULT_MODEL: Model = {
  project: "moon-and-back",
  region: "eu-west-1",
  tags: { Project: "moon-and-back", ManagedBy: "opentofu" },
  network: {
    vpcCidr: "10.20.0.0/16",
    public: { cidr: "10.20.1.0/24", ipv6Index: 1 },
    private: { cidr: "10.20.13.0/24", ipv6Index: 13 },
    availabilityZone: "eu-west-1a",
    // The bastion masquerades for the private subnet: one instance, one public IPv4, one
    // root volume, each paid only while it runs. A NAT instance of its own doubles the
    // instance-hours and keeps a stopped root volume all month; a NAT gateway is about $35
    // a month before traffic (docs/decisions.md, priced by `npm run cost`).
    nat: "bastion",
    // Used only with nat = "nat_instance".
    natInstanceType: "t4g.micro",
    natSchedule: "bastion",
    natInstanceVolumeGb: 8,
    natInstanceAmiParameter: AL2023_ARM64,
  },
  bastion: {
    name: "tf-bastion",
    asgName: "tf-asg",
    privateIp: "10.20.13.140",
    // 1 GiB: the eight services in containers on Amazon Linux 2023 (measured in docs/decisions.md);
    // the smallest Graviton type the free plan also accepts (t4g.nano is refused there).
    instanceType: "t4g.micro",
    // The AMI's own snapshot size: the caches are cold each session (the group terminates
    // the instance and its volume), so a bigger disk buys nothing between sessions.
    rootVolumeGb: 8,
    amiParameter: AL2023_ARM64,
    // What $0.10 a month buys with no free tier: one hour every Saturday morning, at most five
    // a month (docs/decisions.md). The seed's evenings, 18:00 to 23:00 every day, are
    // { start: "0 18 * * *", stop: "0 23 * * *", targetHoursPerDay: 5 }: `npm run cost` prices both.
    schedule: { start: "0 10 * * 6", stop: "0 11 * * 6", timeZone: "Europe/Paris", targetHoursPerDay: 1 / 7 },
    operatorIpv6Cidr: null,
    sshPublicKey: null,
    sshUser: "ec2-user",
  },
  services: {
    matchboxPort: 8080,
    dnsPort: 53,
    tftpPort: 69,
    caches: [
      // Docker Hub's registry API lives on its own host; the others answer on their names.
      { upstream: "docker.io", port: 5050, remoteUrl: "https://registry-1.docker.io" },
      { upstream: "gcr.io", port: 5051, remoteUrl: "https://gcr.io" },
      { upstream: "ghcr.io", port: 5052, remoteUrl: "https://ghcr.io" },
      { upstream: "quay.io", port: 5053, remoteUrl: "https://quay.io" },
      { upstream: "registry.k8s.io", port: 5054, remoteUrl: "https://registry.k8s.io" },
    ],
    registryCredentialsPath: "/moon-and-back/registry",
    // Above the addresses the emulator hands out from the bottom, below the lab's test host.
    dhcp: { firstHost: 160, lastHost: 199, leaseTime: "12h" },
    dnsFilter: {
      upstreams: {
        // The VPC's own resolver (the Amazon-provided DNS at the link-local address).
        aws: ["169.254.169.253"],
        home: ["9.9.9.9", "149.112.112.112"],
      },
      localDomain: "moon.internal",
      bastionNames: ["bastion", "matchbox", "registry"],
      blocklist: ["ads.example.com", "tracker.example.net"],
    },
    dataDir: "/var/lib/moon-and-back",
    restartDelaySeconds: 1,
  },
  nodes: {
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
  },
  budget: {
    monthlyUsd: 0.1,
    // What most users have (SPEC §5): an account opened before 2025 on the paid plan, whose
    // 12-month tier has ended; the t4g.small trial is its only offer until that ends too.
    account: { opened: "2024-01", plan: "paid" },
    alertEmail: null,
  },
  guardrails: {
    // Rejected and accepted flows alike, so an audit can see what was let in; two weeks keep
    // a few MB at this traffic, inside CloudWatch Logs' free 5 GB.
    flowLogs: { trafficType: "ALL", retentionDays: 14 },
    scanPorts: { from: 1, to: 1024 },
  },
  versions: {
    opentofu: "1.12.6",
    opentofuBuild: { module: "github.com/opentofu/opentofu", moduleVersion: "v1.12.6" },
    awsProvider: {
      // The module proxy serves the provider's 6.x line only as this one pseudo-version:
      // commit 5f2286d6d836 of 2026-06-02, the 6.47.0 release plus the changes listed
      // under "6.48.0 (Unreleased)". The lab root pins it by this honest pre-release
      // label; the aws root asks the public registry for a 6.x release.
      version: "6.48.0-dev.5f2286d6d836",
      constraint: "~> 6.47",
      build: {
        module: "github.com/hashicorp/terraform-provider-aws",
        moduleVersion: "v1.60.1-0.20260602190131-5f2286d6d836",
      },
    },
    matchbox: {
      version: "0.11.0",
      build: { module: "github.com/poseidon/matchbox", moduleVersion: "v0.11.0" },
    },
    registry: {
      version: "3.0.0",
      build: { module: "github.com/distribution/distribution/v3", moduleVersion: "v3.0.0" },
    },
    images: {
      // poseidon's dnsmasq image ships the iPXE and GRUB loaders in its TFTP root.
      dnsmasq: "quay.io/poseidon/dnsmasq:v0.5.0-41-g0212fd2",
      pihole: "docker.io/pihole/pihole:2025.07.1",
      matchboxRepository: "quay.io/poseidon/matchbox",
      registryRepository: "docker.io/library/registry",
    },
    composePlugin: "2.39.1",
    // The release CozyStack 1.6.2 builds its own Talos image from (packages/core/talos).
    talos: "1.13.6",
    talosMachinery: { module: "github.com/siderolabs/talos/pkg/machinery", moduleVersion: "v1.13.6" },
    cozystack: {
      version: "1.6.2",
      appsApi: { module: "github.com/cozystack/cozystack/api/apps/v1alpha1", moduleVersion: "v1.6.2" },
    },
    // The controllers CozyStack 1.6.2's operator installs (its internal/fluxinstall manifests).
    flux: {
      sourceApi: { module: "github.com/fluxcd/source-controller/api", moduleVersion: "v1.8.0" },
      kustomizeApi: { module: "github.com/fluxcd/kustomize-controller/api", moduleVersion: "v1.8.0" },
      helmApi: { module: "github.com/fluxcd/helm-controller/api", moduleVersion: "v1.5.0" },
      notificationApi: { module: "github.com/fluxcd/notification-controller/api", moduleVersion: "v1.8.0" },
    },
    spinOperator: {
      version: "0.6.1",
      api: { module: "github.com/spinkube/spin-operator", moduleVersion: "v0.6.1" },
    },
    controllerTools: { module: "sigs.k8s.io/controller-tools", moduleVersion: "v0.21.0" },
    moto: "5.2.1",
    awscli: "1.46.3",
    checkov: "3.3.30",
  },
  platform: {
    cozystack: {
      namespace: "cozy-system",
      installerChart: "ghcr.io/cozystack/cozystack/cozy-installer",
      variant: "isp-full",
      rootHost: "moon.example.org",
      joinCidr: "100.64.0.0/16",
      exposedServices: ["api", "dashboard"],
    },
    gitops: {
      repositoryUrl: "https://github.com/moon-and-back/moon-and-back",
      branch: "main",
      root: "gitops",
      cluster: "moon",
      fluxNamespace: "cozy-fluxcd",
      fluxDeployment: "flux",
      fluxControllers: [
        "source-controller",
        "kustomize-controller",
        "helm-controller",
        "notification-controller",
      ],
      syncNamespace: "flux-system",
      interval: "10m",
      timeout: "10m",
    },
    spin: {
      namespace: "spin-operator",
      chart: "ghcr.io/spinframework/charts/spin-operator",
      crdsRepository: "https://github.com/spinframework/spin-operator",
      crdsPath: "config/crd/bases",
      runtimeClass: "wasmtime-spin-v2",
      handler: "spin",
      executor: "containerd-shim-spin",
      nodeArch: "arm64",
    },
    demo: {
      name: "hello-spin",
      tenant: "demo",
      image: "ghcr.io/moon-and-back/hello-spin:0.1.0",
      replicas: 2,
      message: "Hello from Spin",
    },
  },
  lab: {
    emulator: { host: "127.0.0.1", port: 4566 },
    namespacePrefix: "mab-",
    budgetAlertEmail: "operator@moon-and-back.invalid",
    stateDir: "/run/moon-and-back/lab",
    internet: {
      hostsCidr: "203.0.113.0/24",
      publicCidr: "198.51.100.0/24",
      webPort: 80,
      ipv6LinkCidr: "2001:db8:ffff::/64",
      strangerIpv6: "2001:db8:bad::66",
      awsEndpointIndex: 20,
    },
    home: { ipv6Cidr: "2001:db8:ab::/64", hostIndex: 16 },
    upstreams: {
      dnsIndex: 53,
      firstRegistryIndex: 60,
      testImage: { repository: "moon-and-back/hello", tag: "1.0", layerBytes: 4 * 1024 * 1024 },
      link: { rateMbit: 50, latencyMs: 40 },
    },
    // High in the subnet, away from the addresses the emulator hands out from the bottom.
    privateHostIndex: 250,
    probePort: 7000,
    nodes: { memoryMib: { standIn: 512, talos: 4096 }, cpus: 1, diskGib: 12 },
  },
};

/** Frozen all the way down: a caller that changed a default would change it for every later caller. */
function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
deepFreeze(DEFAULT_MODEL);
