// The lab's Talos nodes: QEMU guests (software emulation; this machine's KVM is unusable) on
// the private subnet's bridge, each with the MAC the model gives its machine, so the
// bastion's dnsmasq and matchbox treat it as that node. amd64 boots SeaBIOS with the virtio
// iPXE ROM (→ /boot.ipxe), arm64 boots AAVMF, whose PXE fetches the GRUB EFI loader (→ /grub).
// Each node lives in its own folder of the lab's state: a record, its console log with host
// timestamps, its boot times and, for real Talos, its install disk.
import { spawn } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import {
  derived,
  NODE_ARCHES,
  NODE_ROLES,
  type Model,
  type NodeArch,
  type NodeRole,
} from "../model/index.ts";
import { NODE_TAP_PREFIX, programArgv } from "./dataplane.ts";
import { run } from "../common/exec.ts";
import { ip, listNamespaces } from "./netns.ts";
import { readState } from "./state.ts";
import { readBastion } from "./instances.ts";

/** The firmware images QEMU needs (Debian's seabios and ipxe-qemu for amd64, qemu-efi-aarch64 for arm64). */
const AAVMF = "/usr/share/qemu-efi-aarch64/QEMU_EFI.fd";
const QEMU: Record<NodeArch, string> = {
  amd64: "/usr/bin/qemu-system-x86_64",
  arm64: "/usr/bin/qemu-system-aarch64",
};

export interface LabNode {
  readonly name: string;
  readonly mac: string;
  readonly ip: string;
  readonly arch: NodeArch;
  readonly role: NodeRole;
  readonly tap: string;
  readonly pid: number;
  readonly dir: string;
  readonly payload: "stand-in" | "talos";
  readonly qemu: readonly string[];
}

export interface NodeBoot {
  readonly poweredOnAt: string;
  readonly reportAt?: string;
  readonly exitCode?: number;
}

const nodesDir = (model: Model) => join(model.lab.stateDir, "nodes");

export function listNodes(model: Model): LabNode[] {
  const dir = nodesDir(model);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => existsSync(join(dir, n, "node.json")))
    .map((n) => JSON.parse(readFileSync(join(dir, n, "node.json"), "utf8")) as LabNode);
}

export function nodeBoot(node: LabNode): NodeBoot | undefined {
  const f = join(node.dir, "boot.json");
  return existsSync(f) ? (JSON.parse(readFileSync(f, "utf8")) as NodeBoot) : undefined;
}

export const nodeConsole = (node: LabNode) => join(node.dir, "console.log");

function qemuArgv(
  model: Model,
  arch: NodeArch,
  mac: string,
  tap: string,
  disk: string | undefined,
  talos: boolean,
) {
  const memory = String(talos ? model.lab.nodes.memoryMib.talos : model.lab.nodes.memoryMib.standIn);
  const common = [
    "-m",
    memory,
    "-smp",
    String(model.lab.nodes.cpus),
    "-nodefaults",
    "-no-user-config",
    "-display",
    "none",
    "-serial",
    "stdio",
    "-monitor",
    "none",
    "-netdev",
    `tap,id=net0,ifname=${tap},script=no,downscript=no`,
    ...(disk ? ["-drive", `file=${disk},format=raw,if=virtio`] : []),
  ];
  if (arch === "amd64")
    // ipxe-qemu's virtio ROM is built for the modern virtio PCI ID: without disable-legacy
    // SeaBIOS skips it ("No bootable device").
    return [
      QEMU.amd64,
      "-machine",
      "pc",
      "-accel",
      "tcg",
      ...common,
      "-device",
      `virtio-net-pci,netdev=net0,mac=${mac},disable-legacy=on,bootindex=0`,
    ];
  // The firmware's own virtio driver does PXE (no option ROM), then GRUB takes over.
  return [
    QEMU.arm64,
    "-machine",
    "virt",
    "-cpu",
    "cortex-a57",
    "-accel",
    "tcg",
    "-bios",
    AAVMF,
    ...common,
    "-device",
    `virtio-net-pci,netdev=net0,mac=${mac},romfile=,bootindex=0`,
  ];
}

