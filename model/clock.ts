// The one clock the kit's verdicts read: the cost model's months, spec 08's bill checks and
// the model's check that an account was not opened in the future. MOON_NOW sets it (an ISO
// date or date-time, e.g. MOON_NOW=2027-01-15 npm run cost -- --lab), so a run can be
// priced as of any day; unset, it is the real time.

/** The environment variable that sets the clock. */
export const CLOCK_VARIABLE = "MOON_NOW";

/** What is wrong with a MOON_NOW value, in the model's problem shape (path, value, why, fix). */
export interface ClockProblem {
  readonly path: typeof CLOCK_VARIABLE;
  readonly value: string;
  readonly message: string;
  readonly fix: string;
}

// A date (2027-01-15), or a date and time with an optional zone (2027-01-15T12:00,
// 2027-01-15T12:00:00Z, 2027-01-15T12:00:00.000+01:00). Both are UTC unless a zone is given.
const ISO = /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)?(Z|[+-]\d{2}:\d{2})?$/;

/** The day MOON_NOW names, or why it names none. */
export function readClock(env: NodeJS.ProcessEnv = process.env): Date | ClockProblem {
  const text = env[CLOCK_VARIABLE];
  if (text === undefined || text === "") return new Date();
  const m = ISO.exec(text);
  // A time without a zone would be read in the machine's zone: read it as UTC instead.
  const date = new Date(m?.[4] !== undefined && m[5] === undefined ? `${text}Z` : text);
  // A real calendar day: Date would roll 2027-02-30 over to March.
  const real =
    m !== null &&
    !Number.isNaN(date.getTime()) &&
    new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).getUTCDate() === Number(m[3]) &&
    Number(m[2]) >= 1 &&
    Number(m[2]) <= 12;
  if (real) return date;
  return {
    path: CLOCK_VARIABLE,
    value: text,
    message: "is not an ISO date or date-time",
    fix: `unset it for the real time, or write a day such as ${CLOCK_VARIABLE}=2027-01-15 (or 2027-01-15T12:00:00Z)`,
  };
}

/** A MOON_NOW the clock cannot read. */
export class ClockError extends Error {
  constructor(readonly problem: ClockProblem) {
    super(`${problem.path} = ${JSON.stringify(problem.value)}: ${problem.message}. Fix: ${problem.fix}`);
    this.name = "ClockError";
  }
}

/** Now: MOON_NOW when it is set, else the real time. */
export function now(): Date {
  const c = readClock();
  if (c instanceof Date) return c;
  throw new ClockError(c);
}

/** The calendar month (UTC, as AWS bills) of a moment, as "YYYY-MM". */
export function monthOf(at: Date): string {
  return at.toISOString().slice(0, 7);
}
