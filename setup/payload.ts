// The offline lab's stand-in for Talos's boot assets (SPEC §2), taken from Debian's packages
// without changing the host's architectures (arm64 through a private apt state): per
// architecture a kernel, the NIC modules it needs and a static busybox, and for arm64 the
// GRUB EFI modules its firmware's netboot loader is made from. The setup caches these parts
// keyed by package versions; `lab up` assembles them with the repo's init script and the
// model's values into the initramfs and loaders the bastion serves (lab/payload.ts).
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  cpSync,
} from "node:fs";
import { gunzipSync } from "node:zlib";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { run } from "../common/exec.ts";
import { NODE_ARCHES, type NodeArch } from "../model/index.ts";
import { cacheDir } from "./tools.ts";

/**
 * The virtio NIC's modules, in load order. Debian builds them as modules on amd64; on arm64
 * the virtio core is built in (modules.builtin says which), so only the rest load there.
 */
export const NIC_MODULES = [
  "virtio_ring",
  "virtio",
  "virtio_pci_modern_dev",
  "virtio_pci_legacy_dev",
  "virtio_pci",
  "failover",
  "net_failover",
  "virtio_net",
] as const;

/** Bumped when the layout of the parts changes, so a stale cache is rebuilt rather than misread. */
const PARTS_FORMAT = 2;

interface DebianPackage {
  readonly package: string;
  readonly version: string;
}

export interface PayloadParts {
  readonly format: number;
  readonly arches: Readonly<
    Record<
      NodeArch,
      {
        readonly kernel: DebianPackage & { readonly release: string };
        readonly busybox: DebianPackage;
        /** The NIC modules this kernel needs loaded, in order (the rest are built in). */
        readonly modules: readonly string[];
      }
    >
  >;
  /** GRUB's arm64-efi modules (for the arm64 firmware's netboot loader). */
  readonly grubArm64: DebianPackage;
}

/** Where the parts live: one folder per set of package versions. */
export const payloadRoot = () => join(cacheDir(), "payload");

/** apt options for a private state that sees one foreign architecture, leaving the host's alone. */
function aptFor(arch: NodeArch, work: string): string[] {
  if (arch === "amd64") return [];
  const state = join(work, "apt-state");
  const cache = join(work, "apt-cache");
  for (const d of [join(state, "lists", "partial"), join(cache, "archives", "partial")])
    mkdirSync(d, { recursive: true });
  if (!existsSync(join(state, "status"))) writeFileSync(join(state, "status"), "");
  return [
    "-o",
    `Dir::State=${state}`,
    "-o",
    `Dir::Cache=${cache}`,
    "-o",
    `APT::Architecture=${arch}`,
    "-o",
    `APT::Architectures::=${arch}`,
  ];
}

function candidate(apt: string[], pkg: string): string {
  const policy = run(["apt-cache", ...apt, "policy", pkg]).stdout;
  const v = /Candidate: (\S+)/.exec(policy)?.[1];
  if (!v || v === "(none)") throw new Error(`apt has no candidate for ${pkg}:\n${policy}`);
  return v;
}

/** Downloads one package into work/ and unpacks it into a fresh folder; returns that folder. */
function unpack(apt: string[], work: string, pkg: string, arch: NodeArch | "all"): string {
  const before = new Set(readdirSync(work));
  run(["apt-get", "-q", ...apt, "download", arch === "all" ? pkg : `${pkg}:${arch}`], { cwd: work });
  const deb = readdirSync(work).find((f) => !before.has(f) && f.startsWith(`${pkg}_`) && f.endsWith(".deb"));
  if (!deb) throw new Error(`apt-get download left no ${pkg} package in ${work}`);
  const into = join(work, `unpacked-${pkg}-${arch}`);
  rmSync(into, { recursive: true, force: true });
  mkdirSync(into, { recursive: true });
  run(["dpkg-deb", "-x", join(work, deb), into]);
  rmSync(join(work, deb));
  return into;
}

function findFile(dir: string, name: string): string | undefined {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      const found = findFile(p, name);
      if (found) return found;
    } else if (e.name === name) return p;
  }
  return undefined;
}

