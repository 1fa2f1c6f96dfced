// The lab's record of what it made (processes, namespaces, addresses), kept in the
// state directory so `lab down` can remove all of it, and so fixtures can read the
// data plane the specs probe.
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, type Model } from "../model/index.ts";

export interface LabProcess {
  readonly name: string;
  /** The namespace it runs in, or "host" for the emulator on loopback. */
  readonly ns: string;
  readonly pid: number;
  readonly log: string;
}

/** An instance's public IPv4 as the emulator reports it, and the lab address standing in for it. */
export interface PublicAddress {
  readonly owner: string;
  readonly privateIp: string;
  readonly emulatorPublicIp: string;
  readonly labPublicIp: string;
  /** The address the private subnet's IPv4 traffic leaves by (the NAT's). */
  readonly nat: boolean;
}

export interface DataPlane {
  readonly nat: {
    readonly choice: string;
    readonly ns: string;
    /** The address the private subnet's default route leads to. */
    readonly privateIp: string;
    /** The subnet that address is in (the bastion's fixed interface is in the private one). */
    readonly subnet: "public" | "private";
    readonly sourceDestCheck: boolean;
  } | null;
  readonly privateHost: { readonly ns: string; readonly ip: string };
  readonly internet: {
    readonly ns: string;
    readonly web: string;
    readonly webPort: number;
    /** An IPv6 address on the lab internet that is not the operator's home. */
    readonly stranger: string;
    /** The stand-in for the regional AWS endpoint (HTTP, relayed to the emulator). */
    readonly awsEndpoint: string;
  };
  /** The operator's home host (IPv6 only). */
  readonly home: { readonly ns: string; readonly ip: string };
  /**
   * Public IPv4 addresses mapped at the internet gateway. `lab up` records the static ones;
   * a running bastion's comes and goes with it (lab/instances.ts `currentDataPlane`).
   */
  readonly publicAddresses: readonly PublicAddress[];
  /** Per subnet: where its IPv4 default route leads in the data plane, as read from the emulator. */
  readonly defaultRoutes: Readonly<Record<string, string>>;
}

/** What the lab's nodes boot: the stand-in it built, or Talos's own assets given to `lab up`. */
export interface LabBootPayload {
  readonly kind: "stand-in" | "talos";
  /** A folder or a URL with Talos's asset names (MOON_TALOS_ASSETS on the bastion). */
  readonly assets: string;
  /** The TFTP root's loaders (MOON_TFTP_LOADERS on the bastion). */
  readonly loaders: string;
}

export interface LabState {
  readonly startedAt: string;
  readonly emulatorUrl: string;
  processes: LabProcess[];
  dataPlane?: DataPlane;
  payload?: LabBootPayload;
  /** Set once `lab up` finished; a state without it is a failed or running up. */
  readyAt?: string;
}

export const stateFile = (model: Model) => join(model.lab.stateDir, "lab.json");
/** The hypervisor's record of the bastion instance it booted (lab/instances.ts). */
export const bastionFile = (model: Model) => join(model.lab.stateDir, "bastion.json");
/** The lab operator's SSH key pair; the private key never leaves the state directory. */
export const operatorKeyPath = (model: Model) => join(model.lab.stateDir, "operator", "id_ed25519");
/** The emulator's Unix socket, the only way into it from inside the lab. */
/** The boot payload and loaders `lab up` assembles for the bastion to serve. */
export const payloadDir = (model: Model) => join(model.lab.stateDir, "payload");

export const emulatorSocket = (model: Model) => join(model.lab.stateDir, "aws.sock");

export function readState(model: Model): LabState | undefined {
  const f = stateFile(model);
  return existsSync(f) ? (JSON.parse(readFileSync(f, "utf8")) as LabState) : undefined;
}

export function writeState(model: Model, state: LabState): void {
  mkdirSync(model.lab.stateDir, { recursive: true });
  writeFileSync(stateFile(model), JSON.stringify(state, null, 2));
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts a long-running program (in a namespace, or on the host for "host"), logging to the state dir. */
export function startProcess(
  model: Model,
  state: LabState,
  opts: { name: string; ns: string; argv: readonly string[]; env?: NodeJS.ProcessEnv },
): LabProcess {
  const log = join(model.lab.stateDir, `${opts.name}.log`);
  const fd = openSync(log, "a");
  const argv = opts.ns === "host" ? opts.argv : ["ip", "netns", "exec", opts.ns, ...opts.argv];
  const [cmd, ...args] = argv;
  if (cmd === undefined) throw new Error("startProcess: empty command");
  const child = spawn(cmd, args, {
    detached: true,
    cwd: REPO_ROOT,
    stdio: ["ignore", fd, fd],
    env: opts.env ?? process.env,
  });
  closeSync(fd);
  child.unref();
  if (child.pid === undefined) throw new Error(`${opts.name} did not start; see ${log}`);
  const p: LabProcess = { name: opts.name, ns: opts.ns, pid: child.pid, log };
  state.processes.push(p);
  writeState(model, state);
  return p;
}
