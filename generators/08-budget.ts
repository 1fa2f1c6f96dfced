// Generator 08 — the cost guardrail (spec 08): the `budget` module, an AWS Budgets cost
// budget at the model's target that mails the operator when the month's actual or
// forecast spend passes it. The bill itself is projected by cost/ from the plan.
import type { Model } from "../model/index.ts";
import { moduleFiles, moduleLayer, type LayerVariable } from "./module.ts";
import { sourceFile } from "./writers/source.ts";
import type { TofuOutput } from "./writers/tofu.ts";
import { type GeneratedFile, type Generator, type RootTarget } from "./types.ts";

const TEST = 8;

const EMAIL_RE = "^[^@\\\\s]+@[^@\\\\s]+\\\\.[^@\\\\s]+$";

function moduleVariables(model: Model): LayerVariable[] {
  return [
    {
      name: "name",
      type: "string",
      description: "Prefix of the budget's name.",
      example: `"${model.project}"`,
    },
    {
      name: "tags",
      type: "map(string)",
      description: "Tags for the budget.",
      example: '{ Project = "moon-and-back" }',
    },
    {
      name: "monthly_limit_usd",
      root: "budget_monthly_usd",
      type: "number",
      description: "The always-on baseline's target in USD a month: the alert fires above it.",
      example: String(model.budget.monthlyUsd),
      validations: [
        {
          condition: "var.monthly_limit_usd > 0",
          message: "monthly_limit_usd must be a positive amount in USD, e.g. 0.1.",
        },
      ],
    },
    {
      name: "alert_email",
      root: "budget_alert_email",
      type: "string",
      description: "Where AWS Budgets mails the alert (it asks the address to confirm first).",
      example: '"you@example.org"',
      validations: [
        {
          condition: `can(regex("${EMAIL_RE}", var.alert_email))`,
          message: "alert_email must be an email address, e.g. you@example.org.",
        },
      ],
    },
  ];
}

const outputs: TofuOutput[] = [
  {
    name: "budget_name",
    description: "The cost budget's name (`aws budgets describe-budget --budget-name …`).",
    value: "aws_budgets_budget.baseline.name",
  },
];

const spec = (model: Model) => ({
  name: "budget",
  test: TEST,
  variables: moduleVariables(model),
  outputs,
  files: { "budget.tf": sourceFile({ test: TEST, source: "08-budget/budget.tf" }) },
  readme: [
    "An AWS Budgets cost budget for the month at the baseline's target (the model's",
    "`budget.monthlyUsd`), with two alerts mailed to `alert_email`: when the actual spend",
    "passes the target, and when the month's forecast does. Budgets watch the whole account,",
    "so they also catch what the plan cannot: traffic, a resource made by hand, a session",
    "left running. It measures what the kit's bill measures: spend before credits and refunds",
    "(`cost_types` leaves both out), so an account on credits is alerted by what it spends, not",
    "by the $0 its credits leave. The projected bill of the plan itself comes from `cost/`",
    "(`npm run cost`), and spec 08 checks both. File: `budget.tf`.",
  ],
});

export const generator08: Generator = {
  test: TEST,
  name: "budget",
  describe: "an AWS Budgets cost budget at the model's target, alerting on actual and forecast spend",
  layer: (model: Model, target: RootTarget) =>
    moduleLayer(
      spec(model),
      { name: "local.name", tags: "local.tags" },
      {
        budget_monthly_usd: model.budget.monthlyUsd,
        // The aws root has no default until the model names an address: a budget must reach someone.
        budget_alert_email:
          target === "lab" ? model.lab.budgetAlertEmail : (model.budget.alertEmail ?? undefined),
      },
    ),
  generate: (model: Model): GeneratedFile[] => moduleFiles(spec(model)),
};
