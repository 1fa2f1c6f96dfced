// The budget section: the month's target, the alert address and the AWS account the bill is for.
import { CREDITS_ACCOUNTS_FROM, isCreditsAccount, readOpening } from "../account.ts";
import { monthOf, readClock } from "../clock.ts";
import { type AddProblem, type Rules } from "../rules.ts";
import type { Model } from "../types.ts";

/**
 * An AWS account's plan (SPEC §3): accounts opened on or after 2025-07-15 choose the free
 * plan (credits only, no charges, at most six months) or the paid plan; older accounts are
 * on the paid plan.
 */
export const ACCOUNT_PLANS = ["paid", "free"] as const;
export type AccountPlan = (typeof ACCOUNT_PLANS)[number];

/** The AWS account the kit runs in: the offers of each month are derived from it (cost/prices.ts). */
export interface AccountModel {
  /**
   * The month it was opened, "YYYY-MM" ("YYYY-MM-DD" when the day matters: in July 2025,
   * before the 15th means the legacy 12-month tier, from the 15th credits).
   */
  readonly opened: string;
  readonly plan: AccountPlan;
}

export interface BudgetModel {
  /** Always-on baseline target in USD per month; the AWS Budgets alert fires at it. */
  readonly monthlyUsd: number;
  /**
   * Your AWS account: when it was opened and its plan. The offers each month's bill draws on
   * (the t4g.small trial, the legacy 12-month tier, credits) follow from it, never by hand.
   */
  readonly account: AccountModel;
  /**
   * Where AWS Budgets mails its alerts. Null until you set it: the aws target requires it;
   * the lab's emulator sends no mail, so the lab uses an address of its own.
   */
  readonly alertEmail: string | null;
}

export const BUDGET_DEFAULTS: BudgetModel = {
  monthlyUsd: 0.1,
  // What most users have (SPEC §5): an account opened before 2025 on the paid plan, whose
  // 12-month tier has ended; the t4g.small trial is its only offer until that ends too.
  account: { opened: "2024-01", plan: "paid" },
  alertEmail: null,
};

/** The budget: a positive target, a real account, an address AWS Budgets can mail. */
export function budgetRules(model: Model, r: Rules): void {
  const { add } = r;
  if (!(model.budget.monthlyUsd > 0))
    add(
      "budget.monthlyUsd",
      model.budget.monthlyUsd,
      "is not a positive amount",
      "use a target in USD per month, e.g. 0.10",
    );
  validateAccount(model.budget.account, add);
  if (model.budget.alertEmail !== null && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(model.budget.alertEmail))
    add(
      "budget.alertEmail",
      model.budget.alertEmail,
      "is not an email address",
      'write the address AWS Budgets should mail, e.g. "you@example.org"',
    );
}

/**
 * The account the bill is for (`budget.account`): a real month, not in the future by the
 * clock (MOON_NOW), a plan AWS has, and the free plan only where AWS offers it.
 */
function validateAccount(account: AccountModel, add: AddProblem): void {
  const opening = readOpening(account.opened);
  const clock = readClock();
  if (!(clock instanceof Date)) add(clock.path, clock.value, clock.message, clock.fix);
  if (!opening)
    add(
      "budget.account.opened",
      account.opened,
      'is not a month as "YYYY-MM" (or a day as "YYYY-MM-DD")',
      'write the month your AWS account was opened, e.g. "2024-01" (the billing console shows it)',
    );
  else if (clock instanceof Date && opening.month > monthOf(clock))
    add(
      "budget.account.opened",
      account.opened,
      `is after this month (${monthOf(clock)}): an account cannot be opened in the future`,
      `write the month your AWS account was opened${process.env.MOON_NOW ? ", or set MOON_NOW to a day after it" : ""}`,
    );
  if (!(ACCOUNT_PLANS as readonly string[]).includes(account.plan)) {
    add(
      "budget.account.plan",
      account.plan,
      "is not an AWS account plan",
      `use one of ${ACCOUNT_PLANS.join(", ")} (the billing console shows which)`,
    );
    return;
  }
  if (!opening) return;
  const credits = CREDITS_ACCOUNTS_FROM.slice(0, 7);
  if (account.plan === "free" && !isCreditsAccount(account))
    add(
      "budget.account",
      `${account.opened} ${account.plan}`,
      `has the free plan, which only accounts opened on or after ${CREDITS_ACCOUNTS_FROM} have`,
      'use plan "paid" (an older account is on the paid plan), or the month the account was really opened',
    );
  else if (account.plan === "paid" && opening.month === credits && opening.day === undefined)
    add(
      "budget.account.opened",
      account.opened,
      `is the month AWS's offers changed (on ${CREDITS_ACCOUNTS_FROM}): the month alone cannot say which the account has`,
      `write the day it was opened, e.g. "${credits}-03" (before the 15th: the 12-month tier; from the 15th: credits)`,
    );
}
