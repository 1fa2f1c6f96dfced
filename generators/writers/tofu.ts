// OpenTofu building blocks on top of the HCL writer: typed variables and outputs that
// render both to HCL and to the terraform-docs style tables of a module's README.
import { attr, attrs, block, ref, type Block, type Value } from "./hcl.ts";
import { markdownTable } from "./markdown.ts";

export interface TofuVariable {
  readonly name: string;
  /** An HCL type constraint, e.g. "string" or "map(string)". */
  readonly type: string;
  readonly description: string;
  /** An example value, shown in the description and the README. */
  readonly example: string;
  readonly default?: Value;
  readonly validations?: readonly { readonly condition: string; readonly message: string }[];
}

export interface TofuOutput {
  readonly name: string;
  readonly description: string;
  readonly value: string;
}

export function variableBlock(v: TofuVariable): Block {
  return block(
    "variable",
    [v.name],
    attrs({ type: ref(v.type), description: `${v.description} Example: ${v.example}`, default: v.default }),
    (v.validations ?? []).map((val) =>
      block("validation", [], attr("condition", ref(val.condition)), attr("error_message", val.message)),
    ),
  );
}

export function outputBlock(o: TofuOutput): Block {
  return block("output", [o.name], attrs({ description: o.description, value: ref(o.value) }));
}

function describeDefault(v: TofuVariable): string {
  if (v.default === undefined) return "required";
  return `\`${JSON.stringify(v.default)}\``;
}

/** The inputs and outputs tables of a module README, terraform-docs style. */
export function interfaceTables(variables: readonly TofuVariable[], outputs: readonly TofuOutput[]): string {
  return [
    "## Inputs",
    "",
    markdownTable(
      ["Name", "Description", "Type", "Default"],
      variables.map((v) => [
        `\`${v.name}\``,
        `${v.description} Example: \`${v.example}\``,
        `\`${v.type}\``,
        describeDefault(v),
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
