// `npm run live-demo -- [--rehearse] [--step N]`: the talk's live demo in the lab, step by
// step: setup, bring-up, a node netbooting, specs going green, the cost, the node off, the report.
//   --rehearse  runs every step, times it and records its output (reports/live-demo/)
//   (live)      runs every step against the clock of the last rehearsal; a step that fails
//               or overruns twice its rehearsed time is replaced by the replay of its
//               recording, so the talk goes on, and the next step runs live again.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { derived, loadModel, REPO_ROOT, runCommand, type Model } from "../model/index.ts";

export interface DemoStep {
  readonly title: string;
  /** What the audience should look at while it runs. */
  readonly say: string;
  readonly argv: readonly string[];
}

/** The demo's steps, from the model (the node's name comes from the lab's own naming). */
export function demoSteps(model: Model): DemoStep[] {
  const arm = derived(model).nodes.find((n) => n.arch === "arm64");
  return [
    {
      title: "setup",
      say: "every tool built from the Go module proxy and PyPI, cached: a no-op now",
      argv: ["npx", "tsx", "setup/setup.ts"],
    },
    {
      title: "lab up",
      say: "the emulator, tofu apply of infra/lab, the namespaces, the bastion booting its user data",
      argv: ["npx", "tsx", "lab/cli.ts", "up"],
    },
    {
      title: "a node netboots",
      say: `an ${arm?.arch ?? "arm64"} node: UEFI, DHCP from the bastion, GRUB, kernel and initrd from matchbox, its config by MAC`,
      argv: [
        "npx",
        "tsx",
        "lab/cli.ts",
        "node",
        "add",
        "--arch",
        arm?.arch ?? "arm64",
        "--role",
        arm?.role ?? "worker",
        "--wait",
      ],
    },
    {
      title: "the specs go green",
      say: "network, cost and exposure against the lab, with the evidence in the report",
      argv: ["npx", "playwright", "test", "--project=lab", "specs/01-", "specs/08-", "specs/09-"],
    },
    {
      title: "the cost",
      say: "the month's bill from the applied state, line by line, and what the alternatives would cost",
      argv: ["npx", "tsx", "cost/cli.ts", "--lab"],
    },
    {
      title: "the node powered off",
      say: "no QEMU process, tap device or folder left behind; the lab stays up",
      argv: ["npx", "tsx", "lab/cli.ts", "node", "rm", arm?.name ?? `${model.nodes.namePrefix}2`],
    },
    {
      title: "the report",
      say: "the Allure report with its history: the trend from red to green",
      argv: ["npx", "tsx", "reports/build.ts"],
    },
  ];
}

interface Line {
  readonly atMs: number;
  readonly text: string;
}
interface StepRecord {
  readonly title: string;
  readonly code: number;
  readonly ms: number;
  readonly lines: readonly Line[];
}
interface Recording {
  readonly recordedAt: string;
  readonly steps: readonly StepRecord[];
}

const RECORDING = join(REPO_ROOT, "reports", "live-demo", "recording.json");

function runStep(step: DemoStep, limitMs: number | undefined): Promise<StepRecord> {
  return new Promise((done) => {
    const start = Date.now();
    const lines: Line[] = [];
    const [cmd = "", ...args] = step.argv;
    // Its own process group, so an overrun stops the step and everything it started.
    const child = spawn(cmd, args, { cwd: REPO_ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const take = (buf: Buffer) => {
      for (const text of buf.toString().split("\n").filter(Boolean)) {
        lines.push({ atMs: Date.now() - start, text });
        console.log(`  │ ${text}`);
      }
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    const timer =
      limitMs === undefined
        ? undefined
        : setTimeout(() => {
            console.log(`  │ (over ${(limitMs / 1000).toFixed(0)} s: stopping it)`);
            if (child.pid !== undefined) process.kill(-child.pid, "SIGTERM");
          }, limitMs);
    child.on("close", (code) => {
      if (timer) clearTimeout(timer);
      done({ title: step.title, code: code ?? 1, ms: Date.now() - start, lines });
    });
  });
}

async function replay(rec: StepRecord, speedup: number): Promise<void> {
  let last = 0;
  for (const l of rec.lines) {
    await new Promise((r) => setTimeout(r, Math.min(2000, (l.atMs - last) / speedup)));
    last = l.atMs;
    console.log(`  ┆ ${l.text}`);
  }
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const rehearse = argv.includes("--rehearse");
  const only = argv.includes("--step") ? Number(argv[argv.indexOf("--step") + 1]) : undefined;
  const model = loadModel();
  const steps = demoSteps(model);
  if (only !== undefined && !(only >= 1 && only <= steps.length))
    throw new Error(`--step ${String(only)} is not a step; use 1 to ${steps.length}`);
  const previous = existsSync(RECORDING)
    ? (JSON.parse(readFileSync(RECORDING, "utf8")) as Recording)
    : undefined;
  if (!rehearse && !previous)
    console.log("No rehearsal recorded yet: a failed step cannot be replayed. Run with --rehearse first.");
  const records: StepRecord[] = [];
  let failed = 0;
  for (const [i, step] of steps.entries()) {
    if (only !== undefined && i + 1 !== only) continue;
    const before = previous?.steps.find((s) => s.title === step.title && s.code === 0);
    console.log(
      `\n[${i + 1}/${steps.length}] ${step.title}: ${step.say}${before ? ` (rehearsed: ${(before.ms / 1000).toFixed(1)} s)` : ""}`,
    );
    const rec = await runStep(step, rehearse || !before ? undefined : Math.max(2 * before.ms, 30_000));
    records.push(rec);
    if (rec.code === 0) {
      console.log(`  └ done in ${(rec.ms / 1000).toFixed(1)} s`);
      continue;
    }
    failed++;
    if (!rehearse && before) {
      console.log(`  └ failed (exit ${rec.code}); the recording of ${previous?.recordedAt ?? "?"} instead:`);
      await replay(before, 4);
    } else console.log(`  └ failed (exit ${rec.code}) after ${(rec.ms / 1000).toFixed(1)} s`);
  }
  if (rehearse) {
    // A failed step keeps its last good recording, so the fallback always has something to show.
    const merged = steps.flatMap((s) => {
      const now = records.find((r) => r.title === s.title);
      const old = previous?.steps.find((r) => r.title === s.title);
      const keep = now && (now.code === 0 || !old) ? now : old;
      return keep ? [keep] : [];
    });
    mkdirSync(dirname(RECORDING), { recursive: true });
    writeFileSync(
      RECORDING,
      `${JSON.stringify({ recordedAt: new Date().toISOString(), steps: merged }, null, 2)}\n`,
    );
    console.log(
      `\nrehearsal: ${records.map((r) => `${r.title} ${(r.ms / 1000).toFixed(1)} s${r.code ? " FAILED" : ""}`).join(", ")}`,
    );
    console.log(`recorded in ${RECORDING}`);
  }
  return failed === 0 ? 0 : 1;
}

if (fileURLToPath(import.meta.url) === resolve(process.argv[1] ?? ""))
  runCommand("live-demo", main, { exit: true });
