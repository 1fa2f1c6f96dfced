// Lab up, down and status. Up is a no-op when the lab is already up; a failed up is
// torn down at once, so nothing half-made is left; down removes every namespace,
// process and file the lab made, also when its state file is gone.
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { derived, REPO_ROOT, type Model } from "../model/index.ts";
import { cidrsOverlap, ipv6CidrContains, parseIpv4Cidr } from "../model/net.ts";
import { recordedSetupPath, toolPaths } from "../setup/tools.ts";
import { buildDataPlane, programArgv } from "./dataplane.ts";
import { buildUpstreams } from "./upstreams.ts";
import { currentPayloadParts } from "../setup/payload.ts";
import { buildLabPayload } from "./payload.ts";
import { listNodes, removeAllNodes } from "./nodes.ts";
import { publishLabTalosConfigs } from "./talos.ts";
import { bastionServices, ensureOperatorKey, readBastion, type BastionRecord } from "./instances.ts";
import { isEmulatorUp, startEmulator, strayEmulatorPids } from "./emulator.ts";
import { elapsed, run } from "../common/exec.ts";
import { deleteNamespace, listNamespaces } from "./netns.ts";
import {
  isAlive,
  operatorKeyPath,
  payloadDir,
  readState,
  startProcess,
  writeState,
  type LabState,
} from "./state.ts";
import { tofuInitApply, tofuOutputs, writeApplied } from "./tofu.ts";
import { CostExplorerClient } from "@aws-sdk/client-cost-explorer";
import { readMonthToDate } from "../cost/explorer.ts";
import { now } from "../model/clock.ts";
import { setLabClock } from "./clock.ts";

let phase = 0;
const PHASES = 6;
/** How long lab up waits for the bastion's user data to attach its interface and finish. */
const BASTION_BOOT_TIMEOUT_MS = 240_000;
function progress(what: string): number {
  phase++;
  console.log(`[lab up ${phase}/${PHASES}] ${what}`);
  return Date.now();
}

/** Why the lab is not fully up, or undefined when it is. */
export async function labProblem(model: Model): Promise<string | undefined> {
  const state = readState(model);
  if (!state?.readyAt) return "no completed `lab up` recorded";
  const dead = state.processes.filter((p) => !isAlive(p.pid));
  if (dead.length) return `process(es) not running: ${dead.map((p) => p.name).join(", ")}`;
  const ns = derived(model).namespaces;
  const missing = Object.values(ns).filter((n) => !listNamespaces(n).includes(n));
  // The NAT may be "none" or the bastion itself, and the bastion may be stopped by its schedule.
  const ownNat = state.dataPlane?.nat && state.dataPlane.nat.choice !== "bastion";
  const expected = missing.filter((n) => (n !== ns.nat || ownNat) && n !== ns.bastion);
  if (expected.length) return `namespace(s) missing: ${expected.join(", ")}`;
  if (!(await isEmulatorUp(model))) return "the emulator does not answer";
  return undefined;
}

/** Refuses to start when a lab range would collide with a network the host already uses. */
function checkHostRoutes(model: Model): void {
  const lab6 = [
    model.lab.home.ipv6Cidr,
    model.lab.internet.ipv6LinkCidr,
    `${model.lab.internet.strangerIpv6}/128`,
  ];
  for (const line of run(["ip", "-6", "route", "show", "table", "all"], { allowFailure: true }).stdout.split(
    "\n",
  )) {
    const dest = line.split(" ")[0] ?? "";
    if (!dest.includes(":") || dest === "::/0" || dest.startsWith("fe80:") || dest.startsWith("ff00:"))
      continue;
    const host = dest.includes("/") ? dest : `${dest}/128`;
    const [hostBase = ""] = host.split("/");
    for (const r of lab6) {
      const [labBase = ""] = r.split("/");
      if (ipv6CidrContains(r, hostBase) || ipv6CidrContains(host, labBase))
        throw new Error(
          `The host already routes ${dest}, which overlaps the lab's ${r}. Fix: change lab.home or lab.internet in moon.config.json.`,
        );
    }
  }
  const labRanges = [model.network.vpcCidr, model.lab.internet.hostsCidr, model.lab.internet.publicCidr];
  // Reading the host's routing table sends nothing anywhere.
  const routes = run(["ip", "-4", "route", "show", "table", "all"]).stdout.split("\n");
  for (const line of routes) {
    const dest = line.split(" ")[0] ?? "";
    const host = parseIpv4Cidr(dest.includes("/") ? dest : `${dest}/32`);
    if (!host || dest === "default" || dest === "0.0.0.0/0") continue;
    for (const r of labRanges) {
      const lab = parseIpv4Cidr(r);
      if (lab && cidrsOverlap(host, lab))
        throw new Error(
          `The host already routes ${dest}, which overlaps the lab's ${r}. Fix: change the lab's range in moon.config.json (network.vpcCidr or lab.internet).`,
        );
    }
  }
}

