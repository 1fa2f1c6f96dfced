// The folders import one way — model ← common ← generators ← lab ← fixtures ← specs — so
// that a newcomer can read a layer knowing it leans only on the ones below it.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { expect, test } from "@playwright/test";
import { REPO_ROOT } from "../../model/index.ts";

/** Each folder and the folders it must not import from. */
const MUST_NOT_IMPORT: Readonly<Record<string, readonly string[]>> = {
  model: ["common", "generators", "setup", "lab", "fixtures", "specs"],
  common: ["generators", "setup", "lab", "fixtures", "specs"],
  generators: ["lab", "fixtures", "specs"],
  setup: ["lab", "fixtures", "specs"],
  cost: ["lab", "fixtures", "specs"],
  lab: ["fixtures", "specs"],
};

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return name === "node_modules" ? [] : tsFiles(full);
    return name.endsWith(".ts") ? [full] : [];
  });
}

/** The top-level folders a file imports from, by its relative import specifiers. */
function importedFolders(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)].map((m) => m[1] ?? "");
  return specs.map((s) => relative(REPO_ROOT, resolve(file, "..", s)).split("/")[0] ?? "");
}

for (const [folder, forbidden] of Object.entries(MUST_NOT_IMPORT)) {
  test(`${folder}/ imports nothing from ${forbidden.join(", ")}`, () => {
    const wrong = tsFiles(join(REPO_ROOT, folder)).flatMap((file) =>
      importedFolders(file)
        .filter((f) => forbidden.includes(f))
        .map((f) => `${relative(REPO_ROOT, file)} imports from ${f}/`),
    );
    expect(wrong, `${folder}/ leans only on the layers below it`).toEqual([]);
  });
}

test("the acceptance specs reach the lab only through the fixtures", () => {
  // The unit specs of lab code (specs/unit/) import the unit they test; the acceptance specs,
  // their setup and the lifecycle spec see the lab as a user would, through fixtures/.
  const acceptance = tsFiles(join(REPO_ROOT, "specs")).filter((f) => !f.includes("/specs/unit/"));
  expect(acceptance.length, "the scan finds the acceptance specs").toBeGreaterThanOrEqual(9);
  const wrong = acceptance.flatMap((file) =>
    importedFolders(file)
      .filter((f) => f === "lab")
      .map(() => `${relative(REPO_ROOT, file)} imports from lab/`),
  );
  expect(wrong, "specs use the lab through fixtures/").toEqual([]);
});

test("the import scan sees an import that goes the wrong way", () => {
  // lab/ does import common/: the scan must find it, or every verdict above is empty.
  const labImports = tsFiles(join(REPO_ROOT, "lab")).flatMap(importedFolders);
  expect(labImports).toContain("common");
  expect(labImports).toContain("model");
});
