// Month-to-date cost from Cost Explorer, as spec 08 and `lab up` read it: one request for the
// whole month, by service, without credits and refunds. On aws it reads the real bill; in the
// lab the emulator answers it from the usage it observed (lab/moto_lab.py, cost/README.md).
import {
  GetCostAndUsageCommand,
  type CostExplorerClient,
  type GetCostAndUsageCommandInput,
} from "@aws-sdk/client-cost-explorer";

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
      `Cost Explorer answered for the period from ${period.TimePeriod?.Start ?? "?"}, not this month (${asked ?? "?"})`,
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