/** Waits until the hypervisor has booted a bastion whose user data finished; fails on a failed boot. */
export async function waitForBastion(
  model: Model,
  timeoutMs: number,
  notInstance?: string,
): Promise<BastionRecord> {
  const deadline = Date.now() + timeoutMs;
  let last = "no instance booted yet";
  while (Date.now() < deadline) {
    const b = readBastion(model);
    if (b && b.instanceId !== notInstance) {
      if (b.bootScript.exitCode === 0) return b;
      if (b.bootScript.exitCode !== null)
        throw new Error(
          `the bastion's user data failed (exit ${b.bootScript.exitCode}):\n${tail(b.bootScript.log)}`,
        );
      last = `${b.instanceId}: user data running`;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const b = readBastion(model);
  throw new Error(
    `no bastion ready within ${timeoutMs / 1000} s (${last}); see ${join(model.lab.stateDir, "hypervisor.log")}${b ? `\n${tail(b.bootScript.log)}` : ""}`,
  );
}

function tail(file: string): string {
  return existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").slice(-15).join("\n") : "(no log)";
}

export async function up(model: Model): Promise<void> {
  const problem = await labProblem(model);
  if (problem === undefined) {
    // A lab brought up by an older kit has no record of what it applied for the cost CLI.
    if (!existsSync(derived(model).labAppliedJson)) writeApplied(model);
    console.log("lab is already up: nothing to do (npm run lab:status shows it)");
    return;
  }
  if (readState(model) || listNamespaces(model.lab.namespacePrefix).length) {
    console.log(`lab is partly up (${problem}); tearing the rest down first`);
    down(model);
  }
  for (const [what, path] of [
    ["OpenTofu", toolPaths(model).tofu],
    // On the download path tofu init installs the provider; on the build path it must be built.
    ...(recordedSetupPath()?.path === "download"
      ? []
      : ([["the hashicorp/aws provider", toolPaths(model).awsProviderBinary]] as const)),
    ["moto", toolPaths(model).python],
    ["matchbox", toolPaths(model).matchbox],
    ["the registry", toolPaths(model).registry],
    ["the stand-in boot payload's parts", currentPayloadParts()?.dir ?? "(none)"],
    ["talos-config (Talos's config library)", toolPaths(model).talosConfig],
  ] as const)
    if (!existsSync(path)) throw new Error(`${what} is not installed (${path}). Fix: npm run setup`);
  checkHostRoutes(model);
  // Security groups see bridged traffic only through br_netfilter (lab/security-groups.ts).
  if (!existsSync("/proc/sys/net/bridge"))
    throw new Error(
      "The kernel's br_netfilter module is not loaded, and the lab's security groups need it. Fix: modprobe br_netfilter (as root), then lab up again.",
    );

  const start = Date.now();
  const state: LabState = {
    startedAt: new Date().toISOString(),
    emulatorUrl: derived(model).emulatorUrl,
    processes: [],
  };
  writeState(model, state);
  try {
    let t = progress(`AWS emulator (moto ${model.versions.moto}) on ${derived(model).emulatorUrl}`);
    await startEmulator(model, state);
    console.log(`  answering (${elapsed(t)})`);
    ensureOperatorKey(model);
    t = progress(
      "tofu init + apply of infra/lab against the emulator; meanwhile the boot payload and the Talos configs",
    );
    const applying = tofuInitApply(model);
    // Neither needs an applied resource, and the apply is mostly the provider waiting out
    // AWS's propagation delays (a fixed 10 s after the VPC's IPv6 block, 10 s after each
    // subnet's IPv6 setting): they run in that time.
    let built: ReturnType<typeof buildLabPayload>;
    let payloadTime: string;
    let talosTime = "";
    let publishing: ReturnType<typeof publishLabTalosConfigs>;
    try {
      const p = Date.now();
      built = buildLabPayload(model, payloadDir(model));
      payloadTime = elapsed(p);
      const q = Date.now();
      publishing = publishLabTalosConfigs(model).then((r) => {
        talosTime = elapsed(q);
        return r;
      });
    } catch (e) {
      await applying.catch(() => undefined);
      throw e;
    }
    // Both settle before a failure is told, so the teardown never races a running tofu.
    const [applied, published] = await Promise.allSettled([applying, publishing]);
    if (applied.status === "rejected") throw applied.reason;
    if (published.status === "rejected") throw published.reason;
    const talos = published.value;
    console.log(`  applied (${elapsed(t)})`);
    t = progress(
      "Cost Explorer: the emulator meters instance hours, volumes and public IPv4 it holds, at cost/prices.ts's prices",
    );
    console.log(`  ${await meteredSoFar(model)} (${elapsed(t)})`);
    t = progress("data plane: lab internet, home, VPC router, internet gateway, NAT, private host");
    const plane = await buildDataPlane(model, state, tofuOutputs(model));
    console.log(`  built (${elapsed(t)}); private default route → ${plane.defaultRoutes.private ?? "none"}`);
    buildUpstreams(model, state);
    // Talos's own assets (a folder, or Talos's release URL), for a lab with internet access.
    const talosAssets = process.env.MOON_LAB_TALOS_ASSETS;
    state.payload = talosAssets
      ? { kind: "talos", assets: talosAssets, loaders: built.loaders }
      : { kind: "stand-in", assets: built.assets, loaders: built.loaders };
    writeState(model, state);
    console.log(
      `  boot payload: ${
        state.payload.kind === "talos"
          ? `Talos's assets from ${talosAssets}`
          : `the stand-in (initramfs ${Object.entries(built.manifest.initramfs)
              .map(([a, i]) => `${a} ${(i.bytes / 1024).toFixed(0)} KiB`)
              .join(", ")})`
      }; loaders ${built.loaders} (${payloadTime}, during the apply)`,
    );
    console.log(
      `  upstreams: registries for ${model.services.caches.map((c) => c.upstream).join(", ")}, DNS; link shaped to ${model.lab.upstreams.link.rateMbit} Mbit/s + ${model.lab.upstreams.link.latencyMs} ms`,
    );
    console.log(
      `  Talos configs (${talos.validation.map((v) => v.kind).join(", ")}) rendered and validated by Talos's library, published as SecureString parameters (${Object.entries(
        talos.chunks,
      )
        .map(([r, n]) => `${r} ${n} part(s)`)
        .join(", ")}) (${talosTime}, during the apply)`,
    );
    // Before the hypervisor starts: its scheduler carries out the schedules on this clock.
    const labClock = now();
    setLabClock(model, labClock);
    console.log(
      `  lab clock ${labClock.toISOString()}: it moves only when told (npm run lab:clock), and schedules fire as it passes their times`,
    );
    t = progress(`bastion: the hypervisor boots ${model.bastion.name} and runs its user data`);
    startProcess(model, state, { name: "hypervisor", ns: "host", argv: programArgv("hypervisor") });
    const booted = await waitForBastion(model, BASTION_BOOT_TIMEOUT_MS);
    console.log(
      `  ${booted.instanceId} up on ${booted.attached.map((a) => `${a.device} ${a.privateIp ?? ""}`).join(", ")} (${elapsed(t)}); boot log ${booted.bootScript.log}`,
    );
    t = progress("ready");
    state.readyAt = new Date().toISOString();
    writeState(model, state);
    console.log(`lab is up in ${elapsed(start)}`);
  } catch (e) {
    // The teardown removes the state directory, logs included: keep the logs for the reader.
    let kept: string | undefined;
    try {
      kept = keepLogs(model);
    } catch (copy) {
      console.error(`the lab's logs could not be kept: ${(copy as Error).message}`);
    }
    console.error(
      `lab up failed: ${(e as Error).message}\n${kept ? `the lab's logs are kept in ${kept}; ` : ""}tearing down what was made…`,
    );
    down(model);
    throw e;
  }
}

