// The AWS account of the model (`budget.account`): reading its opening date, and the one
// date AWS's offers turn on. The offers themselves, with their sources, are the dated table
// in cost/prices.ts; this is only what the model's validation needs too.
import type { AccountModel } from "./types.ts";

/**
 * Accounts opened on or after this day get credits and choose the free or the paid plan;
 * older ones keep the legacy 12-month tier (aws.amazon.com/free/terms, updated 2025-07-09;
 * docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/free-tier-plans.html).
 */
export const CREDITS_ACCOUNTS_FROM = "2025-07-15";

/** An account's opening: its month ("YYYY-MM"), and its day when given. */
export interface Opening {
  readonly month: string;
  readonly day?: number;
}

/** Reads "YYYY-MM" or "YYYY-MM-DD"; undefined when it is neither, or no such day. */
export function readOpening(text: string): Opening | undefined {
  const m = /^(\d{4})-(0[1-9]|1[0-2])(?:-(\d{2}))?$/.exec(text);
  if (!m?.[1] || !m[2]) return undefined;
  const month = `${m[1]}-${m[2]}`;
  if (m[3] === undefined) return { month };
  const day = Number(m[3]);
  const last = new Date(Date.UTC(Number(m[1]), Number(m[2]), 0)).getUTCDate();
  return day >= 1 && day <= last ? { month, day } : undefined;
}

/**
 * Whether an account is of the credits era (opened on or after 2025-07-15). A month alone in
 * July 2025 cannot say, except on the free plan, which only those accounts have; validation
 * refuses the rest (`openingProblem`).
 */
export function isCreditsAccount(account: AccountModel): boolean {
  const o = readOpening(account.opened);
  if (!o) return false;
  const from = CREDITS_ACCOUNTS_FROM.slice(0, 7);
  if (o.month !== from) return o.month > from;
  if (o.day !== undefined) return o.day >= Number(CREDITS_ACCOUNTS_FROM.slice(8));
  return account.plan === "free";
}
