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

/** The weekdays a cron weekday field names (0 = Sunday; 7 is Sunday too). */
function weekdaySet(dow: string): Set<number> {
  const days = new Set<number>();
  for (const part of dow.split(",")) {
    const [range = "", stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    const [a, b] = range === "*" ? [0, 6] : range.split("-").map(Number);
    if (a === undefined || Number.isNaN(a) || !(step >= 1)) continue;
    for (let d = a; d <= (b ?? a); d += step) days.add(d % 7);
  }
  return days;
}

const WEEKDAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] as const;

/**
 * A five-field recurrence as EventBridge Scheduler reads it, for the instances that keep the
 * bastion's hours (the nodes, the NAT instance): six fields with a year, "?" in one of
 * day-of-month and day-of-week, and weekdays by name, because Scheduler counts them from
 * 1 = Sunday where cron (and Auto Scaling) count from 0
 * (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#cron-based).
 * The modules' HCL makes the same translation; a unit spec holds the two together.
 */
export function schedulerCron(expr: string): string {
  // Day-of-month is * in every schedule the model accepts (it repeats weekly), so "?" loses nothing.
  const [minute = "", hour = "", , month = "", dow = ""] = expr.trim().split(/\s+/);
  const days = [...weekdaySet(dow)].sort((x, y) => x - y).map((d) => WEEKDAY_NAMES[d] ?? "");
  return `cron(${minute} ${hour} ? ${month} ${dow === "*" ? "*" : days.join(",")} *)`;
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
  const daysPerWeek = weekdaySet(a.dow).size;
  return { hoursPerRun, daysPerWeek, hoursPerDay: (hoursPerRun * daysPerWeek) / 7 };
}

/** The offset of a time zone from UTC at a moment, in milliseconds (Europe/Paris in July: +2 h). */
function zoneOffset(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(at));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? "0");
  return Date.UTC(n("year"), n("month") - 1, n("day"), n("hour"), n("minute"), n("second")) - at;
}

/** The moment a wall-clock time of a calendar day has in a time zone. */
function zonedMoment(year: number, month0: number, day: number, minutes: number, timeZone: string): number {
  const wall = Date.UTC(year, month0, day, 0, minutes);
  const first = wall - zoneOffset(wall, timeZone);
  // Near a daylight-saving change the offset at the guess and at the answer differ: use the answer's.
  return wall - zoneOffset(first, timeZone);
}

/**
 * The hours a start/stop pair runs in one calendar month ("YYYY-MM", UTC as AWS bills it):
 * every day whose weekday the recurrences name, each window from its start to its stop as
 * read in the schedule's time zone, counted where it falls inside the month. A month with
 * five Saturdays has five Saturday windows. Throws on a pair `readSchedule` cannot read.
 */
export function scheduledHoursIn(
  schedule: { readonly start: string; readonly stop: string; readonly timeZone: string },
  month: string,
): number {
  const reading = readSchedule(schedule.start, schedule.stop);
  if (typeof reading === "string") throw new Error(`the schedule cannot be read: ${reading}`);
  const a = clock(schedule.start);
  const b = clock(schedule.stop);
  if (typeof a === "string" || typeof b === "string") throw new Error("the schedule cannot be read");
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m) throw new Error(`${month} is not a month as YYYY-MM`);
  const year = Number(m[1]);
  const month0 = Number(m[2]) - 1;
  const from = Date.UTC(year, month0, 1);
  const to = Date.UTC(year, month0 + 1, 1);
  const days = weekdaySet(a.dow);
  let ms = 0;
  // From the day before (a window of its evening may reach into the month) to the last day.
  for (let day = 0; Date.UTC(year, month0, day) < to; day++) {
    if (!days.has(new Date(Date.UTC(year, month0, day)).getUTCDay())) continue;
    const start = zonedMoment(year, month0, day, a.minutes, schedule.timeZone);
    const stop = zonedMoment(
      year,
      month0,
      b.minutes > a.minutes ? day : day + 1,
      b.minutes,
      schedule.timeZone,
    );
    ms += Math.max(0, Math.min(stop, to) - Math.max(start, from));
  }
  return ms / 3_600_000;
}
