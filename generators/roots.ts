// The lab and aws roots of infra/, composed from every layer's share: one module call per
// layer, the root variables the layers read (defaulting to the model), and their outputs.
// Roots belong to no single generator: every `npm run generate` renders them whole.
import { derived, type Model } from "../model/index.ts";
import { attr, attrs, block, comment, hclFile, ref, type Block, type Value } from "./writers/hcl.ts";
import { markdownTable } from "./writers/markdown.ts";
import {
  interfaceTables,
  outputBlock,
  variableBlock,
  type TofuOutput,
  type TofuVariable,
} from "./writers/tofu.ts";
import {
  generatedHeader,
  type GeneratedFile,
  type Generator,
  type RootLayer,
  type RootTarget,
} from "./types.ts";
import { Rendered, sourceFile } from "./writers/source.ts";
import { tofuRequiredVersion } from "./tofu-features.ts";

const header = (what: string): string => `${what}\n${generatedHeader("all")}`;

/** The terraform block: OpenTofu and provider versions, plus a backend where one is needed. */
export function versionsTf(constraint: string, extra: Block[] = [], test: number | "all" = "all"): string {
  return hclFile(`OpenTofu and provider versions.\n${generatedHeader(test)}`, [
    block(
      "terraform",
      [],
      attrs({ required_version: tofuRequiredVersion() }),
      block("required_providers", [], attr("aws", { source: "hashicorp/aws", version: constraint })),
      extra,
    ),
  ]);
}

/**
 * Each root name once across the layers (they share `name`, `tags`, the bastion's hours): a
 * name two layers give different values, or that is a variable in one and the model's in
 * another, is a generator bug.
 */
function once(layers: readonly RootLayer[], kind: "variables" | "values"): TofuVariable[] {
  const seen = new Map<string, TofuVariable>();
  for (const l of layers)
    for (const v of l[kind]) {
      const other = kind === "variables" ? "values" : "variables";
      if (layers.some((o) => o[other].some((x) => x.name === v.name)))
        throw new Error(`root ${v.name} is both a variable and the model's value`);
      const first = seen.get(v.name);
      if (!first) seen.set(v.name, v);
      else if (JSON.stringify(first.default) !== JSON.stringify(v.default))
        throw new Error(`root ${v.name}: layers ${l.module} and another give different values`);
    }
  return [...seen.values()];
}

const TARGETS: readonly RootTarget[] = ["lab", "aws"];
const STACK = "stack";

/**
 * The layers wired together once, as the `stack` module both roots call (Typhoon's habit: a
 * thin root sets only what differs). A model value both targets share is a local of the
 * stack; a value they do not share, or one the user supplies, is a stack input each root
 * passes (its own value, or its own variable).
 */
interface Stack {
  readonly layers: readonly RootLayer[];
  readonly locals: readonly TofuVariable[];
  readonly inputs: readonly TofuVariable[];
  /** Per root: its variables, and the expression it passes each stack input. */
  readonly roots: Readonly<Record<RootTarget, { variables: TofuVariable[]; passes: Record<string, Value> }>>;
}

function stackOf(model: Model, generators: readonly Generator[]): Stack {
  const per = Object.fromEntries(
    TARGETS.map((t) => {
      const layers = generators.flatMap((g) => (g.layer ? [g.layer(model, t)] : []));
      return [t, { layers, variables: once(layers, "variables"), values: once(layers, "values") }];
    }),
  ) as Record<RootTarget, { layers: RootLayer[]; variables: TofuVariable[]; values: TofuVariable[] }>;
  const value = (t: RootTarget, name: string) => per[t].values.find((v) => v.name === name);
  const all = [...per.lab.values, ...per.lab.variables, ...per.aws.values, ...per.aws.variables];
  const names = [...new Set(all.map((v) => v.name))];
  const shared = (name: string) => {
    const [a, b] = TARGETS.map((t) => value(t, name));
    return a !== undefined && b !== undefined && JSON.stringify(a.default) === JSON.stringify(b.default);
  };
  const first = (name: string) => all.find((v) => v.name === name) as TofuVariable;
  const locals = names.filter(shared).map(first);
  const inputs = names.filter((n) => !shared(n)).map((n) => ({ ...first(n), default: undefined }));
  // Inside the stack a name is its local or its input, whatever it is in either root.
  const scoped = (expr: string) =>
    expr.replace(/\b(?:var|local)\.([a-z_][a-z0-9_]*)\b/g, (whole, name: string) =>
      names.includes(name) ? `${shared(name) ? "local" : "var"}.${name}` : whole,
    );
  const inStack = (ls: readonly RootLayer[]) =>
    ls.map((l) => ({
      ...l,
      inputs: Object.fromEntries(Object.entries(l.inputs).map(([k, v]) => [k, scoped(v)])),
    }));
  const layers = inStack(per.lab.layers);
  const aws = inStack(per.aws.layers);
  for (const [i, l] of layers.entries())
    if (JSON.stringify([l.inputs, l.outputs]) !== JSON.stringify([aws[i]?.inputs, aws[i]?.outputs]))
      throw new Error(`layer ${l.module} is wired differently in the lab and aws roots`);
  const roots = Object.fromEntries(
    TARGETS.map((t) => [
      t,
      {
        variables: per[t].variables,
        passes: Object.fromEntries(
          inputs.map((v) => [v.name, value(t, v.name)?.default ?? ref(`var.${v.name}`)] as const),
        ),
      },
    ]),
  ) as Stack["roots"];
  return { layers, locals, inputs, roots };
}

