// Serves the built component with a local WebAssembly runtime: jco's `serve`, which runs a
// wasi:http component on Node's HTTP server, with a fresh component instance per request as
// Spin gives each request (the JavaScript engine answers one fetch event per instance).
// Loopback only. `npm run demo:serve [-- PORT]`.
import { spawn, type ChildProcessByStdio } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import type { Readable } from "node:stream";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { request } from "undici";
import { loadModel, REPO_ROOT, runCommand, UsageError } from "../model/index.ts";
import { demoWasm } from "../generators/06-demo.ts";

export interface DemoServer {
  readonly url: string;
  /** How long from spawning the runtime to its first answer. */
  readonly startMs: number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => {
        if (a && typeof a === "object") ok(a.port);
        else fail(new Error("no port"));
      });
    });
  });
}

/** jco serve runs the server in a child of its own: stop the whole process group. */
function stopChild(child: ChildProcessByStdio<null, Readable, Readable>): Promise<void> {
  const group = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  return new Promise((ok) => {
    child.stdout.destroy();
    child.stderr.destroy();
    const done = () => {
      group("SIGKILL");
      ok();
    };
    if (child.exitCode !== null || child.signalCode !== null) {
      done();
      return;
    }
    child.once("exit", done);
    group("SIGTERM");
    setTimeout(done, 5000).unref();
  });
}

export async function serveDemo(wasm: string, port?: number, timeoutMs = 90_000): Promise<DemoServer> {
  if (!existsSync(wasm)) throw new Error(`${wasm} does not exist. Fix: npm run demo:build`);
  const p = port ?? (await freePort());
  const t0 = performance.now();
  const child = spawn(
    join(REPO_ROOT, "node_modules/.bin/jco"),
    ["serve", "--isolate-requests", "instance", "--host", "127.0.0.1", "--port", String(p), wasm],
    { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${p}/`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`jco serve exited with ${child.exitCode}: ${output.trim()}`);
    try {
      const r = await request(url, { headersTimeout: 2000, bodyTimeout: 2000 });
      await r.body.dump();
      break;
    } catch {
      if (Date.now() > deadline) {
        await stopChild(child);
        throw new Error(`jco serve did not answer on ${url} within ${timeoutMs} ms: ${output.trim()}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return { url, startMs: Math.round(performance.now() - t0), stop: () => stopChild(child) };
}

if (fileURLToPath(import.meta.url) === resolve(process.argv[1] ?? ""))
  runCommand("demo:serve", async () => {
    const model = loadModel();
    const port = process.argv[2] === undefined ? 8088 : Number(process.argv[2]);
    if (!(Number.isInteger(port) && port >= 1024 && port <= 65535))
      throw new UsageError(
        `${process.argv[2] ?? ""} is not a port to serve on. Fix: give 1024-65535, e.g. npm run demo:serve -- 8088`,
      );
    const s = await serveDemo(join(REPO_ROOT, demoWasm(model)), port);
    console.log(`serving ${demoWasm(model)} on ${s.url} (answered after ${s.startMs} ms); Ctrl-C stops it`);
    process.on("SIGINT", () => void s.stop().then(() => process.exit(0)));
    return 0;
  });
