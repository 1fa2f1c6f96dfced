// What every section's rules share: the problem list, the helpers that report into it, and
// the checks more than one section makes (instance types, ports, cron, time zones, keys).
import { parseIpv4Cidr, type Ipv4Cidr } from "./net.ts";

/** One thing wrong with the model: where, what value, why, and how to fix it. */
export interface Problem {
  readonly path: string;
  readonly value: unknown;
  readonly message: string;
  readonly fix: string;
}

export class ModelError extends Error {
  constructor(readonly problems: readonly Problem[]) {
    super(
      `The model has ${problems.length} problem${problems.length === 1 ? "" : "s"}; nothing was written and no API was called:\n` +
        problems
          .map((p) => `  - ${p.path} = ${JSON.stringify(p.value)}: ${p.message}. Fix: ${p.fix}`)
          .join("\n"),
    );
    this.name = "ModelError";
  }
}

// Commercial AWS regions; a typo gets the closest one suggested.
export const AWS_REGIONS = [
  "af-south-1",
  "ap-east-1",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-south-1",
  "ap-south-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ap-southeast-5",
  "ca-central-1",
  "ca-west-1",
  "eu-central-1",
  "eu-central-2",
  "eu-north-1",
  "eu-south-1",
  "eu-south-2",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "il-central-1",
  "me-central-1",
  "me-south-1",
  "mx-central-1",
  "sa-east-1",
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
] as const;

/** Graviton sizes the kit can check CozyStack's minimum against (AWS's instance type pages). */
export const GRAVITON_SIZES: Readonly<Record<string, { vcpu: number; memoryGib: number }>> = {
  "t4g.xlarge": { vcpu: 4, memoryGib: 16 },
  "t4g.2xlarge": { vcpu: 8, memoryGib: 32 },
  "m6g.xlarge": { vcpu: 4, memoryGib: 16 },
  "m6g.2xlarge": { vcpu: 8, memoryGib: 32 },
  "m7g.xlarge": { vcpu: 4, memoryGib: 16 },
  "m7g.2xlarge": { vcpu: 8, memoryGib: 32 },
  "m8g.xlarge": { vcpu: 4, memoryGib: 16 },
  "r7g.large": { vcpu: 2, memoryGib: 16 },
  "r7g.xlarge": { vcpu: 4, memoryGib: 32 },
  "c7g.2xlarge": { vcpu: 8, memoryGib: 16 },
  "m7g.metal": { vcpu: 64, memoryGib: 256 },
  "c7g.metal": { vcpu: 64, memoryGib: 128 },
};

/** Graviton instance families: a1, or a generation digit followed by "g" (t4g, m7gd, c7gn, is4gen). */
export function isArmInstanceType(type: string): boolean {
  return /^(a1|[a-z]+\d+g[a-z]*)\.[a-z0-9]+$/.test(type);
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] ?? 0;
      row[j] = Math.min(cur + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length] ?? 0;
}

export function closest(value: string, choices: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of choices) {
    const d = editDistance(value, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= Math.max(2, Math.floor(value.length / 3)) ? best : undefined;
}

const CRON_FIELDS = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12 },
  { name: "day of week", min: 0, max: 7 },
] as const;

