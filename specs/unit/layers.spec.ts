// The folders import one way — model ← common ← generators ← lab ← fixtures ← specs — so
// that a newcomer can read a layer knowing it leans only on the ones below it.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { expect, test } from "@playwright/test";
import { REPO_ROOT } from "../../model/index.ts";

/** Each folder and the only top-level folders it may import from (itself included). */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  model: ["model"],
  common: ["common", "model"],
  setup: ["setup", "common", "model"],
  generators: ["generators", "setup", "common", "model"],
  cost: ["cost", "common", "model"],
  lab: ["lab", "generators", "setup", "cost", "common", "model"],
  fixtures: ["fixtures", "lab", "generators", "setup", "cost", "common", "model"],
};

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return name === "node_modules" ? [] : tsFiles(full);
    return name.endsWith(".ts") ? [full] : [];
  });
}

/** The top-level folders a file's text imports from, by its relative import specifiers. */
function importedFolders(file: string, text: string): string[] {
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)].map((m) => m[1] ?? "");
  return specs.map((s) => relative(REPO_ROOT, resolve(file, "..", s)).split("/")[0] ?? "");
}

/** What a file of `folder` imports that its layer may not, one line each. */
function violations(folder: string, file: string, text: string): string[] {
  const allowed = MAY_IMPORT[folder] ?? [];
  return importedFolders(file, text)
    .filter((f) => !allowed.includes(f))
    .map((f) => `${relative(REPO_ROOT, file)} imports from ${f}/`);
}

for (const folder of Object.keys(MAY_IMPORT)) {
  test(`${folder}/ imports only from ${(MAY_IMPORT[folder] ?? []).join(", ")}`, () => {
    const files = tsFiles(join(REPO_ROOT, folder));
    expect(files.length, `the scan finds ${folder}/'s files`).toBeGreaterThan(0);
    const wrong = files.flatMap((file) => violations(folder, file, readFileSync(file, "utf8")));
    expect(wrong, `${folder}/ leans only on the layers below it`).toEqual([]);
  });
}

test("the acceptance specs reach the lab only through the fixtures", () => {
  // The unit specs of lab code (specs/unit/) import the unit they test; the acceptance specs,
  // their setup and the lifecycle spec see the lab as a user would, through fixtures/.
  const acceptance = tsFiles(join(REPO_ROOT, "specs")).filter((f) => !f.includes("/specs/unit/"));
  expect(acceptance.length, "the scan finds the acceptance specs").toBeGreaterThanOrEqual(9);
  const wrong = acceptance.flatMap((file) =>
    importedFolders(file, readFileSync(file, "utf8"))
      .filter((f) => f === "lab")
      .map(() => `${relative(REPO_ROOT, file)} imports from lab/`),
  );
  expect(wrong, "specs use the lab through fixtures/").toEqual([]);
});

test("the scan reports an import that goes the wrong way, and passes one that does not", () => {
  const file = join(REPO_ROOT, "generators", "x.ts");
  expect(violations("generators", file, 'import { up } from "../lab/lab.ts";')).toEqual([
    "generators/x.ts imports from lab/",
  ]);
  expect(violations("common", join(REPO_ROOT, "common", "y.ts"), 'import("../cost/bill.ts")')).toEqual([
    "common/y.ts imports from cost/",
  ]);
  expect(violations("generators", file, 'import { run } from "../common/exec.ts";')).toEqual([]);
});