/** What the emulator's Cost Explorer has metered this month so far, or why it cannot price it. */
async function meteredSoFar(model: Model): Promise<string> {
  const ce = new CostExplorerClient({
    region: "us-east-1",
    endpoint: derived(model).emulatorUrl,
    credentials: { accessKeyId: "lab", secretAccessKey: "lab" },
    maxAttempts: 1,
  });
  try {
    const mtd = await readMonthToDate(ce, now());
    const by = Object.entries(mtd.byService).map(([s, a]) => `${s} $${a.toFixed(6)}`);
    return `metered so far this month: $${mtd.totalUsd.toFixed(6)}${by.length ? ` (${by.join(", ")})` : ""}`;
  } catch (e) {
    // Spec 08 fails on the same answer, naming it; the rest of the lab does not depend on it.
    return `warning: Cost Explorer cannot price the lab: ${(e as Error).message}`;
  } finally {
    ce.destroy();
  }
}

/** Copies the state directory's logs (the bastion's boot log among them) out of harm's way. */
function keepLogs(model: Model): string | undefined {
  if (!existsSync(model.lab.stateDir)) return undefined;
  const dest = join(REPO_ROOT, "reports", "lab-failure", new Date().toISOString().replace(/[:.]/g, "-"));
  const logs = readdirSync(model.lab.stateDir, { recursive: true, encoding: "utf8" }).filter((f) =>
    f.endsWith(".log"),
  );
  if (logs.length === 0) return undefined;
  for (const f of logs) {
    mkdirSync(dirname(join(dest, f)), { recursive: true });
    copyFileSync(join(model.lab.stateDir, f), join(dest, f));
  }
  return dest;
}

