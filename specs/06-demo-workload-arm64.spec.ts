// Spec 06 — demo workload on ARM64 (SPEC §4 row 06). Generator 06 and demo/ make it pass.
// Offline, always: the TypeScript component is built from source with npm packages only,
// is a wasi:http component, and a local WebAssembly runtime serves "Hello from Spin"; its
// manifests validate and put it on the arm64 nodes. Live (KUBECONFIG): the SpinApp is ready
// on arm64 nodes, answers through the API server, and runs in its own CozyStack tenant.
import { readFileSync } from "node:fs";
import { request } from "undici";
import { parse } from "yaml";
import { buildDemo } from "../demo/build.ts";
import { serveDemo } from "../demo/serve.ts";
import { evidence, expect, level, test } from "../fixtures/index.ts";
import { conditionTrue } from "../fixtures/kube.ts";
import { demoExecutor, demoSpinApp, demoTenant } from "../generators/06-demo.ts";
import { runtimeClass } from "../generators/07-gitops.ts";
import { kubeValidate } from "../generators/gitops-validate.ts";
import { platformPaths, ROOT_TENANT_NAMESPACE, tenantNamespace } from "../generators/platform.ts";
import { run } from "../common/exec.ts";
import { REPO_ROOT } from "../model/index.ts";

/** A WebAssembly component's preamble: "\0asm", version 0x0d, layer 1 (a core module is layer 0). */
const COMPONENT_PREAMBLE = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]);

