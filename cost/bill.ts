// The projected bill of a plan as the CLI, the lab and spec 08 all read it: the estimate
// under the model's free-tier profile, every profile's total, the alternatives, an
// experiment session, and the checks SPEC §4 row 08 makes of it.
import type { Model } from "../model/index.ts";
import { usageOptions } from "./options.ts";
import {
  alternatives,
  estimate,
  resources,
  sessionUsage,
  usageOf,
  type Estimate,
  type LineItem,
  type TofuShow,
} from "./model.ts";
import { FREE_TIER_PROFILES, PRICES_DATE, type FreeTierProfile } from "./prices.ts";
import { unexpectedResources, type ResourceFinding } from "./services.ts";

export interface Bill {
  readonly pricesDate: string;
  readonly profile: FreeTierProfile;
  readonly budgetUsd: number;
  readonly estimate: Estimate;
  readonly byProfile: Readonly<Record<FreeTierProfile, number>>;
  readonly alternatives: readonly { readonly name: string; readonly totalUsd: number }[];
  /** Instance-hours a month of every t4g type together (the trial pools 750 of them). */
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

export function projectBill(
  model: Model,
  show: TofuShow,
  profile: FreeTierProfile = model.budget.freeTierProfile,
  sessionHours = 4,
): Bill {
  const opts = usageOptions(model);
  const usage = usageOf(show, opts);
  const all = resources(show.planned_values?.root_module ?? show.values?.root_module).filter(
    (r) => r.mode !== "data",
  );
  const n = model.nodes.machines.length;
  const type = model.nodes.aws.instanceType;
  const disk = model.nodes.aws.systemVolumeGb + model.nodes.aws.dataVolumeGb;
  const sessionTotal = (hours: number) => estimate(sessionUsage(n, type, disk, hours), "none").totalUsd;
  return {
    pricesDate: PRICES_DATE,
    profile,
    budgetUsd: model.budget.monthlyUsd,
    estimate: estimate(usage, profile),
    byProfile: Object.fromEntries(FREE_TIER_PROFILES.map((p) => [p, estimate(usage, p).totalUsd])) as Record<
      FreeTierProfile,
      number
    >,
    alternatives: alternatives(usage, opts).map((a) => ({
      name: a.name,
      totalUsd: estimate(a.usage, profile).totalUsd,
    })),
    t4gHours: usage
      .filter((u) => u.kind === "instance" && (u.instanceType ?? "").startsWith("t4g."))
      .reduce((a, u) => a + u.quantity, 0),
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

/** The line items that cost something after the free tier, dearest first. */
export function chargedLines(bill: Bill): LineItem[] {
  return bill.estimate.lines.filter((l) => l.netUsd > 0).sort((a, b) => b.netUsd - a.netUsd);
}

/** Whether the bill keeps to the budget, and if not, the line items that break it. */
export function budgetVerdict(bill: Bill): { ok: boolean; message: string } {
  const ok = bill.estimate.totalUsd < bill.budgetUsd;
  const head = `projected ${usd(bill.estimate.totalUsd)} a month under the ${bill.profile} profile, budget ${usd(bill.budgetUsd)}`;
  if (ok) return { ok, message: head };
  return {
    ok,
    message: [`${head}; what breaks it:`, ...chargedLines(bill).map((l) => `  ${describeLine(l)}`)].join(
      "\n",
    ),
  };
}
