// Generator 06: the SpinKube demo (SPEC §4 row 06). The component's source is hand-written
// TypeScript in demo/src; this generator emits what the model decides around it: the
// message it answers with, Spin's application manifest, and the Kubernetes objects that run
// it — a CozyStack tenant of its own (the isolation it shows) and the SpinApp with its
// executor, whose RuntimeClass (generator 07) puts the pods on the arm64 nodes.
import type { Model } from "../model/index.ts";
import { ROOT_TENANT_NAMESPACE, kustomizeFile, platformPaths, tenantNamespace } from "./platform.ts";
import { generatedHeader, type GeneratedFile, type Generator } from "./types.ts";
import { sourceFile, type SourceFile } from "./writers/source.ts";
import { renderYaml } from "./writers/yaml.ts";

const TEST = 6;

/** Where the demo's build writes the component (demo/dist is ignored by Git). */
export const DEMO_DIST = "demo/dist";
export const demoWasm = (model: Model) => `${DEMO_DIST}/${model.platform.demo.name}.wasm`;

/** The app version is the image's tag, so the pushed artifact and spin.toml agree. */
export function demoVersion(model: Model): string {
  const tag = model.platform.demo.image.split(":").at(-1);
  if (!tag) throw new Error(`platform.demo.image ${model.platform.demo.image} has no tag`);
  return tag;
}

const labels = (model: Model) => ({
  "app.kubernetes.io/name": model.platform.demo.name,
  "app.kubernetes.io/part-of": model.project,
});

export function demoTenant(model: Model): Record<string, unknown> {
  return {
    apiVersion: "apps.cozystack.io/v1alpha1",
    kind: "Tenant",
    metadata: { name: model.platform.demo.tenant, namespace: ROOT_TENANT_NAMESPACE },
    // A bare tenant: its own namespace and network isolation from its siblings, reusing the
    // parent's ingress, etcd and monitoring rather than paying for its own.
    spec: { host: "", etcd: false, monitoring: false, ingress: false, seaweedfs: false },
  };
}

export function demoExecutor(model: Model): Record<string, unknown> {
  const spin = model.platform.spin;
  return {
    apiVersion: "core.spinkube.dev/v1alpha1",
    kind: "SpinAppExecutor",
    // Executors are namespaced: the tenant's SpinApps can only name one in their namespace.
    metadata: { name: spin.executor, namespace: tenantNamespace(model), labels: labels(model) },
    spec: {
      createDeployment: true,
      deploymentConfig: { runtimeClassName: spin.runtimeClass, installDefaultCACerts: true },
    },
  };
}

export function demoSpinApp(model: Model): Record<string, unknown> {
  const d = model.platform.demo;
  return {
    apiVersion: "core.spinkube.dev/v1alpha1",
    kind: "SpinApp",
    metadata: { name: d.name, namespace: tenantNamespace(model), labels: labels(model) },
    spec: {
      image: d.image,
      executor: model.platform.spin.executor,
      replicas: d.replicas,
      podLabels: labels(model),
      checks: { readiness: { httpGet: { path: "/" } }, liveness: { httpGet: { path: "/" } } },
    },
  };
}

const spinToml = (model: Model): SourceFile => {
  const d = model.platform.demo;
  return {
    test: TEST,
    source: "06-demo/spin.toml",
    values: {
      from: "the model",
      slots: {
        name: d.name,
        version: demoVersion(model),
        description: `The ${model.project} demo: answers "${d.message}".`,
        source: demoWasm(model).replace(/^demo\//, ""),
      },
    },
  };
};

function generate(model: Model): GeneratedFile[] {
  const header = generatedHeader(TEST);
  const p = platformPaths(model);
  return [
    {
      path: "demo/src/message.ts",
      content: `// ${header}\n/** The demo's exact answer (platform.demo.message in the model). */\nexport const MESSAGE = ${JSON.stringify(model.platform.demo.message)};\n`,
    },
    { path: "demo/spin.toml", content: sourceFile(spinToml(model)) },
    {
      path: `${p.demoTenant}/kustomization.yaml`,
      content: renderYaml(kustomizeFile(["tenant.yaml"]), header),
    },
    {
      path: `${p.demoTenant}/tenant.yaml`,
      content: renderYaml(
        demoTenant(model),
        `The demo's CozyStack tenant: namespace ${tenantNamespace(model)}, isolated from its siblings.\n${header}`,
      ),
    },
    {
      path: `${p.demoApp}/kustomization.yaml`,
      content: renderYaml(kustomizeFile(["executor.yaml", "spinapp.yaml"]), header),
    },
    {
      path: `${p.demoApp}/executor.yaml`,
      content: renderYaml(
        demoExecutor(model),
        `Runs SpinApps with containerd-shim-spin through RuntimeClass ${model.platform.spin.runtimeClass}.\n${header}`,
      ),
    },
    {
      path: `${p.demoApp}/spinapp.yaml`,
      content: renderYaml(
        demoSpinApp(model),
        `The demo SpinApp; its executor's RuntimeClass schedules it on ${model.platform.spin.nodeArch} nodes.\n${header}`,
      ),
    },
  ];
}

export const generator06: Generator = {
  test: TEST,
  name: "demo",
  describe: "the SpinKube demo: its message, spin.toml, its CozyStack tenant, SpinApp and executor",
  generate,
};
