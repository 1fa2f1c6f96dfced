// Generator 07: the GitOps tree Flux applies (SPEC §4 row 07), in the Flux reference layout:
// clusters/<cluster>/ holds the sync and the chain of Flux Kustomizations, infrastructure/
// the controllers and their configs, apps/ the workloads. Each step waits for the one before
// (dependsOn) and for its own objects to be ready (wait), so a failure stops the chain where
// it happened instead of cascading.
import type { Model } from "../model/index.ts";
import { markdownTable } from "./writers/markdown.ts";
import { renderYaml, renderYamlStream } from "./writers/yaml.ts";
import { platformPaths, kustomizeFile, relativePath, cachedOciUrl, SYNC_SOURCE } from "./platform.ts";
import { generatedHeader, type GeneratedFile, type Generator } from "./types.ts";
import { Rendered, sourceFile } from "./writers/source.ts";

const TEST = 7;

const FLUX_KUSTOMIZE = "kustomize.toolkit.fluxcd.io/v1";
const FLUX_SOURCE = "source.toolkit.fluxcd.io/v1";
const FLUX_HELM = "helm.toolkit.fluxcd.io/v2";
/** The GitRepository of spin-operator's release tag, whose CRDs one step applies. */
const SPIN_CRDS_SOURCE = "spin-operator";
/** How soon Flux retries a failed step (its interval is for a healthy one). */
const RETRY_INTERVAL = "1m";

/** One step of the chain: a Flux Kustomization applying a folder. */
export interface FluxStep {
  readonly name: string;
  /** Folder from the source's root (this repository, unless `source` says otherwise). */
  readonly path: string;
  readonly dependsOn: readonly string[];
  readonly source?: string;
  readonly why: string;
}

/** The chain, in the order Flux applies it. */
export function fluxSteps(model: Model): FluxStep[] {
  const p = platformPaths(model);
  return [
    {
      name: "platform",
      path: p.platform,
      dependsOn: [],
      why: "CozyStack's platform Package: CNI, storage, KubeVirt, cert-manager, tenants",
    },
    {
      name: "spin-operator-crds",
      path: model.platform.spin.crdsPath,
      dependsOn: [],
      source: SPIN_CRDS_SOURCE,
      why: `SpinApp and SpinAppExecutor CRDs, from spin-operator's v${model.versions.spinOperator.version} tag`,
    },
    {
      name: "infra-controllers",
      path: p.controllers,
      dependsOn: ["platform", "spin-operator-crds"],
      why: "spin-operator (its webhooks need the platform's cert-manager)",
    },
    {
      name: "infra-configs",
      path: p.configs,
      dependsOn: ["infra-controllers"],
      why: `RuntimeClass ${model.platform.spin.runtimeClass} for the ${model.platform.spin.nodeArch} nodes' Spin shim`,
    },
    {
      name: "tenants",
      path: p.appsTenants,
      dependsOn: ["platform"],
      why: `the demo's CozyStack tenant "${model.platform.demo.tenant}"`,
    },
    {
      name: "apps",
      path: p.appsDemo,
      dependsOn: ["infra-configs", "tenants"],
      why: `the demo SpinApp "${model.platform.demo.name}" in the tenant's namespace`,
    },
  ];
}

function fluxKustomization(model: Model, step: FluxStep): Record<string, unknown> {
  const g = model.platform.gitops;
  return {
    apiVersion: FLUX_KUSTOMIZE,
    kind: "Kustomization",
    metadata: { name: step.name, namespace: g.syncNamespace },
    spec: {
      ...(step.dependsOn.length ? { dependsOn: step.dependsOn.map((name) => ({ name })) } : {}),
      interval: g.interval,
      retryInterval: RETRY_INTERVAL,
      timeout: g.timeout,
      sourceRef: { kind: "GitRepository", name: step.source ?? SYNC_SOURCE },
      path: `./${step.path}`,
      prune: true,
      wait: true,
    },
  };
}

// Flux's CRDs by kind: the plural each is registered under (fluxcd/source-controller
// config/crd/bases/source.toolkit.fluxcd.io_gitrepositories.yaml, kustomize-controller's
// kustomize.toolkit.fluxcd.io_kustomizations.yaml, helm-controller's helm.toolkit.fluxcd.io_helmreleases.yaml).
const FLUX_PLURALS: Readonly<Record<string, string>> = {
  GitRepository: "gitrepositories",
  OCIRepository: "ocirepositories",
  HelmRepository: "helmrepositories",
  Kustomization: "kustomizations",
  HelmRelease: "helmreleases",
};

