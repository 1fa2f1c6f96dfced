// Image Factory schematics, computed offline (SPEC §3): a schematic's ID is the SHA-256 of
// its canonical YAML, so the installer image a node kind needs is known without asking
// the factory. The canonical form is what the factory's Go YAML encoder writes (four-space
// indent, empty customization as `{}`); unit specs pin it to IDs the factory publishes.
import { createHash } from "node:crypto";
import { OFFICIAL_EXTENSIONS } from "../model/index.ts";

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

/** The installer image Image Factory serves for a schematic at a Talos version. */
/**
 * The installer for a platform other than metal: Image Factory serves
 * `<platform>-installer/<schematic>:<version>` from Talos 1.10 on, and the installed system
 * keeps that platform (siderolabs/image-factory docs/api.md; for AWS, Talos's boot-assets
 * guide: `talosctl upgrade --image factory.talos.dev/aws-installer/<schematic>:<version>`).
 */
export function platformInstallerImage(s: Schematic, talos: string, platform: "aws"): string {
  return `factory.talos.dev/${platform}-installer/${schematicId(s)}:v${talos}`;
}

export function installerImage(s: Schematic, talos: string, secureBoot = false): string {
  return `factory.talos.dev/${secureBoot ? "installer-secureboot" : "installer"}/${schematicId(s)}:v${talos}`;
}
