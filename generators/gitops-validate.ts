// Offline validation of the GitOps tree and the demo's manifests (specs 05–07, and
// `npm run gitops:validate`): every folder builds with kustomize's library, every object is
// checked against its upstream definition by kube-validate, and the Flux Kustomizations form
// a sound chain (paths exist, dependsOn names real Kustomizations, no cycle). Problems are
// one line each, naming the file, the object and the field.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { loadModel, REPO_ROOT, runCommand, type Model } from "../model/index.ts";
import { run } from "../common/exec.ts";
import { toolPaths } from "../setup/tools.ts";
import { platformPaths, SYNC_SOURCE } from "./platform.ts";

/**
 * Kinds (group/version/kind) whose upstream definition no registry this kit reaches serves:
 * CozyStack keeps the Package CRD inside its operator's source (internal/crdinstall), not in
 * a Go module the proxy serves nor in its chart. Their objects are reported as unverified,
 * never as passed; any other kind of that group (a typo) still fails.
 */
export const PACKAGE_KIND = "cozystack.io/v1alpha1/Package";
export const UNVERIFIABLE: Readonly<Record<string, string>> = {
  [PACKAGE_KIND]:
    "CozyStack's Package CRD ships only inside its operator (internal/crdinstall of github.com/cozystack/cozystack): the Go proxy lists v1.6.2 but refuses its zip (HTTP 403, checked 2026-12-04), so no build input carries the CRD; the cluster's API server checks it on apply",
};

export interface ValidatedObject {
  readonly file: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly checkedBy: readonly string[];
  readonly unverified?: string;
  readonly errors: readonly { readonly field: string; readonly message: string }[];
}

export interface ValidatedTarget {
  readonly path: string;
  readonly built: boolean;
  readonly error?: string;
  readonly objects: readonly ValidatedObject[];
}

export interface KubeValidateReport {
  readonly definitions: readonly string[];
  readonly targets: readonly ValidatedTarget[];
}

/** Runs kube-validate over folders or files (paths from `root`); problems as one line each. */
export function kubeValidate(
  model: Model,
  paths: readonly string[],
  root: string = REPO_ROOT,
): { report: KubeValidateReport; problems: string[] } {
  const tools = toolPaths(model);
  if (!existsSync(tools.kubeValidate) || !existsSync(tools.kubeCrds))
    throw new Error(`kube-validate is not built (${tools.kubeValidate}). Fix: npm run setup`);
  const r = run(
    [
      tools.kubeValidate,
      "--crds",
      tools.kubeCrds,
      ...Object.entries(UNVERIFIABLE).map(([kind, why]) => `--unverifiable=${kind}=${why}`),
      ...paths,
    ],
    { cwd: root, allowFailure: true },
  );
  if (r.code !== 0 && r.code !== 1)
    throw new Error(`kube-validate failed (exit ${r.code}): ${r.stderr.trim()}`);
  const report = JSON.parse(r.stdout) as KubeValidateReport;
  const problems: string[] = [];
  for (const t of report.targets) {
    if (t.error) problems.push(`${t.path}: ${t.error}`);
    for (const o of t.objects)
      for (const e of o.errors)
        problems.push(`${o.file}: ${o.kind}/${o.name}: ${e.field ? `${e.field}: ` : ""}${e.message}`);
  }
  return { report, problems };
}

/** A Flux Kustomization as the tree declares it. */
export interface FluxKustomization {
  readonly file: string;
  readonly name: string;
  readonly namespace: string;
  readonly path: string;
  readonly source: string;
  readonly dependsOn: readonly string[];
}

interface FluxDoc {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  spec?: {
    path?: string;
    sourceRef?: { kind?: string; name?: string };
    dependsOn?: { name?: string; namespace?: string }[];
    interval?: string;
    timeout?: string;
    prune?: boolean;
    wait?: boolean;
  };
}

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const full = join(dir, n);
      if (statSync(full).isDirectory()) return yamlFiles(full);
      return /\.ya?ml$/.test(n) ? [full] : [];
    });
}

/**
 * The chain's soundness: each Kustomization sets interval, timeout, prune and wait; reads
 * a source the tree declares; applies a folder that exists (in this repository); depends
 * only on Kustomizations that exist, with no cycle.
 */
