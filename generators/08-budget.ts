// Generator 08 — the cost guardrail (spec 08): the `budget` module, an AWS Budgets cost
// budget at the model's target that mails the operator when the month's actual or
// forecast spend passes it. The bill itself is projected by cost/ from the plan.
import type { Model } from "../model/index.ts";
import { moduleFiles, moduleLayer, rooted, type ModuleSpec } from "./module.ts";
import { sourceFile } from "./writers/source.ts";
import { type GeneratedFile, type Generator, type RootTarget } from "./types.ts";

const TEST = 8;

const budget: ModuleSpec = {
  name: "budget",
  test: TEST,
  source: "08-budget",
  files: { "budget.tf": sourceFile({ test: TEST, source: "08-budget/budget.tf" }) },
};

export const generator08: Generator = {
  test: TEST,
  name: "budget",
  describe: "an AWS Budgets cost budget at the model's target, alerting on actual and forecast spend",
  layer: (model: Model, target: RootTarget) =>
    moduleLayer(budget, {
      wiring: { name: "local.name", tags: "local.tags" },
      values: {
        monthly_limit_usd: rooted("budget_monthly_usd", model.budget.monthlyUsd),
        // The aws root asks for an address until the model names one: a budget must reach someone.
        alert_email: rooted(
          "budget_alert_email",
          target === "lab" ? model.lab.budgetAlertEmail : (model.budget.alertEmail ?? undefined),
        ),
      },
    }),
  generate: (): GeneratedFile[] => moduleFiles(budget),
};
