// The projected bill of a plan as the CLI, the lab and spec 08 all read it: this calendar
// month and each of the next 12, each with the offers the model's account has then, the
// schedule's hours in that month, credits shown as credits, and the verdict against the
// budget; the alternatives month by month; an experiment session; and the checks SPEC §4
// row 08 makes of it. The clock is a parameter: nothing here reads the time.
import { monthOf, type AccountModel, type AccountPlan, type Model } from "../model/index.ts";
import { seedScheduleOptions, usageOptions } from "./options.ts";
import {
  alternatives,
  estimate,
  resources,
  sessionUsage,
  usageOf,
  type Estimate,
  type LineItem,
  type TofuShow,
  type Usage,
} from "./model.ts";
import { addMonths, lastMonthOf, OFFERS, offersFor, PRICES_DATE, type Offer } from "./prices.ts";
import { unexpectedResources, type ResourceFinding } from "./services.ts";

/** How many months the bill projects: this one and the next 12. */
export const BILL_MONTHS = 13;

/** One calendar month of the bill. */
export interface MonthBill {
  /** "YYYY-MM" (UTC, as AWS bills). */
  readonly month: string;
  /** The plan in force: a free plan that has ended (6 months, or credits used up) is priced as paid. */
  readonly plan: AccountPlan;
  /** The offers of the account that apply this month (derived from it; always-free ones are in `Bill.alwaysFree`). */
  readonly offers: readonly string[];
  /** Hours the bastion's schedule runs this month. */
  readonly scheduledHours: number;
  /** Instance-hours of every t4g type together this month. */
  readonly t4gHours: number;
  /** Before any offer. */
  readonly grossUsd: number;
  /** What the offers' free quantities cover. */
  readonly freeTierUsd: number;
  /** The spend: gross − free tier. What the budget (and the AWS Budgets budget) measures. */
  readonly totalUsd: number;
  /** What credits pay of the spend (shown, never subtracted from the verdict). */
  readonly creditsUsd: number;
  /** Credits left after this month (0 once they have expired). */
  readonly creditsLeftUsd: number;
  /** What the card pays: spend − credits. */
  readonly netUsd: number;
  /** Whether the spend is within the budget (≤). */
  readonly withinBudget: boolean;
  /** The line items that cost something this month, dearest first. */
  readonly charged: readonly string[];
  /** What the reader must know: an offer ending, the free plan's end or refusals. */
  readonly notes: readonly string[];
}

/** An alternative design, priced month by month the same way. */
export interface AlternativeBill {
  readonly name: string;
  /** This month's spend. */
  readonly totalUsd: number;
  readonly months: readonly {
    readonly month: string;
    readonly totalUsd: number;
    readonly withinBudget: boolean;
  }[];
  /** The first month over the budget, or null when none of the 13 is. */
  readonly firstBreach: string | null;
}

export interface Bill {
  readonly pricesDate: string;
  /** The clock the bill was projected from (ISO). */
  readonly now: string;
  readonly account: AccountModel;
  readonly budgetUsd: number;
  /** This month, line by line. */
  readonly estimate: Estimate;
  /** This month and each of the next 12. */
  readonly months: readonly MonthBill[];
  /** The first month over the budget, or null. */
  readonly firstBreach: string | null;
  /** Always-free allowances every account has, every month. */
  readonly alwaysFree: readonly string[];
  readonly alternatives: readonly AlternativeBill[];
  /** The most instance-hours of every t4g type together in any of the months (the trial pooled 750). */
  readonly t4gHours: number;
  /** Resources of services the baseline must not use, or of types the model cannot price. */
  readonly unexpected: readonly ResourceFinding[];
  readonly session: {
    readonly nodes: number;
    readonly instanceType: string;
    readonly perHourUsd: number;
    readonly hours: number;
    readonly totalUsd: number;
  };
}

export interface BillOptions {
  /** The clock: the bill starts with its calendar month. */
  readonly now: Date;
  /** How long a typical experiment session runs (default 4 h). */
  readonly sessionHours?: number;
}

const t4gHoursOf = (usage: readonly Usage[]) =>
  usage
    .filter((u) => u.kind === "instance" && (u.instanceType ?? "").startsWith("t4g."))
    .reduce((a, u) => a + u.quantity, 0);

const sameUsage = (a: readonly Usage[], b: readonly Usage[]) => JSON.stringify(a) === JSON.stringify(b);

