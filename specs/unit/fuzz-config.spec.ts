// A fuzz spec of the override file (issue 20): thousands of hostile configs built from the
// model's own shape — wrong types, boundary numbers, injection strings in every string
// field, deep nesting, prototype keys — each either refused with problems (a ModelError,
// never another exception) or accepted; an accepted one must then generate files that
// bash, shellcheck, tofu fmt and the YAML parser accept, with no model value unquoted in a
// script. The seed is fixed (MOON_FUZZ_SEED changes it), so a run is reproducible.
import { expect, test } from "@playwright/test";
import fc from "fast-check";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { run } from "../../common/exec.ts";
import { generateFiles } from "../../generators/index.ts";
import { shq } from "../../generators/writers/shell.ts";
import {
  DEFAULT_MODEL,
  mergeModel,
  ModelError,
  REPO_ROOT,
  validateModel,
  type Model,
} from "../../model/index.ts";
import { toolPaths, tofuEnv } from "../../setup/tools.ts";

const RUNS = Number(process.env.MOON_FUZZ_RUNS ?? 10000);
const SEED = Number(process.env.MOON_FUZZ_SEED ?? 20261204);

/** Every settable path of the defaults: objects, lists and leaves, as key lists. */
function paths(v: unknown, at: readonly string[] = []): (readonly string[])[] {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return [at];
  return [at, ...Object.entries(v).flatMap(([k, x]) => paths(x, [...at, k]))].filter((p) => p.length > 0);
}
const PATHS = paths(DEFAULT_MODEL);

function valueAt(path: readonly string[]): unknown {
  let v: unknown = DEFAULT_MODEL;
  for (const k of path) v = (v as Record<string, unknown>)[k];
  return v;
}

// What a hostile user types: code for each language a value lands in, paths out, control
// characters, look-alike unicode, and strings at and past every bound.
const INJECTIONS = [
  "$(touch /tmp/moon-fuzz)",
  "`id`",
  '"; echo hi; "',
  "'; echo hi; '",
  "${var.x}",
  "%{ if true }x%{ endif }",
  "a\nb",
  "a\u0000b",
  "../../../tmp/x",
  "/etc/passwd",
  "x: y\n- z",
  "{{ .Values }}",
  "mönd",
  "ＭＯＯＮ",
  "",
  " ",
  "-",
  "a".repeat(64),
  "a".repeat(300),
  "a".repeat(5000),
  "10.20.0.0/16; rm -rf /",
  "::1/128",
  "ff02::1/128",
  "0 10 * * 6 `id`",
  "Europe/Paris\n",
  "https://quay.io/$(id)",
];

const leafValue = (example: unknown): fc.Arbitrary<unknown> =>
  fc.oneof(
    // Wrong types and boundary numbers.
    fc.constantFrom<unknown>(null, true, false, 0, -0, -1, 1, 0.5, 65535, 65536, 2 ** 31, 2 ** 53 + 2, 1e308),
    fc.constantFrom<unknown>(Infinity, -Infinity, NaN),
    fc.constantFrom(...INJECTIONS),
    fc.string({ maxLength: 40 }),
    fc.string({ unit: "grapheme", maxLength: 20 }),
    fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.integer()), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom("a", "toString", "__proto__", "constructor"), fc.string({ maxLength: 4 }), {
      maxKeys: 2,
    }),
    // Plausible values, so that accepted configs are common too: the default, or close to it.
    { weight: 8, arbitrary: plausible(example) },
  );

function plausible(example: unknown): fc.Arbitrary<unknown> {
  if (typeof example === "string")
    return fc.oneof(
      { weight: 4, arbitrary: fc.constant(example) },
      fc.constantFrom(`${example}x`, `x${example}`, example.toUpperCase(), example.slice(1)),
    );
  if (typeof example === "number")
    return fc.oneof(
      { weight: 4, arbitrary: fc.constant(example) },
      fc.integer({ min: -3, max: 3 }).map((d) => example + d),
      fc.constant(example * 2),
    );
  // A copy: the config is built by assigning into it, and the defaults are frozen.
  return fc.constant(example).map((v) => structuredClone(v));
}