test.describe("06 demo workload on ARM64", () => {
  test("offline: the Spin component builds from TypeScript and a local runtime serves its answer", async ({
    model,
  }) => {
    test.setTimeout(240_000);
    await level("offline");
    const built = await test.step("build demo/src to a WebAssembly component", async () => {
      const b = await buildDemo(model);
      await evidence("build", b);
      return b;
    });
    await test.step("the file is a component exporting wasi:http's incoming handler", () => {
      const head = readFileSync(built.wasm).subarray(0, 8);
      expect(head.equals(COMPONENT_PREAMBLE), `${built.wasm} starts with a component's preamble`).toBe(true);
      const wit = run([`${REPO_ROOT}/node_modules/.bin/jco`, "wit", built.wasm], { cwd: REPO_ROOT }).stdout;
      const exports = wit.split("\n").filter((l) => /^\s*export /.test(l));
      void evidence("the component's exports (jco wit)", exports.join("\n"));
      expect(exports.join("\n"), "Spin's HTTP trigger calls this export").toMatch(
        /export wasi:http\/incoming-handler@0\.2/,
      );
    });
    const server = await serveDemo(built.wasm);
    try {
      await test.step(`GET / answers exactly "${model.platform.demo.message}"`, async () => {
        const r = await request(server.url);
        const body = await r.body.text();
        await evidence("GET /", { status: r.statusCode, headers: r.headers, body });
        expect(r.statusCode, "the component answers 200").toBe(200);
        expect(body, "the component's answer").toBe(model.platform.demo.message);
      });
      await test.step("a second request gets the same answer (one instance per request, as Spin does)", async () => {
        const r = await request(server.url);
        expect(await r.body.text()).toBe(model.platform.demo.message);
      });
      await test.step("another path is not found", async () => {
        const r = await request(new URL("/nothing-here", server.url));
        await r.body.dump();
        expect(r.statusCode, "only / is the demo's").toBe(404);
      });
    } finally {
      await server.stop();
    }
  });

  test("offline: the demo's manifests validate and schedule it on arm64 nodes", async ({ model }) => {
    await level("offline");
    const p = platformPaths(model);
    const { report, problems } = kubeValidate(model, [p.appsTenants, p.appsDemo]);
    await evidence("kube-validate report", report);
    expect(problems, "the tenant, executor and SpinApp validate strictly").toEqual([]);
    const read = (file: string) => parse(readFileSync(`${REPO_ROOT}/${file}`, "utf8")) as unknown;
    await test.step("the committed manifests are the model's", () => {
      expect(read(`${p.demoApp}/spinapp.yaml`)).toEqual(demoSpinApp(model));
      expect(read(`${p.demoApp}/executor.yaml`)).toEqual(demoExecutor(model));
      expect(read(`${p.demoTenant}/tenant.yaml`)).toEqual(demoTenant(model));
    });
    await test.step("SpinApp → executor → RuntimeClass → arm64 nodes", () => {
      const app = demoSpinApp(model) as {
        spec: { executor: string; image: string };
        metadata: { namespace: string };
      };
      const exec = demoExecutor(model) as {
        metadata: { name: string; namespace: string };
        spec: { deploymentConfig: { runtimeClassName: string } };
      };
      const rc = read(`${p.spinRuntime}/runtimeclass.yaml`) as {
        metadata: { name: string };
        scheduling: { nodeSelector: Record<string, string> };
      };
      expect(rc, "the committed RuntimeClass is the model's").toEqual(runtimeClass(model));
      expect(app.spec.image, "the SpinApp pulls the demo's image").toBe(model.platform.demo.image);
      expect(app.spec.executor, "the SpinApp names the tenant's executor").toBe(exec.metadata.name);
      expect(exec.metadata.namespace, "the executor is in the SpinApp's namespace").toBe(
        app.metadata.namespace,
      );
      expect(
        exec.spec.deploymentConfig.runtimeClassName,
        "the executor runs pods with the Spin RuntimeClass",
      ).toBe(rc.metadata.name);
      expect(
        rc.scheduling.nodeSelector["kubernetes.io/arch"],
        `the RuntimeClass only schedules onto ${model.platform.spin.nodeArch}`,
      ).toBe(model.platform.spin.nodeArch);
      expect(app.metadata.namespace, "the demo runs in its tenant's namespace").toBe(tenantNamespace(model));
    });
  });

  test.describe("live", () => {
    test("the SpinApp is ready on arm64 nodes and answers through the cluster", async ({ kube, model }) => {
      await level("live");
      const ns = tenantNamespace(model);
      const name = model.platform.demo.name;
      const app = (await kube.custom.getNamespacedCustomObject({
        group: "core.spinkube.dev",
        version: "v1alpha1",
        namespace: ns,
        plural: "spinapps",
        name,
      })) as { status?: { readyReplicas?: number } };
      await evidence("SpinApp", app);
      expect(app.status?.readyReplicas, `SpinApp ${name} has its replicas ready`).toBe(
        model.platform.demo.replicas,
      );
      const pods = await kube.core.listNamespacedPod({
        namespace: ns,
        labelSelector: `app.kubernetes.io/name=${name}`,
      });
      const nodes = await kube.core.listNode();
      const arch = new Map(
        nodes.items.map((n) => [n.metadata?.name, n.metadata?.labels?.["kubernetes.io/arch"]]),
      );
      const placed = pods.items.map((pod) => [
        pod.metadata?.name,
        pod.spec?.nodeName,
        arch.get(pod.spec?.nodeName),
      ]);
      await evidence("pods and their nodes' arch", placed);
      expect(pods.items.length, "the SpinApp's pods exist").toBeGreaterThan(0);
      const arm = model.platform.spin.nodeArch;
      for (const [pod, node, a] of placed) expect(a, `${pod} runs on ${node}, an ${arm} node`).toBe(arm);
      expect(
        pods.items.every((pod) => conditionTrue(pod, "Ready")),
        "every pod is ready",
      ).toBe(true);
      const answer = await kube.core.connectGetNamespacedServiceProxyWithPath({
        name,
        namespace: ns,
        path: "",
      });
      expect(answer, "the service answers through the API server's proxy").toBe(model.platform.demo.message);
    });

    test("the demo runs in its own CozyStack tenant, isolated from its siblings", async ({ kube, model }) => {
      await level("live");
      const tenant = (await kube.custom.getNamespacedCustomObject({
        group: "apps.cozystack.io",
        version: "v1alpha1",
        namespace: ROOT_TENANT_NAMESPACE,
        plural: "tenants",
        name: model.platform.demo.tenant,
      })) as unknown;
      await evidence("Tenant", tenant);
      expect(conditionTrue(tenant), `Tenant ${model.platform.demo.tenant} is ready`).toBe(true);
      const ns = await kube.core.readNamespace({ name: tenantNamespace(model) });
      expect(ns.status?.phase, `namespace ${tenantNamespace(model)} exists`).toBe("Active");
      // CozyStack's tenant chart fences each tenant with cluster-wide Cilium policies named
      // after it: traffic in and out of its namespace only from itself and its parents.
      const policies = (await kube.custom.listClusterCustomObject({
        group: "cilium.io",
        version: "v2",
        plural: "ciliumclusterwidenetworkpolicies",
      })) as { items: { metadata: { name: string } }[] };
      const names = policies.items.map((p) => p.metadata.name);
      await evidence("CiliumClusterwideNetworkPolicies", names);
      for (const fence of ["ingress", "egress"])
        expect(names, `the tenant's ${fence} fence exists`).toContain(`${tenantNamespace(model)}-${fence}`);
    });
  });
});
