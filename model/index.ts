import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_MODEL } from "./defaults.ts";
import { cidrHost, parseIpv4Cidr } from "./net.ts";
import type { Model, ModelOverrides } from "./types.ts";
import { ModelError, validateModel } from "./validate.ts";

export * from "./types.ts";
export { DEFAULT_MODEL } from "./defaults.ts";
export { ModelError, validateModel, isArmInstanceType, cronProblem } from "./validate.ts";

/** The repository root (the folder holding package.json). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The user's override file: `$MOON_CONFIG`, else `moon.config.json` at the repository root. */
export function overridePath(): string {
  return process.env.MOON_CONFIG ?? join(REPO_ROOT, "moon.config.json");
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Merges overrides into defaults; a key the model does not have is an error (typos fail loudly). */
export function mergeModel(base: Model, overrides: ModelOverrides | Record<string, unknown>): Model {
  const unknownKeys: string[] = [];
  const merge = (a: unknown, b: unknown, path: string): unknown => {
    if (!isObject(a) || !isObject(b)) return b === undefined ? a : b;
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) {
      const p = path ? `${path}.${k}` : k;
      // Free-form maps (tags) accept any key; everything else must exist in the defaults.
      if (!(k in a) && path !== "tags") unknownKeys.push(p);
      else out[k] = merge(a[k], v, p);
    }
    return out;
  };
  const merged = merge(base, overrides, "") as Model;
  if (unknownKeys.length > 0)
    throw new ModelError(
      unknownKeys.map((p) => ({
        path: p,
        value: "(override)",
        message: "is not a setting of the model",
        fix: "check the spelling against model/README.md",
      })),
    );
  return merged;
}

/** Loads the defaults, applies the user's overrides if any, and validates the result. */
export function loadModel(overrides?: ModelOverrides): Model {
  let fromFile: Record<string, unknown> = {};
  const file = overridePath();
  if (overrides === undefined && existsSync(file)) {
    try {
      fromFile = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    } catch (e) {
      throw new ModelError([
        {
          path: file,
          value: "(file)",
          message: `is not valid JSON (${(e as Error).message})`,
          fix: "correct the file or remove it",
        },
      ]);
    }
  }
  return validateModel(mergeModel(DEFAULT_MODEL, overrides ?? fromFile));
}

/** Values derived from the model, computed in one place so no one recomputes them differently. */
export function derived(model: Model) {
  const priv = parseIpv4Cidr(model.network.private.cidr);
  const pub = parseIpv4Cidr(model.network.public.cidr);
  const inet = parseIpv4Cidr(model.lab.internet.hostsCidr);
  const publicRange = parseIpv4Cidr(model.lab.internet.publicCidr);
  if (!priv || !pub || !inet || !publicRange) throw new Error("derived() needs a validated model");
  const ns = (name: string) => `${model.lab.namespacePrefix}${name}`;
  return {
    emulatorUrl: `http://${model.lab.emulator.host}:${model.lab.emulator.port}`,
    /** AWS's router sits at the first host address of every subnet. */
    publicRouter: cidrHost(pub, 1),
    privateRouter: cidrHost(priv, 1),
    privateHost: cidrHost(priv, model.lab.privateHostIndex),
    internetRouter: cidrHost(inet, 1),
    internetWeb: cidrHost(inet, 10),
    /** The lab internet's side of the link to the internet gateway, and the gateway's side. */
    igwPeer: cidrHost(publicRange, 1),
    igwSide: cidrHost(publicRange, 2),
    /** First address handed out as an instance's public IPv4 in the lab. */
    firstPublicHost: 10,
    publicRange,
    namespaces: {
      internet: ns("inet"),
      vpc: ns("vpc"),
      nat: ns("nat"),
      privateHost: ns("priv"),
    },
  };
}
export type Derived = ReturnType<typeof derived>;
