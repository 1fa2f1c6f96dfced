// Shell quoting for what generators compute from the model: the boot scripts themselves are
// .sh files (generators/NN-name/), and what they read from the model arrives through a
// settings block quoted here.
import { Rendered } from "./source.ts";

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
