// The offline validation of specs 05–07 must catch a broken manifest and say where: each
// case copies the generated tree, breaks one thing on purpose and expects a problem that
// names the file and the field. kube-validate is the setup's program; without it these fail.
import { expect, test } from "@playwright/test";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validateGitops } from "../../generators/gitops-validate.ts";
import { platformPaths } from "../../generators/platform.ts";
import { loadModel, REPO_ROOT } from "../../model/index.ts";

const model = loadModel();
const p = platformPaths(model);

/** A copy of the tree (gitops/ and demo/manifests/) in a temporary root. */
function copyTree(): string {
  const root = mkdtempSync(join(tmpdir(), "mab-gitops-"));
  for (const dir of [p.root, "demo/manifests"])
    cpSync(join(REPO_ROOT, dir), join(root, dir), { recursive: true });
  return root;
}

function edit(root: string, file: string, from: string | RegExp, to: string): void {
  const path = join(root, file);
  const text = readFileSync(path, "utf8");
  const next = text.replace(from, to);
  if (next === text)
    throw new Error(`${file}: ${String(from)} not found; the case no longer breaks anything`);
  writeFileSync(path, next);
}

test("the generated tree validates with no problem", () => {
  const v = validateGitops(model);
  expect(v.problems).toEqual([]);
  const objects = v.report.targets.flatMap((t) => t.objects);
  expect(objects.length, "every object of the tree was checked").toBeGreaterThan(15);
  const unchecked = objects.filter((o) => o.checkedBy.length === 0 && !o.unverified);
  expect(unchecked, "no object passes without a definition").toEqual([]);
});

test("an object whose definition cannot be had is reported as unverified, not as checked", () => {
  const v = validateGitops(model);
  const pkg = v.report.targets.flatMap((t) => t.objects).find((o) => o.kind === "Package");
  expect(pkg?.checkedBy).toEqual([]);
  expect(pkg?.unverified).toMatch(/CozyStack's Package CRD/);
});

const cases: { what: string; file: string; from: string | RegExp; to: string; mentions: RegExp[] }[] = [
  {
    what: "a typo in a SpinApp field",
    file: "demo/manifests/app/spinapp.yaml",
    from: "  replicas:",
    to: "  replicaz:",
    mentions: [/^demo\/manifests\/app\/spinapp\.yaml: SpinApp\/hello-spin: spec\.replicaz: unknown field/],
  },
  {
    what: "a SpinApp without its image",
    file: "demo/manifests/app/spinapp.yaml",
    from: /^ {2}image: .*\n/m,
    to: "",
    mentions: [/^demo\/manifests\/app\/spinapp\.yaml: SpinApp\/hello-spin: spec\.image: Required value/],
  },
  {
    what: "a dependsOn to a missing Kustomization",
    file: `${p.cluster}/apps.yaml`,
    from: "    - name: tenants",
    to: "    - name: tenant",
    mentions: [/apps\.yaml: Kustomization apps: spec\.dependsOn\[1\]\.name "tenant" names no Kustomization/],
  },
  {
    what: "a dependsOn cycle",
    file: `${p.cluster}/infrastructure.yaml`,
    from: "name: platform\n  namespace: flux-system\nspec:\n",
    to: "name: platform\n  namespace: flux-system\nspec:\n  dependsOn:\n    - name: apps\n",
    mentions: [/spec\.dependsOn forms a cycle: (.*platform.*apps.*|.*apps.*platform.*)$/],
  },
  {
    what: "a Kustomization path that does not exist",
    file: `${p.cluster}/infrastructure.yaml`,
    from: "path: ./gitops/infrastructure/configs",
    to: "path: ./gitops/infrastructure/config",
    mentions: [
      /infrastructure\.yaml: Kustomization infra-configs: spec\.path "\.\/gitops\/infrastructure\/config" does not exist/,
    ],
  },
  {
    what: "a typo in a HelmRelease field (Flux's Go types)",
    file: `${p.spinOperator}/release.yaml`,
    from: "  chartRef:",
    to: "  chartRf:",
    mentions: [/release\.yaml: HelmRelease\/spin-operator: spec\.chartRf: unknown field/],
  },
  {
    what: "a Flux Kustomization without its timeout",
    file: `${p.cluster}/apps.yaml`,
    from: /^ {2}timeout: .*\n/m,
    to: "",
    mentions: [/apps\.yaml: Kustomization tenants: spec\.timeout is not set/],
  },
  {
    what: "a typo in a CozyStack Tenant field (CozyStack's Go types)",
    file: "demo/manifests/tenant/tenant.yaml",
    from: "  ingress:",
    to: "  ingres:",
    mentions: [/tenant\.yaml: Tenant\/demo: spec\.ingres: unknown field/],
  },
  {
    what: "a misspelt apiVersion",
    file: `${p.spinRuntime}/runtimeclass.yaml`,
    from: "apiVersion: node.k8s.io/v1",
    to: "apiVersion: node.k8s.io/v2",
    mentions: [
      /runtimeclass\.yaml: RuntimeClass\/wasmtime-spin-v2: apiVersion: no definition of node\.k8s\.io\/v2 RuntimeClass/,
    ],
  },
  {
    what: "a kustomization naming a missing file",
    file: `${p.spinOperator}/kustomization.yaml`,
    from: "- release.yaml",
    to: "- releases.yaml",
    mentions: [/^gitops\/infrastructure\/controllers: kustomize build .*releases\.yaml/],
  },
  {
    what: "a misspelt kind in CozyStack's group (only the Package itself is unverifiable)",
    file: `${p.platform}/package.yaml`,
    from: "kind: Package",
    to: "kind: Pakage",
    mentions: [
      /package\.yaml: Pakage\/cozystack\.cozystack-platform: apiVersion: no definition of cozystack\.io\/v1alpha1 Pakage/,
    ],
  },
  {
    what: "an object name the API server refuses",
    file: `${p.spinRuntime}/runtimeclass.yaml`,
    from: /name: wasmtime-spin-v2/,
    to: "name: Wasmtime_Spin",
    mentions: [
      /runtimeclass\.yaml: RuntimeClass\/Wasmtime_Spin: metadata\.name: Invalid value "Wasmtime_Spin"/,
    ],
  },
];

for (const c of cases)
  test(`breaking the tree on purpose: ${c.what}`, () => {
    const root = copyTree();
    try {
      edit(root, c.file, c.from, c.to);
      const v = validateGitops(model, root);
      const text = v.problems.join("\n");
      expect(v.problems.length, `a problem is reported for ${c.what}`).toBeGreaterThan(0);
      for (const m of c.mentions)
        expect(
          v.problems.some((l) => m.test(l)),
          `${m} in:\n${text}`,
        ).toBe(true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
