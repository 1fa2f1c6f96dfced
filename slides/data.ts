// What the slides say in numbers, read from files the kit generated: the cost model's bill
// (reports/cost.json), the Allure report's summary and its history (reports/), and the
// model. Every number goes through `figure`, which records where it came from, so a spec
// can read each source again and check the slide still says what the source says.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { usd } from "../cost/bill.ts";
import { REPO_ROOT, type Model } from "../model/index.ts";

/** One number on a slide: its text, and the file and field it was read from. */
export interface Figure {
  readonly key: string;
  readonly text: string;
  /** A file under the repository, or "model" for the typed model. */
  readonly source: string;
  /** The field inside the source, as a dotted path (`estimate.totalUsd`). */
  readonly field: string;
  readonly format: Format;
  readonly value: number | string;
}

export const SOURCES = {
  cost: "reports/cost.json",
  summary: "reports/allure-report/summary.json",
  history: "reports/history/history.jsonl",
} as const;

/** How a figure's value becomes its text: the one formatting the build and the check share. */
export const FORMATS = {
  usd,
  int: (n: number) => String(Math.round(n)),
  hours: (n: number) => n.toFixed(0),
  minutes: (ms: number) => `${(ms / 60_000).toFixed(1)} min`,
  plain: (v: number | string) => String(v),
} as const;
export type Format = keyof typeof FORMATS;

export function formatValue(format: Format, value: number | string): string {
  return format === "plain" ? FORMATS.plain(value) : FORMATS[format](Number(value));
}

/** The value at a dotted path of a JSON document (array indices as numbers). */
export function fieldOf(doc: unknown, field: string): unknown {
  return field
    .split(".")
    .reduce<unknown>(
      (v, k) => (v === null || typeof v !== "object" ? undefined : (v as Record<string, unknown>)[k]),
      doc,
    );
}

export interface RunTotals {
  readonly when: string;
  readonly passed: number;
  readonly failed: number;
  readonly broken: number;
  readonly skipped: number;
}

/** Per-run totals from the Allure history (one JSON line per run). */
export function historyRuns(path = join(REPO_ROOT, SOURCES.history)): RunTotals[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const run = JSON.parse(line) as { timestamp: number; testResults: Record<string, { status: string }> };
      const count = (s: string) => Object.values(run.testResults).filter((r) => r.status === s).length;
      return {
        when: new Date(run.timestamp).toISOString().slice(0, 16).replace("T", " "),
        passed: count("passed"),
        failed: count("failed"),
        broken: count("broken"),
        skipped: count("skipped"),
      };
    });
}

/** The specs of the acceptance suite, by number and name, from specs/. */
export function specFiles(): { nn: string; name: string }[] {
  return readdirSync(join(REPO_ROOT, "specs"))
    .map((f) => /^(\d\d)-([a-z0-9-]+)\.spec\.ts$/.exec(f))
    .flatMap((m) => (m?.[1] && m[2] ? [{ nn: m[1], name: m[2].replace(/-/g, " ") }] : []));
}

export const SOURCE_NAMES = ["model", SOURCES.cost, SOURCES.summary, SOURCES.history, "specs/"] as const;
export type SourceName = (typeof SOURCE_NAMES)[number];

/** A source as a JSON document, read afresh: what the build reads and what the check re-reads. */
export function loadSource(source: SourceName, model: Model): unknown {
  switch (source) {
    case "model":
      return model;
    case "specs/":
      return { specs: specFiles() };
    case SOURCES.history:
      return { runs: historyRuns() };
    default: {
      const p = join(REPO_ROOT, source);
      return existsSync(p) ? (JSON.parse(readFileSync(p, "utf8")) as unknown) : undefined;
    }
  }
}

/** Collects the figures of one build, so the manifest lists every number on the slides. */
export class Figures {
  readonly all: Figure[] = [];
  private readonly docs = new Map<SourceName, unknown>();

  constructor(private readonly model: Model) {}

  /** The figure's text, wrapped so the rendered slide says which figure it is. */
  get(key: string, source: SourceName, field: string, format: Format = "plain"): string {
    const value = fieldOf(this.doc(source), field);
    if (typeof value !== "number" && typeof value !== "string")
      throw new Error(`${source}: ${field} is ${JSON.stringify(value)}, not a number or text`);
    if (this.all.some((x) => x.key === key)) throw new Error(`figure ${key} is on the slides twice`);
    const text = formatValue(format, value);
    this.all.push({ key, source, field, format, value, text });
    return `<span data-figure="${key}">${text}</span>`;
  }

  /** How many items a list of a source has. */
  length(source: SourceName, field: string): number {
    const list = fieldOf(this.doc(source), field);
    return Array.isArray(list) ? list.length : 0;
  }

  /** A field of a source that is not a number or text (a flag, a null), to choose words by; never shown as a figure. */
  value(source: SourceName, field: string): unknown {
    return fieldOf(this.doc(source), field);
  }

  /** Whether a source exists, so a slide can say what to run instead of showing a number. */
  has(source: SourceName): boolean {
    return this.doc(source) !== undefined;
  }

  /** A source, read once per build. */
  private doc(source: SourceName): unknown {
    if (!this.docs.has(source)) this.docs.set(source, loadSource(source, this.model));
    return this.docs.get(source);
  }
}
