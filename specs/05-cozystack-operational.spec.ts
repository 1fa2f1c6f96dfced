// Spec 05 — CozyStack operational (SPEC §4 row 05). Generators 04 and 05 make it pass.
// Offline, always: the Talos configs Talos's own library renders from the generated patches
// carry what CozyStack needs, and the platform's manifests build and validate. Live, on a
// cluster (KUBECONFIG): the API, CozyStack's CRDs and pods, KubeVirt, the Spin RuntimeClass,
// and the tailscale extension on the gateway node.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { evidence, expect, level, test } from "../fixtures/index.ts";
import { conditionTrue } from "../fixtures/kube.ts";
import { COZYSTACK_KERNEL_MODULES, COZYSTACK_SYSCTLS } from "../generators/04-talos.ts";
import { platformPackage } from "../generators/05-cozystack.ts";
import { kubeValidate, PACKAGE_KIND } from "../generators/gitops-validate.ts";
import { platformPaths } from "../generators/platform.ts";
import { fileSecrets, machineConfigDoc, renderTalosConfigs } from "../generators/talos-configs.ts";
import { NODE_ROLES, type Model, type TargetName } from "../model/index.ts";

interface TalosConfigDoc {
  machine: {
    type: string;
    kernel?: { modules?: { name: string; parameters?: string[] }[] };
    sysctls?: Record<string, string>;
    registries?: { mirrors?: Record<string, { endpoints: string[] }> };
    files?: { path: string; content: string }[];
    kubelet?: { nodeIP?: { validSubnets?: string[] } };
  };
  cluster: {
    network: { cni?: { name: string }; dnsDomain: string; podSubnets: string[]; serviceSubnets: string[] };
    proxy?: { disabled?: boolean };
  };
}

