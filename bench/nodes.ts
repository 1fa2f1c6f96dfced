// The node boot benchmark (npm run bench:nodes): each of the model's machines powered on
// fresh, one at a time, BENCH_RUNS times (5 by default); power-on to the payload's report on
// the host's clock, split into firmware + loader (power-on to the kernel's first line) and
// kernel + payload (the report's own stages, from the guest's uptime). The first boot of a
// lab pulls the image upstream through the cache; later boots find it cached. Prints
// min/median/max per architecture and writes reports/benchmarks/nodes.json (BENCH_ARCH=arm64
// boots one architecture only). Needs the lab up.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LabClient } from "../fixtures/lab.ts";
import { TalosNodes, type Booted } from "../fixtures/talos.ts";
import { markdownTable } from "../generators/writers/markdown.ts";
import { derived, loadModel, REPO_ROOT, runCommand, UsageError } from "../model/index.ts";

async function main(): Promise<number> {
  const RUNS = Number(process.env.BENCH_RUNS ?? 5);
  if (!(Number.isInteger(RUNS) && RUNS >= 1 && RUNS <= 100))
    throw new UsageError(
      `BENCH_RUNS=${process.env.BENCH_RUNS ?? ""} is not a number of runs. Fix: unset it, or use 1-100, e.g. BENCH_RUNS=5`,
    );
  /** BENCH_ARCH=arm64 (or amd64) boots only that architecture's machines. */
  const ARCH = process.env.BENCH_ARCH;
  const model = loadModel(undefined, "lab");
  const talos = new TalosNodes(model, new LabClient(model));

  interface Run {
    readonly seconds: number;
    readonly firmwareSeconds: number;
    readonly stages: Readonly<Record<string, number>>;
  }

  /** Power-on to the kernel's first console line: firmware, loader, kernel and initrd download. */
  function firmwareSeconds(b: Booted, console: string): number {
    const first = console.split("\n").find((l) => /^\S+ \[\s*0\.0+\] Linux version/.test(l));
    const at = first ? Date.parse(first.split(" ")[0] ?? "") : NaN;
    return (at - Date.parse(b.boot.poweredOnAt)) / 1000;
  }

  const stats = (xs: readonly number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return { min: s[0] ?? NaN, median: s[Math.floor(s.length / 2)] ?? NaN, max: s[s.length - 1] ?? NaN };
  };
  const fmt = (x: { min: number; median: number; max: number }) =>
    `${x.min.toFixed(1)} / ${x.median.toFixed(1)} / ${x.max.toFixed(1)} s`;

  console.log(
    `power-on to report, ${RUNS} boots per machine, one machine at a time (payload: ${talos.payload})`,
  );
  const results: Record<string, Run[]> = {};
  try {
    for (const n of derived(model).nodes.filter((m) => ARCH === undefined || m.arch === ARCH)) {
      const runs: Run[] = [];
      for (let i = 1; i <= RUNS; i++) {
        const node = talos.powerOn(n.arch, n.role, n.name);
        const b = await talos.waitForReport(node, 300_000);
        if (!b.report.ok) throw new Error(`${n.name}: ${b.report.reason}`);
        const run = {
          seconds: b.seconds,
          firmwareSeconds: firmwareSeconds(b, talos.console(node)),
          stages: b.report.stages,
        };
        runs.push(run);
        console.log(
          `  ${n.name} (${n.arch}) run ${i}: ${run.seconds.toFixed(1)} s (firmware + loader ${run.firmwareSeconds.toFixed(1)} s; kernel to report ${(run.stages.pulled ?? NaN).toFixed(1)} s)`,
        );
        talos.remove(node);
      }
      results[`${n.name} (${n.arch})`] = runs;
    }
  } finally {
    talos.dispose();
  }

  console.log();
  console.log(
    markdownTable(
      ["node", "power-on to report (min / median / max)", "firmware + loader", "kernel start to report"],
      Object.entries(results).map(([name, runs]) => [
        name,
        fmt(stats(runs.map((r) => r.seconds))),
        fmt(stats(runs.map((r) => r.firmwareSeconds))),
        fmt(stats(runs.map((r) => r.stages.pulled ?? NaN))),
      ]),
    ),
  );
  const out = join(REPO_ROOT, "reports", "benchmarks");
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, "nodes.json"),
    `${JSON.stringify({ measuredAt: new Date().toISOString(), payload: talos.payload, runs: RUNS, results }, null, 2)}\n`,
  );
  console.log(`\nwritten to ${join(out, "nodes.json")}`);
  return 0;
}

runCommand("bench:nodes", main);
