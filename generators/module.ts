// What every layer's OpenTofu module has in common. Its HCL — variables.tf and outputs.tf
// included — is plain files in its generator's folder; this copies them to infra/modules/,
// adds versions.tf and a README whose tables are read from the module's own interface, and
// works out the layer's share of the roots from that interface.
import { versionsTf } from "./roots.ts";
import type { Value } from "./writers/hcl.ts";
import { renderSource, sourceFile, type SourceFile } from "./writers/source.ts";
import { interfaceTables, readInterface, type TofuInterface, type TofuVariable } from "./writers/tofu.ts";
import type { GeneratedFile, RootLayer } from "./types.ts";

export interface ModuleSpec {
  /** The folder under infra/modules/. */
  readonly name: string;
  readonly test: number;
  /** Its generator's folder under generators/ (`01-network`), holding variables.tf and outputs.tf. */
  readonly source: string;
  /** Slot values of variables.tf (the model's lists a validation checks), and where they come from. */
  readonly interfaceSlots?: SourceFile["values"];
  /** Its other files by name (`budget.tf`), with their content. */
  readonly files: Readonly<Record<string, string>>;
  /** Slot values of module.md, the README's title and prose (the tables follow from the interface). */
  readonly readmeSlots?: SourceFile["values"];
}

const interfaceSources = (m: ModuleSpec): SourceFile[] =>
  (["variables.tf", "outputs.tf"] as const).map((f) => ({
    test: m.test,
    source: `${m.source}/${f}`,
    ...(f === "variables.tf" && m.interfaceSlots ? { values: m.interfaceSlots } : {}),
  }));

/** The module's variables and outputs, as its own HCL declares them. */
export function moduleInterface(m: ModuleSpec): TofuInterface {
  const [variables, outputs] = interfaceSources(m).map((s) =>
    readInterface(renderSource(s), `generators/${s.source}`),
  );
  return { variables: variables?.variables ?? [], outputs: outputs?.outputs ?? [] };
}

export function moduleFiles(m: ModuleSpec): GeneratedFile[] {
  const dir = `infra/modules/${m.name}`;
  const [variables, outputs] = interfaceSources(m).map(sourceFile);
  return [
    { path: `${dir}/versions.tf`, content: versionsTf(">= 6.0", [], m.test) },
    { path: `${dir}/variables.tf`, content: variables ?? "" },
    ...Object.entries(m.files).map(([file, content]) => ({ path: `${dir}/${file}`, content })),
    { path: `${dir}/outputs.tf`, content: outputs ?? "" },
    {
      path: `${dir}/README.md`,
      content: `${sourceFile({ test: m.test, source: `${m.source}/module.md`, ...(m.readmeSlots ? { values: m.readmeSlots } : {}) })}\n${interfaceTables(moduleInterface(m))}\n`,
    },
  ];
}

/** A model value the root knows by another name than the module (`instance_type` ← `bastion_instance_type`). */
export class Rooted {
  constructor(
    readonly root: string,
    readonly value: Value | undefined,
  ) {}
}
export const rooted = (root: string, value: Value | undefined): Rooted => new Rooted(root, value);

export interface LayerPlan {
  /** Inputs from other modules or expressions: module variable → HCL. */
  readonly wiring?: Readonly<Record<string, string>>;
  /**
   * The model's value for each other input (module variable → value, or `rooted(name,
   * value)`); `undefined` where the model has none, so the user supplies it.
   */
  readonly values: Readonly<Record<string, Value | Rooted | undefined>>;
  /** Inputs the operator flips per apply (a session switch): root variables, the model's value their default. */
  readonly operatorInputs?: readonly string[];
}

/**
 * The module's share of a root. Each module variable gets one way in: wired from another
 * module, the model's value (a local of the stack, so no -var overrides it), or a root
 * variable the user supplies where the model has none. Validations stay in the module.
 */
export function moduleLayer(m: ModuleSpec, plan: LayerPlan): RootLayer {
  const { variables, outputs } = moduleInterface(m);
  const wiring = plan.wiring ?? {};
  const unknown = [...Object.keys(wiring), ...Object.keys(plan.values)].filter(
    (k) => !variables.some((v) => v.name === k),
  );
  if (unknown.length > 0) throw new Error(`module ${m.name} has no variable ${unknown.join(", ")}`);
  const rootVariables: TofuVariable[] = [];
  const rootValues: TofuVariable[] = [];
  const inputs: [string, string][] = [];
  for (const v of variables) {
    const wired = wiring[v.name];
    if (wired !== undefined) {
      inputs.push([v.name, wired]);
      continue;
    }
    if (!(v.name in plan.values)) {
      if (v.default === undefined) throw new Error(`module ${m.name}: variable ${v.name} has no value`);
      continue;
    }
    const given = plan.values[v.name];
    const { root, value } = given instanceof Rooted ? given : { root: v.name, value: given };
    const asVariable = value === undefined || (plan.operatorInputs ?? []).includes(v.name);
    (asVariable ? rootVariables : rootValues).push({
      name: root,
      type: v.type,
      description: v.description,
      default: value,
    });
    inputs.push([v.name, `${asVariable ? "var" : "local"}.${root}`]);
  }
  return {
    module: m.name,
    variables: rootVariables,
    values: rootValues,
    inputs: Object.fromEntries(inputs),
    outputs: outputs.map((o) => ({ ...o, value: `module.${m.name}.${o.name}` })),
  };
}
