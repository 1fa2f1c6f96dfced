// OpenTofu building blocks on top of the HCL writer: typed variables and outputs that
// render both to HCL and to the terraform-docs style tables of a module's README.
import { attr, attrs, block, comment, ref, type Block, type Comment, type Expr, type Value } from "./hcl.ts";
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

/** IMDSv2 only, for every instance the kit launches: a token for each metadata call, one hop. */
export function imdsV2Only(): Block {
  return block(
    "metadata_options",
    [],
    attrs({ http_endpoint: "enabled", http_tokens: "required", http_put_response_hop_limit: 1 }),
  );
}

/** An encrypted gp3 volume that goes with its instance. */
export function encryptedVolume(device: string | Expr, size: Expr): Block {
  return block(
    "block_device_mappings",
    [],
    attrs({ device_name: device }),
    block(
      "ebs",
      [],
      attrs({ volume_size: size, volume_type: "gp3", encrypted: true, delete_on_termination: true }),
    ),
  );
}

/**
 * A checkov check this resource does not meet on purpose, with the one-line reason, where
 * checkov reads it (inside the resource) and a reader sees it.
 */
export function checkovSkip(check: string, reason: string): Comment {
  if (reason.includes("\n") || reason.trim() === "")
    throw new Error(`checkov skip ${check}: give the reason, on one line`);
  return comment(`checkov:skip=${check}:${reason}`);
}

/** The checks the kit's Graviton instances do not meet on purpose, with why. */
export const INSTANCE_CHECKOV_SKIPS = {
  ebsOptimized: checkovSkip(
    "CKV_AWS_135",
    "Graviton types are EBS-optimized by default; the flag changes nothing for them",
  ),
  monitoring: checkovSkip(
    "CKV_AWS_126",
    "detailed monitoring is billed as CloudWatch metrics, about $2 a month an instance: many times the budget",
  ),
  noRole: (what: string): Comment =>
    checkovSkip(
      "CKV2_AWS_41",
      `${what} calls no AWS API; a role would only hand credentials to whoever took it over`,
    ),
};
