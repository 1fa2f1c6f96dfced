// The acceptance engine. Projects: `unit` (generators, model, fixtures), `browser` (the
// Allure report and the slides in Chromium), `lab` (the nine
// specs against the local twin, brought up first by `lab-setup` unless already up),
// `lab-lifecycle` (up/down/up, run by `npm test`) and `aws` (the same specs against real
// AWS; only with MOON_TARGET=aws, never in tests here).
import { defineConfig } from "@playwright/test";
import type { WorkerFixtures } from "./fixtures/index.ts";
import { loadModel } from "./model/index.ts";
import { toolPaths } from "./setup/tools.ts";

const model = loadModel();
const lifecycle = process.env.MOON_LIFECYCLE === "1";
const acceptance = /specs\/\d\d-[a-z0-9-]+\.spec\.ts$/;

export default defineConfig<unknown, WorkerFixtures>({
  testDir: "./specs",
  outputDir: "./reports/test-results",
  globalSetup: "./reports/global-setup.ts",
  // The lab is one shared twin: specs that change it must not race.
  workers: 1,
  timeout: 120_000,
  forbidOnly: !!process.env.CI,
  reporter: [
    ["list"],
    [
      "allure-playwright",
      {
        resultsDir: "reports/allure-results",
        environmentInfo: {
          region: model.region,
          opentofu: model.versions.opentofu,
          aws_provider: model.versions.awsProvider.version,
          moto: model.versions.moto,
          nat: model.network.nat,
        },
      },
    ],
  ],
  projects: [
    { name: "unit", testDir: "./specs/unit" },
    // The reports in a real browser: Debian's Chromium, since Playwright's own download
    // cannot run here. Run after the report is built (npm run lab, npm test).
    {
      name: "browser",
      testDir: "./specs/browser",
      use: { browserName: "chromium", launchOptions: { executablePath: toolPaths(model).chromium } },
    },
    // `npm test` (MOON_LIFECYCLE=1) proves up/down/up first and leaves the lab up for the
    // specs; a plain `npx playwright test` never tears down the lab a user is exploring.
    ...(lifecycle
      ? [{ name: "lab-lifecycle", testDir: "./specs/lifecycle", use: { targetName: "lab" as const } }]
      : []),
    {
      name: "lab-setup",
      testMatch: /lab\.setup\.ts$/,
      dependencies: lifecycle ? ["lab-lifecycle"] : [],
      use: { targetName: "lab" },
    },
    { name: "lab", testMatch: acceptance, dependencies: ["lab-setup"], use: { targetName: "lab" } },
    ...(process.env.MOON_TARGET === "aws"
      ? [{ name: "aws", testMatch: acceptance, use: { targetName: "aws" as const } }]
      : []),
  ],
});