/** The bill of a plan for the model's account, this month and the next 12. */
export function projectBill(model: Model, show: TofuShow, options: BillOptions): Bill {
  const account = model.budget.account;
  const budgetUsd = model.budget.monthlyUsd;
  const first = monthOf(options.now);
  const calendar = Array.from({ length: BILL_MONTHS }, (_, i) => addMonths(first, i));
  const all = resources(show.planned_values?.root_module ?? show.values?.root_module).filter(
    (r) => r.mode !== "data",
  );
  const freePlan: Offer = OFFERS.freePlan;
  const eligible: readonly string[] = OFFERS.freePlan.instanceTypes;

  let creditsLeft: number | undefined;
  let freePlanOver = false;
  let current: Estimate | undefined;
  const months: MonthBill[] = [];
  const alternativeMonths = new Map<string, { month: string; totalUsd: number; withinBudget: boolean }[]>();
  let alternativeNames: string[] | undefined;

  for (const month of calendar) {
    const opts = usageOptions(model, month);
    const usage = usageOf(show, opts);
    const notes: string[] = [];
    let offers = offersFor(account, month).filter((o) => o.alwaysFree !== true);
    // Credits: the balance is taken whole at the start of the first month (the kit cannot see
    // what was spent before), then spent month by month until they expire.
    const credit = offers.find((o) => o.creditsUsd !== undefined);
    if (credit && creditsLeft === undefined) creditsLeft = credit.creditsUsd ?? 0;
    if (!credit) creditsLeft = creditsLeft === undefined ? undefined : 0;
    if (offers.includes(freePlan) && (freePlanOver || creditsLeft === 0)) {
      freePlanOver = true;
      offers = offers.filter((o) => o !== freePlan);
    }
    const onFreePlan = offers.includes(freePlan);
    if (account.plan === "free" && !onFreePlan && (months.at(-1)?.plan ?? "free") === "free")
      notes.push(
        "the free plan has ended (6 months from the opening, or the credits used up): the account is closed unless upgraded, so from here on it is priced as the paid plan",
      );
    if (onFreePlan) {
      const refused = [
        ...new Set(
          usage
            .filter((u) => u.kind === "instance" && !eligible.includes(u.instanceType ?? ""))
            .map((u) => `${u.instanceType ?? "?"} (${u.address})`),
        ),
      ];
      if (refused.length > 0) notes.push(`the free plan refuses ${refused.join(", ")}`);
    }
    for (const o of offers)
      if (lastMonthOf(o, account) === month)
        notes.push(
          `${o.name} ends this month${o.until ? ` (${o.until})` : ` (${o.monthsFromOpening ?? 0} months from ${account.opened})`}`,
        );
    const e = estimate(usage, [...offers, ...offersFor(account, month).filter((o) => o.alwaysFree === true)]);
    current ??= e;
    const creditsUsd = Math.min(creditsLeft ?? 0, e.totalUsd);
    if (creditsLeft !== undefined) creditsLeft -= creditsUsd;
    if (onFreePlan && e.totalUsd > creditsUsd)
      notes.push(
        "the credits run out this month: the free plan ends with them, and the account closes unless upgraded",
      );
    months.push({
      month,
      plan: onFreePlan ? "free" : "paid",
      offers: offers.map((o) => o.name),
      scheduledHours: opts.scheduledHours,
      t4gHours: t4gHoursOf(usage),
      grossUsd: e.grossUsd,
      freeTierUsd: e.freeTierUsd,
      totalUsd: e.totalUsd,
      creditsUsd,
      creditsLeftUsd: creditsLeft ?? 0,
      netUsd: e.totalUsd - creditsUsd,
      withinBudget: e.totalUsd <= budgetUsd,
      charged: chargedOf(e).map(describeLine),
      notes,
    });
    // The alternatives, priced under the same offers. The names are fixed by the first month:
    // one that changes nothing there (no NAT instance to change, say) is left out.
    const alts = alternatives(show, opts, seedScheduleOptions(model, opts));
    if (alternativeNames === undefined) {
      const kept: typeof alts = [];
      for (const a of alts) if (!kept.some((k) => sameUsage(k.usage, a.usage))) kept.push(a);
      alternativeNames = kept.map((a) => a.name);
    }
    for (const a of alts) {
      if (!alternativeNames.includes(a.name)) continue;
      const total = estimate(a.usage, offers).totalUsd;
      const list = alternativeMonths.get(a.name) ?? [];
      list.push({ month, totalUsd: total, withinBudget: total <= budgetUsd });
      alternativeMonths.set(a.name, list);
    }
  }

  const n = model.nodes.machines.length;
  const type = model.nodes.aws.instanceType;
  const disk = model.nodes.aws.systemVolumeGb + model.nodes.aws.dataVolumeGb;
  const sessionHours = options.sessionHours ?? 4;
  const sessionTotal = (hours: number) => estimate(sessionUsage(n, type, disk, hours), []).totalUsd;
  const alwaysFree: readonly Offer[] = Object.values(OFFERS).filter((o: Offer) => o.alwaysFree === true);
  if (!current) throw new Error("the bill has no month");
  return {
    pricesDate: PRICES_DATE,
    now: options.now.toISOString(),
    account,
    budgetUsd,
    estimate: current,
    months,
    firstBreach: months.find((m) => !m.withinBudget)?.month ?? null,
    alwaysFree: alwaysFree.map((o) => o.name),
    alternatives: (alternativeNames ?? []).map((name) => {
      const ms = alternativeMonths.get(name) ?? [];
      return {
        name,
        totalUsd: ms[0]?.totalUsd ?? 0,
        months: ms,
        firstBreach: ms.find((m) => !m.withinBudget)?.month ?? null,
      };
    }),
    t4gHours: Math.max(...months.map((m) => m.t4gHours)),
    unexpected: unexpectedResources(all),
    session: {
      nodes: n,
      instanceType: type,
      perHourUsd: sessionTotal(1),
      hours: sessionHours,
      totalUsd: sessionTotal(sessionHours),
    },
  };
}