/** The kernel, uncompressed on arm64 (GRUB 2.06 runs out of memory on a gzipped Image). */
function takeKernel(arch: NodeArch, unpacked: string, out: string): { release: string; modules: string[] } {
  const boot = join(unpacked, "boot");
  const vmlinuz = readdirSync(boot).find((f) => f.startsWith("vmlinuz-"));
  if (!vmlinuz) throw new Error(`the kernel package has no /boot/vmlinuz-* (${unpacked})`);
  const release = vmlinuz.slice("vmlinuz-".length);
  let bytes = readFileSync(join(boot, vmlinuz));
  if (arch === "arm64" && bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  writeFileSync(join(out, "vmlinuz"), bytes);
  const modRoot = join(unpacked, "lib", "modules", release);
  const builtin = readFileSync(join(modRoot, "modules.builtin"), "utf8");
  const modules: string[] = [];
  mkdirSync(join(out, "modules"), { recursive: true });
  for (const m of NIC_MODULES) {
    const ko = findFile(join(modRoot, "kernel"), `${m}.ko`);
    if (ko) {
      cpSync(ko, join(out, "modules", `${m}.ko`));
      modules.push(m);
    } else if (!new RegExp(`/${m}\\.ko$`, "m").test(builtin))
      throw new Error(
        `${release} has ${m} neither as a module nor built in; the stand-in cannot drive virtio-net`,
      );
  }
  return { release, modules };
}

/** Fetches (once) the stand-in's parts; returns their folder. */
export function ensurePayloadParts(log: (line: string) => void): string {
  const work = join(payloadRoot(), "work");
  mkdirSync(work, { recursive: true });
  const apts = Object.fromEntries(NODE_ARCHES.map((a) => [a, aptFor(a, work)])) as Record<NodeArch, string[]>;
  for (const a of NODE_ARCHES) if (a !== "amd64") run(["apt-get", "-q", ...apts[a], "update"]);
  const wanted = NODE_ARCHES.map((arch) => {
    const apt = apts[arch];
    const dep = run(["apt-cache", ...apt, "depends", `linux-image-${arch}`]).stdout;
    const kernel = /Depends: (linux-image-[0-9][^\s:]*)/.exec(dep)?.[1];
    if (!kernel) throw new Error(`apt knows no kernel for linux-image-${arch}:\n${dep}`);
    return {
      arch,
      apt,
      kernel: { package: kernel, version: candidate(apt, kernel) },
      busybox: { package: "busybox-static", version: candidate(apt, "busybox-static") },
    };
  });
  const grubApt = apts.arm64;
  const grub = { package: "grub-efi-arm64-bin", version: candidate(grubApt, "grub-efi-arm64-bin") };
  const key = createHash("sha256")
    .update(
      JSON.stringify({
        PARTS_FORMAT,
        wanted: wanted.map((w) => ({ arch: w.arch, kernel: w.kernel, busybox: w.busybox })),
        grub,
      }),
    )
    .digest("hex")
    .slice(0, 16);
  const dir = join(payloadRoot(), `parts-${key}`);
  if (existsSync(join(dir, "PARTS.json"))) {
    log(`  cached: ${dir}`);
    writeFileSync(currentPartsFile(), `${dir}\n`);
    return dir;
  }
  const building = `${dir}.partial`;
  rmSync(building, { recursive: true, force: true });
  const arches = {} as Record<NodeArch, PayloadParts["arches"][NodeArch]>;
  for (const w of wanted) {
    const out = join(building, w.arch);
    mkdirSync(out, { recursive: true });
    log(`  ${w.arch}: ${w.kernel.package} ${w.kernel.version}`);
    const k = unpack(w.apt, work, w.kernel.package, w.arch);
    const { release, modules } = takeKernel(w.arch, k, out);
    rmSync(k, { recursive: true, force: true });
    log(`  ${w.arch}: busybox-static ${w.busybox.version}`);
    const b = unpack(w.apt, work, "busybox-static", w.arch);
    cpSync(join(b, "bin", "busybox"), join(out, "busybox"));
    rmSync(b, { recursive: true, force: true });
    arches[w.arch] = { kernel: { ...w.kernel, release }, busybox: w.busybox, modules };
  }
  log(`  arm64: grub-efi-arm64-bin ${grub.version}`);
  const g = unpack(grubApt, work, "grub-efi-arm64-bin", "arm64");
  cpSync(join(g, "usr", "lib", "grub", "arm64-efi"), join(building, "arm64", "grub"), { recursive: true });
  rmSync(g, { recursive: true, force: true });
  const parts: PayloadParts = { format: PARTS_FORMAT, arches, grubArm64: grub };
  writeFileSync(join(building, "PARTS.json"), `${JSON.stringify(parts, null, 2)}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(building, dir);
  writeFileSync(currentPartsFile(), `${dir}\n`);
  return dir;
}

/** Names the folder of the parts the setup made last; the lab assembles its payload from those. */
export const currentPartsFile = () => join(payloadRoot(), "current-parts");

export function currentPayloadParts(): { dir: string; parts: PayloadParts } | undefined {
  const f = currentPartsFile();
  if (!existsSync(f)) return undefined;
  const dir = readFileSync(f, "utf8").trim();
  const manifest = join(dir, "PARTS.json");
  if (!existsSync(manifest)) return undefined;
  const parts = JSON.parse(readFileSync(manifest, "utf8")) as PayloadParts;
  return parts.format === PARTS_FORMAT ? { dir, parts } : undefined;
}