/**
 * The CRDs the sync's objects need: CozyStack's operator installs them after its chart is
 * up, so the step that applies the sync waits for each to be established first.
 */
export function syncCrds(model: Model): string[] {
  return syncObjects(model).map((o) => {
    const [group] = String(o.apiVersion).split("/");
    const plural = FLUX_PLURALS[String(o.kind)];
    if (!plural)
      throw new Error(`generator 07: no CRD plural known for ${String(o.kind)}: add it to FLUX_PLURALS`);
    return `${plural}.${group ?? ""}`;
  });
}

function syncObjects(model: Model): Record<string, unknown>[] {
  const g = model.platform.gitops;
  return [
    {
      apiVersion: FLUX_SOURCE,
      kind: "GitRepository",
      metadata: { name: SYNC_SOURCE, namespace: g.syncNamespace },
      spec: { interval: "1m", ref: { branch: g.branch }, url: g.repositoryUrl },
    },
    {
      apiVersion: FLUX_KUSTOMIZE,
      kind: "Kustomization",
      metadata: { name: SYNC_SOURCE, namespace: g.syncNamespace },
      spec: {
        interval: g.interval,
        retryInterval: RETRY_INTERVAL,
        timeout: g.timeout,
        sourceRef: { kind: "GitRepository", name: SYNC_SOURCE },
        path: `./${platformPaths(model).cluster}`,
        prune: true,
        wait: false,
      },
    },
  ];
}

function spinCrdsSource(model: Model): Record<string, unknown> {
  const s = model.platform.spin;
  return {
    apiVersion: FLUX_SOURCE,
    kind: "GitRepository",
    metadata: { name: SPIN_CRDS_SOURCE, namespace: model.platform.gitops.syncNamespace },
    spec: {
      interval: "1h",
      url: s.crdsRepository,
      ref: { tag: `v${model.versions.spinOperator.version}` },
      // Only the CRDs: the rest of the repository is not Flux's to apply.
      ignore: `/*\n!/${s.crdsPath}/\n`,
    },
  };
}

function spinOperatorObjects(model: Model): Record<string, unknown>[] {
  const s = model.platform.spin;
  const ns = model.platform.gitops.syncNamespace;
  return [
    {
      apiVersion: FLUX_SOURCE,
      kind: "OCIRepository",
      metadata: { name: "spin-operator", namespace: ns },
      spec: {
        interval: "1h",
        // Through the bastion's ghcr.io cache, so the chart needs no route to the internet.
        url: cachedOciUrl(model, s.chart),
        ref: { tag: model.versions.spinOperator.version },
        insecure: true,
        layerSelector: {
          mediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip",
          operation: "copy",
        },
      },
    },
    {
      apiVersion: FLUX_HELM,
      kind: "HelmRelease",
      metadata: { name: "spin-operator", namespace: ns },
      spec: {
        interval: model.platform.gitops.interval,
        timeout: model.platform.gitops.timeout,
        chartRef: { kind: "OCIRepository", name: "spin-operator" },
        releaseName: "spin-operator",
        targetNamespace: s.namespace,
        // Keep retrying rather than give up after a count: the chart's webhook certificate
        // needs the platform's cert-manager, which may still be starting when this step runs.
        install: { strategy: { name: "RetryOnFailure", retryInterval: RETRY_INTERVAL } },
        upgrade: { strategy: { name: "RetryOnFailure", retryInterval: RETRY_INTERVAL } },
      },
    },
  ];
}

export function runtimeClass(model: Model): Record<string, unknown> {
  const s = model.platform.spin;
  return {
    apiVersion: "node.k8s.io/v1",
    kind: "RuntimeClass",
    metadata: { name: s.runtimeClass },
    // The containerd handler the Talos siderolabs/spin extension registers.
    handler: s.handler,
    // Only the nodes whose image carries the shim; every pod of this class lands there.
    scheduling: { nodeSelector: { "kubernetes.io/arch": s.nodeArch } },
  };
}

