// The cost model's usage assumptions for a model: how long scheduled things run, and the
// traffic estimates the plan cannot show. Each is explained in cost/README.md.
import type { Model } from "../model/index.ts";
import type { UsageOptions } from "./model.ts";
import { HOURS_PER_MONTH } from "./prices.ts";

/** The model's schedule and the traffic a NAT gateway would see, as the model's usage options. */
export function usageOptions(model: Model): UsageOptions {
  return {
    scheduledHoursPerMonth: (model.bastion.schedule.targetHoursPerDay * HOURS_PER_MONTH) / 24,
    natGatewayGbPerMonth: 5,
    // About 300,000 records a month at ~130 bytes each: the NAT's public address draws the
    // internet's background scans while it runs, plus the lab's own flows (cost/README.md).
    flowLogGbPerMonth: 0.04,
    // The lab's applied state is about 150 kB; a write takes a state PUT and the lock file's
    // PUT and DELETE, a plan a few GETs. Sixty applies a month is a busy month.
    stateBackend: { kb: 150, putsPerMonth: 180, getsPerMonth: 400 },
  };
}
