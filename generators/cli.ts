// `npm run generate -- --test N` writes generator N's files (all generators without
// --test); `--check` writes nothing and fails when a file is stale, hand-edited or orphaned.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { loadModel, ModelError, REPO_ROOT } from "../model/index.ts";
import { staleFiles } from "./check.ts";
import { GENERATORS, generateFiles } from "./index.ts";

function main(): number {
  const { values } = parseArgs({
    options: { test: { type: "string" }, check: { type: "boolean", default: false } },
  });
  const wanted = values.test === undefined ? undefined : Number(values.test);
  const known = GENERATORS.map((g) => g.test);
  if (wanted !== undefined && !known.includes(wanted)) {
    console.error(
      `--test ${values.test}: there is no generator ${values.test}. Generators: ${known.join(", ")}.`,
    );
    return 2;
  }
  // Validate the model and render everything in memory before touching the tree.
  const model = loadModel();
  const chosen = GENERATORS.filter((g) => wanted === undefined || g.test === wanted);
  const files = generateFiles(model, chosen);
  if (values.check) {
    const problems = staleFiles(files, wanted === undefined);
    if (problems.length > 0) {
      console.error(`Generated files are out of date:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
      console.error("Fix: run `npm run generate` and commit the result; never edit generated files by hand.");
      return 1;
    }
    console.log(`generated files are up to date (${files.length} files from ${chosen.length} generator(s))`);
    return 0;
  }
  let changed = 0;
  for (const f of files) {
    const full = join(REPO_ROOT, f.path);
    if (existsSync(full) && readFileSync(full, "utf8") === f.content) continue;
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, f.content);
    changed++;
    console.log(`wrote ${f.path}`);
  }
  for (const g of chosen)
    console.log(`generator ${String(g.test).padStart(2, "0")} (${g.name}): ${g.describe}`);
  console.log(`${files.length} files, ${changed} changed`);
  return 0;
}

try {
  process.exitCode = main();
} catch (e) {
  if (e instanceof ModelError) {
    console.error(e.message);
    process.exitCode = 2;
  } else throw e;
}
