// The override file's shape, checked against the defaults before any value is read: a
// hostile or mistaken config must end in a list of problems, never in a TypeError deep
// inside a generator. The defaults are the schema: each leaf keeps its default's type.
import type { Problem } from "./validate.ts";

/** Numbers that may have a fraction; every other number in the model is a whole number. */
const FRACTIONAL = new Set(["budget.monthlyUsd", "bastion.schedule.targetHoursPerDay"]);
/** Free-form maps: their keys are the user's, their values strings (AWS tags). */
const MAPS = new Set(["tags"]);
/** Leaves whose default is null take a string or null (set only on the targets that need them). */
const NULLABLE_TYPE = "string";

/** Bounds that keep a config small enough to read, render and print. */
export const SHAPE_LIMITS = {
  stringLength: 4096,
  arrayLength: 64,
  mapEntries: 40,
} as const;

type Add = (path: string, value: unknown, message: string, fix: string) => void;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function kind(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "an object";
  if (typeof v === "number" && !Number.isFinite(v)) return "a number that is not finite";
  return `a ${typeof v}`;
}

function describe(example: unknown): string {
  if (example === null) return "a string, or null";
  if (Array.isArray(example)) return "a list";
  if (typeof example === "object") return "an object";
  return `a ${typeof example}`;
}

function shown(v: unknown): unknown {
  if (typeof v === "string" && v.length > 80) return `${v.slice(0, 77)}…`;
  if (typeof v === "object" && v !== null) return Array.isArray(v) ? "(a list)" : "(an object)";
  if (typeof v === "number" && !Number.isFinite(v)) return String(v);
  return v;
}

function checkLeaf(example: unknown, value: unknown, path: string, add: Add): void {
  if (example === null) {
    if (value === null) return;
    if (typeof value !== NULLABLE_TYPE)
      add(
        path,
        shown(value),
        `is ${kind(value)}, not a string or null`,
        "write a string, or null to leave it unset",
      );
    else checkString(value as string, path, add);
    return;
  }
  if (typeof example !== typeof value || value === null) {
    add(
      path,
      shown(value),
      `is ${kind(value)}, not ${describe(example)}`,
      `write ${describe(example)}, as the default ${JSON.stringify(example)} is`,
    );
    return;
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) add(path, shown(value), "is not a finite number", "write a plain number");
    else if (!FRACTIONAL.has(path) && !Number.isInteger(value))
      add(path, value, "is not a whole number", `write a whole number, e.g. ${JSON.stringify(example)}`);
  } else if (typeof value === "string") checkString(value, path, add);
}

function checkString(value: string, path: string, add: Add): void {
  if (value.length > SHAPE_LIMITS.stringLength)
    add(
      path,
      shown(value),
      `is ${value.length} characters long`,
      `keep it under ${SHAPE_LIMITS.stringLength} characters`,
    );
}

function checkArray(example: readonly unknown[], value: unknown[], path: string, add: Add): void {
  if (value.length > SHAPE_LIMITS.arrayLength) {
    add(path, "(a list)", `has ${value.length} entries`, `keep it to ${SHAPE_LIMITS.arrayLength} or fewer`);
    return;
  }
  const element = example[0];
  // An empty default list would leave the elements untyped; the model has none.
  if (element === undefined) return;
  value.forEach((v, i) => {
    const p = `${path}[${i}]`;
    if (isPlainObject(element)) {
      if (!isPlainObject(v)) {
        add(p, shown(v), `is ${kind(v)}, not an object`, `write an object like ${JSON.stringify(element)}`);
        return;
      }
      // A list entry replaces nothing: it needs every key the default's entries have.
      for (const k of Object.keys(element))
        if (!Object.hasOwn(v, k))
          add(`${p}.${k}`, "(missing)", "is missing", `add it, as in ${JSON.stringify(element)}`);
      checkObject(element, v, p, add);
    } else checkLeaf(element, v, p, add);
  });
}

function checkMap(value: unknown, path: string, add: Add): void {
  if (!isPlainObject(value)) {
    add(
      path,
      shown(value),
      `is ${kind(value)}, not an object of names to strings`,
      'write e.g. {"Owner": "me"}',
    );
    return;
  }
  const entries = Object.entries(value);
  if (entries.length > SHAPE_LIMITS.mapEntries)
    add(
      path,
      "(an object)",
      `has ${entries.length} entries`,
      `keep it to ${SHAPE_LIMITS.mapEntries} or fewer`,
    );
  for (const [k, v] of entries) checkLeaf("", v, `${path}.${k}`, add);
}

function checkObject(
  example: Record<string, unknown>,
  value: Record<string, unknown>,
  path: string,
  add: Add,
): void {
  for (const k of Object.keys(value)) {
    const p = path ? `${path}.${k}` : k;
    // Own keys of the defaults only: `toString` or `__proto__` are not settings.
    if (!Object.hasOwn(example, k)) {
      add(p, "(override)", "is not a setting of the model", "check the spelling against model/README.md");
      continue;
    }
    const ex = example[k];
    const v = value[k];
    if (MAPS.has(p)) checkMap(v, p, add);
    else if (Array.isArray(ex)) {
      if (!Array.isArray(v))
        add(p, shown(v), `is ${kind(v)}, not a list`, `write a list, e.g. ${JSON.stringify(ex)}`);
      else checkArray(ex, v, p, add);
    } else if (isPlainObject(ex)) {
      if (!isPlainObject(v))
        add(
          p,
          shown(v),
          `is ${kind(v)}, not an object`,
          `write an object with some of the keys ${Object.keys(ex).join(", ")}`,
        );
      else checkObject(ex, v, p, add);
    } else checkLeaf(ex, v, p, add);
  }
}

/**
 * What is wrong with an override's shape, compared with the defaults it overrides: not a
 * plain JSON object, a key the model does not have, a value of another type, a number that
 * is not finite or not whole, a list or string beyond its bound. Empty when it can be merged.
 */
export function shapeProblems(defaults: object, overrides: unknown): Problem[] {
  const problems: Problem[] = [];
  const add: Add = (path, value, message, fix) => problems.push({ path, value, message, fix });
  if (!isPlainObject(overrides)) {
    add(
      "(the config)",
      shown(overrides),
      `is ${kind(overrides)}, not a JSON object`,
      'write an object of the settings to change, e.g. {"region": "eu-west-2"}, or {} for none',
    );
    return problems;
  }
  checkObject(defaults as Record<string, unknown>, overrides, "", add);
  return problems;
}