export function checkFluxChain(
  model: Model,
  root: string = REPO_ROOT,
): { kustomizations: FluxKustomization[]; problems: string[] } {
  const clusterDir = platformPaths(model).cluster;
  const problems: string[] = [];
  const ks: FluxKustomization[] = [];
  const sources = new Set<string>();
  const docs: { file: string; doc: FluxDoc }[] = [];
  for (const full of yamlFiles(join(root, clusterDir))) {
    const file = relative(root, full);
    for (const d of parseAllDocuments(readFileSync(full, "utf8"))) {
      if (d.errors.length) problems.push(`${file}: ${d.errors[0]?.message ?? "YAML error"}`);
      const doc = d.toJS() as FluxDoc | null;
      if (doc) docs.push({ file, doc });
    }
  }
  for (const { doc } of docs)
    if (doc.apiVersion?.startsWith("source.toolkit.fluxcd.io/") && doc.metadata?.name)
      sources.add(doc.metadata.name);
  for (const { file, doc } of docs) {
    if (!doc.apiVersion?.startsWith("kustomize.toolkit.fluxcd.io/") || doc.kind !== "Kustomization") continue;
    const name = doc.metadata?.name ?? "(no name)";
    const where = `${file}: Kustomization ${name}`;
    const spec = doc.spec ?? {};
    for (const key of ["interval", "timeout", "prune", "wait"] as const)
      if (spec[key] === undefined)
        problems.push(
          `${where}: spec.${key} is not set (every step states interval, timeout, prune and wait)`,
        );
    const source = spec.sourceRef?.name ?? "";
    if (!sources.has(source))
      problems.push(`${where}: spec.sourceRef.name "${source}" names no source declared in ${clusterDir}`);
    if (!spec.path) problems.push(`${where}: spec.path is not set`);
    const path = (spec.path ?? "").replace(/^\.\//, "");
    // A path in another repository (spin-operator's CRDs) is that source's to hold; checked live.
    if (spec.path && source === SYNC_SOURCE && !existsSync(join(root, path)))
      problems.push(`${where}: spec.path "${spec.path ?? ""}" does not exist in the repository`);
    ks.push({
      file,
      name,
      namespace: doc.metadata?.namespace ?? "",
      path,
      source,
      dependsOn: (spec.dependsOn ?? []).map((d) => d.name ?? ""),
    });
  }
  const byName = new Map(ks.map((k) => [k.name, k]));
  for (const k of ks)
    k.dependsOn.forEach((dep, i) => {
      if (!byName.has(dep))
        problems.push(
          `${k.file}: Kustomization ${k.name}: spec.dependsOn[${i}].name "${dep}" names no Kustomization in ${clusterDir}`,
        );
    });
  // Depth-first search; a node met again while still on the stack closes a cycle.
  const state = new Map<string, "open" | "done">();
  const visit = (k: FluxKustomization, stack: string[]): void => {
    state.set(k.name, "open");
    for (const dep of k.dependsOn) {
      const next = byName.get(dep);
      if (!next) continue;
      if (state.get(dep) === "open") {
        const cycle = [...stack.slice(stack.indexOf(dep)), dep];
        problems.push(
          `${k.file}: Kustomization ${k.name}: spec.dependsOn forms a cycle: ${cycle.join(" → ")}`,
        );
      } else if (!state.has(dep)) visit(next, [...stack, dep]);
    }
    state.set(k.name, "done");
  };
  for (const k of ks) if (!state.has(k.name)) visit(k, [k.name]);
  return { kustomizations: ks, problems };
}

export interface GitopsValidation {
  readonly kustomizations: readonly FluxKustomization[];
  readonly report: KubeValidateReport;
  readonly problems: readonly string[];
}

/** The whole tree: the cluster folder and every folder its chain applies from this repository. */
export function validateGitops(model: Model, root: string = REPO_ROOT): GitopsValidation {
  const chain = checkFluxChain(model, root);
  const folders = [
    platformPaths(model).cluster,
    ...chain.kustomizations
      .filter((k) => k.path && k.source === SYNC_SOURCE && existsSync(join(root, k.path)))
      .map((k) => k.path),
  ];
  const kv = kubeValidate(model, [...new Set(folders)], root);
  return {
    kustomizations: chain.kustomizations,
    report: kv.report,
    problems: [...chain.problems, ...kv.problems],
  };
}

function main(): number {
  const model = loadModel();
  const v = validateGitops(model);
  for (const t of v.report.targets) {
    const bad = t.objects.filter((o) => o.errors.length).length;
    const unverified = t.objects.filter((o) => o.unverified).length;
    console.log(
      `${t.built ? "built" : "FAILED"} ${t.path}: ${t.objects.length} objects${bad ? `, ${bad} invalid` : ""}${unverified ? `, ${unverified} unverified` : ""}`,
    );
  }
  for (const o of v.report.targets.flatMap((t) => t.objects).filter((x) => x.unverified))
    console.log(`  unverified: ${o.file}: ${o.kind}/${o.name}: ${o.unverified ?? ""}`);
  console.log(
    `chain: ${v.kustomizations.map((k) => `${k.name}${k.dependsOn.length ? ` (after ${k.dependsOn.join(", ")})` : ""}`).join("; ")}`,
  );
  for (const p of v.problems) console.error(`problem: ${p}`);
  if (v.problems.length) {
    console.error(`${v.problems.length} problem(s)`);
    return 1;
  }
  console.log("the GitOps tree is valid");
  return 0;
}

if (fileURLToPath(import.meta.url) === resolve(process.argv[1] ?? "")) runCommand("gitops:validate", main);
