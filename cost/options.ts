// The cost model's usage assumptions for a model in one calendar month: how long that month
// is, how many hours the bastion's schedule runs in it, and the traffic estimates the plan
// cannot show. Each is explained in cost/README.md.
import { scheduledHoursIn, type Model } from "../model/index.ts";
import type { UsageOptions } from "./model.ts";

/** The hours of a calendar month ("YYYY-MM", UTC as AWS bills): its days × 24. */
export function hoursIn(month: string): number {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return new Date(Date.UTC(y, m, 0)).getUTCDate() * 24;
}

/**
 * The seed's schedule (SPEC §4 row 02: about 5 hours a day): every evening, 18:00 to 23:00 in
 * the model's time zone. The bill prices it as an alternative, whatever the model's schedule.
 */
export const SEED_SCHEDULE = { start: "0 18 * * *", stop: "0 23 * * *" } as const;

/** A NAT instance of its own, for the alternatives that add one: the smallest Graviton size and the AMI's 8 GB. */
export const SEPARATE_NAT = { instanceType: "t4g.nano", rootVolumeGb: 8 } as const;

/** The model's schedule and the traffic a NAT gateway would see, as usage options for a month. */
export function usageOptions(model: Model, month: string): UsageOptions {
  return {
    month,
    monthHours: hoursIn(month),
    scheduledHours: scheduledHoursIn(model.bastion.schedule, month),
    natGatewayGbPerMonth: 5,
    // Most records are the internet's background scans of the public address, so they come
    // while an address is held: the earlier estimate of 300,000 records of ~130 bytes (0.04 GB)
    // over the 152 h a month the NAT's address was held, per held hour (cost/README.md).
    flowLogGbPerPublicIpv4Hour: 0.04 / 152,
    // The lab's applied state is about 150 kB; a write takes a state PUT and the lock file's
    // PUT and DELETE, a plan a few GETs. Sixty applies a month is a busy month.
    stateBackend: { kb: 150, putsPerMonth: 180, getsPerMonth: 400 },
  };
}

/** The same month with the seed's schedule: 5 h every evening. */
export function seedScheduleOptions(model: Model, opts: UsageOptions): UsageOptions {
  return {
    ...opts,
    scheduledHours: scheduledHoursIn(
      { ...SEED_SCHEDULE, timeZone: model.bastion.schedule.timeZone },
      opts.month,
    ),
  };
}
