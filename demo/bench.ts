// Requests per second of the local runtime serving the demo, under a bounded load on
// loopback: CONNECTIONS keep-alive connections for SECONDS, every answer checked.
// `npm run bench:demo` (BENCH_CONNECTIONS, BENCH_SECONDS); writes reports/bench-demo.json.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Pool } from "undici";
import { loadModel, REPO_ROOT, runCommand } from "../model/index.ts";
import { buildDemo } from "./build.ts";
import { serveDemo } from "./serve.ts";

const connections = Number(process.env.BENCH_CONNECTIONS ?? 8);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const model = loadModel();
  const built = await buildDemo(model);
  console.log(`built ${built.wasm}: ${built.bytes} bytes, component in ${built.componentizeMs} ms`);
  const server = await serveDemo(built.wasm);
  console.log(`jco serve answered after ${server.startMs} ms; ${connections} connections for ${seconds} s`);
  const pool = new Pool(server.url, { connections, pipelining: 1 });
  const latencies: number[] = [];
  let bad = 0;
  const end = Date.now() + seconds * 1000;
  try {
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (Date.now() < end) {
          const t = performance.now();
          const r = await pool.request({ path: "/", method: "GET" });
          const body = await r.body.text();
          latencies.push(performance.now() - t);
          if (r.statusCode !== 200 || body !== model.platform.demo.message) bad++;
        }
      }),
    );
  } finally {
    await pool.close();
    await server.stop();
  }
  latencies.sort((a, b) => a - b);
  const result = {
    date: new Date().toISOString(),
    component: { bytes: built.bytes, bundleMs: built.bundleMs, componentizeMs: built.componentizeMs },
    runtime: "jco serve (@bytecodealliance/jco)",
    startMs: server.startMs,
    connections,
    seconds,
    requests: latencies.length,
    wrongAnswers: bad,
    requestsPerSecond: Math.round(latencies.length / seconds),
    latencyMs: {
      p50: +percentile(latencies, 50).toFixed(2),
      p99: +percentile(latencies, 99).toFixed(2),
      max: +(latencies.at(-1) ?? NaN).toFixed(2),
    },
  };
  mkdirSync(join(REPO_ROOT, "reports"), { recursive: true });
  writeFileSync(join(REPO_ROOT, "reports", "bench-demo.json"), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
  if (bad)
    throw new Error(`${bad} of ${latencies.length} answers were not 200 "${model.platform.demo.message}"`);
}

runCommand("bench:demo", async () => {
  await main();
  return 0;
});
