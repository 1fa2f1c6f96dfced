// The one TOML writer (Spin's application manifest): a table of plain values, then named
// tables and arrays of tables, in the order given. Strings are JSON-quoted, which is valid
// TOML for every character a manifest holds.
export type TomlValue = string | number | boolean | readonly string[];
export type TomlTable = Readonly<Record<string, TomlValue>>;

function value(v: TomlValue): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return `[${v.map((s) => JSON.stringify(s)).join(", ")}]`;
}

function keyName(k: string): string {
  return /^[A-Za-z0-9_-]+$/.test(k) ? k : JSON.stringify(k);
}

const pairs = (t: TomlTable) => Object.entries(t).map(([k, v]) => `${keyName(k)} = ${value(v)}`);

export interface TomlSection {
  /** Dotted table name, e.g. "component.hello-spin". */
  readonly name: string;
  /** An array-of-tables entry (`[[name]]`) rather than a table (`[name]`). */
  readonly array?: boolean;
  readonly values: TomlTable;
}

export function renderToml(top: TomlTable, sections: readonly TomlSection[], header: string): string {
  const comment = header
    .split("\n")
    .map((l) => `# ${l}`.trimEnd())
    .join("\n");
  const blocks = [pairs(top).join("\n")];
  for (const s of sections) {
    const name = s.name.split(".").map(keyName).join(".");
    blocks.push([s.array ? `[[${name}]]` : `[${name}]`, ...pairs(s.values)].join("\n"));
  }
  return `${comment}\n${blocks.join("\n\n")}\n`;
}
