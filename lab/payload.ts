// Assembles the offline lab's boot payload (SPEC §2) at `lab up`, from the Debian parts the
// setup cached (setup/payload.ts), the repo's init scripts (lab/payload/) and the model's
// values: per architecture a kernel and an xz initramfs at Talos's asset names, a PAYLOAD.json
// saying what they are, and the TFTP loaders — Debian's iPXE for x86 and a GRUB EFI image for
// arm64 firmware, which reaches matchbox over HTTP.
import { chmodSync, cpSync, mkdirSync, rmSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { derived, NODE_ARCHES, REPO_ROOT, type Model, type NodeArch } from "../model/index.ts";
import { ARM64_EFI_LOADER } from "../generators/03-netboot.ts";
import { currentPayloadParts, type PayloadParts } from "../setup/payload.ts";
import { run } from "../common/exec.ts";

/** Debian's iPXE loaders, offered to BIOS and x86_64 EFI firmware. */
export const LAB_IPXE_LOADERS = "/usr/lib/ipxe";

export interface PayloadManifest {
  readonly payload: "stand-in";
  readonly what: string;
  readonly arches: PayloadParts["arches"];
  readonly initramfs: Readonly<Record<NodeArch, { readonly sha256: string; readonly bytes: number }>>;
  /** The image the stand-in pulls through its mirror. */
  readonly pulls: string;
}

export interface LabPayload {
  /** Kernels and initramfs at Talos's asset names, plus PAYLOAD.json (MOON_TALOS_ASSETS). */
  readonly assets: string;
  /** The TFTP root's loaders (MOON_TFTP_LOADERS). */
  readonly loaders: string;
  readonly manifest: PayloadManifest;
}

/** The environment /init reads: everything it must know comes from the model. */
function payloadEnv(model: Model, arch: NodeArch, modules: readonly string[]): string {
  const t = model.lab.upstreams.testImage;
  const registry = model.services.caches[0]?.upstream ?? "docker.io";
  return [
    `ARCH=${arch}`,
    `MODULES="${modules.join(" ")}"`,
    `PULL_REGISTRY=${registry}`,
    `PULL_IMAGE=${registry}/${t.repository}:${t.tag}`,
    `REPORT_PORT=${model.nodes.talosApiPort}`,
    "",
  ].join("\n");
}

function buildInitramfs(
  model: Model,
  parts: string,
  arch: NodeArch,
  modules: readonly string[],
  out: string,
) {
  const stage = `${out}.stage`;
  rmSync(stage, { recursive: true, force: true });
  for (const d of ["bin", "dev", "etc/moon", "lib/modules", "proc", "sys", "run", "srv", "tmp"])
    mkdirSync(join(stage, d), { recursive: true });
  cpSync(join(REPO_ROOT, "lab", "payload", "init"), join(stage, "init"));
  cpSync(join(REPO_ROOT, "lab", "payload", "udhcpc"), join(stage, "etc", "moon", "udhcpc"));
  cpSync(join(parts, arch, "busybox"), join(stage, "bin", "busybox"));
  for (const f of ["init", "etc/moon/udhcpc", "bin/busybox"]) chmodSync(join(stage, f), 0o755);
  symlinkSync("busybox", join(stage, "bin", "sh"));
  for (const m of modules)
    cpSync(join(parts, arch, "modules", `${m}.ko`), join(stage, "lib", "modules", `${m}.ko`));
  writeFileSync(join(stage, "etc", "moon", "payload.env"), payloadEnv(model, arch, modules));
  // The kernel opens /dev/console for init before devtmpfs is mounted.
  run(["mknod", "-m", "600", join(stage, "dev", "console"), "c", "5", "1"]);
  // Sorted names and fixed times, so the same inputs make the same bytes.
  run([
    "bash",
    "-c",
    'set -euo pipefail; cd "$1"; find . -exec touch -h -d @0 {} +; find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc -R 0:0 --quiet | xz -T1 -6 --check=crc32 >"$2"',
    "initramfs",
    stage,
    out,
  ]);
  rmSync(stage, { recursive: true, force: true });
}

/**
 * The GRUB EFI image arm64 firmware gets over TFTP. Its embedded config only hands over to a
 * second one in its memdisk (the embedded config runs in GRUB's rescue parser, which has no
 * `function`). That one asks matchbox for the node's GRUB config by MAC, as iPXE's /boot.ipxe
 * does, and makes matchbox's template work on arm64: upstream GRUB has no linuxefi or
 * initrdefi, so those names call linux and initrd, and `mac` is exported so the profile's
 * talos.config=…?mac=${mac} expands here as it does under iPXE.
 */
function buildGrub(model: Model, parts: string, out: string): void {
  const url = new URL(derived(model).matchboxUrl);
  const work = `${out}.work`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(work, "memdisk"), { recursive: true });
  writeFileSync(join(work, "embed.cfg"), "configfile (memdisk)/moon.cfg\n");
  writeFileSync(
    join(work, "memdisk", "moon.cfg"),
    [
      "set timeout=0",
      `set root=(http,${url.host})`,
      "set mac=$net_default_mac",
      "export mac",
      // One retry each: a stale connection on the server can swallow GRUB's first attempt.
      'function linuxefi { if linux "$@"; then true; else echo "moon: kernel again"; linux "$@"; fi; }',
      'function initrdefi { if initrd "$@"; then true; else echo "moon: initrd again"; initrd "$@"; fi; }',
      "configfile /grub?mac=$net_default_mac",
      "",
    ].join("\n"),
  );
  run([
    "tar",
    "-C",
    join(work, "memdisk"),
    "--owner=0",
    "--group=0",
    "--mtime=@0",
    "-cf",
    join(work, "memdisk.tar"),
    "moon.cfg",
  ]);
  const modules = [
    "efinet",
    "net",
    "tftp",
    "http",
    "linux",
    "gzio",
    "echo",
    "normal",
    "configfile",
    "test",
    "sleep",
    "halt",
    "reboot",
    "memdisk",
    "tar",
    "true",
  ];
  run([
    "grub-mkimage",
    "-O",
    "arm64-efi",
    "-d",
    join(parts, "arm64", "grub"),
    "-p",
    "(memdisk)/",
    "-c",
    join(work, "embed.cfg"),
    "-m",
    join(work, "memdisk.tar"),
    "-o",
    out,
    ...modules,
  ]);
  rmSync(work, { recursive: true, force: true });
}

