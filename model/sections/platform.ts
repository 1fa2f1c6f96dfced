// The platform section: CozyStack, the GitOps tree, the Spin operator and the demo (SPEC §4 rows 05–07).
import { cidrsOverlap, parseIpv4Cidr } from "../net.ts";
import { type AddProblem, type Rules } from "../rules.ts";
import type { Model } from "../types.ts";
import type { NodeArch } from "./nodes.ts";

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

export const PLATFORM_DEFAULTS: PlatformModel = {
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
};

/** CozyStack, GitOps and demo values. */
export function platformRules(model: Model, r: Rules): void {
  const { add } = r;
  validatePlatform(model, add);
}

/** CozyStack, GitOps and demo values (SPEC §4 rows 05–07). */
function validatePlatform(model: Model, add: AddProblem): void {
  const p = model.platform;
  const v = model.versions;
  const join = parseIpv4Cidr(p.cozystack.joinCidr);
  if (!join)
    add(
      "platform.cozystack.joinCidr",
      p.cozystack.joinCidr,
      "is not an IPv4 CIDR",
      'use e.g. "100.64.0.0/16"',
    );
  else
    for (const [name, text] of [
      ["the VPC", model.network.vpcCidr],
      ["nodes.podCidr", model.nodes.podCidr],
      ["nodes.serviceCidr", model.nodes.serviceCidr],
    ] as const) {
      const other = parseIpv4Cidr(text);
      if (other && cidrsOverlap(join, other))
        add(
          "platform.cozystack.joinCidr",
          p.cozystack.joinCidr,
          `overlaps ${name} ${text}`,
          "use a range of its own, e.g. 100.64.0.0/16",
        );
    }
  const dnsName = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
  if (!dnsName.test(p.cozystack.rootHost))
    add(
      "platform.cozystack.rootHost",
      p.cozystack.rootHost,
      "is not a DNS name",
      'use e.g. "moon.example.org"',
    );
  if (!/^[a-z0-9]+$/.test(p.demo.tenant))
    add(
      "platform.demo.tenant",
      p.demo.tenant,
      "is not a CozyStack tenant name (lower-case letters and digits only, no dashes)",
      'use e.g. "demo"',
    );
  if (!/^[a-z0-9.-]+(:\d+)?\/[a-z0-9._/-]+:[A-Za-z0-9._-]+$/.test(p.demo.image))
    add(
      "platform.demo.image",
      p.demo.image,
      "is not a registry/repository:tag reference",
      'use e.g. "ghcr.io/you/hello-spin:0.1.0"',
    );
  if (!Number.isInteger(p.demo.replicas) || p.demo.replicas < 1)
    add("platform.demo.replicas", p.demo.replicas, "is not a positive whole number", "use e.g. 2");
  const url = p.gitops.repositoryUrl;
  if (!/^(https:\/\/|ssh:\/\/)[^\s]+$/.test(url))
    add(
      "platform.gitops.repositoryUrl",
      url,
      "is not an https:// or ssh:// Git URL",
      'use e.g. "https://github.com/you/moon-and-back"',
    );
  const duration = /^(\d+h)?(\d+m)?(\d+s)?$/;
  for (const key of ["interval", "timeout"] as const)
    if (!duration.test(p.gitops[key]) || p.gitops[key] === "")
      add(`platform.gitops.${key}`, p.gitops[key], "is not a Go duration", 'use e.g. "10m" or "1h30m"');
  const spinNodes = model.nodes.machines.filter(
    (m) =>
      m.arch === p.spin.nodeArch &&
      model.nodes.extensions[m.role === "controlplane" ? "gateway" : "compute"].includes("siderolabs/spin"),
  );
  if (spinNodes.length === 0)
    add(
      "platform.spin.nodeArch",
      p.spin.nodeArch,
      "has no node of that architecture whose extensions include siderolabs/spin: the demo could not be scheduled",
      `add a ${p.spin.nodeArch} machine to nodes.machines, or siderolabs/spin to its role's extensions`,
    );
  // Flux pulls the spin-operator chart through the bastion's cache of its registry.
  const chartHost = p.spin.chart.split("/")[0] ?? "";
  if (!model.services.caches.some((c) => c.upstream === chartHost))
    add(
      "platform.spin.chart",
      p.spin.chart,
      `comes from ${chartHost}, which no cache in services.caches serves: Flux pulls it through the bastion`,
      `use a chart from ${model.services.caches.map((c) => c.upstream).join(", ")}, or add a cache for ${chartHost}`,
    );
  const builds: readonly [string, string, { module: string; moduleVersion: string }][] = [
    ["versions.cozystack.appsApi", v.cozystack.version, v.cozystack.appsApi],
    ["versions.spinOperator.api", v.spinOperator.version, v.spinOperator.api],
  ];
  for (const [path, version, build] of builds)
    if (build.moduleVersion !== `v${version}`)
      add(
        `${path}.moduleVersion`,
        build.moduleVersion,
        `does not match the release ${version}`,
        `use "v${version}", and \`go get\` it in setup/go/kube-validate`,
      );
}
