// The cache benchmark (npm run bench:caches): through each of the bastion's pull-through
// caches, a cold pull of an image it has never seen (every byte crosses the shaped link
// from the lab's upstream) and then a warm pull of the same image (served from the cache),
// from the private test host, as a node would pull. Prints both times and their ratio per
// cache and writes reports/benchmarks/caches.json. Needs the lab up (npm run lab:up).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LabClient } from "../fixtures/lab.ts";
import { NetbootClient } from "../fixtures/netboot.ts";
import { markdownTable } from "../generators/writers/markdown.ts";
import { loadModel, REPO_ROOT, runCommand, UsageError } from "../model/index.ts";

function main(): number {
  const RUNS = Number(process.env.BENCH_RUNS ?? 3);
  if (!(Number.isInteger(RUNS) && RUNS >= 1 && RUNS <= 100))
    throw new UsageError(
      `BENCH_RUNS=${process.env.BENCH_RUNS ?? ""} is not a number of runs. Fix: unset it, or use 1-100, e.g. BENCH_RUNS=3`,
    );
  const ARCH = "arm64";

  const model = loadModel(undefined, "lab");
  const netboot = new NetbootClient(model, new LabClient(model));
  const image = model.lab.upstreams.testImage;
  const link = model.lab.upstreams.link;
  console.log(
    `cold vs warm pulls of a ${(image.layerBytes / 1048576).toFixed(1)} MiB-layer image (${ARCH}), ${RUNS} runs per cache; ` +
      `link ${link.rateMbit} Mbit/s, upstream latency ${link.latencyMs} ms`,
  );

  interface Row {
    cache: string;
    port: number;
    coldMs: number[];
    warmMs: number[];
    bytes: number;
  }
  const rows: Row[] = [];
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)] ?? NaN;
  };

  for (const cache of model.services.caches) {
    const url = `http://${model.bastion.privateIp}:${cache.port}`;
    const row: Row = { cache: cache.upstream, port: cache.port, coldMs: [], warmMs: [], bytes: 0 };
    for (let run = 1; run <= RUNS; run++) {
      const repository = `${image.repository}-bench-${Date.now().toString(36)}-${run}`;
      const cold = netboot.pull(url, repository, image.tag, ARCH);
      if (!cold.ok) throw new Error(`cold pull through ${cache.upstream}: ${cold.error ?? ""}`);
      const warm = netboot.pull(url, repository, image.tag, ARCH);
      if (!warm.ok) throw new Error(`warm pull through ${cache.upstream}: ${warm.error ?? ""}`);
      row.coldMs.push(cold.ms);
      row.warmMs.push(warm.ms);
      row.bytes = cold.bytes;
      console.log(`  ${cache.upstream} run ${run}: cold ${cold.ms} ms, warm ${warm.ms} ms`);
    }
    rows.push(row);
  }

  console.log();
  console.log(
    markdownTable(
      ["cache", "port", "bytes", "cold (median)", "warm (median)", "cold / warm"],
      rows.map((r) => [
        r.cache,
        String(r.port),
        String(r.bytes),
        `${median(r.coldMs)} ms`,
        `${median(r.warmMs)} ms`,
        `${(median(r.coldMs) / median(r.warmMs)).toFixed(1)}×`,
      ]),
    ),
  );
  const out = join(REPO_ROOT, "reports", "benchmarks");
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, "caches.json"),
    `${JSON.stringify({ measuredAt: new Date().toISOString(), arch: ARCH, layerBytes: image.layerBytes, link, runs: RUNS, rows }, null, 2)}\n`,
  );
  console.log(`\nwritten to ${join(out, "caches.json")}`);
  return 0;
}

runCommand("bench:caches", main);