const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

/** Builds the payload under DIR (the lab's state directory); fails with the fix when setup has not run. */
export function buildLabPayload(model: Model, dir: string): LabPayload {
  const found = currentPayloadParts();
  if (!found) throw new Error("the stand-in payload's Debian parts are not cached. Fix: npm run setup");
  const { dir: parts, parts: manifest } = found;
  const assets = join(dir, "assets");
  const loaders = join(dir, "tftp");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(assets, { recursive: true });
  mkdirSync(loaders, { recursive: true });
  const initramfs = {} as Record<NodeArch, { sha256: string; bytes: number }>;
  for (const arch of NODE_ARCHES) {
    // The bastion's start script copies (following links) into matchbox's assets.
    symlinkSync(join(parts, arch, "vmlinuz"), join(assets, `vmlinuz-${arch}`));
    const out = join(assets, `initramfs-${arch}.xz`);
    buildInitramfs(model, parts, arch, manifest.arches[arch].modules, out);
    initramfs[arch] = { sha256: sha256(out), bytes: readFileSync(out).length };
  }
  const t = model.lab.upstreams.testImage;
  const payload: PayloadManifest = {
    payload: "stand-in",
    what: "Debian kernels and a busybox initramfs standing in for Talos (the offline lab cannot download Talos's assets)",
    arches: manifest.arches,
    initramfs,
    pulls: `${model.services.caches[0]?.upstream ?? "docker.io"}/${t.repository}:${t.tag}`,
  };
  writeFileSync(join(assets, "PAYLOAD.json"), `${JSON.stringify(payload, null, 2)}\n`);
  for (const f of ["undionly.kpxe", "ipxe.efi"])
    if (existsSync(join(LAB_IPXE_LOADERS, f))) symlinkSync(join(LAB_IPXE_LOADERS, f), join(loaders, f));
  buildGrub(model, parts, join(loaders, ARM64_EFI_LOADER));
  return { assets, loaders, manifest: payload };
}
