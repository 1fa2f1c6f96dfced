// Spec 08 — cost within free tier (SPEC §4 row 08). Generator 08 (the budget) and the cost
// model (cost/) make it pass: the bill is projected from what is deployed, never typed in.
import {
  DescribeBudgetsCommand,
  DescribeNotificationsForBudgetCommand,
  DescribeSubscribersForNotificationCommand,
} from "@aws-sdk/client-budgets";
import { budgetVerdict, chargedLines, describeLine, projectBill, usd } from "../cost/bill.ts";
import { readMonthToDate } from "../cost/explorer.ts";
import { resources } from "../cost/model.ts";
import { EXPECTED_SERVICES, UNEXPECTED_SERVICES } from "../cost/services.ts";
import { evidence, expect, test } from "../fixtures/index.ts";

test.describe("08 cost within free tier", () => {
  test("the projected monthly bill of the deployed plan is under the budget", async ({ model, applied }) => {
    const bill = projectBill(model, applied);
    await evidence("bill", bill);
    expect(bill.estimate.lines.length, "the deployed plan has billable resources to price").toBeGreaterThan(
      0,
    );
    await test.step(`under ${usd(model.budget.monthlyUsd)} with the ${bill.profile} profile`, () => {
      const verdict = budgetVerdict(bill);
      expect(verdict.ok, verdict.message).toBe(true);
    });
    await test.step("every profile's total, for the report", async () => {
      await evidence(
        "totals by free-tier profile",
        Object.fromEntries(Object.entries(bill.byProfile).map(([p, v]) => [p, usd(v)])),
      );
      await evidence("what the free tier does not cover", chargedLines(bill).map(describeLine));
    });
  });

  test("t4g instance-hours stay under the trial's 750 a month", async ({ model, applied }) => {
    const bill = projectBill(model, applied);
    await evidence(
      "instance usage",
      bill.estimate.lines.filter((l) => l.kind === "instance").map(describeLine),
    );
    expect(
      bill.t4gHours,
      `t4g instances run ${bill.t4gHours.toFixed(1)} h a month together; the trial covers 750`,
    ).toBeLessThan(750);
  });

  test("no resource of an unexpected service, none the cost model cannot price", async ({
    model,
    applied,
  }) => {
    const bill = projectBill(model, applied);
    const types = [...new Set(resources(applied.values?.root_module).map((r) => r.type))].sort();
    await evidence("resource types deployed", types);
    expect(
      bill.unexpected.map((u) => `${u.address}: ${u.problem}`),
      `no ${UNEXPECTED_SERVICES.map((u) => u.service)
        .filter((s, i, a) => a.indexOf(s) === i)
        .join(", ")}, and every type priced by cost/services.ts`,
    ).toEqual([]);
  });

  test("Cost Explorer's month-to-date cost is under the target, from expected services only", async ({
    model,
    aws,
    target,
  }) => {
    if (target.name === "lab")
      test.info().annotations.push({
        type: "lab",
        description:
          "the emulator's Cost Explorer answers with the month's share of the cost model's bill (loaded by lab up): this proves the API path and the checks, not AWS's billing",
      });
    const now = new Date();
    const mtd = await readMonthToDate(aws.costExplorer, now);
    await evidence(`GetCostAndUsage, this month by service (${target.name})`, mtd);
    await test.step("only services the plan is billed under", () => {
      const strangers = Object.entries(mtd.byService)
        .filter(([service, amount]) => amount > 0 && !EXPECTED_SERVICES.has(service))
        .map(([service, amount]) => `${service}: ${usd(amount)}`);
      expect(strangers, "no charge from a service the baseline does not use").toEqual([]);
    });
    await test.step(`under ${usd(model.budget.monthlyUsd)}`, () => {
      expect(
        mtd.totalUsd,
        `month-to-date ${usd(mtd.totalUsd)}: ${Object.entries(mtd.byService)
          .map(([s, a]) => `${s} ${usd(a)}`)
          .join(", ")}`,
      ).toBeLessThan(model.budget.monthlyUsd);
    });
  });

  test("an AWS Budgets budget alerts at the target", async ({ model, aws, applied, target }) => {
    const name = `${model.project}-baseline`;
    // Budgets want the account ID; the deployed budget records the one it was made in.
    const deployed = resources(applied.values?.root_module).find((r) => r.type === "aws_budgets_budget");
    const account = typeof deployed?.values.account_id === "string" ? deployed.values.account_id : "";
    expect(account, "the deployed state has a budget with its account").not.toBe("");
    const budgets = await aws.budgets.send(new DescribeBudgetsCommand({ AccountId: account }));
    const budget = budgets.Budgets?.find((b) => b.BudgetName === name);
    await evidence("DescribeBudgets", budgets.Budgets);
    expect(budget, `a budget named ${name}`).toBeDefined();
    expect(budget?.BudgetType).toBe("COST");
    expect(budget?.TimeUnit).toBe("MONTHLY");
    expect(Number(budget?.BudgetLimit?.Amount), "its limit is the model's target").toBeCloseTo(
      model.budget.monthlyUsd,
      6,
    );
    const notes = await aws.budgets.send(
      new DescribeNotificationsForBudgetCommand({ AccountId: account, BudgetName: name }),
    );
    await evidence("DescribeNotificationsForBudget", notes.Notifications);
    const mailTo = target.name === "lab" ? model.lab.budgetAlertEmail : model.budget.alertEmail;
    for (const n of notes.Notifications ?? []) {
      const subscribers = await aws.budgets.send(
        new DescribeSubscribersForNotificationCommand({
          AccountId: account,
          BudgetName: name,
          Notification: n,
        }),
      );
      expect(
        subscribers.Subscribers?.map((x) => `${x.SubscriptionType ?? ""} ${x.Address ?? ""}`),
        `the ${n.NotificationType ?? ""} alert mails ${mailTo ?? "the model's address"}`,
      ).toEqual([`EMAIL ${mailTo ?? ""}`]);
    }
    for (const type of ["ACTUAL", "FORECASTED"] as const)
      expect(
        notes.Notifications?.some(
          (n) =>
            n.NotificationType === type &&
            n.ComparisonOperator === "GREATER_THAN" &&
            n.Threshold === 100 &&
            n.ThresholdType === "PERCENTAGE",
        ),
        `an alert when the ${type.toLowerCase()} spend passes 100% of the target`,
      ).toBe(true);
  });

  test("every resource carries the model's tags (cost allocation)", ({ model, applied }) => {
    const untagged = resources(applied.values?.root_module)
      .filter((r) => r.mode !== "data" && r.values.tags_all !== undefined)
      .filter((r) => {
        const tags = (r.values.tags_all ?? {}) as Record<string, string>;
        return Object.entries(model.tags).some(([k, v]) => tags[k] !== v);
      })
      .map((r) => r.address);
    expect(untagged, `every taggable resource has ${JSON.stringify(model.tags)}`).toEqual([]);
  });
});
