// The versions section: every pinned tool, image and module, and what each is built from.
import { type Rules } from "../rules.ts";
import type { Model } from "../types.ts";

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

export const VERSIONS_DEFAULTS: VersionsModel = {
  opentofu: "1.12.6",
  opentofuBuild: { module: "github.com/opentofu/opentofu", moduleVersion: "v1.12.6" },
  awsProvider: {
    // The module proxy serves the provider's 6.x line only as this one pseudo-version:
    // commit 5f2286d6d836 of 2026-06-02, the 6.47.0 release plus the changes listed
    // under "6.48.0 (Unreleased)". The build path installs it as 6.47.0 with the commit as
    // build metadata: OpenTofu selects a pre-release (6.48.0-dev…) only by an exact
    // constraint (apparentlymart/go-versions MeetingConstraints: inequalities request no
    // pre-release), which would make the lab root differ from the aws root and refuse a
    // downloaded release. With this label both roots ask for `constraint`, and both paths meet it.
    version: "6.47.0+5f2286d6d836",
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
};

/** The versions: release numbers, and module builds that match their releases. */
export function versionsRules(model: Model, r: Rules): void {
  const { add } = r;
  if (!/^\d+\.\d+\.\d+$/.test(model.versions.talos))
    add("versions.talos", model.versions.talos, "is not a Talos release", 'use e.g. "1.13.6"');
  else if (model.versions.talosMachinery.moduleVersion !== `v${model.versions.talos}`)
    add(
      "versions.talosMachinery.moduleVersion",
      model.versions.talosMachinery.moduleVersion,
      `does not match versions.talos ${model.versions.talos}`,
      `use "v${model.versions.talos}", and \`go get\` it in setup/go/talos-config`,
    );
  const semver = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
  if (!semver.test(model.versions.opentofu))
    add("versions.opentofu", model.versions.opentofu, "is not a version", 'use a release such as "1.12.6"');
  const provider = model.versions.awsProvider;
  const problem = providerConstraintProblem(provider.version, provider.constraint);
  if (problem)
    add(
      "versions.awsProvider.version",
      provider.version,
      problem,
      `use a version that \`${provider.constraint}\` selects, such as "6.47.0"`,
    );
  for (const key of ["matchbox", "registry"] as const) {
    const v = model.versions[key];
    if (v.build.moduleVersion !== `v${v.version}`)
      add(
        `versions.${key}.build.moduleVersion`,
        v.build.moduleVersion,
        `does not build versions.${key}.version ${v.version}`,
        `use "v${v.version}", and \`go get -tool\` it in setup/go/${key}`,
      );
  }
  if (!/^\d+\.\d+\.\d+$/.test(model.versions.composePlugin))
    add(
      "versions.composePlugin",
      model.versions.composePlugin,
      "is not a version",
      'use a release such as "2.39.1"',
    );
  if (!/^\d+\.\d+\.\d+$/.test(model.versions.awscli))
    add("versions.awscli", model.versions.awscli, "is not a version", 'use a release such as "1.46.3"');
  if (!/^\d+\.\d+\.\d+$/.test(model.versions.moto))
    add("versions.moto", model.versions.moto, "is not a version", 'use a release such as "5.2.1"');
}

/**
 * Why OpenTofu would not select `version` for a pessimistic constraint (`~> 6.47`, `~> 6.47.0`),
 * or undefined. Build metadata (`+…`) is ignored in selection; a pre-release (`-…`) is never
 * selected by an inequality, so it is refused here.
 */
export function providerConstraintProblem(version: string, constraint: string): string | undefined {
  const v = /^(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.exec(version);
  if (!v) return "is not a version (MAJOR.MINOR.PATCH, with +build metadata if any)";
  if (v[4]) return `is a pre-release, which \`${constraint}\` never selects`;
  const c = /^~> (\d+)\.(\d+)(?:\.(\d+))?$/.exec(constraint);
  if (!c)
    return `cannot be checked against \`${constraint}\` (the model's constraint must read ~> MAJOR.MINOR[.PATCH])`;
  const [major, minor, patch] = [v[1], v[2], v[3]].map(Number) as [number, number, number];
  const [cMajor, cMinor] = [Number(c[1]), Number(c[2])];
  const ok =
    c[3] === undefined
      ? major === cMajor && minor >= cMinor
      : major === cMajor && minor === cMinor && patch >= Number(c[3]);
  return ok ? undefined : `is not selected by \`${constraint}\``;
}