export function down(model: Model): void {
  const state = readState(model);
  // The nodes first, each with its tap and disk; whatever is left is swept below.
  let nodes = 0;
  try {
    nodes = removeAllNodes(model);
  } catch (e) {
    console.error(`removing the lab's nodes: ${(e as Error).message}; sweeping them with the rest`);
  }
  // The hypervisor first: once it has stopped, nothing boots behind our back.
  for (const p of state?.processes.filter((x) => x.name === "hypervisor") ?? []) {
    try {
      process.kill(p.pid, "SIGTERM");
    } catch {
      // Already gone.
    }
    const until = Date.now() + 15_000;
    while (isAlive(p.pid) && Date.now() < until) run(["sleep", "0.1"]);
    if (isAlive(p.pid)) process.kill(p.pid, "SIGKILL");
  }
  const namespaces = listNamespaces(model.lab.namespacePrefix);
  // Everything running inside a lab namespace, recorded or not, then the emulator.
  const pids = new Set<number>([...(state?.processes.map((p) => p.pid) ?? []), ...strayEmulatorPids(model)]);
  for (const ns of namespaces)
    for (const pid of run(["ip", "netns", "pids", ns], { allowFailure: true })
      .stdout.split("\n")
      .filter(Boolean))
      pids.add(Number(pid));
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // Already gone.
    }
  }
  const deadline = Date.now() + 5000;
  while ([...pids].some(isAlive) && Date.now() < deadline) run(["sleep", "0.1"]);
  for (const pid of pids) if (isAlive(pid)) process.kill(pid, "SIGKILL");
  // Deleting a namespace removes its links, bridges, routes and nftables with it.
  for (const ns of namespaces) deleteNamespace(ns);
  for (const ns of namespaces) rmSync(`/etc/netns/${ns}`, { recursive: true, force: true });
  if (existsSync(join(model.lab.stateDir, "made-run-sshd")))
    rmSync("/run/sshd", { recursive: true, force: true });
  rmSync(model.lab.stateDir, { recursive: true, force: true });
  console.log(
    `lab is down: ${nodes} node(s), ${namespaces.length} namespace(s), ${pids.size} process(es) and ${model.lab.stateDir} removed`,
  );
}