/** Powers on the model's next free machine of that architecture and role (or the one named). */
export function addNode(model: Model, want: { arch: string; role: string; name?: string }): LabNode {
  if (!(NODE_ARCHES as readonly string[]).includes(want.arch))
    throw new Error(`--arch ${want.arch}: use ${NODE_ARCHES.join(" or ")}`);
  if (!(NODE_ROLES as readonly string[]).includes(want.role))
    throw new Error(`--role ${want.role}: use ${NODE_ROLES.join(" or ")}`);
  const state = readState(model);
  if (!state?.readyAt || !state.payload) throw new Error("the lab is not up. Fix: npm run lab:up");
  const d = derived(model);
  const running = new Set(listNodes(model).map((n) => n.name));
  const candidates = d.nodes.filter((n) => n.arch === want.arch && n.role === want.role);
  const machine = want.name
    ? candidates.find((n) => n.name === want.name)
    : candidates.find((n) => !running.has(n.name));
  if (!machine)
    throw new Error(
      want.name
        ? `${want.name} is not a ${want.arch} ${want.role} in nodes.machines. Fix: pick one of ${candidates.map((n) => n.name).join(", ") || "(none)"}`
        : `no ${want.arch} ${want.role} machine in nodes.machines is free (${candidates.length} listed, all running). Fix: add one to nodes.machines in moon.config.json (a MAC, an address, the arch and the role), regenerate, and lab up again`,
    );
  if (running.has(machine.name))
    throw new Error(
      `${machine.name} is in the lab already (running or stopped). Fix: lab node rm ${machine.name} first`,
    );
  const qemu = QEMU[machine.arch];
  if (!existsSync(qemu) || (machine.arch === "arm64" && !existsSync(AAVMF)))
    throw new Error(`${qemu} or its firmware is not installed. Fix: npm run setup`);
  const ns = d.namespaces.vpc;
  if (!listNamespaces(ns).includes(ns))
    throw new Error(`the VPC namespace ${ns} is gone. Fix: npm run lab:up`);
  if (!readBastion(model))
    throw new Error(
      "no bastion is running to netboot from. Fix: wait for its replacement, or npm run lab:up",
    );
  const index = d.nodes.findIndex((n) => n.name === machine.name) + 1;
  const tap = `${NODE_TAP_PREFIX}${index}`;
  const dir = join(nodesDir(model), machine.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const talos = state.payload.kind === "talos";
  let disk: string | undefined;
  let child: ReturnType<typeof spawn> | undefined;
  try {
    if (talos) {
      // Real Talos installs itself; a sparse file is its disk (the stand-in runs from RAM).
      disk = join(dir, "disk.raw");
      closeSync(openSync(disk, "w"));
      run(["truncate", "-s", `${model.lab.nodes.diskGib}G`, disk]);
    }
    ip(ns, "tuntap", "add", "dev", tap, "mode", "tap");
    ip(ns, "link", "set", tap, "master", "br-priv");
    ip(ns, "link", "set", tap, "up");
    const argv = qemuArgv(model, machine.arch, machine.mac, tap, disk, talos);
    const log = openSync(join(dir, "qemu-node.log"), "a");
    child = spawn("ip", ["netns", "exec", ns, ...programArgv("qemu-node", dir, "--", ...argv)], {
      detached: true,
      stdio: ["ignore", log, log],
    });
    closeSync(log);
    child.unref();
    if (!child.pid) throw new Error(`could not start QEMU for ${machine.name}`);
    const node: LabNode = {
      name: machine.name,
      mac: machine.mac,
      ip: machine.ip,
      arch: machine.arch,
      role: machine.role,
      tap,
      pid: child.pid,
      dir,
      payload: state.payload.kind,
      qemu: argv,
    };
    writeFileSync(join(dir, "node.json"), `${JSON.stringify(node, null, 2)}\n`);
    return node;
  } catch (e) {
    if (child?.pid) signal(child.pid, "SIGKILL", (cmd) => cmd.includes(dir));
    run(["ip", "-n", ns, "link", "del", tap], { allowFailure: true });
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** The node's own QEMU process(es): qemu-system with its tap device (a wrapper's argv does not count). */
export function qemuPids(node: LabNode): number[] {
  return run(["pgrep", "-f", `^/usr/bin/qemu-system-[a-z0-9_]+ .*ifname=${node.tap},`], {
    allowFailure: true,
  })
    .stdout.split("\n")
    .filter(Boolean)
    .map(Number)
    .filter((pid) => cmdline(pid).includes(node.mac));
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return "";
  }
}

/** Signals a process only if it is still this node's (a pid may be reused once its process is gone). */
function signal(pid: number, sig: NodeJS.Signals, mine: (cmd: string) => boolean): void {
  if (!mine(cmdline(pid))) return;
  try {
    process.kill(pid, sig);
  } catch {
    // Gone in between.
  }
}

/** Powers a node off and removes its tap, disk and folder. */
export function removeNode(model: Model, name: string): void {
  const node = listNodes(model).find((n) => n.name === name);
  if (!node)
    throw new Error(
      `no lab node ${name}. Fix: lab node list shows the running ones (${
        listNodes(model)
          .map((n) => n.name)
          .join(", ") || "none"
      })`,
    );
  const wrapper = (cmd: string) => cmd.includes("qemu-node") && cmd.includes(node.dir);
  try {
    signal(node.pid, "SIGTERM", wrapper);
    const until = Date.now() + 5000;
    while (wrapper(cmdline(node.pid)) && Date.now() < until) run(["sleep", "0.1"]);
    signal(node.pid, "SIGKILL", wrapper);
    // QEMU itself, should the wrapper have died before passing the signal on.
    for (const pid of qemuPids(node)) signal(pid, "SIGKILL", (cmd) => cmd.includes(node.mac));
  } finally {
    // Gone already when the namespace went first.
    run(["ip", "-n", derived(model).namespaces.vpc, "link", "del", node.tap], { allowFailure: true });
    rmSync(node.dir, { recursive: true, force: true });
  }
}

export function removeAllNodes(model: Model): number {
  const nodes = listNodes(model);
  for (const n of nodes) removeNode(model, n.name);
  return nodes.length;
}
