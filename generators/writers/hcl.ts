// The one HCL writer. Generators build typed blocks; this renders them exactly as
// `tofu fmt` would (two-space indent, "=" aligned across consecutive one-line
// attributes), so the check `tofu fmt -check` verifies the writer, not rewrites it.

/** A raw HCL expression (a reference or function call), written as is. */
export class Expr {
  constructor(readonly code: string) {}
}
/** A reference or expression: `ref("var.vpc_cidr")`. */
export const ref = (code: string): Expr => new Expr(code);

export type Value =
  string | number | boolean | null | Expr | readonly Value[] | { readonly [key: string]: Value };

export interface Attribute {
  readonly kind: "attribute";
  readonly name: string;
  readonly value: Value;
}
export interface Block {
  readonly kind: "block";
  readonly type: string;
  readonly labels: readonly string[];
  readonly body: readonly BodyItem[];
}
export interface Comment {
  readonly kind: "comment";
  readonly text: string;
}
export interface Blank {
  readonly kind: "blank";
}
export type BodyItem = Attribute | Block | Comment | Blank;

/** Attributes from an object, in key order; `undefined` values are left out. */
export function attrs(values: Readonly<Record<string, Value | undefined>>): Attribute[] {
  return Object.entries(values)
    .filter((e): e is [string, Value] => e[1] !== undefined)
    .map(([name, value]) => ({ kind: "attribute", name, value }));
}
export const attr = (name: string, value: Value): Attribute => ({ kind: "attribute", name, value });
export const comment = (text: string): Comment => ({ kind: "comment", text });
export const blank: Blank = { kind: "blank" };
export function block(
  type: string,
  labels: readonly string[],
  ...body: (BodyItem | readonly BodyItem[])[]
): Block {
  return { kind: "block", type, labels, body: body.flat() };
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else out += ch;
  }
  // Template sequences would be interpolated by HCL; doubling the sigil keeps strings literal.
  return out.replace(/([$%])\{/g, (_m, sigil: string) => `${sigil}${sigil}{`) + '"';
}

function isMultiline(v: Value): boolean {
  if (Array.isArray(v)) return v.some((x) => isMultiline(x as Value)) || v.length > 3;
  if (v !== null && typeof v === "object" && !(v instanceof Expr)) return Object.keys(v).length > 0;
  return false;
}

function renderValue(v: Value, indent: string): string {
  if (v === null) return "null";
  if (v instanceof Expr) return v.code;
  if (typeof v === "string") return quote(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) {
    const items = v as readonly Value[];
    if (!isMultiline(v)) return `[${items.map((x) => renderValue(x, indent)).join(", ")}]`;
    const inner = indent + "  ";
    return `[\n${items.map((x) => `${inner}${renderValue(x, inner)},`).join("\n")}\n${indent}]`;
  }
  const entries = Object.entries(v as Record<string, Value>);
  if (entries.length === 0) return "{}";
  const inner = indent + "  ";
  const lines = entries.map(([k, x]) => ({
    key: IDENT.test(k) ? k : quote(k),
    value: renderValue(x, inner),
  }));
  return `{\n${alignLines(lines, inner).join("\n")}\n${indent}}`;
}

/**
 * Aligns "=" the way hclwrite does: across a run of consecutive lines whose value is
 * complete on one line; a value that opens a multi-line bracket ends the run.
 */
function alignLines(lines: readonly { key: string; value: string }[], indent: string): string[] {
  const out: string[] = [];
  let run: { key: string; value: string }[] = [];
  const flush = (): void => {
    const width = Math.max(...run.map((l) => l.key.length));
    for (const l of run) out.push(`${indent}${l.key.padEnd(width)} = ${l.value}`);
    run = [];
  };
  for (const line of lines) {
    if (line.value.includes("\n")) {
      if (run.length) flush();
      out.push(`${indent}${line.key} = ${line.value}`);
    } else run.push(line);
  }
  if (run.length) flush();
  return out;
}

function renderBody(items: readonly BodyItem[], indent: string): string[] {
  const out: string[] = [];
  let pending: { key: string; value: string }[] = [];
  const flush = (): void => {
    out.push(...alignLines(pending, indent));
    pending = [];
  };
  for (const item of items) {
    if (item.kind === "attribute") {
      pending.push({ key: item.name, value: renderValue(item.value, indent) });
      continue;
    }
    flush();
    if (item.kind === "blank") out.push("");
    else if (item.kind === "comment")
      out.push(...item.text.split("\n").map((l) => `${indent}# ${l}`.trimEnd()));
    else out.push(...renderBlock(item, indent));
  }
  flush();
  return out;
}

function renderBlock(b: Block, indent: string): string[] {
  const head = [b.type, ...b.labels.map(quote)].join(" ");
  if (b.body.length === 0) return [`${indent}${head} {}`];
  return [`${indent}${head} {`, ...renderBody(b.body, indent + "  "), `${indent}}`];
}

/** Renders a file: top-level items separated as given, ending with one newline. */
export function renderHcl(items: readonly BodyItem[]): string {
  return (
    renderBody(items, "")
      .join("\n")
      .replace(/\n{3,}/g, "\n\n") + "\n"
  );
}

/** A file of top-level blocks, each separated from the next by a blank line. */
export function hclFile(header: string, blocks: readonly (Block | Comment)[]): string {
  const items: BodyItem[] = [comment(header), blank];
  blocks.forEach((b, i) => {
    // A comment belongs to the block after it; everything else is set apart by a blank line.
    if (i > 0 && !(b.kind === "block" && blocks[i - 1]?.kind === "comment")) items.push(blank);
    items.push(b);
  });
  return renderHcl(items);
}