/** Deep nesting: an object nested up to 40 levels. */
const deep = fc.integer({ min: 1, max: 40 }).map((n) => {
  let v: unknown = "x";
  for (let i = 0; i < n; i++) v = { k: v };
  return v;
});

/** One hostile config: one to three settings, each set at a path the defaults have (or one they do not). */
const configs: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc
      .array(
        fc
          .tuple(fc.constantFrom(...PATHS), fc.integer({ min: 0, max: 15 }))
          .chain(([path, roll]) =>
            fc
              .oneof({ weight: 12, arbitrary: leafValue(valueAt(path)) }, { weight: 1, arbitrary: deep })
              .map((value) => ({ path: roll === 0 ? [...path, "extra"] : path, value })),
          ),
        { minLength: 1, maxLength: 3 },
      )
      .map((sets) => {
        const config: Record<string, unknown> = {};
        for (const { path, value } of sets) {
          let at = config;
          path.forEach((k, i) => {
            if (i === path.length - 1) at[k] = value;
            else {
              const next = at[k];
              at =
                typeof next === "object" && next !== null && !Array.isArray(next)
                  ? (next as Record<string, unknown>)
                  : (at[k] = {});
            }
          });
        }
        return config;
      }),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(null, [], "moon", 7, true, JSON.parse('{"__proto__": {"x": 1}}')),
  },
);

interface Outcome {
  refused: number;
  accepted: number;
  readonly unique: Map<string, { path: string; content: string }>;
  readonly unquoted: string[];
}

const isScript = (path: string, content: string) =>
  path.endsWith(".sh") || content.startsWith("#!/bin/bash") || content.startsWith("#cloud-boothook");

function stringValues(v: unknown): string[] {
  if (Array.isArray(v)) return v.flatMap(stringValues);
  if (typeof v === "object" && v !== null) return Object.values(v).flatMap(stringValues);
  return typeof v === "string" ? [v] : [];
}

/** A model value in a script must appear only as the shell quotes it. */
function unquotedValues(model: Model, path: string, script: string): string[] {
  return stringValues(model)
    .filter((v) => v.length >= 2 && shq(v) !== v && script.includes(v))
    .filter((v) => script.split(shq(v)).join("").includes(v))
    .map((v) => `${path}: ${JSON.stringify(v)}`);
}

