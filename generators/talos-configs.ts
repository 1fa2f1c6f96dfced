// The nodes' Talos machine configs (generator 04's second output). They carry the cluster's
// PKI, so they never go to Git: Talos's own library (the setup's talos-config) renders them
// from the secrets bundle and generator 04's patches, validates them strictly, and they are
// published as SecureString parameters, where the bastion's netboot start fetches them for
// matchbox at every boot (a replaced bastion gets them again). The secrets bundle is made
// once and kept: in the lab's state directory for the lab, in SecureString parameters on aws.
//
//   npm run talos:configs -- --target aws|lab [--publish] [--out DIR]
import { parseAllDocuments } from "yaml";
import {
  DeleteParametersCommand,
  GetParametersByPathCommand,
  PutParameterCommand,
  type Parameter,
  type SSMClient,
} from "@aws-sdk/client-ssm";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gunzipSync, gzipSync } from "node:zlib";
import { run } from "../common/exec.ts";
import {
  loadModel,
  NODE_ROLES,
  REPO_ROOT,
  runCommand,
  UsageError,
  type Model,
  type NodeRole,
  type TargetName,
} from "../model/index.ts";
import { awsClients, targetFor } from "../common/target.ts";
import { toolPaths } from "../setup/tools.ts";
import { talosGenArgs, talosPatchDir } from "./04-talos.ts";

/** SSM's standard tier holds 4 KB a parameter (the advanced tier would cost $0.05 a month each). */
export const CHUNK_CHARS = 4000;

export interface TalosValidation {
  readonly file: string;
  readonly ok: boolean;
  readonly kind?: string;
  readonly warnings: readonly string[];
  readonly error?: string;
}

/** Where the secrets bundle is kept between runs. */
export interface SecretsStore {
  readonly where: string;
  load(): Promise<string | undefined>;
  save(yaml: string): Promise<void>;
}

export function fileSecrets(path: string): SecretsStore {
  return {
    where: path,
    load: () => Promise.resolve(existsSync(path) ? readFileSync(path, "utf8") : undefined),
    save: (yaml) => {
      writeFileSync(path, yaml, { mode: 0o600 });
      return Promise.resolve();
    },
  };
}

/** The name of a text's Nth part under PATH (zero-padded, so names sort in order). */
export const chunkName = (path: string, n: number) => `${path}/${String(n).padStart(2, "0")}`;

/** Text as gzip + base64 in numbered chunks, and back. */
export function toChunks(text: string): string[] {
  const b64 = gzipSync(Buffer.from(text), { level: 9 }).toString("base64");
  const out: string[] = [];
  for (let i = 0; i < b64.length; i += CHUNK_CHARS) out.push(b64.slice(i, i + CHUNK_CHARS));
  return out;
}

export function fromChunks(chunks: readonly Parameter[]): string {
  const ordered = [...chunks].sort((a, b) => (a.Name ?? "").localeCompare(b.Name ?? ""));
  return gunzipSync(Buffer.from(ordered.map((p) => p.Value ?? "").join(""), "base64")).toString("utf8");
}

async function readPath(ssm: SSMClient, path: string): Promise<Parameter[]> {
  const out: Parameter[] = [];
  let token: string | undefined;
  do {
    const r = await ssm.send(
      new GetParametersByPathCommand({ Path: path, WithDecryption: true, NextToken: token }),
    );
    out.push(...(r.Parameters ?? []));
    token = r.NextToken;
  } while (token);
  return out;
}

/** Writes TEXT as SecureString chunks under PATH, then removes chunks a longer earlier text left. */
export async function putChunked(
  ssm: SSMClient,
  path: string,
  text: string,
  description: string,
): Promise<number> {
  const chunks = toChunks(text);
  for (const [i, value] of chunks.entries())
    await ssm.send(
      new PutParameterCommand({
        Name: chunkName(path, i),
        Value: value,
        Type: "SecureString",
        Tier: "Standard",
        Overwrite: true,
        Description: `${description} (part ${i + 1} of ${chunks.length}; gzip, base64)`,
      }),
    );
  const keep = new Set(chunks.map((_, i) => chunkName(path, i)));
  const stale = (await readPath(ssm, path)).flatMap((p) => (p.Name && !keep.has(p.Name) ? [p.Name] : []));
  if (stale.length) await ssm.send(new DeleteParametersCommand({ Names: stale }));
  return chunks.length;
}

export function ssmSecrets(ssm: SSMClient, model: Model): SecretsStore {
  const path = `${model.nodes.configParameterPath}/secrets`;
  return {
    where: `SecureString parameters under ${path}`,
    load: async () => {
      const chunks = await readPath(ssm, path);
      if (!chunks.length) return undefined;
      try {
        return fromChunks(chunks);
      } catch (e) {
        throw new Error(
          `the secrets bundle under ${path} does not decode (${(e as Error).message}): a part is missing or was edited. Fix: restore it from a backup; making new secrets would break a cluster that booted with the old ones`,
          { cause: e },
        );
      }
    },
    save: async (yaml) => {
      await putChunked(ssm, path, yaml, "Talos secrets bundle: the cluster's PKI, made once");
    },
  };
}

