// The stale-generation check: committed generated files must equal what the generators
// emit now, and no file in a generated folder may lack a generator.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { REPO_ROOT } from "../model/index.ts";
import { GENERATED_ROOTS, type GeneratedFile } from "./index.ts";

/** What OpenTofu and its user write beside a root: working data, never generated, never committed. */
const TOFU_WORKING_FILES = [
  /^\.terraform$/,
  /^\.terraform\.lock\.hcl$/,
  /^backend\.hcl$/,
  /\.?tfplan$/,
  /\.tfstate(\..*)?$/,
];

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    // Working data OpenTofu writes beside a root is not generated and not committed.
    if (TOFU_WORKING_FILES.some((re) => re.test(name))) return [];
    return statSync(full).isDirectory() ? listFiles(full) : [relative(REPO_ROOT, full)];
  });
}

/** Compares generated files with the tree; returns one line per difference. */
export function staleFiles(files: readonly GeneratedFile[], checkOrphans: boolean): string[] {
  const problems: string[] = [];
  for (const f of files) {
    const full = join(REPO_ROOT, f.path);
    if (!existsSync(full)) problems.push(`${f.path}: missing`);
    else if (readFileSync(full, "utf8") !== f.content)
      problems.push(`${f.path}: differs from what its generator emits (stale or edited by hand)`);
  }
  if (checkOrphans) {
    const owned = new Set(files.map((f) => f.path));
    for (const root of GENERATED_ROOTS)
      for (const path of listFiles(join(REPO_ROOT, root)))
        if (!owned.has(path)) problems.push(`${path}: no generator emits this file`);
  }
  return problems;
}
