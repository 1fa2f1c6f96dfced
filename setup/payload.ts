// The offline lab's stand-in for Talos's boot assets (SPEC §2): Debian's kernels for amd64
// and arm64, taken from Debian's packages without changing the host's architectures (arm64
// through a private apt state). The lab's bastion serves them through matchbox at Talos's
// asset paths, and a PAYLOAD.json beside them says what they really are.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { join } from "node:path";
import { run } from "../lab/exec.ts";
import { NODE_ARCHES, type NodeArch } from "../model/index.ts";
import { cacheDir } from "./tools.ts";

export interface PayloadManifest {
  readonly payload: "stand-in";
  readonly what: string;
  readonly kernels: Readonly<Record<NodeArch, { package: string; version: string; file: string }>>;
}

/** Where the stand-in assets live: one folder per Debian kernel ABI. */
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

/** The kernel a node of this architecture boots: Image (uncompressed) on arm64, as GRUB needs. */
function extractKernel(arch: NodeArch, deb: string, into: string): string {
  const tmp = join(into, `unpack-${arch}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  run(["dpkg-deb", "-x", deb, tmp]);
  const boot = join(tmp, "boot");
  const vmlinuz = readdirSync(boot).find((f) => f.startsWith("vmlinuz-"));
  if (!vmlinuz) throw new Error(`${deb} has no /boot/vmlinuz-*`);
  let bytes = readFileSync(join(boot, vmlinuz));
  if (arch === "arm64" && bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  const out = join(into, `vmlinuz-${arch}`);
  writeFileSync(out, bytes);
  rmSync(tmp, { recursive: true, force: true });
  return out;
}

/** Fetches (once) the stand-in kernels; returns their folder. */
export function ensureStandInKernels(log: (line: string) => void): string {
  const work = join(payloadRoot(), "work");
  mkdirSync(work, { recursive: true });
  // The kernel ABI the metapackage points at today; the cache is keyed by it.
  const resolved = NODE_ARCHES.map((arch) => {
    const apt = aptFor(arch, work);
    if (arch !== "amd64") run(["apt-get", "-q", ...apt, "update"]);
    const dep = run(["apt-cache", ...apt, "depends", `linux-image-${arch}`]).stdout;
    const pkg = /Depends: (linux-image-[0-9][^\s:]*)/.exec(dep)?.[1];
    if (!pkg) throw new Error(`apt knows no kernel for linux-image-${arch}:\n${dep}`);
    return { arch, apt, pkg };
  });
  const key = resolved.map((r) => r.pkg).join("+");
  const dir = join(payloadRoot(), key);
  if (existsSync(join(dir, "PAYLOAD.json"))) {
    log(`  cached: ${dir}`);
    writeFileSync(currentPayloadFile(), `${dir}\n`);
    return dir;
  }
  const building = `${dir}.partial`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  const kernels = {} as Record<NodeArch, { package: string; version: string; file: string }>;
  for (const r of resolved) {
    log(`  ${r.arch}: apt-get download ${r.pkg}`);
    run(["apt-get", "-q", ...r.apt, "download", `${r.pkg}:${r.arch}`], { cwd: work });
    const deb = readdirSync(work).find((f) => f.startsWith(`${r.pkg}_`) && f.endsWith(`_${r.arch}.deb`));
    if (!deb) throw new Error(`apt-get download left no ${r.pkg} package in ${work}`);
    const version = deb.split("_")[1] ?? "";
    extractKernel(r.arch, join(work, deb), building);
    rmSync(join(work, deb));
    kernels[r.arch] = { package: r.pkg, version, file: `vmlinuz-${r.arch}` };
  }
  const manifest: PayloadManifest = {
    payload: "stand-in",
    what: "Debian kernels standing in for Talos's (the offline lab cannot download Talos's assets)",
    kernels,
  };
  writeFileSync(join(building, "PAYLOAD.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(building, dir);
  writeFileSync(currentPayloadFile(), `${dir}\n`);
  return dir;
}

/** Names the folder of the payload the setup made last; the lab serves that one. */
export const currentPayloadFile = () => join(payloadRoot(), "current");

export function currentPayload(): string | undefined {
  const f = currentPayloadFile();
  if (!existsSync(f)) return undefined;
  const dir = readFileSync(f, "utf8").trim();
  return existsSync(join(dir, "PAYLOAD.json")) ? dir : undefined;
}