test("thousands of hostile configs: each refused with problems, or accepted and generating valid files", () => {
  test.setTimeout(180_000);
  const outcome: Outcome = { refused: 0, accepted: 0, unique: new Map(), unquoted: [] };
  const started = performance.now();
  fc.assert(
    fc.property(configs, (config) => {
      let model: Model;
      try {
        model = validateModel(mergeModel(DEFAULT_MODEL, config));
      } catch (e) {
        if (!(e instanceof ModelError))
          throw new Error(`${JSON.stringify(config)} threw ${String(e)}`, { cause: e });
        // Plain checks in this loop: it runs thousands of times.
        if (e.problems.length === 0 || e.problems.some((p) => p.path === "" || p.fix === ""))
          throw new Error(`${JSON.stringify(config)}: a refusal without a path or a fix: ${e.message}`, {
            cause: e,
          });
        outcome.refused++;
        return;
      }
      outcome.accepted++;
      for (const f of generateFiles(model)) {
        const key = createHash("sha256").update(f.path).update(f.content).digest("hex");
        if (!outcome.unique.has(key)) outcome.unique.set(key, { path: f.path, content: f.content });
        if (isScript(f.path, f.content)) outcome.unquoted.push(...unquotedValues(model, f.path, f.content));
      }
    }),
    { numRuns: RUNS, seed: SEED },
  );
  const seconds = (performance.now() - started) / 1000;
  const files = [...outcome.unique.values()];
  const summary = `${RUNS} configs (seed ${SEED}): ${outcome.refused} refused, ${outcome.accepted} accepted, ${files.length} distinct files generated, in ${seconds.toFixed(1)} s`;
  console.log(`[fuzz] ${summary}`);
  test.info().annotations.push({ type: "fuzz", description: summary });
  expect(outcome.refused + outcome.accepted).toBe(RUNS);
  expect(outcome.accepted, "some hostile configs are plausible enough to be accepted").toBeGreaterThan(
    RUNS / 20,
  );
  expect(outcome.refused, "most are refused").toBeGreaterThan(RUNS / 2);
  expect(outcome.unquoted, "model values unquoted in a generated script").toEqual([]);

  // The accepted configs' distinct outputs, checked by the tools that read them.
  const dir = mkdtempSync(join(tmpdir(), "moon-fuzz-"));
  try {
    const scripts: string[] = [];
    const hcl: string[] = [];
    files.forEach((f, i) => {
      const name = join(dir, String(i), f.path);
      mkdirSync(join(name, ".."), { recursive: true });
      writeFileSync(name, f.content);
      if (isScript(f.path, f.content)) scripts.push(name);
      if (f.path.endsWith(".tf")) hcl.push(name);
      if (/\.ya?ml$/.test(f.path)) {
        const errors = parseAllDocuments(f.content).flatMap((d) => d.errors.map((e) => e.message));
        expect(errors, `${f.path} is YAML`).toEqual([]);
      }
    });
    expect(scripts.length).toBeGreaterThan(0);
    for (const s of scripts) {
      const r = run(["bash", "-n", s], { allowFailure: true });
      expect(r.code, `bash -n ${s}: ${r.stderr}`).toBe(0);
    }
    const shellcheck = "/usr/bin/shellcheck";
    if (existsSync(shellcheck)) {
      const r = run([shellcheck, "--severity=style", ...scripts], { allowFailure: true });
      expect(r.code, `shellcheck:\n${r.stdout}`).toBe(0);
    } else
      test.info().annotations.push({ type: "skipped check", description: "shellcheck is not installed" });
    const { tofu } = toolPaths(DEFAULT_MODEL);
    if (existsSync(tofu)) {
      const r = run([tofu, "fmt", "-check", "-recursive", dir], {
        env: tofuEnv(DEFAULT_MODEL),
        allowFailure: true,
      });
      expect(r.code, `tofu fmt -check:\n${r.stdout}${r.stderr}`).toBe(0);
    } else
      test
        .info()
        .annotations.push({ type: "skipped check", description: `OpenTofu is not installed at ${tofu}` });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a refused config writes nothing: generate exits 2 with the problems and the tree unchanged", () => {
  const status = () =>
    run(["git", "status", "--porcelain", "--", "infra", "gitops", "demo"], { cwd: REPO_ROOT }).stdout;
  const before = status();
  const dir = mkdtempSync(join(tmpdir(), "moon-fuzz-cli-"));
  try {
    const samples = fc.sample(configs, { numRuns: 40, seed: SEED }).filter((c) => {
      try {
        validateModel(mergeModel(DEFAULT_MODEL, c));
        return false;
      } catch {
        return true;
      }
    });
    for (const [i, config] of samples.slice(0, 3).entries()) {
      const file = join(dir, `${i}.json`);
      writeFileSync(file, JSON.stringify(config));
      const r = run(["npx", "tsx", "generators/cli.ts"], {
        cwd: REPO_ROOT,
        env: { ...process.env, MOON_CONFIG: file },
        allowFailure: true,
      });
      expect(r.code, `${JSON.stringify(config)}: exit code`).toBe(2);
      expect(r.stderr).toMatch(/nothing was written/);
      expect(r.stderr, "no stack trace").not.toMatch(/^\s+at /m);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  expect(status(), "the generated tree is unchanged").toBe(before);
});
