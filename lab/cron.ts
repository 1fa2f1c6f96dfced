// Schedule expressions as AWS reads them, for the lab's scheduler (lab/schedules.ts), which
// carries out the emulator's schedules on the lab clock:
// - Auto Scaling's scheduled actions: Unix cron, five fields (minute hour day-of-month month
//   day-of-week, 0 or 7 = Sunday), read in the action's time zone
//   (https://docs.aws.amazon.com/autoscaling/ec2/userguide/scale-your-group-on-a-schedule.html);
// - EventBridge Scheduler: cron(minutes hours day-of-month month day-of-week year) with "?"
//   in one of the day fields and weekdays 1-7 = SUN-SAT, or at(yyyy-mm-ddThh:mm:ss), read in
//   the schedule's time zone (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html).
// What the lab cannot read (L, W, #, rate()) is refused with the reason, never guessed.

export interface CronSpec {
  readonly minute: ReadonlySet<number>;
  readonly hour: ReadonlySet<number>;
  readonly dayOfMonth: ReadonlySet<number> | "any";
  readonly month: ReadonlySet<number>;
  /** 0 = Sunday. */
  readonly dayOfWeek: ReadonlySet<number> | "any";
  readonly year: ReadonlySet<number> | "any";
}

export type ScheduleExpression =
  { readonly kind: "cron"; readonly spec: CronSpec } | { readonly kind: "at"; readonly wall: WallClock };

/** A field that does not restrict (Scheduler's "?", a year of "*"). */
const ANY: ReadonlySet<number> = new Set<number>();
const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/** A field's values: *, n, a-b, each with an optional /step, in a comma list; names by index + offset. */
function field(
  text: string,
  what: string,
  min: number,
  max: number,
  names: readonly string[] = [],
  nameBase = 0,
): Set<number> | string {
  const out = new Set<number>();
  const value = (t: string): number | undefined => {
    const i = names.indexOf(t.toUpperCase());
    if (i >= 0) return i + nameBase;
    return /^\d+$/.test(t) ? Number(t) : undefined;
  };
  for (const part of text.split(",")) {
    if (part.split("/").length > 2 || (part.split("/")[0] ?? "").split("-").length > 2)
      return `${what} "${text}": "${part}" has more than one range or step`;
    const [range = "", stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1)
      return `${what} "${text}": step "${stepText ?? ""}" is not a whole number ≥ 1`;
    let a: number | undefined;
    let b: number | undefined;
    if (range === "*") [a, b] = [min, max];
    else {
      const [from = "", to] = range.split("-");
      a = value(from);
      b = to === undefined ? (stepText === undefined ? a : max) : value(to);
    }
    if (a === undefined || b === undefined || a < min || b > max || a > b)
      return `${what} "${text}": "${part}" is not a value or range within ${min}-${max} the lab reads (L, W and # are not read)`;
    for (let v = a; v <= b; v += step) out.add(v);
  }
  return out;
}

/** Auto Scaling's five-field Unix cron. */
export function parseUnixCron(expr: string): CronSpec | string {
  const f = expr.trim().split(/\s+/);
  if (f.length !== 5) return `"${expr}" does not have five fields`;
  const [mi = "", h = "", dom = "", mo = "", dow = ""] = f;
  const minute = field(mi, "minute", 0, 59);
  const hour = field(h, "hour", 0, 23);
  const dayOfMonth = field(dom, "day-of-month", 1, 31);
  const month = field(mo, "month", 1, 12, MONTHS, 1);
  const days = field(dow, "day-of-week", 0, 7, DAYS, 0);
  for (const x of [minute, hour, dayOfMonth, month, days]) if (typeof x === "string") return x;
  const week = new Set([...(days as Set<number>)].map((d) => d % 7));
  // Unix cron: a day field that starts with * does not restrict, so only the other one does
  // (Vixie cron's rule; Auto Scaling documents nothing else).
  return {
    minute: minute as Set<number>,
    hour: hour as Set<number>,
    dayOfMonth: dom.startsWith("*") ? "any" : (dayOfMonth as Set<number>),
    month: month as Set<number>,
    dayOfWeek: dow.startsWith("*") ? "any" : week,
    year: "any",
  };
}

