// Builds the Allure report from the last run's results, appending that run to the
// history so the trend shows progress; prints where the report is and its totals.
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { stream } from "../common/exec.ts";
import { REPO_ROOT, runCommand } from "../model/index.ts";

const reports = join(REPO_ROOT, "reports");
const results = join(reports, "allure-results");

async function main(): Promise<number> {
  if (!existsSync(results)) {
    console.error("No Allure results: run the specs first (npx playwright test).");
    return 1;
  }
  const counts: Record<string, number> = {};
  for (const f of readdirSync(results).filter((n) => n.endsWith("-result.json"))) {
    const status = (JSON.parse(readFileSync(join(results, f), "utf8")) as { status?: string }).status ?? "unknown";
    counts[status] = (counts[status] ?? 0) + 1;
  }
  mkdirSync(join(reports, "history"), { recursive: true });
  const code = await stream(["npx", "allure", "generate", results, "--config", join(REPO_ROOT, "allurerc.mjs")], {
    cwd: REPO_ROOT,
    prefix: "  allure: ",
  });
  if (code !== 0) return code;
  const history = join(reports, "history", "history.jsonl");
  const runs = existsSync(history) ? readFileSync(history, "utf8").split("\n").filter(Boolean).length : 0;
  console.log(
    `Allure report: ${join(reports, "allure-report", "index.html")} (${Object.entries(counts)
      .map(([s, n]) => `${n} ${s}`)
      .join(", ")}; ${runs} run(s) in the history)`,
  );
  return 0;
}

runCommand("report", main);
