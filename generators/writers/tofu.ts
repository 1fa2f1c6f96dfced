// OpenTofu interfaces: a module's variables and outputs, read from the module's own
// variables.tf and outputs.tf (plain HCL, owned by its generator) for its README tables and
// the roots' wiring; and the few variables and outputs the roots compute, rendered to HCL.
import { attrs, block, Expr, ref, type Block, type Value } from "./hcl.ts";
import { markdownTable } from "./markdown.ts";

export interface TofuVariable {
  readonly name: string;
  /** An HCL type constraint, e.g. "string" or "map(string)". */
  readonly type: string;
  /** What it is, ending in an example ("… Example: `t4g.small`"). */
  readonly description: string;
  /** A computed variable's default as a value; a parsed one's as its HCL text (`ref`). */
  readonly default?: Value;
}

export interface TofuOutput {
  readonly name: string;
  readonly description: string;
  readonly value: string;
}

export interface TofuInterface {
  readonly variables: readonly TofuVariable[];
  readonly outputs: readonly TofuOutput[];
}

export const variableBlock = (v: TofuVariable): Block =>
  block("variable", [v.name], attrs({ type: ref(v.type), description: v.description, default: v.default }));

export const outputBlock = (o: TofuOutput): Block =>
  block("output", [o.name], attrs({ description: o.description, value: ref(o.value) }));

/** A literal HCL string's value; a template (`${…}`) is refused, as a description must be literal. */
function literal(hcl: string | undefined, what: string): string {
  if (hcl === undefined || !/^"(?:[^"\\]|\\.)*"$/.test(hcl))
    throw new Error(`${what} must be one literal string`);
  if (/(^|[^$])\$\{|(^|[^%])%\{/.test(hcl)) throw new Error(`${what} must not interpolate`);
  return JSON.parse(hcl.replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{")) as string;
}

/**
 * The variables and outputs a module's own HCL declares, in file order. The file is in
 * `tofu fmt`'s layout (the copy in infra/ is checked with `tofu fmt -check`): blocks open and
 * close at the margin, their attributes are one line each at two spaces, and nested blocks
 * (validation) are skipped. Anything else is refused rather than guessed at.
 */
export function readInterface(text: string, where: string): TofuInterface {
  const variables: TofuVariable[] = [];
  const outputs: TofuOutput[] = [];
  let open: { kind: string; name: string; attrs: Map<string, string>; nested: number } | undefined;
  for (const [i, line] of text.split("\n").entries()) {
    const at = `${where}:${String(i + 1)}`;
    if (open === undefined) {
      if (line === "" || line.startsWith("#")) continue;
      const head = /^(variable|output) "([a-z0-9_]+)" \{$/.exec(line);
      if (!head) throw new Error(`${at}: expected a variable or output block, found ${JSON.stringify(line)}`);
      open = { kind: head[1] ?? "", name: head[2] ?? "", attrs: new Map(), nested: 0 };
    } else if (line === "") {
      continue;
    } else if (line === "}") {
      const { kind, name, attrs: a } = open;
      const description = literal(a.get("description"), `${at}: ${kind} "${name}"'s description`);
      if (kind === "output") outputs.push({ name, description, value: a.get("value") ?? "" });
      else {
        const def = a.get("default");
        variables.push({
          name,
          type: a.get("type") ?? "any",
          description,
          ...(def ? { default: ref(def) } : {}),
        });
      }
      open = undefined;
    } else if (open.nested > 0 || /^ {2}[a-z_]+ \{$/.test(line)) {
      open.nested += (line.endsWith("{") ? 1 : 0) - (line.trim() === "}" ? 1 : 0);
    } else {
      const attr = /^ {2}([a-z_]+) += (.*[^[({])$/.exec(line);
      if (!attr) throw new Error(`${at}: expected one attribute on one line, found ${JSON.stringify(line)}`);
      open.attrs.set(attr[1] ?? "", attr[2] ?? "");
    }
  }
  if (open) throw new Error(`${where}: ${open.kind} "${open.name}" never closes`);
  return { variables, outputs };
}

const hclText = (v: Value | undefined): string =>
  v === undefined ? "required" : `\`${v instanceof Expr ? v.code : JSON.stringify(v)}\``;

/** The inputs and outputs tables of a module README, terraform-docs style. */
export function interfaceTables({ variables, outputs }: TofuInterface): string {
  return [
    "## Inputs",
    "",
    markdownTable(
      ["Name", "Description", "Type", "Default"],
      variables.map((v) => [
        `\`${v.name}\``,
        v.description.replace(/ Example: (.+)$/, " Example: `$1`"),
        `\`${v.type}\``,
        hclText(v.default),
      ]),
    ),
    "",
    "## Outputs",
    "",
    markdownTable(
      ["Name", "Description"],
      outputs.map((o) => [`\`${o.name}\``, o.description]),
    ),
  ].join("\n");
}