/** How the aws README tells a user to supply each input the model may leave open. */
const EXPORTS: Readonly<Record<string, string>> = {
  ssh_public_key: 'export TF_VAR_ssh_public_key="$(cat ~/.ssh/id_ed25519.pub)"',
  operator_ipv6_cidr: 'export TF_VAR_operator_ipv6_cidr="$(curl -6s https://ifconfig.co)/128"',
  budget_alert_email: 'export TF_VAR_budget_alert_email="you@example.org"   # AWS Budgets asks it to confirm',
};

/** In the lab root, the inputs `lab up` and the specs supply, and how. */
const LAB_SUPPLIES: Readonly<Record<string, string>> = {
  ssh_public_key:
    "The lab's operator key (one line): lab up makes the pair in the lab's state directory and passes it as TF_VAR_ssh_public_key.",
  nodes_enabled:
    "Whether the nodes layer is applied: specs 04 and 09 apply it for a test against the emulator's AMIs and remove it; the lab's booted nodes are QEMU guests.",
};

/** infra/modules/stack: every layer's module call, the model's values, every output. */
function stackFiles(stack: Stack): GeneratedFile[] {
  const dir = `infra/modules/${STACK}`;
  const modules = stack.layers.map((l) =>
    block(
      "module",
      [l.module],
      attrs({ source: `../${l.module}` }),
      attrs(Object.fromEntries(Object.entries(l.inputs).map(([k, v]) => [k, ref(v)]))),
    ),
  );
  const outputs: TofuOutput[] = [
    ...stack.layers.flatMap((l) => l.outputs),
    // The roots' provider tags every resource with these (default_tags).
    {
      name: "tags",
      description: "The tags every resource carries.",
      value: stack.locals.some((v) => v.name === "tags") ? "local.tags" : "var.tags",
    },
  ];
  return [
    { path: `${dir}/versions.tf`, content: versionsTf(">= 6.0") },
    {
      path: `${dir}/model.tf`,
      content: hclFile(
        header(
          "The model's values (moon.config.json over the defaults in model/sections): change them there and\n" +
            "regenerate. They are locals, so no root and no -var can make what is applied differ from the model.",
        ),
        [block("locals", [], attrs(Object.fromEntries(stack.locals.map((v) => [v.name, v.default]))))],
      ),
    },
    {
      path: `${dir}/variables.tf`,
      content: hclFile(
        header(
          "What each root passes: its own values and what its user supplies. The modules validate them.",
        ),
        stack.inputs.map(variableBlock),
      ),
    },
    { path: `${dir}/main.tf`, content: hclFile(header("The layers of the kit, wired together."), modules) },
    {
      path: `${dir}/outputs.tf`,
      content: hclFile(header("What the roots pass on."), outputs.map(outputBlock)),
    },
    {
      path: `${dir}/README.md`,
      content: sourceFile({
        test: "all",
        source: "roots/stack.md",
        values: {
          from: "the model",
          slots: {
            interface: new Rendered(interfaceTables({ variables: stack.inputs, outputs })),
            values: new Rendered(
              markdownTable(
                ["Name", "Description", "Value"],
                stack.locals.map((v) => [`\`${v.name}\``, v.description, `\`${JSON.stringify(v.default)}\``]),
              ),
            ),
          },
        },
      }),
    },
  ];
}