export async function status(model: Model): Promise<number> {
  const state = readState(model);
  const problem = await labProblem(model);
  console.log(problem === undefined ? "lab: up" : `lab: not up (${problem})`);
  if (!state) return problem === undefined ? 0 : 1;
  console.log(`  emulator: ${state.emulatorUrl}`);
  for (const p of state.processes)
    console.log(
      `  process ${p.name} (pid ${p.pid}, ${p.ns}): ${isAlive(p.pid) ? "running" : "stopped"}; log ${p.log}`,
    );
  for (const ns of listNamespaces(model.lab.namespacePrefix)) console.log(`  namespace ${ns}`);
  const plane = state.dataPlane;
  if (plane) {
    console.log(
      `  private host ${plane.privateHost.ip} (${plane.privateHost.ns}); lab web server ${plane.internet.web}:${plane.internet.webPort}`,
    );
    if (plane.nat) console.log(`  NAT: ${plane.nat.choice} at ${plane.nat.privateIp}`);
    for (const a of plane.publicAddresses)
      console.log(`  public IPv4 of ${a.owner}: ${a.labPublicIp} (emulator says ${a.emulatorPublicIp})`);
    for (const [k, v] of Object.entries(plane.defaultRoutes))
      console.log(`  ${k} subnet default route → ${v}`);
    console.log(`  operator's home ${plane.home.ip} (${plane.home.ns})`);
  }
  const b = readBastion(model);
  console.log(
    b
      ? `  bastion ${b.instanceId} in ${b.ns}: ${[b.primaryIp, ...b.attached.map((a) => a.privateIp ?? a.device)].join(", ")}; user data ${b.bootScript.exitCode === null ? "running" : `exited ${b.bootScript.exitCode}`}`
      : "  bastion: not running (stopped by its schedule, or being replaced)",
  );
  for (const s of b ? bastionServices(model, b) : [])
    console.log(
      `    service ${s.name}: ${s.pid ? `pid ${s.pid}` : "down"}, ${s.restarts} restart(s); ${s.program}`,
    );
  for (const n of listNodes(model))
    console.log(
      `  node ${n.name} (${n.arch} ${n.role}, ${n.mac}, ${n.ip}): ${isAlive(n.pid) ? "running" : "stopped"}, payload ${n.payload}; console ${n.dir}/console.log`,
    );
  return problem === undefined ? 0 : 1;
}

/** Logs in to the lab bastion as the operator, from the lab's home, checking its host key. */
export function ssh(model: Model, command: readonly string[]): number {
  const b = readBastion(model);
  if (!readState(model)?.readyAt || !b) {
    console.error("no lab bastion is running. Fix: npm run lab:up (or wait for a replacement to boot)");
    return 1;
  }
  const host = tofuOutputs(model).bastion_ipv6;
  if (typeof host !== "string") throw new Error("the lab root has no bastion_ipv6 output");
  const knownHosts = join(model.lab.stateDir, "operator", "known_hosts");
  writeFileSync(knownHosts, `${host} ${b.hostKey}\n`);
  const r = spawnSync(
    "ip",
    [
      "netns",
      "exec",
      derived(model).namespaces.home,
      "ssh",
      "-i",
      operatorKeyPath(model),
      "-o",
      `UserKnownHostsFile=${knownHosts}`,
      "-o",
      "StrictHostKeyChecking=yes",
      `${model.bastion.sshUser}@${host}`,
      ...command,
    ],
    { stdio: "inherit" },
  );
  return r.status ?? 1;
}
