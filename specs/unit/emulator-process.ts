// The lab's emulator (lab/moto_lab.py) as the emulator specs run it: its own process on a free
// loopback port, answering nothing but what the spec asks, stopped (and its folder removed)
// when the spec is done. The lab's own emulator is not touched.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_MODEL, REPO_ROOT } from "../../model/index.ts";
import { toolPaths } from "../../setup/tools.ts";

export const python = toolPaths(DEFAULT_MODEL).python;

export interface EmulatorProcess {
  readonly url: string;
  /** A folder of its own, removed with it. */
  readonly dir: string;
  /** The last 4000 characters of its standard error. */
  log(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const address = s.address();
      s.close(() => {
        if (typeof address === "object" && address) resolve(address.port);
        else reject(new Error("no port"));
      });
    });
  });
}

/** Starts moto_lab.py with `env` added (built from its folder), and waits until it answers. */
export async function startEmulatorProcess(
  env: (dir: string) => NodeJS.ProcessEnv = () => ({}),
): Promise<EmulatorProcess> {
  const dir = mkdtempSync(join(tmpdir(), "mab-emulator-"));
  const port = await freePort();
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env(dir) };
  delete childEnv.MOTO_LAB_UNIX_SOCKET;
  const child: ChildProcess = spawn(
    python,
    [join(REPO_ROOT, "lab", "moto_lab.py"), "-H", "127.0.0.1", "-p", String(port)],
    { env: childEnv, stdio: ["ignore", "ignore", "pipe"] },
  );
  let log = "";
  child.stderr?.on("data", (b: Buffer) => (log = (log + b.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const stop = async () => {
    if (!exited()) {
      const exit = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exit, new Promise((r) => setTimeout(r, 5000))]);
      if (!exited()) child.kill("SIGKILL");
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/moto-api/`, { signal: AbortSignal.timeout(1000) })).ok) break;
    } catch {
      // Not answering yet.
    }
    if (exited() || Date.now() > deadline) {
      await stop();
      throw new Error(`moto_lab.py did not answer on ${url}:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, dir, log: () => log, stop };
}