/** Checks a 5-field cron recurrence as Auto Scaling accepts it; returns why not, or undefined. */
export function cronProblem(expr: string): string | undefined {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5)
    return `has ${fields.length} fields, a recurrence needs 5 (minute hour day month weekday)`;
  for (const [i, field] of fields.entries()) {
    const spec = CRON_FIELDS[i];
    if (spec === undefined) continue;
    for (const part of field.split(",")) {
      const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
      if (!m) return `its ${spec.name} field "${field}" is not a number, range, list or step`;
      for (const n of [m[2], m[3]]) {
        if (n !== undefined && (Number(n) < spec.min || Number(n) > spec.max))
          return `its ${spec.name} field "${field}" is outside ${spec.min}-${spec.max}`;
      }
      if (m[3] !== undefined && Number(m[3]) < Number(m[2]))
        return `its ${spec.name} field "${field}" is a range that runs backwards`;
      // The nodes and the NAT instance keep these hours through EventBridge Scheduler, whose
      // day-of-week takes no step (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#cron-based).
      if (spec.name === "day of week" && m[4] !== undefined)
        return `its ${spec.name} field "${field}" has a step, which EventBridge Scheduler's day-of-week does not take`;
      if (m[4] !== undefined && Number(m[4]) === 0)
        return `its ${spec.name} field "${field}" has a step of 0`;
    }
  }
  return undefined;
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const PORT_MIN = 1;
export const PORT_MAX = 65535;
export const HOSTNAME_RE =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** Why a registry URL is unusable, or undefined when it is a plain http(s) origin. */
export function urlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "is not a URL";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "is not an http(s) URL";
  if (url.pathname !== "/" || url.search || url.hash || url.username)
    return "has more than a scheme and a host";
  return undefined;
}

export type AddProblem = (path: string, value: unknown, message: string, fix: string) => void;

const SSH_KEY_TYPES = [
  "ssh-ed25519",
  "ssh-rsa",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "sk-ssh-ed25519@openssh.com",
];

/**
 * An address a packet from the internet can come from: IANA allocates global unicast from
 * 2000::/3 (its IPv6 address space registry, within RFC 4291 §2.4's "everything else"), so
 * loopback, link-local, unique-local, multicast and mapped IPv4 all fall outside it.
 */
export function isGlobalUnicast6(address: bigint): boolean {
  return address >> 125n === 1n;
}

/** Why a text is not an OpenSSH public key line, or undefined when it is one. */
export function sshKeyProblem(key: string): string | undefined {
  const [type, blob] = key.trim().split(/\s+/);
  if (!type || !blob) return "it is empty or has no key data";
  if (key.includes("PRIVATE KEY")) return "it is a private key; give the .pub file's line";
  if (!SSH_KEY_TYPES.includes(type)) return `"${type}" is not a key type (${SSH_KEY_TYPES.join(", ")})`;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(blob)) return "its key data is not base64";
  const decoded = Buffer.from(blob, "base64");
  if (decoded.length < 4 + type.length) return "its key data is cut short";
  const len = decoded.readUInt32BE(0);
  if (decoded.subarray(4, 4 + len).toString() !== type) return "its key data does not match its type";
  return undefined;
}

/** What a section's rules report with, and the checks of form they share. */
export interface Rules {
  readonly add: AddProblem;
  /** Parses an IPv4 CIDR, reporting it at `path` when it is not one. */
  readonly cidr: (path: string, text: string) => Ipv4Cidr | undefined;
  /** Checks a port, and that no other service on `host` (the bastion) has it. */
  readonly port: (path: string, value: number, host?: Map<number, string>) => void;
  /** The ports of the services that share the bastion. */
  readonly bastionPorts: Map<number, string>;
}

/** The VPC and its subnets, parsed by the network section for the others that place things there. */
export interface Places {
  readonly vpc: Ipv4Cidr | undefined;
  readonly pub: Ipv4Cidr | undefined;
  readonly priv: Ipv4Cidr | undefined;
}

export function newRules(problems: Problem[]): Rules {
  const add: AddProblem = (path, value, message, fix) => {
    problems.push({ path, value, message, fix });
  };
  return {
    add,
    cidr: (path, text) => {
      const parsed = parseIpv4Cidr(text);
      if (!parsed)
        add(
          path,
          text,
          "is not an IPv4 CIDR with its host bits clear",
          "write it as a.b.c.d/n, e.g. 10.20.0.0/16",
        );
      return parsed;
    },
    port: (path, value, host) => {
      if (!Number.isInteger(value) || value < PORT_MIN || value > PORT_MAX) {
        add(path, value, "is not a TCP port", `use an integer ${PORT_MIN}-${PORT_MAX}`);
        return;
      }
      if (!host) return;
      const other = host.get(value);
      if (other) add(path, value, `clashes with ${other}`, "give each service its own port");
      else host.set(value, path);
    },
    bastionPorts: new Map<number, string>(),
  };
}
