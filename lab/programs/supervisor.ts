// The lab bastion's service supervisor: the native rendering of the netboot services
// (infra/lab/netboot/services.json). It starts the services in order, each once the one
// before it listens, restarts any that stops after the configured delay, and keeps a
// status file (pid, restarts) that specs read. It runs inside the bastion's namespace,
// started by the bundle's `start` script; it dies with the namespace.
//
//   supervisor.ts <services.json>     (MOON_DATA_DIR names the data directory)
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { readDotEnv } from "./dotenv.ts";
import {
  SUPERVISOR_READY,
  SUPERVISOR_STATUS,
  type NativePlan,
  type NativeService,
  type ServicePort,
} from "../../generators/03-netboot.ts";

const planFile = process.argv[2] ?? "";
const dataDir = process.env.MOON_DATA_DIR ?? "";
if (!planFile || !dataDir) {
  console.error("usage: MOON_DATA_DIR=<dir> supervisor.ts <services.json>");
  process.exit(2);
}
const plan = JSON.parse(readFileSync(planFile, "utf8")) as NativePlan;
const confDir = dirname(planFile);
// The caches' upstream credentials, where the operator stored any, as the start script
// wrote them for both runtimes.
const { values: dotEnv, ignored } = readDotEnv(
  existsSync(join(confDir, ".env")) ? readFileSync(join(confDir, ".env"), "utf8") : "",
);
for (const name of ignored) console.error(`supervisor: .env line ${name} is not KEY='VALUE': ignored`);
const expand = (s: string) =>
  s
    .replaceAll("${CONF}", confDir)
    .replaceAll("${DATA}", dataDir)
    .replace(/\$\{([A-Z0-9_]+)\}/g, (_, name: string) => dotEnv.get(name) ?? "");
/** A service's environment: a variable whose value comes out empty (no credential stored) is left unset. */
const serviceEnv = (svc: NativeService): Record<string, string> =>
  Object.fromEntries(
    Object.entries(svc.env)
      .map(([k, v]) => [k, expand(v)] as const)
      .filter(([, v]) => v !== ""),
  );

export interface ServiceStatus {
  name: string;
  program: string;
  pid: number | null;
  restarts: number;
  startedAt: string | null;
  lastExit: string | null;
}
const status = new Map<string, ServiceStatus>();
const statusFile = join(dataDir, SUPERVISOR_STATUS);
function saveStatus(): void {
  writeFileSync(`${statusFile}.tmp`, JSON.stringify([...status.values()], null, 2));
  renameSync(`${statusFile}.tmp`, statusFile);
}
const log = (what: string) => {
  console.log(`${new Date().toISOString()} ${what}`);
};

/** Whether a port is listening in this namespace (from the kernel's socket tables). */
function listening(p: ServicePort): boolean {
  const hex = p.port.toString(16).toUpperCase().padStart(4, "0");
  const files = p.proto === "tcp" ? ["/proc/net/tcp", "/proc/net/tcp6"] : ["/proc/net/udp", "/proc/net/udp6"];
  return files.some((f) => {
    let text: string;
    try {
      text = readFileSync(f, "utf8");
    } catch {
      return false;
    }
    return text
      .split("\n")
      .slice(1)
      .some((line) => {
        const cols = line.trim().split(/\s+/);
        // TCP must be in LISTEN (0A); a bound UDP socket is in state 07.
        return cols[1]?.endsWith(`:${hex}`) && cols[3] === (p.proto === "tcp" ? "0A" : "07");
      });
  });
}

let stopping = false;
const children = new Map<string, ChildProcess>();

function start(svc: NativeService): void {
  const [cmd, ...args] = svc.argv.map(expand);
  if (!cmd) throw new Error(`${svc.name} has no command`);
  const out = openSync(join(dataDir, "logs", `${svc.name}.log`), "a");
  const child = spawn(cmd, args, {
    env: { ...process.env, ...serviceEnv(svc) },
    stdio: ["ignore", out, out],
  });
  closeSync(out);
  children.set(svc.name, child);
  const s = status.get(svc.name);
  if (s) {
    s.pid = child.pid ?? null;
    s.startedAt = new Date().toISOString();
  }
  saveStatus();
  log(`${svc.name}: started (pid ${String(child.pid)})`);
  child.on("error", (e) => {
    log(`${svc.name}: could not start: ${e.message}`);
  });
  child.on("exit", (code, signal) => {
    children.delete(svc.name);
    const st = status.get(svc.name);
    if (st) {
      st.pid = null;
      st.lastExit = signal ? `signal ${signal}` : `code ${String(code)}`;
    }
    saveStatus();
    if (stopping) return;
    log(`${svc.name}: exited (${st?.lastExit ?? "?"}); restarting in ${plan.restartDelaySeconds} s`);
    setTimeout(() => {
      if (stopping) return;
      if (st) st.restarts += 1;
      start(svc);
    }, plan.restartDelaySeconds * 1000);
  });
}

async function waitReady(svc: NativeService, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (svc.ready.every(listening)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `${svc.name} is not listening on ${svc.ready.map((p) => `${p.port}/${p.proto}`).join(", ")} after ${timeoutMs / 1000} s`,
  );
}

async function main(): Promise<void> {
  for (const d of plan.dataDirs) mkdirSync(join(dataDir, d), { recursive: true });
  for (const svc of plan.services)
    status.set(svc.name, {
      name: svc.name,
      program: svc.program,
      pid: null,
      restarts: 0,
      startedAt: null,
      lastExit: null,
    });
  const shutdown = () => {
    stopping = true;
    for (const c of children.values()) c.kill("SIGTERM");
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
  for (const svc of plan.services) {
    start(svc);
    await waitReady(svc, 30_000);
    log(`${svc.name}: ready`);
  }
  writeFileSync(join(dataDir, SUPERVISOR_READY), `${new Date().toISOString()}\n`);
  log("every service is ready");
}

main().catch((e: unknown) => {
  log(`supervisor failed: ${e instanceof Error ? e.message : String(e)}`);
  stopping = true;
  for (const c of children.values()) c.kill("SIGTERM");
  process.exit(1);
});