function rootFiles(model: Model, target: RootTarget, stack: Stack): GeneratedFile[] {
  const dir = `infra/${target}`;
  const { passes } = stack.roots[target];
  // Required inputs first, as a reader fills them in; the lab's say how the lab supplies them.
  const vars = [...stack.roots[target].variables]
    .sort((a, b) => Number(a.default !== undefined) - Number(b.default !== undefined))
    .map((v) =>
      target === "lab" && v.name in LAB_SUPPLIES ? { ...v, description: LAB_SUPPLIES[v.name] ?? "" } : v,
    );
  const emulator = derived(model).emulatorUrl;
  const backend =
    target === "aws"
      ? [
          block(
            "backend",
            ["s3"],
            comment("Partial configuration: tofu init -backend-config=backend.hcl (see README.md)."),
          ),
        ]
      : [];
  // The lab reads the stack's outputs as one object; at home you type `tofu output -raw <name>`.
  const outputs: TofuOutput[] =
    target === "lab"
      ? [{ name: STACK, description: "Every output of the stack, as one object.", value: `module.${STACK}` }]
      : stack.layers.flatMap((l) => l.outputs).map((o) => ({ ...o, value: `module.${STACK}.${o.name}` }));
  const required = vars.filter((v) => v.default === undefined).map((v) => v.name);
  const interfaceBlock = new Rendered(interfaceTables({ variables: vars, outputs }));
  const slots: Record<string, string | Rendered> =
    target === "lab"
      ? { emulator, interface: interfaceBlock }
      : {
          required_inputs: new Rendered(
            required.length
              ? [`# required inputs without a default: ${required.join(", ")}`]
                  .concat(required.flatMap((name) => EXPORTS[name] ?? []))
                  .join("\n")
              : "",
          ),
          ssh_user: model.bastion.sshUser,
          provider_constraint: model.versions.awsProvider.constraint,
          provider_version: model.versions.awsProvider.version,
          registry_username: `/${model.project}/registry/docker.io/username`,
          registry_password: `/${model.project}/registry/docker.io/password`,
          interface: interfaceBlock,
        };
  const files: GeneratedFile[] = [
    // Both roots ask for the same provider line: the lab proves the constraint the aws root uses.
    { path: `${dir}/versions.tf`, content: versionsTf(model.versions.awsProvider.constraint, backend) },
    {
      path: `${dir}/providers.tf`,
      content: sourceFile({
        test: "all",
        source: `roots/${target}-providers.tf`,
        values: {
          from: "the model",
          slots: { region: model.region, ...(target === "lab" ? { emulator } : {}) },
        },
      }),
    },
    {
      path: `${dir}/variables.tf`,
      content: hclFile(
        header(
          "What you supply at apply time; every other value is the model's (../modules/stack/model.tf).",
        ),
        vars.map(variableBlock),
      ),
    },
    {
      path: `${dir}/main.tf`,
      content: hclFile(header("The whole kit, with what this root sets."), [
        block("module", [STACK], attrs({ source: `../modules/${STACK}` }), attrs(passes)),
      ]),
    },
    {
      path: `${dir}/outputs.tf`,
      content: hclFile(
        header(
          target === "lab"
            ? "What the lab reads back: the stack's outputs."
            : "What you read back with tofu output.",
        ),
        outputs.map(outputBlock),
      ),
    },
    {
      path: `${dir}/README.md`,
      content: sourceFile({
        test: "all",
        source: `roots/${target}.md`,
        values: { from: "the model", slots },
      }),
    },
  ];
  if (target === "aws")
    files.push({
      path: `${dir}/backend.hcl.example`,
      content: sourceFile({
        test: "all",
        source: "roots/backend.example.hcl",
        values: { from: "the model", slots: { key: `${model.project}/aws.tfstate`, region: model.region } },
      }),
    });
  return files;
}

/** Both roots and infra/README.md, from every generator that has a layer. */
export function rootsFiles(model: Model, generators: readonly Generator[]): GeneratedFile[] {
  const stack = stackOf(model, generators);
  return [
    ...stackFiles(stack),
    ...rootFiles(model, "lab", stack),
    ...rootFiles(model, "aws", stack),
    {
      path: "infra/README.md",
      content: sourceFile({
        test: "all",
        source: "roots/infra.md",
        values: {
          from: "the model",
          slots: {
            layers: new Rendered(
              stack.layers
                .map((l) => {
                  const g = generators.find((x) => x.layer?.(model, "aws").module === l.module);
                  const layer = String(g?.test ?? 0).padStart(2, "0");
                  return `- [\`modules/${l.module}/\`](modules/${l.module}/README.md): ${g?.describe ?? ""} (layer ${layer})`;
                })
                .join("\n"),
            ),
            emulator: derived(model).emulatorUrl,
            region: model.region,
          },
        },
      }),
    },
  ];
}
