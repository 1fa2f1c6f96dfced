// The lab clock: the time the lab's scheduler (lab/schedules.ts) reads to carry out the
// emulator's schedules. It stands still unless moved (`npm run lab:clock`, or a spec through
// its fixture), so no schedule fires behind a run's back and no verdict depends on the day
// the suite runs. `lab up` sets it from the kit's one clock (model/clock.ts: MOON_NOW, else
// the host's time).
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Model } from "../model/index.ts";

export const clockFile = (model: Model) => join(model.lab.stateDir, "clock.json");

/** The lab's time now; undefined before `lab up` set it. */
export function readLabClock(model: Model): Date | undefined {
  const f = clockFile(model);
  if (!existsSync(f)) return undefined;
  const { now } = JSON.parse(readFileSync(f, "utf8")) as { now: string };
  const at = new Date(now);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/** Sets the lab's time (to the minute's start or any moment); written whole, since the scheduler reads it. */
export function setLabClock(model: Model, at: Date): void {
  if (Number.isNaN(at.getTime())) throw new Error("the lab clock cannot be set to an invalid date");
  const f = clockFile(model);
  writeFileSync(`${f}.tmp`, JSON.stringify({ now: at.toISOString() }));
  renameSync(`${f}.tmp`, f);
}

/** "90s", "15m", "2h", "1d" in milliseconds; undefined when it is none of these. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+)(s|m|h|d)$/.exec(text.trim());
  if (!m) return undefined;
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as "s" | "m" | "h" | "d"];
  return Number(m[1]) * unit;
}