/** EventBridge Scheduler's cron(...) or at(...); rate() is not read. */
export function parseSchedulerExpression(expr: string): ScheduleExpression | string {
  const at = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/.exec(expr.trim());
  if (at) {
    const [year, month, day, hour, minute] = at.slice(1, 6).map(Number) as [
      number,
      number,
      number,
      number,
      number,
    ];
    return { kind: "at", wall: { year, month, day, hour, minute, weekday: -1 } };
  }
  const m = /^cron\((.*)\)$/.exec(expr.trim());
  if (!m) return `"${expr}" is not cron(...) or at(...) (the lab does not carry out rate())`;
  const f = (m[1] ?? "").trim().split(/\s+/);
  if (f.length !== 6) return `"${expr}" does not have six fields`;
  const [mi = "", h = "", dom = "", mo = "", dow = "", y = ""] = f;
  if ((dom === "?") === (dow === "?"))
    return `"${expr}": exactly one of day-of-month and day-of-week must be "?"`;
  const minute = field(mi, "minutes", 0, 59);
  const hour = field(h, "hours", 0, 23);
  const dayOfMonth = dom === "?" ? ANY : field(dom, "day-of-month", 1, 31);
  const month = field(mo, "month", 1, 12, MONTHS, 1);
  // Scheduler counts the week from 1 = Sunday.
  const days = dow === "?" ? ANY : field(dow, "day-of-week", 1, 7, DAYS, 1);
  const year = y === "*" ? ANY : field(y, "year", 1970, 2199);
  for (const x of [minute, hour, dayOfMonth, month, days, year]) if (typeof x === "string") return x;
  return {
    kind: "cron",
    spec: {
      minute: minute as Set<number>,
      hour: hour as Set<number>,
      dayOfMonth: dayOfMonth === ANY ? "any" : (dayOfMonth as Set<number>),
      month: month as Set<number>,
      dayOfWeek: days === ANY ? "any" : new Set([...(days as Set<number>)].map((d) => d - 1)),
      year: year === ANY ? "any" : (year as Set<number>),
    },
  };
}

export interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  /** 0 = Sunday. */
  readonly weekday: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** The wall clock in a time zone at a moment. */
export function wallClock(ms: number, timeZone: string): WallClock {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      weekday: "short",
    });
    formats.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: DAYS.indexOf(String(parts.weekday).toUpperCase()),
  };
}

export function matches(spec: CronSpec, w: WallClock): boolean {
  if (!spec.minute.has(w.minute) || !spec.hour.has(w.hour) || !spec.month.has(w.month)) return false;
  if (spec.year !== "any" && !spec.year.has(w.year)) return false;
  const dom = spec.dayOfMonth === "any" ? undefined : spec.dayOfMonth.has(w.day);
  const dow = spec.dayOfWeek === "any" ? undefined : spec.dayOfWeek.has(w.weekday);
  // Both restricted: either day matches (Unix cron); one restricted: that one; none: every day.
  if (dom !== undefined && dow !== undefined) return dom || dow;
  return dom ?? dow ?? true;
}

const MINUTE = 60_000;

function due(expr: ScheduleExpression, w: WallClock): boolean {
  if (expr.kind === "cron") return matches(expr.spec, w);
  const a = expr.wall;
  return (
    w.year === a.year && w.month === a.month && w.day === a.day && w.hour === a.hour && w.minute === a.minute
  );
}

const sameWall = (a: WallClock, b: WallClock) =>
  a.year === b.year && a.month === b.month && a.day === b.day && a.hour === b.hour && a.minute === b.minute;

/** Whether the wall time at t already occurred in the hour before (clocks set back: 30 or 60 minutes). */
function repeated(t: number, w: WallClock, timeZone: string): boolean {
  return [30, 60].some((m) => sameWall(wallClock(t - m * MINUTE, timeZone), w));
}

/**
 * The minutes in (after, until] at which an expression fires, read in a time zone, oldest
 * first. Minute by minute on the real timeline, so a wall time skipped by a DST change never
 * fires, and a wall time repeated when the clocks go back fires once, the first time:
 * EventBridge Scheduler "runs only once and doesn't repeat its invocation"
 * (https://repost.aws/knowledge-center/eventbridge-scheduler-adjust-dst). Auto Scaling says
 * only that its actions adjust for DST; the lab reads it the same way.
 */
export function* firings(
  expr: ScheduleExpression,
  timeZone: string,
  after: number,
  until: number,
): Generator<number> {
  for (let t = Math.floor(after / MINUTE) * MINUTE + MINUTE; t <= until; t += MINUTE) {
    const w = wallClock(t, timeZone);
    if (due(expr, w) && !repeated(t, w, timeZone)) yield t;
  }
}

/** The first minute after a moment at which an expression fires, within a horizon (8 days: a week and a day). */
export function nextFiring(
  expr: ScheduleExpression,
  timeZone: string,
  after: number,
  horizonMs = 8 * 24 * 60 * MINUTE,
): number | undefined {
  for (const t of firings(expr, timeZone, after, after + horizonMs)) return t;
  return undefined;
}
