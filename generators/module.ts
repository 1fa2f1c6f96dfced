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

/**
 * A module variable; `root` names the root value that feeds it (the model's, or the user's
 * where the model has none). `operatorInput`: the operator sets it per apply (a session
 * switch), so the root keeps it a variable with the model's value as its default.
 */
export type LayerVariable = TofuVariable & { readonly root?: string; readonly operatorInput?: true };

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
 * The module's share of a root. Each rooted variable reaches the module one way: the model's
 * value for this target (a root local, so `-var` cannot override it), or — where the model
 * has none, or the operator flips it per apply (`operatorInput`) — a root variable the user
 * supplies. Validations stay at the module's interface, once. The rest are wired to other
 * modules' outputs or the root's values.
 */
export function moduleLayer(
  m: Pick<ModuleSpec, "name" | "variables" | "outputs">,
  wiring: Readonly<Record<string, string>>,
  defaults: Readonly<Record<string, TofuVariable["default"]>> = {},
): RootLayer {
  const unknown = Object.keys(wiring).filter((k) => !m.variables.some((v) => v.name === k));
  if (unknown.length > 0) throw new Error(`module ${m.name} has no variable ${unknown.join(", ")}`);
  const rooted = m.variables
    .filter((v): v is LayerVariable & { root: string } => v.root !== undefined)
    .map((v) => {
      const value = v.root in defaults ? defaults[v.root] : v.default;
      const asVariable = value === undefined || v.operatorInput === true;
      // Validations stay at the module's interface, once: the root's copy carries none.
      const root: TofuVariable = {
        name: v.root,
        type: v.type,
        description: v.description,
        example: v.example,
        default: value,
      };
      return { module: v.name, asVariable, root };
    });
  const from = new Map(rooted.map((r) => [r.module, `${r.asVariable ? "var" : "local"}.${r.root.name}`]));
  return {
    module: m.name,
    variables: rooted.filter((r) => r.asVariable).map((r) => r.root),
    values: rooted.filter((r) => !r.asVariable).map((r) => r.root),
    // In the module's own order, so a root's call reads like the module's interface.
    inputs: Object.fromEntries(
      m.variables.flatMap((v) => {
        const expr = wiring[v.name] ?? from.get(v.name);
        return expr === undefined ? [] : [[v.name, expr] as const];
      }),
    ),
    outputs: m.outputs.map((o) => ({ ...o, value: `module.${m.name}.${o.name}` })),
  };
}