function readme(model: Model): string {
  const p = platformPaths(model);
  const g = model.platform.gitops;
  return sourceFile({
    test: TEST,
    source: "07-gitops/tree.md",
    values: {
      from: "the model",
      slots: {
        cluster: p.cluster,
        platform: p.platform,
        controllers: p.controllers,
        configs: p.configs,
        apps: p.apps,
        interval: g.interval,
        timeout: g.timeout,
        chain: new Rendered(
          markdownTable(
            ["step", "applies", "after", "why"],
            fluxSteps(model).map((s) => [
              s.name,
              s.source ? `${s.source}: ${s.path}` : s.path,
              s.dependsOn.join(", ") || "—",
              s.why,
            ]),
          ),
        ),
        flux_namespace: g.fluxNamespace,
        flux_system: p.fluxSystem,
        sync_source: SYNC_SOURCE,
        repository_url: g.repositoryUrl,
        branch: g.branch,
      },
    },
  });
}

function generate(model: Model): GeneratedFile[] {
  const header = generatedHeader(TEST);
  const p = platformPaths(model);
  const steps = fluxSteps(model);
  const infra = steps.filter((s) => !s.path.startsWith(p.apps));
  const apps = steps.filter((s) => s.path.startsWith(p.apps));
  return [
    { path: `${p.root}/README.md`, content: readme(model) },
    {
      path: `${p.cluster}/kustomization.yaml`,
      content: renderYaml(kustomizeFile(["flux-system", "infrastructure.yaml", "apps.yaml"]), header),
    },
    {
      path: `${p.fluxSystem}/kustomization.yaml`,
      content: renderYaml(kustomizeFile(["namespace.yaml", "sync.yaml"]), header),
    },
    {
      path: `${p.fluxSystem}/namespace.yaml`,
      content: renderYaml(
        { apiVersion: "v1", kind: "Namespace", metadata: { name: model.platform.gitops.syncNamespace } },
        header,
      ),
    },
    {
      path: `${p.fluxSystem}/sync.yaml`,
      content: renderYamlStream(
        syncObjects(model),
        `Flux's sync of this repository: ${model.platform.gitops.repositoryUrl}.\n${header}`,
      ),
    },
    {
      path: `${p.cluster}/infrastructure.yaml`,
      content: renderYamlStream(
        [spinCrdsSource(model), ...infra.map((s) => fluxKustomization(model, s))],
        `The infrastructure steps of the chain.\n${header}`,
      ),
    },
    {
      path: `${p.cluster}/apps.yaml`,
      content: renderYamlStream(
        apps.map((s) => fluxKustomization(model, s)),
        `The workload steps of the chain.\n${header}`,
      ),
    },
    {
      path: `${p.controllers}/kustomization.yaml`,
      content: renderYaml(kustomizeFile([relativePath(p.controllers, p.spinOperator)]), header),
    },
    {
      path: `${p.spinOperator}/kustomization.yaml`,
      content: renderYaml(kustomizeFile(["namespace.yaml", "release.yaml"]), header),
    },
    {
      path: `${p.spinOperator}/namespace.yaml`,
      content: renderYaml(
        { apiVersion: "v1", kind: "Namespace", metadata: { name: model.platform.spin.namespace } },
        header,
      ),
    },
    {
      path: `${p.spinOperator}/release.yaml`,
      content: renderYamlStream(
        spinOperatorObjects(model),
        `spin-operator ${model.versions.spinOperator.version}: its chart through the bastion's cache.\n${header}`,
      ),
    },
    {
      path: `${p.configs}/kustomization.yaml`,
      content: renderYaml(kustomizeFile([relativePath(p.configs, p.spinRuntime)]), header),
    },
    {
      path: `${p.spinRuntime}/kustomization.yaml`,
      content: renderYaml(kustomizeFile(["runtimeclass.yaml"]), header),
    },
    {
      path: `${p.spinRuntime}/runtimeclass.yaml`,
      content: renderYaml(runtimeClass(model), header),
    },
    {
      path: `${p.appsTenants}/kustomization.yaml`,
      content: renderYaml(kustomizeFile([relativePath(p.appsTenants, p.demoTenant)]), header),
    },
    {
      path: `${p.appsDemo}/kustomization.yaml`,
      content: renderYaml(kustomizeFile([relativePath(p.appsDemo, p.demoApp)]), header),
    },
  ];
}

export const generator07: Generator = {
  test: TEST,
  name: "gitops",
  describe: "the GitOps tree: Flux's sync, the chain of Kustomizations, spin-operator, the Spin runtime",
  generate,
};
