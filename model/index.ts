import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_MODEL } from "./defaults.ts";
import { cidrHost, ipv6CidrHost, parseIpv4, parseIpv4Cidr } from "./net.ts";
import type { Model, ModelOverrides, TargetName } from "./types.ts";
import { shapeProblems } from "./shape.ts";
import { ModelError, validateForTarget, validateModel } from "./validate.ts";

export * from "./types.ts";
export { DEFAULT_MODEL } from "./defaults.ts";
export {
  ModelError,
  validateModel,
  validateForTarget,
  isArmInstanceType,
  cronProblem,
  sshKeyProblem,
} from "./validate.ts";
export { readSchedule, scheduledHoursIn, schedulerCron, type ScheduleReading } from "./schedule.ts";
export { CLOCK_VARIABLE, ClockError, monthOf, now, readClock, type ClockProblem } from "./clock.ts";
export { failure, runCommand, UsageError } from "./command.ts";
export { CREDITS_ACCOUNTS_FROM, isCreditsAccount, readOpening, type Opening } from "./account.ts";

/** The repository root (the folder holding package.json). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The user's override file: `$MOON_CONFIG`, else `moon.config.json` at the repository root. */
export function overridePath(): string {
  return process.env.MOON_CONFIG ?? join(REPO_ROOT, "moon.config.json");
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Merges overrides into defaults. The overrides' shape is checked first (model/shape.ts): a
 * key the model does not have, or a value of another type, is a problem, never an exception.
 */
export function mergeModel(base: Model, overrides: unknown): Model {
  const problems = shapeProblems(base, overrides);
  if (problems.length > 0) throw new ModelError(problems);
  const merge = (a: unknown, b: unknown): unknown => {
    if (!isObject(a) || !isObject(b)) return b === undefined ? a : b;
    const out: Record<string, unknown> = { ...a };
    for (const k of Object.keys(b)) out[k] = merge(a[k], b[k]);
    return out;
  };
  return merge(base, overrides) as Model;
}

/**
 * Loads the defaults, applies the user's overrides if any, and validates the result
 * (and, given a target, what that target needs on top).
 */
export function loadModel(overrides?: ModelOverrides, target?: TargetName): Model {
  let fromFile: unknown = {};
  const file = overridePath();
  if (overrides === undefined && process.env.MOON_CONFIG !== undefined && !existsSync(file))
    throw new ModelError([
      {
        path: "MOON_CONFIG",
        value: file,
        message: "names a file that does not exist",
        fix: "point MOON_CONFIG at your override file, or unset it to use moon.config.json",
      },
    ]);
  if (overrides === undefined && existsSync(file)) {
    try {
      fromFile = JSON.parse(readFileSync(file, "utf8")) as unknown;
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
  const model = validateModel(mergeModel(DEFAULT_MODEL, overrides ?? fromFile));
  return target === undefined ? model : validateForTarget(model, target);
}

/** Values derived from the model, computed in one place so no one recomputes them differently. */
export function derived(model: Model) {
  const priv = parseIpv4Cidr(model.network.private.cidr);
  const pub = parseIpv4Cidr(model.network.public.cidr);
  const inet = parseIpv4Cidr(model.lab.internet.hostsCidr);
  const publicRange = parseIpv4Cidr(model.lab.internet.publicCidr);
  if (!priv || !pub || !inet || !publicRange) throw new Error("derived() needs a validated model");
  const ns = (name: string) => `${model.lab.namespacePrefix}${name}`;
  const privIp = parseIpv4(model.bastion.privateIp) ?? 0;
  const labHome = ipv6CidrHost(model.lab.home.ipv6Cidr, model.lab.home.hostIndex);
  const upstreams = model.lab.upstreams;
  const labUpstreamDns = cidrHost(inet, upstreams.dnsIndex);
  return {
    /** The lab's upstream DNS on its internet: it answers for the upstream registries' names. */
    labUpstreamDns,
    /** The lab's upstream registries, one per cache, each at its own address under its real name. */
    labUpstreamRegistries: model.services.caches.map((c, i) => ({
      upstream: c.upstream,
      host: new URL(c.remoteUrl).hostname,
      address: cidrHost(inet, upstreams.firstRegistryIndex + i),
    })),
    /** The resolvers the DNS filter forwards to on a target. */
    dnsFilterUpstreams: (target: TargetName): readonly string[] =>
      target === "lab" ? [labUpstreamDns] : model.services.dnsFilter.upstreams[target],
    /** Nodes with their names (`talos-node-N`, in the model's order). */
    nodes: model.nodes.machines.map((m, i) => ({ ...m, name: `${model.nodes.namePrefix}${i + 1}` })),
    /** The DHCP range's first and last address. */
    dhcpRange: {
      start: cidrHost(priv, model.services.dhcp.firstHost),
      end: cidrHost(priv, model.services.dhcp.lastHost),
    },
    /** matchbox's base URL as the nodes reach it. */
    matchboxUrl: `http://${model.bastion.privateIp}:${model.services.matchboxPort}`,
    emulatorUrl: `http://${model.lab.emulator.host}:${model.lab.emulator.port}`,
    /**
     * `tofu show -json` of the lab root's state, which the lab writes after each apply it makes,
     * for readers above the lab that must not run it (`npm run cost -- --lab`).
     */
    labAppliedJson: join(model.lab.stateDir, "applied.json"),
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
    /** The lab's stand-in for the regional AWS API endpoint, on the lab internet. */
    awsEndpoint: cidrHost(inet, model.lab.internet.awsEndpointIndex),
    /** IPv6 link between the lab internet and the internet gateway: the internet's side, the gateway's side. */
    igwPeer6: ipv6CidrHost(model.lab.internet.ipv6LinkCidr, 1),
    igwSide6: ipv6CidrHost(model.lab.internet.ipv6LinkCidr, 2),
    /** The operator's machine in the lab's home network, and the home router (the lab internet's side). */
    labHome,
    labHomeRouter: ipv6CidrHost(model.lab.home.ipv6Cidr, 1),
    /** The address SSH is allowed from: the lab's home in the lab, the model's value elsewhere. */
    operatorCidr: (target: TargetName): string | null =>
      target === "lab" ? `${labHome}/128` : model.bastion.operatorIpv6Cidr,
    /**
     * The bastion's IPv6 host number inside the private subnet's /64: the same number as its
     * IPv4 address inside the private subnet (10.20.13.140 → ::8c).
     */
    bastionIpv6HostNumber: privIp - priv.base,
    namespaces: {
      internet: ns("inet"),
      vpc: ns("vpc"),
      nat: ns("nat"),
      privateHost: ns("priv"),
      bastion: ns("bastion"),
      home: ns("home"),
    },
  };
}
export type Derived = ReturnType<typeof derived>;
