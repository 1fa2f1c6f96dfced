// The parts every small OpenTofu module of a layer has in common: versions.tf,
// variables.tf, outputs.tf and a README with the inputs and outputs tables, and the layer's
// share of the roots (a root variable per module variable that has one, the rest wired).
import { versionsTf } from "./roots.ts";
import { hclFile } from "./writers/hcl.ts";
import {
  interfaceTables,
  outputBlock,
  variableBlock,
  type TofuOutput,
  type TofuVariable,
} from "./writers/tofu.ts";
import { generatedHeader, markdownHeader, type GeneratedFile, type RootLayer } from "./types.ts";

/** A module variable; `root` names the root variable that feeds it, when a user sets it. */
export type LayerVariable = TofuVariable & { readonly root?: string };

export interface ModuleSpec {
  readonly name: string;
  readonly test: number;
  readonly variables: readonly LayerVariable[];
  readonly outputs: readonly TofuOutput[];
  /** The module's own files by name (`budget.tf`), with their content. */
  readonly files: Readonly<Record<string, string>>;
  /** The README's prose, between its title and the tables. */
  readonly readme: readonly string[];
}

export function moduleFiles(m: ModuleSpec): GeneratedFile[] {
  const dir = `infra/modules/${m.name}`;
  const header = (what: string) => `${what}\n${generatedHeader(m.test)}`;
  return [
    { path: `${dir}/versions.tf`, content: versionsTf(">= 6.0", [], m.test) },
    {
      path: `${dir}/variables.tf`,
      content: hclFile(header(`Inputs of the ${m.name} module.`), m.variables.map(variableBlock)),
    },
    ...Object.entries(m.files).map(([file, content]) => ({ path: `${dir}/${file}`, content })),
    {
      path: `${dir}/outputs.tf`,
      content: hclFile(header(`Outputs of the ${m.name} module.`), m.outputs.map(outputBlock)),
    },
    {
      path: `${dir}/README.md`,
      content: [
        markdownHeader(`Module \`${m.name}\``, m.test),
        "",
        ...m.readme,
        "",
        interfaceTables(m.variables, m.outputs),
        "",
      ].join("\n"),
    },
  ];
}

/**
 * The module's share of a root: its rooted variables under their root names (with the
 * target's defaults, where given), the others wired to the root's or other modules' values.
 */
export function moduleLayer(
  m: Pick<ModuleSpec, "name" | "variables" | "outputs">,
  wiring: Readonly<Record<string, string>>,
  defaults: Readonly<Record<string, TofuVariable["default"]>> = {},
): RootLayer {
  const unknown = Object.keys(wiring).filter((k) => !m.variables.some((v) => v.name === k));
  if (unknown.length > 0) throw new Error(`module ${m.name} has no variable ${unknown.join(", ")}`);
  const rooted = m.variables.filter((v): v is LayerVariable & { root: string } => v.root !== undefined);
  return {
    module: m.name,
    variables: rooted.map((v) => ({
      ...v,
      name: v.root,
      default: v.root in defaults ? defaults[v.root] : v.default,
      validations: v.validations?.map((val) => ({
        condition: val.condition.replaceAll(`var.${v.name}`, `var.${v.root}`),
        message: val.message.replace(v.name, v.root),
      })),
    })),
    // In the module's own order, so a root's call reads like the module's interface.
    inputs: Object.fromEntries(
      m.variables.flatMap((v) => {
        const from = wiring[v.name] ?? (v.root === undefined ? undefined : `var.${v.root}`);
        return from === undefined ? [] : [[v.name, from] as const];
      }),
    ),
    outputs: m.outputs.map((o) => ({ ...o, value: `module.${m.name}.${o.name}` })),
  };
}
