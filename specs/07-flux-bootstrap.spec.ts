// Spec 07 — Flux bootstrap (SPEC §4 row 07). Generator 07 makes it pass.
// Offline, always: the GitOps tree builds with kustomize's library, every object decodes
// strictly into its upstream definition, every Flux Kustomization's path exists and its
// dependsOn names real steps with no cycle, and the sync points at the configured repository.
// Live (KUBECONFIG): CozyStack's Flux controllers are available, the GitRepository points at
// the configured repository, and every Kustomization is ready.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { evidence, expect, level, test } from "../fixtures/index.ts";
import { conditionTrue } from "../fixtures/kube.ts";
import { fluxSteps } from "../generators/07-gitops.ts";
import { validateGitops } from "../generators/gitops-validate.ts";
import { platformPaths, SYNC_SOURCE } from "../generators/platform.ts";
import { REPO_ROOT } from "../model/index.ts";

test.describe("07 Flux bootstrap", () => {
  test("offline: the GitOps tree builds, validates strictly and chains soundly", async ({ model }) => {
    await level("offline");
    const v = validateGitops(model);
    await evidence("kube-validate report", v.report);
    await evidence("the chain", v.kustomizations);
    await test.step("every folder builds with kustomize", () => {
      const failed = v.report.targets.filter((t) => !t.built).map((t) => `${t.path}: ${t.error ?? ""}`);
      expect(v.report.targets.length, "the cluster folder and each step's folder were built").toBeGreaterThan(
        1,
      );
      expect(failed, "no kustomize build failed").toEqual([]);
    });
    await test.step("every manifest decodes strictly into its upstream definition", () => {
      const objects = v.report.targets.flatMap((t) => t.objects);
      const flux = objects.filter((o) => o.apiVersion.includes(".toolkit.fluxcd.io/"));
      expect(flux.length, "the tree has Flux objects").toBeGreaterThan(0);
      for (const o of flux)
        expect(
          o.checkedBy.some((c) => c.startsWith("go types github.com/fluxcd/")),
          `${o.file}: ${o.kind}/${o.name} was decoded into Flux's own Go types`,
        ).toBe(true);
      expect(v.problems, "no file, object or field is wrong").toEqual([]);
    });
    await test.step("the chain is the generator's: every step, with its dependencies", () => {
      const byName = new Map(v.kustomizations.map((k) => [k.name, k]));
      for (const s of fluxSteps(model)) {
        const k = byName.get(s.name);
        expect(k, `Flux Kustomization ${s.name} is in the tree`).toBeDefined();
        expect(k?.dependsOn, `${s.name} waits for ${s.dependsOn.join(", ") || "nothing"}`).toEqual([
          ...s.dependsOn,
        ]);
      }
    });
    await test.step("the sync points at the configured repository", () => {
      const file = `${platformPaths(model).fluxSystem}/sync.yaml`;
      const docs = parseAllDocuments(readFileSync(`${REPO_ROOT}/${file}`, "utf8")).map(
        (d) =>
          d.toJS() as {
            kind: string;
            metadata: { name: string };
            spec: { url?: string; ref?: { branch?: string } };
          },
      );
      const repo = docs.find((d) => d.kind === "GitRepository" && d.metadata.name === SYNC_SOURCE);
      expect(repo?.spec.url, `${file} records platform.gitops.repositoryUrl`).toBe(
        model.platform.gitops.repositoryUrl,
      );
      expect(repo?.spec.ref?.branch).toBe(model.platform.gitops.branch);
    });
  });

  test.describe("live", () => {
    test("Flux's controllers are available", async ({ kube, model }) => {
      await level("live");
      const g = model.platform.gitops;
      await kube.core.readNamespace({ name: g.syncNamespace });
      const d = await kube.apps.readNamespacedDeployment({
        name: g.fluxDeployment,
        namespace: g.fluxNamespace,
      });
      const containers = (d.spec?.template.spec?.containers ?? []).map((c) => c.name);
      await evidence(`Deployment ${g.fluxNamespace}/${g.fluxDeployment}`, { containers, status: d.status });
      for (const c of g.fluxControllers) expect(containers, `CozyStack's Flux runs ${c}`).toContain(c);
      expect(conditionTrue(d, "Available"), "the Flux deployment is available").toBe(true);
    });

    test("the GitRepository points at the configured repository and every Kustomization is ready", async ({
      kube,
      model,
    }) => {
      await level("live");
      const ns = model.platform.gitops.syncNamespace;
      const repo = (await kube.custom.getNamespacedCustomObject({
        group: "source.toolkit.fluxcd.io",
        version: "v1",
        namespace: ns,
        plural: "gitrepositories",
        name: SYNC_SOURCE,
      })) as { spec: { url: string } };
      expect(repo.spec.url, "Flux syncs the configured repository").toBe(model.platform.gitops.repositoryUrl);
      const ks = (await kube.custom.listNamespacedCustomObject({
        group: "kustomize.toolkit.fluxcd.io",
        version: "v1",
        namespace: ns,
        plural: "kustomizations",
      })) as { items: { metadata: { name: string } }[] };
      await evidence("Kustomizations", ks.items);
      const names = ks.items.map((k) => k.metadata.name);
      for (const s of fluxSteps(model)) expect(names, `Kustomization ${s.name} exists`).toContain(s.name);
      const notReady = ks.items.filter((k) => !conditionTrue(k)).map((k) => k.metadata.name);
      expect(notReady, "every Kustomization is ready").toEqual([]);
    });
  });
});
