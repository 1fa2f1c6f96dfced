// Month-to-date cost from Cost Explorer, as spec 08 reads it: one request shape for the
// whole month (so the lab's emulator, which answers each distinct request once from a
// queue, gives every reader the same answer), and the lab's data derived from the bill.
import {
  GetCostAndUsageCommand,
  type CostExplorerClient,
  type GetCostAndUsageCommandInput,
  type ResultByTime,
} from "@aws-sdk/client-cost-explorer";
import type { Bill } from "./bill.ts";

const METRIC = "UnblendedCost";
const day = (d: Date) => d.toISOString().slice(0, 10);

function monthOf(now: Date): { start: Date; end: Date } {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return { start, end };
}

/** This month, by service. The end is the month's end, so the request is the same all month. */
export function monthToDateRequest(now: Date): GetCostAndUsageCommandInput {
  const { start, end } = monthOf(now);
  return {
    TimePeriod: { Start: day(start), End: day(end) },
    Granularity: "MONTHLY",
    Metrics: [METRIC],
    GroupBy: [{ Type: "DIMENSION", Key: "SERVICE" }],
    // Spend, not what credits paid: an account on credits would otherwise read $0.
    Filter: { Not: { Dimensions: { Key: "RECORD_TYPE", Values: ["Credit", "Refund"] } } },
  };
}

export interface MonthToDate {
  readonly totalUsd: number;
  readonly byService: Readonly<Record<string, number>>;
  readonly estimated: boolean;
}

export async function readMonthToDate(ce: CostExplorerClient, now: Date): Promise<MonthToDate> {
  const out = await ce.send(new GetCostAndUsageCommand(monthToDateRequest(now)));
  const period = out.ResultsByTime?.[0];
  if (!period) throw new Error("Cost Explorer returned no period for this month");
  const asked = monthToDateRequest(now).TimePeriod?.Start;
  if (period.TimePeriod?.Start !== asked)
    throw new Error(
      `Cost Explorer answered for the period from ${period.TimePeriod?.Start ?? "?"}, not this month (${asked ?? "?"}); in the lab, a lab brought up last month: run lab up again`,
    );
  const byService: Record<string, number> = {};
  for (const g of period.Groups ?? []) {
    const name = g.Keys?.[0] ?? "?";
    byService[name] = (byService[name] ?? 0) + Number(g.Metrics?.[METRIC]?.Amount ?? "0");
  }
  return {
    totalUsd: Object.values(byService).reduce((a, b) => a + b, 0),
    byService,
    estimated: period.Estimated ?? false,
  };
}

/** A whole GetCostAndUsage answer, the unit the emulator's queue holds. */
export interface CostAndUsageResponse {
  readonly ResultsByTime: ResultByTime[];
  readonly GroupDefinitions: { Type: "DIMENSION"; Key: string }[];
  readonly DimensionValueAttributes: [];
}

/** The share of the month gone by at `now`. */
export function monthElapsed(now: Date): number {
  const { start, end } = monthOf(now);
  return (now.getTime() - start.getTime()) / (end.getTime() - start.getTime());
}

/**
 * What Cost Explorer would answer for the lab's plan so far this month: each service's
 * share of the bill, pro rata of the month gone by. Services with no charge are left out,
 * as Cost Explorer leaves them out.
 */
export function monthToDateResponse(bill: Bill, now: Date): CostAndUsageResponse {
  const { start, end } = monthOf(now);
  const share = monthElapsed(now);
  const byService = new Map<string, number>();
  for (const l of bill.estimate.lines)
    byService.set(l.service, (byService.get(l.service) ?? 0) + l.netUsd * share);
  return {
    ResultsByTime: [
      {
        TimePeriod: { Start: day(start), End: day(end) },
        Total: {},
        Groups: [...byService]
          .filter(([, usd]) => usd > 0)
          .map(([service, usd]) => ({
            Keys: [service],
            Metrics: { [METRIC]: { Amount: usd.toFixed(10), Unit: "USD" } },
          })),
        Estimated: true,
      },
    ],
    GroupDefinitions: [{ Type: "DIMENSION", Key: "SERVICE" }],
    DimensionValueAttributes: [],
  };
}

/** Loads the lab's month-to-date data into the emulator (moto's Cost Explorer answers from it). */
export async function loadIntoEmulator(emulatorUrl: string, bill: Bill, now: Date): Promise<void> {
  const r = await fetch(`${emulatorUrl}/moto-api/static/ce/cost-and-usage-results`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ results: [monthToDateResponse(bill, now)] }),
  });
  if (r.status !== 201)
    throw new Error(`the emulator refused the Cost Explorer data: HTTP ${r.status} ${await r.text()}`);
}
