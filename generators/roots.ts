// The lab and aws roots of infra/, composed from every layer's share: one module call per
// layer, the root variables the layers read (defaulting to the model), and their outputs.
// Roots belong to no single generator: every `npm run generate` renders them whole.
import { derived, type Model } from "../model/index.ts";
import { attr, attrs, blank, block, comment, hclFile, ref, renderHcl, type Block } from "./writers/hcl.ts";
import { markdownTable } from "./writers/markdown.ts";
import { interfaceTables, outputBlock, variableBlock, type TofuVariable } from "./writers/tofu.ts";
import {
  generatedHeader,
  markdownHeader,
  type GeneratedFile,
  type Generator,
  type RootLayer,
  type RootTarget,
} from "./types.ts";
import { shq } from "./writers/shell.ts";
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

function provider(model: Model, target: RootTarget): Block {
  const emulator = derived(model).emulatorUrl;
  const endpoints = ["autoscaling", "ce", "ec2", "iam", "logs", "s3", "scheduler", "ssm", "sts", "budgets"];
  if (target === "aws")
    return block(
      "provider",
      ["aws"],
      attrs({ region: model.region }),
      block("default_tags", [], attrs({ tags: ref("local.tags") })),
    );
  return block(
    "provider",
    ["aws"],
    comment(
      "The lab's emulator (moto) on loopback; dummy keys, nothing real is reachable. The account\n" +
        "ID comes from its STS: without one, a rule that references a group reads as another account's.",
    ),
    attrs({
      region: model.region,
      access_key: "lab",
      secret_key: "lab",
      skip_credentials_validation: true,
      skip_metadata_api_check: true,
      s3_use_path_style: true,
    }),
    block("endpoints", [], attrs(Object.fromEntries(endpoints.map((e) => [e, emulator])))),
    block("default_tags", [], attrs({ tags: ref("local.tags") })),
  );
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

/** How the aws README tells a user to supply each input the model may leave open. */
const EXPORTS: Readonly<Record<string, string>> = {
  ssh_public_key: 'export TF_VAR_ssh_public_key="$(cat ~/.ssh/id_ed25519.pub)"',
  operator_ipv6_cidr: 'export TF_VAR_operator_ipv6_cidr="$(curl -6s https://ifconfig.co)/128"',
  budget_alert_email: 'export TF_VAR_budget_alert_email="you@example.org"   # AWS Budgets asks it to confirm',
};

function rootFiles(model: Model, target: RootTarget, generators: readonly Generator[]): GeneratedFile[] {
  const dir = `infra/${target}`;
  const layers = generators.flatMap((g) => (g.layer ? [g.layer(model, target)] : []));
  const vars = once(layers, "variables");
  const values = once(layers, "values");
  const outputs = layers.flatMap((l) => l.outputs);
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
  const constraint =
    target === "lab" ? model.versions.awsProvider.version : model.versions.awsProvider.constraint;
  const modules = layers.map((l) =>
    block(
      "module",
      [l.module],
      attrs({ source: `../modules/${l.module}` }),
      attrs(Object.fromEntries(Object.entries(l.inputs).map(([k, v]) => [k, ref(v)]))),
    ),
  );
  const required = vars.filter((v) => v.default === undefined).map((v) => v.name);
  const intro =
    target === "lab"
      ? `The \`lab\` root: every layer applied to the lab's AWS emulator at ${emulator}. \`npm run lab:up\` applies it (and passes the lab's own operator key as \`ssh_public_key\`); to run it by hand, start the lab first.`
      : "The `aws` root: every layer in your own AWS account. Real AWS is never called by the tests.";
  const howTo =
    target === "lab"
      ? [
          "```sh",
          "npm run lab:up        # starts the emulator, tofu init + apply of this root",
          "npm run lab:status",
          "```",
        ]
      : [
          "```sh",
          "cp backend.hcl.example backend.hcl   # your state bucket; backend.hcl is not committed",
          "tofu init -backend-config=backend.hcl",
          ...(required.length
            ? [
                `# required inputs without a default: ${required.join(", ")}`,
                ...Object.entries(EXPORTS)
                  .filter(([name]) => required.includes(name))
                  .map(([, line]) => line),
              ]
            : []),
          "tofu plan -out=tfplan && tofu apply tfplan",
          "",
          "# from home, once the bastion's boot script has attached its fixed interface:",
          `ssh ${shq(model.bastion.sshUser)}@"$(tofu output -raw bastion_ipv6)"`,
          "```",
          "",
          "State lives in S3 (with its native lock file), never in Git. The provider comes from the",
          `public registry (\`${model.versions.awsProvider.constraint}\`); the lab uses the locally built`,
          `\`${model.versions.awsProvider.version}\` instead. Set \`bastion.operatorIpv6Cidr\`,`,
          "`bastion.sshPublicKey` and `budget.alertEmail` in `moon.config.json` and regenerate to make",
          "them the model's values (`model.tf`) instead of inputs. Every other value is the model's:",
          "change it in `moon.config.json` and regenerate; no `-var` overrides it.",
          "",
          "Then check what you applied, from your machine, with your own credentials:",
          "",
          "```sh",
          "tofu show -json > state.json",
          "npm run cost -- --show state.json                         # the month's bill, line by line",
          "npm run audit -- --target aws --no-scan                   # exposure over the API, and checkov",
          "MOON_TARGET=aws MOON_TOFU_SHOW_JSON=state.json npx playwright test --project=aws",
          "```",
          "",
          "The bastion's netboot services ([`netboot/`](netboot/README.md)) travel in its user data and",
          "start with its boot script. A registry that needs credentials gets them from SSM parameters",
          "the instance role can read, never from this folder:",
          "",
          "```sh",
          `aws ssm put-parameter --type SecureString --name ${shq(`/${model.project}/registry/docker.io/username`)} --value …`,
          `aws ssm put-parameter --type SecureString --name ${shq(`/${model.project}/registry/docker.io/password`)} --value …`,
          "```",
          "",
          "The Talos nodes' configs hold the cluster's keys: render them with Talos's library and",
          "publish them as SecureString parameters (the secrets bundle is made once and kept there",
          "too); the bastion installs them for matchbox at its next boot. Then an experiment session",
          "runs the nodes (and costs what the cost model says) until you turn them off again:",
          "",
          "```sh",
          "npm run talos:configs -- --target aws --publish",
          "tofu apply -var nodes_enabled=true    # the session's nodes, on the bastion's hours",
          "tofu apply -var nodes_enabled=false   # back to the baseline",
          "```",
        ];
  const files: GeneratedFile[] = [
    { path: `${dir}/versions.tf`, content: versionsTf(constraint, backend) },
    {
      path: `${dir}/providers.tf`,
      content: hclFile(header("The AWS provider for this target."), [provider(model, target)]),
    },
    {
      path: `${dir}/model.tf`,
      content: hclFile(
        header(
          "The model's values for this root (moon.config.json over the defaults in model/sections): change them there\n" +
            "and regenerate. They are locals, so a -var cannot make the applied root differ from the model.",
        ),
        [block("locals", [], attrs(Object.fromEntries(values.map((v) => [v.name, v.default]))))],
      ),
    },
    {
      path: `${dir}/variables.tf`,
      content: hclFile(
        header("What you supply at apply time; every other value is the model's (model.tf)."),
        vars.map(variableBlock),
      ),
    },
    { path: `${dir}/main.tf`, content: hclFile(header("The layers of the kit."), modules) },
    {
      path: `${dir}/outputs.tf`,
      content: hclFile(header("What the specs and the lab read back."), outputs.map(outputBlock)),
    },
    {
      path: `${dir}/README.md`,
      content: [
        markdownHeader(`infra/${target}`, "all"),
        "",
        intro,
        "",
        ...howTo,
        "",
        interfaceTables(vars, outputs),
        "",
        "## Values from the model",
        "",
        "Set in `model.tf` from `moon.config.json`; the modules validate them.",
        "",
        markdownTable(
          ["Name", "Description", "Value"],
          values.map((v) => [`\`${v.name}\``, v.description, `\`${JSON.stringify(v.default)}\``]),
        ),
        "",
      ].join("\n"),
    },
  ];
  if (target === "aws")
    files.push({
      path: `${dir}/backend.hcl.example`,
      content: renderHcl([
        comment(header("Copy to backend.hcl and set your own bucket; backend.hcl stays out of Git.")),
        blank,
        ...attrs({
          bucket: "my-tofu-state-bucket",
          key: `${model.project}/aws.tfstate`,
          region: model.region,
          encrypt: true,
          use_lockfile: true,
        }),
      ]),
    });
  return files;
}

/** Both roots and infra/README.md, from every generator that has a layer. */
export function rootsFiles(model: Model, generators: readonly Generator[]): GeneratedFile[] {
  const layered = generators.filter((g) => g.layer !== undefined);
  return [
    ...rootFiles(model, "lab", generators),
    ...rootFiles(model, "aws", generators),
    {
      path: "infra/README.md",
      content: [
        markdownHeader("infra/", "all"),
        "",
        "The generated OpenTofu, committed so it can be read and applied without Node.",
        "Never edit it by hand: change the model and run `npm run generate`; `npm test` fails",
        "on a stale or edited file.",
        "",
        markdownTable(
          ["path", "what"],
          [
            ...layered.map((g) => {
              const module = g.layer?.(model, "aws").module ?? g.name;
              return [
                `[\`modules/${module}/\`](modules/${module}/README.md)`,
                `${g.describe} (layer ${String(g.test).padStart(2, "0")})`,
              ];
            }),
            [
              "[`lab/`](lab/README.md)",
              `the lab root: the modules against the emulator at ${derived(model).emulatorUrl}`,
            ],
            ["[`aws/`](aws/README.md)", `the aws root: your own account, ${model.region}, state in S3`],
            ...(["lab", "aws", "home"] as const).map((t) => [
              `[\`${t}/netboot/\`](${t}/netboot/README.md)`,
              `the bastion's netboot services for the ${t} target (layer 03)${t === "home" ? ": compose, for a host of your home lab" : ": packed into the bastion's user data"}`,
            ]),
            ...(["lab", "aws", "home"] as const).map((t) => [
              `[\`${t}/talos/\`](${t}/talos/README.md)`,
              `the Talos nodes' config patches for the ${t} target (layer 04); the configs are rendered outside Git`,
            ]),
          ],
        ),
        "",
      ].join("\n"),
    },
  ];
}
