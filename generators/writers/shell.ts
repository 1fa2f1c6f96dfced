// The one shell writer: boot scripts and user-data are built as steps (a reason and
// its commands) and rendered here, strict mode and header included, so every script
// starts the same way and passes shellcheck.
import { Rendered } from "./source.ts";

export interface ShellStep {
  /** Why the step is there (rendered as a comment). */
  readonly why: string;
  readonly commands: readonly string[];
}

export interface ShellScript {
  /** First line: a shebang, or a cloud-init part header such as `#cloud-boothook`. */
  readonly firstLine: string;
  readonly description: string;
  readonly steps: readonly ShellStep[];
}

export function renderShell(script: ShellScript): string {
  const lines = [script.firstLine];
  // cloud-init part headers are not shebangs; tell shellcheck which shell runs them.
  if (!script.firstLine.startsWith("#!")) lines.push("# shellcheck shell=bash");
  lines.push(...script.description.split("\n").map((l) => `# ${l}`.trimEnd()), "set -euo pipefail");
  for (const step of script.steps) {
    lines.push("", ...step.why.split("\n").map((l) => `# ${l}`.trimEnd()), ...step.commands);
  }
  return lines.join("\n") + "\n";
}

/** `name=value` lines for a script's settings slot, each value quoted (a list as a bash array). */
export function shellAssignments(values: Readonly<Record<string, string | readonly string[]>>): Rendered {
  return new Rendered(
    Object.entries(values)
      .map(([name, v]) => {
        if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`${name} is not a shell variable name`);
        return typeof v === "string" ? `${name}=${shq(v)}` : `${name}=(${v.map(shq).join(" ")})`;
      })
      .join("\n"),
  );
}

/** Quotes a value for a POSIX shell. */
export function shq(value: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'"'"'`)}'`;
}