/**
 * The v1alpha1 machine config inside a config file: since Talos 1.12 a file is several
 * documents (the machine config, then e.g. HostnameConfig), so read it with this.
 */
export function machineConfigDoc(text: string): Record<string, unknown> {
  const docs = parseAllDocuments(text).map((d) => d.toJS() as Record<string, unknown> | null);
  const machine = docs.find((d) => d?.version === "v1alpha1");
  if (!machine) throw new Error("no v1alpha1 machine config document in the file");
  return machine;
}

/** Talos's own strict validation (metal mode) of config files; one result per file. */
export function validateTalosConfigs(model: Model, files: readonly string[]): TalosValidation[] {
  const r = run([toolPaths(model).talosConfig, "validate", "--mode", "metal", ...files], {
    allowFailure: true,
  });
  return r.stdout
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as TalosValidation);
}

/**
 * Renders both roles' configs into DIR from the kept secrets (making them the first time),
 * and refuses configs Talos would refuse. DIR ends up with secrets.yaml, one file per role and talosctl's talosconfig.
 */
export async function renderTalosConfigs(
  model: Model,
  target: TargetName,
  store: SecretsStore,
  dir: string,
): Promise<TalosValidation[]> {
  const tool = toolPaths(model).talosConfig;
  if (!existsSync(tool)) throw new Error(`talos-config is not built (${tool}). Fix: npm run setup`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const secrets = join(dir, "secrets.yaml");
  const kept = await store.load();
  if (kept !== undefined) writeFileSync(secrets, kept, { mode: 0o600 });
  run([
    tool,
    "gen",
    "--out",
    dir,
    "--secrets",
    secrets,
    ...talosGenArgs(model, target, join(REPO_ROOT, talosPatchDir(target))),
  ]);
  if (kept === undefined) await store.save(readFileSync(secrets, "utf8"));
  const results = validateTalosConfigs(
    model,
    NODE_ROLES.map((role) => join(dir, `${role}.yaml`)),
  );
  const bad = results.filter((r) => !r.ok);
  if (bad.length || results.length !== NODE_ROLES.length)
    throw new Error(
      `Talos refuses the generated configs: ${bad.map((b) => `${b.file}: ${b.error ?? ""}`).join("; ") || "no result"}`,
    );
  return results;
}

/** Publishes each role's config for the bastion; returns the chunks written per role. */
export async function publishTalosConfigs(
  model: Model,
  ssm: SSMClient,
  dir: string,
): Promise<Record<NodeRole, number>> {
  const out = {} as Record<NodeRole, number>;
  for (const role of NODE_ROLES)
    out[role] = await putChunked(
      ssm,
      `${model.nodes.configParameterPath}/configs/${role}`,
      readFileSync(join(dir, `${role}.yaml`), "utf8"),
      `Talos ${role} machine config for matchbox`,
    );
  return out;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      target: { type: "string", default: "aws" },
      publish: { type: "boolean" },
      out: { type: "string" },
    },
  });
  const target = values.target;
  if (target !== "aws" && target !== "lab")
    throw new UsageError(
      `--target ${target}: use aws (your account) or lab (the running lab; lab up does this itself)`,
    );
  if (values.out !== undefined && !relative(REPO_ROOT, resolve(values.out)).startsWith(".."))
    throw new UsageError(
      `--out ${values.out} is inside the repository, and the configs hold the cluster's keys. Fix: give a folder outside it, e.g. ~/.config/moon-and-back/talos`,
    );
  const model = loadModel(undefined, target);
  if (target === "lab" && !existsSync(join(model.lab.stateDir, "talos")))
    throw new UsageError(
      "the lab is not up (its Talos secrets live in its state directory). Fix: npm run lab:up",
    );
  const clients = awsClients(targetFor(target, model));
  const keep = values.out !== undefined;
  const dir = values.out ?? mkdtempSync(join(tmpdir(), "moon-talos-"));
  try {
    const store =
      target === "aws"
        ? ssmSecrets(clients.ssm, model)
        : fileSecrets(join(model.lab.stateDir, "talos", "secrets.yaml"));
    const results = await renderTalosConfigs(model, target, store, dir);
    for (const r of results)
      console.log(`${r.kind ?? "?"}: valid for Talos ${model.versions.talos} (${r.file})`);
    console.log(`secrets bundle: ${store.where}`);
    if (values.publish) {
      const chunks = await publishTalosConfigs(model, clients.ssm, dir);
      console.log(
        `published under ${model.nodes.configParameterPath}/configs: ${Object.entries(chunks)
          .map(([r, n]) => `${r} in ${n} part(s)`)
          .join(", ")}; the bastion installs them at its next boot (or run its netboot start again)`,
      );
    }
    if (keep) console.log(`kept in ${dir}: it holds the cluster's secrets, keep it out of Git`);
    return 0;
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
    clients.destroy();
  }
}

if (fileURLToPath(import.meta.url) === resolve(process.argv[1] ?? ""))
  runCommand("talos:configs", main, {
    usage: "npm run talos:configs -- [--target aws|lab] [--publish] [--out DIR]",
  });
