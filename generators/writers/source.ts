// Code that is the same for every model (a module's HCL, a boot script) is written as a
// file in its own language under its generator's folder (generators/NN-name/) and copied
// into infra/ with a header that names it. Where such a file needs a value that lives in
// TypeScript (an AMI's owner, a tag key the lab also reads), it says `{{ name }}` and the
// generator passes the value, escaped here for the file's language; every placeholder must
// be given and every value used, so a renamed slot cannot go silently empty.
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { quote } from "./hcl.ts";

/** Lines a writer has already written in the file's language (quoted there); a slot of its own line. */
export class Rendered {
  constructor(readonly text: string) {}
}

const GENERATORS_DIR = fileURLToPath(new URL("..", import.meta.url));
const SLOT = /\{\{ ([a-z][a-z0-9_]*) \}\}/g;

/** The value escaped for where a slot may stand in a file of this extension. */
function escapeFor(ext: string, source: string, name: string, value: string): string {
  // In HCL a slot stands inside a quoted string or a comment: the string's escaping (quotes,
  // backslashes, `${`/`%{` doubled) keeps the value literal in both.
  if (ext === ".tf") {
    if (/[\r\n]/.test(value)) throw new Error(`${source}: {{ ${name} }} must be one line`);
    // A trailing sigil would join the text after the slot into a live `${` or `%{`.
    if (/[$%]$/.test(value)) throw new Error(`${source}: {{ ${name} }} must not end in $ or %`);
    return quote(value).slice(1, -1);
  }
  // In a shell script a slot may stand in any quoting (bare, "…", '…'), so it takes only
  // characters that mean nothing to the shell in any of them.
  if (ext === ".sh") {
    if (!/^[A-Za-z0-9_./:=@%+-]+$/.test(value))
      throw new Error(`${source}: {{ ${name} }} = ${JSON.stringify(value)} has characters the shell reads`);
    return value;
  }
  throw new Error(`${source}: {{ ${name} }}: values in ${ext} files are not supported`);
}

export interface SourceFile {
  /** The generator's number, for the header's command. */
  readonly test: number;
  /** Path under generators/, e.g. `01-network/network.tf`. */
  readonly source: string;
  /** Slot values, and where they come from (named in the header). */
  readonly values?: { readonly from: string; readonly slots: Slots };
}

type Slots = Readonly<Record<string, string | Rendered>>;

/** Fills a source text's slots; `where` names the file in errors, its extension picks the escaping. */
export function fillSlots(text: string, where: string, slots: Slots): string {
  const used = new Set<string>();
  const rendered = text.replace(SLOT, (slot: string, name: string, at: number) => {
    const value = slots[name];
    if (value === undefined) throw new Error(`${where}: no value for {{ ${name} }}`);
    used.add(name);
    if (!(value instanceof Rendered)) return escapeFor(extname(where), where, name, value);
    const lineStart = text.lastIndexOf("\n", at) + 1;
    const lineEnd = text.indexOf("\n", at);
    if (text.slice(lineStart, lineEnd === -1 ? undefined : lineEnd) !== slot)
      throw new Error(`${where}: {{ ${name} }} holds lines, so it must stand alone on its line`);
    return value.text.replace(/\n$/, "");
  });
  const stray = /\{\{[^}]*\}\}/.exec(rendered);
  if (stray) throw new Error(`${where}: ${stray[0]} is not a slot (write it as {{ lower_snake }})`);
  const unused = Object.keys(slots).filter((k) => !used.has(k));
  if (unused.length > 0) throw new Error(`${where}: no slot for ${unused.join(", ")}`);
  return rendered;
}

/** The source's text with its slots filled in and no header: what a test runs as is. */
export function renderSource(s: SourceFile): string {
  const text = readFileSync(`${GENERATORS_DIR}${s.source}`, "utf8");
  return fillSlots(text, `generators/${s.source}`, s.values?.slots ?? {});
}

/** Puts `header` after the text's leading comment block (shebang, description). */
export function insertHeader(text: string, header: string, where: string): string {
  const lines = text.split("\n");
  const end = lines.findIndex((l) => !l.startsWith("#"));
  if (end <= 0) throw new Error(`${where}: must start with a comment that says what it is`);
  return [...lines.slice(0, end), `# ${header}`, ...lines.slice(end)].join("\n");
}

/**
 * The file as it lands in infra/: the source, slots filled, with a line after its leading
 * comment block (shebang and description) that names the source and how to change it.
 */
export function sourceFile(s: SourceFile): string {
  const nn = String(s.test).padStart(2, "0");
  const what = s.values ? `generators/${s.source} and ${s.values.from}` : `generators/${s.source}`;
  const verb = s.values ? "Rendered" : "Copied";
  const header = `${verb} by generator ${nn} from ${what}. Do not edit: edit the source, then run \`npm run generate -- --test ${s.test}\`.`;
  return insertHeader(renderSource(s), header, `generators/${s.source}`);
}