/** The configs a target's nodes get, rendered by talos-config from a throwaway PKI. */
async function renderConfigs(model: Model, target: TargetName): Promise<Record<string, TalosConfigDoc>> {
  const dir = mkdtempSync(join(tmpdir(), "mab-spec05-"));
  try {
    const results = await renderTalosConfigs(
      model,
      target,
      fileSecrets(join(dir, "kept.yaml")),
      join(dir, "out"),
    );
    await evidence("Talos's validation of the rendered configs", results);
    return Object.fromEntries(
      NODE_ROLES.map((role) => [
        role,
        machineConfigDoc(readFileSync(join(dir, "out", `${role}.yaml`), "utf8")) as unknown as TalosConfigDoc,
      ]),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test.describe("05 CozyStack operational", () => {
  test("offline: the Talos configs validate with Talos's own library and carry CozyStack's patches and the mirrors", async ({
    model,
    target,
  }) => {
    await level("offline");
    const configs = await renderConfigs(model, target.name === "aws" ? "aws" : "lab");
    for (const role of NODE_ROLES) {
      const c = configs[role];
      if (!c) throw new Error(`no ${role} config rendered`);
      await test.step(`${role}: CNI and kube-proxy left to CozyStack`, () => {
        expect(c.cluster.network.cni?.name, "CozyStack brings its own CNI: Talos installs none").toBe("none");
        expect(c.cluster.proxy?.disabled, "Cilium replaces kube-proxy").toBe(true);
      });
      await test.step(`${role}: the networks CozyStack's Package names`, () => {
        expect(c.cluster.network.podSubnets).toEqual([model.nodes.podCidr]);
        expect(c.cluster.network.serviceSubnets).toEqual([model.nodes.serviceCidr]);
        expect(c.cluster.network.dnsDomain, "CozyStack's cluster domain").toBe(model.nodes.clusterDomain);
        expect(c.machine.kubelet?.nodeIP?.validSubnets, "kubelet stays on the node subnet").toEqual([
          model.network.private.cidr,
        ]);
      });
      await test.step(`${role}: kernel modules, neighbour tables and device ownership`, () => {
        const modules = c.machine.kernel?.modules ?? [];
        for (const m of COZYSTACK_KERNEL_MODULES)
          expect(
            modules.find((x) => x.name === m.name),
            `kernel module ${m.name} is loaded with its parameters`,
          ).toEqual(m);
        for (const [key, value] of Object.entries(COZYSTACK_SYSCTLS))
          expect(c.machine.sysctls?.[key], `sysctl ${key}`).toBe(value);
        const cri = c.machine.files?.find((f) => f.path === "/etc/cri/conf.d/20-customization.part");
        expect(cri?.content ?? "", "containerd gives devices to the pod's security context").toContain(
          "device_ownership_from_security_context = true",
        );
      });
      await test.step(`${role}: every registry pulls through the bastion's cache, plain http`, () => {
        for (const cache of model.services.caches)
          expect(
            c.machine.registries?.mirrors?.[cache.upstream]?.endpoints,
            `mirror of ${cache.upstream}`,
          ).toEqual([`http://${model.bastion.privateIp}:${cache.port}`]);
      });
    }
  });

  test("offline: the CozyStack install manifests render and validate", async ({ model }) => {
    await level("offline");
    const dir = platformPaths(model).platform;
    const { report, problems } = kubeValidate(model, [dir]);
    await evidence("kube-validate report", report);
    expect(problems, `every object under ${dir} builds and validates`).toEqual([]);
    const objects = report.targets.flatMap((t) => t.objects);
    const pkg = objects.find((o) => o.kind === "Package");
    expect(pkg, `${dir} renders CozyStack's platform Package`).toBeDefined();
    await test.step("the Package carries the model's networks and API endpoint", () => {
      const file = parse(readFileSync(pkg?.file ?? "", "utf8")) as unknown;
      expect(file, "the committed Package is the one the model makes").toEqual(platformPackage(model));
    });
  });

  test("offline: the platform Package validates against CozyStack's own CRD", async ({ model }) => {
    await level("offline");
    const dir = platformPaths(model).platform;
    const { report } = kubeValidate(model, [dir]);
    const pkg = report.targets
      .flatMap((t) => t.objects)
      .find((o) => `${o.apiVersion}/${o.kind}` === PACKAGE_KIND);
    expect(pkg, `${dir} renders CozyStack's platform Package`).toBeDefined();
    // Skipped only while no build input carries the CRD (kube-validate then reports the
    // Package unverified, with the reason); once setup has it, this validates for real.
    test.skip(pkg?.unverified !== undefined, pkg?.unverified ?? "");
    await evidence("what checked the Package", pkg);
    expect(
      pkg?.checkedBy.some((c) => c.startsWith("openapi schema of")),
      "checked by CozyStack's CRD schema",
    ).toBe(true);
    expect(pkg?.errors, "the Package fits CozyStack's CRD").toEqual([]);
  });

  test.describe("live", () => {
    test("the Kubernetes API answers and CozyStack's CRDs exist", async ({ kube }) => {
      await level("live");
      const version = await kube.core.getAPIResources();
      expect(version.resources.length, "the core API lists its resources").toBeGreaterThan(0);
      const crds = await kube.apiext.listCustomResourceDefinition();
      const cozy = crds.items.map((c) => c.metadata?.name ?? "").filter((n) => n.endsWith(".cozystack.io"));
      await evidence("*.cozystack.io CRDs", cozy);
      expect(cozy.length, "CozyStack's CRDs are installed").toBeGreaterThan(0);
    });

    test("cozy-system's pods are ready and KubeVirt runs", async ({ kube, model }) => {
      await level("live");
      const ns = model.platform.cozystack.namespace;
      const pods = await kube.core.listNamespacedPod({ namespace: ns });
      const notReady = pods.items
        .filter((p) => p.status?.phase !== "Succeeded")
        .filter((p) => !conditionTrue(p, "Ready"))
        .map((p) => p.metadata?.name);
      await evidence(
        `pods in ${ns}`,
        pods.items.map((p) => [p.metadata?.name, p.status?.phase]),
      );
      expect(pods.items.length, `${ns} has pods`).toBeGreaterThan(0);
      expect(notReady, `every pod in ${ns} is ready`).toEqual([]);
      const kv = (await kube.custom.listClusterCustomObject({
        group: "kubevirt.io",
        version: "v1",
        plural: "kubevirts",
      })) as { items: { metadata: { name: string }; status?: { phase?: string } }[] };
      await evidence(
        "KubeVirt",
        kv.items.map((k) => [k.metadata.name, k.status?.phase]),
      );
      expect(
        kv.items.map((k) => k.status?.phase),
        "KubeVirt is deployed",
      ).toContain("Deployed");
    });

    test("the Spin RuntimeClass exists and the gateway node runs tailscale", async ({ kube, model }) => {
      await level("live");
      const classes = await kube.node.listRuntimeClass();
      const spin = classes.items.find((c) => c.metadata?.name === model.platform.spin.runtimeClass);
      expect(
        spin?.handler,
        `RuntimeClass ${model.platform.spin.runtimeClass} with handler ${model.platform.spin.handler}`,
      ).toBe(model.platform.spin.handler);
      // Talos labels each node with the system extensions its image carries.
      const nodes = await kube.core.listNode();
      const gateways = nodes.items.filter((n) =>
        Object.keys(n.metadata?.labels ?? {}).some((l) => l === "extensions.talos.dev/tailscale"),
      );
      await evidence(
        "nodes and their extension labels",
        nodes.items.map((n) => [n.metadata?.name, n.metadata?.labels]),
      );
      expect(gateways.length, "one node carries the tailscale extension").toBeGreaterThan(0);
    });
  });
});