export const usd = (n: number): string => `$${n.toFixed(n < 1 ? 4 : 2)}`;

/** One line item as a reader checks it: where, how much of what, at which price, after the free tier. */
export function describeLine(l: LineItem): string {
  const q = l.quantity >= 1 || l.quantity === 0 ? l.quantity.toFixed(1) : l.quantity.toPrecision(2);
  return `${l.address}: ${q} × ${usd(l.unitUsd)} per ${l.unit} = ${usd(l.grossUsd)}${l.freeUsd ? `, free ${usd(l.freeUsd)}` : ""} → ${usd(l.netUsd)} (${l.why})`;
}

function chargedOf(e: Estimate): LineItem[] {
  return e.lines.filter((l) => l.netUsd > 0).sort((a, b) => b.netUsd - a.netUsd);
}

/** This month's line items that cost something after the free tier, dearest first. */
export function chargedLines(bill: Bill): LineItem[] {
  return chargedOf(bill.estimate);
}

/** One month against the budget, as one line: the month, its offers, spend, credits and verdict. */
export function describeMonth(m: MonthBill, budgetUsd: number): string {
  const credits =
    m.creditsUsd > 0
      ? ` (credits pay ${usd(m.creditsUsd)}, ${usd(m.creditsLeftUsd)} left; the card ${usd(m.netUsd)})`
      : "";
  return `${m.month}${m.plan === "free" ? " free plan" : ""}: spend ${usd(m.totalUsd)} ${m.withinBudget ? "✓" : "✗"} budget ${usd(budgetUsd)}${credits}; offers: ${m.offers.join(", ") || "none"}`;
}

/** Whether a month keeps to the budget, and if not, the line items that break it. */
export function monthVerdict(bill: Bill, m: MonthBill): { ok: boolean; message: string } {
  const head = `${m.month}: projected spend ${usd(m.totalUsd)} (gross ${usd(m.grossUsd)}, free tier ${usd(m.freeTierUsd)}; credits would pay ${usd(m.creditsUsd)}), budget ${usd(bill.budgetUsd)}, account opened ${bill.account.opened} on the ${m.plan} plan, offers: ${m.offers.join(", ") || "none"}`;
  if (m.withinBudget) return { ok: true, message: head };
  return { ok: false, message: [`${head}; what breaks it:`, ...m.charged.map((l) => `  ${l}`)].join("\n") };
}

/** Whether every month of the bill keeps to the budget, and if not, the first that does not. */
export function budgetVerdict(bill: Bill): { ok: boolean; message: string } {
  const breach = bill.months.find((m) => !m.withinBudget);
  if (!breach)
    return {
      ok: true,
      message: `all ${bill.months.length} months from ${bill.months[0]?.month ?? "?"} within ${usd(bill.budgetUsd)}`,
    };
  return monthVerdict(bill, breach);
}
