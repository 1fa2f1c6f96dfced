// The static scan of the generated OpenTofu: checkov (setup installs it in .venv-checkov)
// over infra/, offline. A check the kit does not meet on purpose is skipped in the generated
// code itself, with its reason; this reads checkov's report and returns both lists.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { run } from "../common/exec.ts";
import { REPO_ROOT, type Model } from "../model/index.ts";
import { toolPaths } from "../setup/tools.ts";

export interface CheckovResult {
  readonly version: string;
  readonly passed: number;
  readonly failed: readonly { readonly check: string; readonly resource: string; readonly file: string }[];
  readonly skipped: readonly { readonly check: string; readonly resource: string; readonly reason: string }[];
}

interface CheckovCheck {
  check_id: string;
  resource: string;
  file_path: string;
  file_line_range?: number[];
  check_result?: { suppress_comment?: string };
}

const NO_REASON = "No comment provided";

/** What is wrong with a checkov run: failed checks, skips without a reason, or no checks at all. */
export function checkovProblems(c: CheckovResult): string[] {
  return [
    ...(c.passed === 0 ? ["checkov passed no check: it scanned nothing"] : []),
    ...c.failed.map((f) => `${f.resource}: checkov ${f.check} failed (${f.file})`),
    ...c.skipped
      .filter((s) => s.reason.trim() === "")
      .map((s) => `${s.resource}: checkov ${s.check} skipped without a reason`),
  ];
}

export function runCheckov(model: Model, dir = join(REPO_ROOT, "infra")): CheckovResult {
  const bin = toolPaths(model).checkov;
  if (!existsSync(bin)) throw new Error(`checkov is not installed at ${bin}: run \`npm run setup\``);
  // --skip-download: no platform calls (there is no internet here, and none is needed).
  const r = run([bin, "-d", dir, "--framework", "terraform", "--skip-download", "--compact", "-o", "json"], {
    allowFailure: true,
    env: { ...process.env, BC_SKIP_MAPPING: "TRUE", LOG_LEVEL: "ERROR" },
  });
  if (r.code !== 0 && r.code !== 1)
    throw new Error(`checkov failed (exit ${r.code}): ${r.stderr.slice(-2000)}`);
  const report = JSON.parse(r.stdout) as
    | {
        results: {
          passed_checks: CheckovCheck[];
          failed_checks: CheckovCheck[];
          skipped_checks: CheckovCheck[];
        };
        summary: { checkov_version: string };
      }
    | [];
  if (Array.isArray(report)) throw new Error(`checkov found no OpenTofu files under ${dir}`);
  return {
    version: report.summary.checkov_version,
    passed: report.results.passed_checks.length,
    failed: report.results.failed_checks.map((c) => ({
      check: c.check_id,
      resource: c.resource,
      file: `${c.file_path}:${c.file_line_range?.join("-") ?? ""}`,
    })),
    skipped: report.results.skipped_checks.map((c) => ({
      check: c.check_id,
      resource: c.resource,
      // checkov fills in this text when a skip gives no reason.
      reason: c.check_result?.suppress_comment === NO_REASON ? "" : (c.check_result?.suppress_comment ?? ""),
    })),
  };
}
