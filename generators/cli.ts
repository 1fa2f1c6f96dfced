// `npm run generate -- --test N` writes generator N's files (all generators without
// --test); `--check` writes nothing and fails when a file is stale, hand-edited or orphaned.
import { parseArgs } from "node:util";
import { loadModel, REPO_ROOT, runCommand, UsageError } from "../model/index.ts";
import { staleFiles } from "./check.ts";
import { GENERATORS, generateFiles } from "./index.ts";
import { writeAllOrNothing } from "./writers/files.ts";

const USAGE = "npm run generate [-- --test N] [-- --check]";

function main(): number {
  const { values } = parseArgs({
    options: { test: { type: "string" }, check: { type: "boolean", default: false } },
  });
  const wanted = values.test === undefined ? undefined : Number(values.test);
  const known = GENERATORS.map((g) => g.test);
  if (wanted !== undefined && !known.includes(wanted))
    throw new UsageError(
      `--test ${values.test}: there is no generator ${values.test}. Fix: use one of ${known.join(", ")}, e.g. npm run generate -- --test 1`,
    );
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
  // Paths checked to stay in the repository, everything staged, then moved into place.
  const changed = writeAllOrNothing(REPO_ROOT, files);
  for (const path of changed) console.log(`wrote ${path}`);
  for (const g of chosen)
    console.log(`generator ${String(g.test).padStart(2, "0")} (${g.name}): ${g.describe}`);
  console.log(`${files.length} files, ${changed.length} changed`);
  return 0;
}

runCommand("generate", main, { usage: USAGE });
