// Image Factory schematics, computed offline (SPEC §3): a schematic's ID is the SHA-256 of
// its canonical YAML, so the installer image a node kind needs is known without asking
// the factory. The canonical form is what the factory's Go YAML encoder writes (four-space
// indent, empty customization as `{}`); unit specs pin it to IDs the factory publishes.
import { createHash } from "node:crypto";
import { OFFICIAL_EXTENSIONS, type TargetName } from "../model/index.ts";

export interface Schematic {
  /** Official system extensions, e.g. "siderolabs/drbd"; written sorted. */
  readonly officialExtensions: readonly string[];
}

export function schematicYaml(s: Schematic): string {
  for (const e of s.officialExtensions)
    if (!(OFFICIAL_EXTENSIONS as readonly string[]).includes(e))
      throw new Error(`schematic: ${e} is not an official extension the kit knows`);
  const extensions = [...new Set(s.officialExtensions)].sort();
  if (extensions.length === 0) return "customization: {}\n";
  return [
    "customization:",
    "    systemExtensions:",
    "        officialExtensions:",
    ...extensions.map((e) => `            - ${e}`),
    "",
  ].join("\n");
}

export function schematicId(s: Schematic): string {
  return createHash("sha256").update(schematicYaml(s)).digest("hex");
}

/**
 * The Talos platform a target's nodes install. EC2 nodes run Talos's aws platform, whatever
 * booted them (the iPXE AMI netboots the metal kernel, which installs this): the platform
 * puts EC2's serial console on the installed system's command line and reads EC2's metadata.
 */
export type TalosPlatform = "metal" | "aws";
export const installPlatform = (target: TargetName): TalosPlatform => (target === "aws" ? "aws" : "metal");

/**
 * The serial consoles a platform's installer writes on the installed system's kernel command
 * line, per architecture (siderolabs/talos internal/app/machined/pkg/runtime/v1alpha1/platform:
 * aws/aws.go KernelArgs gives tty1 and ttyS0 on every architecture; metal/metal.go gives ttyS0
 * on amd64 and ttyAMA0 on arm64).
 */
export function platformSerialConsole(platform: TalosPlatform, arch: "amd64" | "arm64"): string {
  return platform === "aws" || arch === "amd64" ? "ttyS0" : "ttyAMA0";
}

/**
 * The installer image Image Factory serves for a schematic at a Talos version and platform:
 * `installer/…` for metal, `<platform>-installer/…` for the others from Talos 1.10 on, and the
 * installed system keeps that platform (siderolabs/image-factory docs/api.md; for AWS, Talos's
 * boot-assets guide: `talosctl upgrade --image factory.talos.dev/aws-installer/<schematic>:<version>`).
 */
export function installerImage(s: Schematic, talos: string, platform: TalosPlatform): string {
  const repo = platform === "metal" ? "installer" : `${platform}-installer`;
  return `factory.talos.dev/${repo}/${schematicId(s)}:v${talos}`;
}
