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
const DROP = "\u0000dropped line\u0000";
/** What a dnsmasq option's value may hold (see `escapeFor`). */
export const DNSMASQ_VALUE = /^(?!#)[A-Za-z0-9_.:,/@#*+-]{1,512}$/;

/** The value escaped for where a slot may stand in a file of this extension. */
function escapeFor(ext: string, source: string, name: string, value: string): string {
  // In HCL a slot stands inside a quoted string or a comment: the string's escaping (quotes,
  // backslashes, `${`/`%{` doubled) keeps the value literal in both.
  if (ext === ".tf" || ext === ".hcl") {
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
  // dnsmasq reads an option's value to the end of its line, unquotes "…" (with backslash
  // escapes inside), starts a comment at a `#` after whitespace and reads a line in chunks of
  // at most 1,024 characters (src/option.c, read_file): a slot takes no whitespace, quote or
  // backslash, does not begin with `#` and stays short, so it reads as written.
  if (ext === ".conf") {
    if (!DNSMASQ_VALUE.test(value))
      throw new Error(`${source}: {{ ${name} }} = ${JSON.stringify(value)} cannot be a dnsmasq value`);
    return value;
  }
  // In TOML a slot stands where a value or a key does: a JSON string is a TOML basic string
  // (and a quoted key), its escapes being TOML's too, once DEL (which JSON leaves bare and TOML
  // refuses) and lone surrogates (no \u escape can name one) are out.
  if (ext === ".toml") {
    if (/\x7f|\p{Cs}/u.test(value))
      throw new Error(`${source}: {{ ${name} }} has a character TOML strings cannot hold`);
    return JSON.stringify(value);
  }
  // In YAML a slot stands where a scalar does: a JSON string is a YAML double-quoted scalar,
  // its escapes being YAML's too, once the characters go-yaml v2 refuses raw or as an escape
  // are out (readerc.go: DEL, C1 controls but NEL, U+FFFE/U+FFFF; scannerc.go: surrogates).
  // distribution reads its config with gopkg.in/yaml.v2 (configuration/parser.go).
  if (ext === ".yml") {
    if (/[\x7f-\x84\x86-\x9f\ufffe\uffff]|\p{Cs}/u.test(value))
      throw new Error(`${source}: {{ ${name} }} has a character YAML readers refuse`);
    return JSON.stringify(value);
  }
  // In Markdown a slot stands in prose or a code span: one line, and no backtick to end the span.
  if (ext === ".md") {
    if (/[\r\n`]/.test(value)) throw new Error(`${source}: {{ ${name} }} must be one line without backticks`);
    return value;
  }
  throw new Error(`${source}: {{ ${name} }}: values in ${ext} files are not supported`);
}

export interface SourceFile {
  /** The generator's number, for the header's command; `all` for what every run renders (the roots). */
  readonly test: number | "all";
  /** Path under generators/, e.g. `01-network/network.tf`. */
  readonly source: string;
  /** Slot values, and where they come from (named in the header). */
  readonly values?: { readonly from: string; readonly slots: Slots };
}

/**
 * A slot's value: a string (escaped for where it stands), lines already written in the
 * file's language, or — in HCL — a list of constants, written as an HCL tuple where an
 * expression stands (`contains({{ choices }}, var.x)`), so a module checks the model's list.
 */
type Slots = Readonly<Record<string, string | Rendered | readonly (string | number)[]>>;

/** Fills a source text's slots; `where` names the file in errors, its extension picks the escaping. */
export function fillSlots(text: string, where: string, slots: Slots): string {
  const used = new Set<string>();
  const rendered = text.replace(SLOT, (slot: string, name: string, at: number) => {
    const value = slots[name];
    if (value === undefined) throw new Error(`${where}: no value for {{ ${name} }}`);
    used.add(name);
    if (Array.isArray(value)) {
      if (extname(where) !== ".tf") throw new Error(`${where}: {{ ${name} }}: a list goes only in HCL`);
      return `[${value.map((x: string | number) => (typeof x === "number" ? String(x) : quote(x))).join(", ")}]`;
    }
    if (typeof value === "string") return escapeFor(extname(where), where, name, value);
    if (!(value instanceof Rendered)) throw new Error(`${where}: {{ ${name} }} has no usable value`);
    const lineStart = text.lastIndexOf("\n", at) + 1;
    const lineEnd = text.indexOf("\n", at);
    if (text.slice(lineStart, lineEnd === -1 ? undefined : lineEnd) !== slot)
      throw new Error(`${where}: {{ ${name} }} holds lines, so it must stand alone on its line`);
    // An empty block takes its line with it.
    return value.text === "" ? DROP : value.text.replace(/\n$/, "");
  });
  const stray = /\{\{[^}]*\}\}/.exec(rendered);
  const kept = rendered.split(`${DROP}\n`).join("");
  if (stray) throw new Error(`${where}: ${stray[0]} is not a slot (write it as {{ lower_snake }})`);
  const unused = Object.keys(slots).filter((k) => !used.has(k));
  if (unused.length > 0) throw new Error(`${where}: no slot for ${unused.join(", ")}`);
  return kept;
}

/** The source's text with its slots filled in and no header: what a test runs as is. */
export function renderSource(s: SourceFile): string {
  const text = readFileSync(`${GENERATORS_DIR}${s.source}`, "utf8");
  return fillSlots(text, `generators/${s.source}`, s.values?.slots ?? {});
}

/** Puts `header` after the text's leading comment block (shebang, description), or a Markdown title. */
export function insertHeader(text: string, header: string, where: string): string {
  const lines = text.split("\n");
  if (extname(where) === ".md") {
    if (!/^# \S/.test(lines[0] ?? "")) throw new Error(`${where}: must start with its # title`);
    return [lines[0], "", `<!-- ${header} -->`, ...lines.slice(1)].join("\n");
  }
  const end = lines.findIndex((l) => !l.startsWith("#"));
  if (end <= 0) throw new Error(`${where}: must start with a comment that says what it is`);
  return [...lines.slice(0, end), `# ${header}`, ...lines.slice(end)].join("\n");
}

/**
 * The file as it lands in infra/: the source, slots filled, with a line after its leading
 * comment block (shebang and description) that names the source and how to change it.
 */
export function sourceFile(s: SourceFile): string {
  const what = s.values ? `generators/${s.source} and ${s.values.from}` : `generators/${s.source}`;
  const verb = s.values ? "Rendered" : "Copied";
  const [by, run] =
    s.test === "all"
      ? ["the generators", "npm run generate"]
      : [`generator ${String(s.test).padStart(2, "0")}`, `npm run generate -- --test ${String(s.test)}`];
  const header = `${verb} by ${by} from ${what}. Do not edit: edit the source, then run \`${run}\`.`;
  return insertHeader(renderSource(s), header, `generators/${s.source}`);
}
