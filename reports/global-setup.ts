// Each run records fresh Allure results; the history of earlier runs lives in
// reports/history/, which this leaves alone.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../model/index.ts";

export default function globalSetup(): void {
  // The browser project runs after the report is built from these results; it keeps them.
  if (process.env.MOON_KEEP_RESULTS === "1") return;
  rmSync(join(REPO_ROOT, "reports", "allure-results"), { recursive: true, force: true });
}
