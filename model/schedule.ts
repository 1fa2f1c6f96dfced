// What a start/stop pair of recurrences means in hours: one reading shared by the model's
// validation, spec 02 (checking the scheduled actions AWS holds) and the cost model.

export interface ScheduleReading {
  /** Hours the bastion runs on a day it runs. */
  readonly hoursPerRun: number;
  /** Days a week it runs. */
  readonly daysPerWeek: number;
  /** Average hours a day over a week. */
  readonly hoursPerDay: number;
}

function clock(expr: string): { minutes: number; dom: string; month: string; dow: string } | string {
  const [minute, hour, dom, month, dow] = expr.trim().split(/\s+/);
  if (!minute || !hour || !dom || !month || !dow) return `"${expr}" does not have 5 fields`;
  if (!/^\d+$/.test(minute) || !/^\d+$/.test(hour))
    return `"${expr}" must fire once a day at a fixed time (one minute and one hour value)`;
  return { minutes: Number(hour) * 60 + Number(minute), dom, month, dow };
}

function weekdays(dow: string): number {
  if (dow === "*") return 7;
  const days = new Set<number>();
  for (const part of dow.split(",")) {
    const [range = "", stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    const [a, b] = range === "*" ? [0, 6] : range.split("-").map(Number);
    if (a === undefined || Number.isNaN(a) || !(step >= 1)) continue;
    for (let d = a; d <= (b ?? a); d += step) days.add(d % 7);
  }
  return days.size;
}

/** Reads a start/stop pair; returns why it cannot be read as a daily window otherwise. */
export function readSchedule(start: string, stop: string): ScheduleReading | string {
  const a = clock(start);
  const b = clock(stop);
  if (typeof a === "string") return a;
  if (typeof b === "string") return b;
  if (a.dom !== "*" || a.month !== "*" || b.dom !== "*" || b.month !== "*")
    return "day-of-month and month must be * (the schedule repeats weekly)";
  if (a.dow !== b.dow) return `start runs on weekdays "${a.dow}" but stop on "${b.dow}"`;
  const minutes = (b.minutes - a.minutes + 1440) % 1440;
  if (minutes === 0) return "start and stop are at the same time";
  // A window past midnight on chosen weekdays stops on the next day, which the stop's
  // weekdays may not include (Friday 22:00 would run to Monday): refuse rather than guess.
  if (b.minutes < a.minutes && a.dow !== "*")
    return "a window that crosses midnight must run every day (weekday field *)";
  const hoursPerRun = minutes / 60;
  const daysPerWeek = weekdays(a.dow);
  return { hoursPerRun, daysPerWeek, hoursPerDay: (hoursPerRun * daysPerWeek) / 7 };
}
