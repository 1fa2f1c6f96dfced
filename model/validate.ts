import {
  cidrContains,
  cidrContainsIp,
  cidrHost,
  cidrSize,
  cidrsOverlap,
  parseIpv4,
  parseIpv4Cidr,
  parseIpv6,
  parseIpv6Cidr,
  type Ipv4Cidr,
} from "./net.ts";
import { readSchedule } from "./schedule.ts";
import { stringProblems } from "./strings.ts";
import { CREDITS_ACCOUNTS_FROM, isCreditsAccount, readOpening } from "./account.ts";
import { monthOf, readClock } from "./clock.ts";
import {
  ACCOUNT_PLANS,
  FLOW_LOG_TRAFFIC_TYPES,
  LOG_RETENTION_DAYS,
  NAT_CHOICES,
  NAT_SCHEDULES,
  NODE_ARCHES,
  NODE_BOOTS,
  NODE_ROLES,
  OFFICIAL_EXTENSIONS,
  type AccountModel,
  type Model,
  type TargetName,
} from "./types.ts";

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

/**
 * The account the bill is for (`budget.account`): a real month, not in the future by the
 * clock (MOON_NOW), a plan AWS has, and the free plan only where AWS offers it.
 */
function validateAccount(account: AccountModel, add: AddProblem): void {
  const opening = readOpening(account.opened);
  const clock = readClock();
  if (!(clock instanceof Date)) add(clock.path, clock.value, clock.message, clock.fix);
  if (!opening)
    add(
      "budget.account.opened",
      account.opened,
      'is not a month as "YYYY-MM" (or a day as "YYYY-MM-DD")',
      'write the month your AWS account was opened, e.g. "2024-01" (the billing console shows it)',
    );
  else if (clock instanceof Date && opening.month > monthOf(clock))
    add(
      "budget.account.opened",
      account.opened,
      `is after this month (${monthOf(clock)}): an account cannot be opened in the future`,
      `write the month your AWS account was opened${process.env.MOON_NOW ? ", or set MOON_NOW to a day after it" : ""}`,
    );
  if (!(ACCOUNT_PLANS as readonly string[]).includes(account.plan)) {
    add(
      "budget.account.plan",
      account.plan,
      "is not an AWS account plan",
      `use one of ${ACCOUNT_PLANS.join(", ")} (the billing console shows which)`,
    );
    return;
  }
  if (!opening) return;
  const credits = CREDITS_ACCOUNTS_FROM.slice(0, 7);
  if (account.plan === "free" && !isCreditsAccount(account))
    add(
      "budget.account",
      `${account.opened} ${account.plan}`,
      `has the free plan, which only accounts opened on or after ${CREDITS_ACCOUNTS_FROM} have`,
      'use plan "paid" (an older account is on the paid plan), or the month the account was really opened',
    );
  else if (account.plan === "paid" && opening.month === credits && opening.day === undefined)
    add(
      "budget.account.opened",
      account.opened,
      `is the month AWS's offers changed (on ${CREDITS_ACCOUNTS_FROM}): the month alone cannot say which the account has`,
      `write the day it was opened, e.g. "${credits}-03" (before the 15th: the 12-month tier; from the 15th: credits)`,
    );
}

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

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const PORT_MIN = 1;
const PORT_MAX = 65535;
const HOSTNAME_RE =
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

type AddProblem = (path: string, value: unknown, message: string, fix: string) => void;

/** The netboot layer's settings: DHCP range, DNS filter, data directory, images. */
function validateServices(model: Model, priv: Ipv4Cidr | undefined, add: AddProblem): void {
  const s = model.services;
  const dhcp = s.dhcp;
  const subnet = model.network.private.cidr;
  // AWS keeps the first four addresses of a subnet and its last one.
  const last = priv ? cidrSize(priv) - 2 : 254;
  for (const key of ["firstHost", "lastHost"] as const) {
    const n = dhcp[key];
    if (!Number.isInteger(n) || n < 4 || n > last)
      add(
        `services.dhcp.${key}`,
        n,
        `is outside the usable addresses of the private subnet ${subnet}`,
        `use a host number from 4 to ${last}`,
      );
  }
  if (dhcp.firstHost > dhcp.lastHost)
    add("services.dhcp.lastHost", dhcp.lastHost, `comes before firstHost ${dhcp.firstHost}`, "swap them");
  const bastion = parseIpv4(model.bastion.privateIp);
  const bastionHost = priv && bastion !== undefined ? bastion - priv.base : -1;
  if (bastionHost >= dhcp.firstHost && bastionHost <= dhcp.lastHost)
    add(
      "services.dhcp",
      `${dhcp.firstHost}-${dhcp.lastHost}`,
      `contains the bastion's fixed address ${model.bastion.privateIp} (host ${bastionHost})`,
      "move the range off the bastion's address",
    );
  if (!/^(\d+[smhdw]?|infinite)$/.test(dhcp.leaseTime))
    add(
      "services.dhcp.leaseTime",
      dhcp.leaseTime,
      "is not a dnsmasq lease time",
      'use e.g. "12h" or "infinite"',
    );

  const f = s.dnsFilter;
  for (const [target, list] of Object.entries(f.upstreams)) {
    if (list.length === 0)
      add(`services.dnsFilter.upstreams.${target}`, list, "is empty", "name at least one resolver");
    list.forEach((a, i) => {
      if (parseIpv4(a) === undefined && parseIpv6(a) === undefined)
        add(`services.dnsFilter.upstreams.${target}[${i}]`, a, "is not an IP address", 'use e.g. "9.9.9.9"');
    });
  }
  if (!HOSTNAME_RE.test(f.localDomain))
    add("services.dnsFilter.localDomain", f.localDomain, "is not a domain name", 'use e.g. "moon.internal"');
  f.bastionNames.forEach((n, i) => {
    if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(n))
      add(`services.dnsFilter.bastionNames[${i}]`, n, "is not a host name label", 'use e.g. "matchbox"');
  });
  f.blocklist.forEach((d, i) => {
    if (!HOSTNAME_RE.test(d))
      add(`services.dnsFilter.blocklist[${i}]`, d, "is not a domain name", 'use e.g. "ads.example.com"');
    if (d === f.localDomain || d.endsWith(`.${f.localDomain}`))
      add(`services.dnsFilter.blocklist[${i}]`, d, "blocks the local zone", "remove it from the blocklist");
  });
  if (!/^\/[A-Za-z0-9._/-]+$/.test(s.dataDir) || s.dataDir.includes(".."))
    add("services.dataDir", s.dataDir, "is not an absolute path", 'use e.g. "/var/lib/moon-and-back"');
  // The bastion's role may read the credentials subtree: it must not hold the Talos secrets.
  const within = (a: string, b: string) => a === b || a.startsWith(`${b}/`);
  const talos = model.nodes.configParameterPath;
  if (within(s.registryCredentialsPath, talos) || within(talos, s.registryCredentialsPath))
    add(
      "services.registryCredentialsPath",
      s.registryCredentialsPath,
      `overlaps nodes.configParameterPath (${talos}): the bastion, which may read the credentials, could read the Talos secrets`,
      'use a path of its own, e.g. "/moon-and-back/registry"',
    );
  if (!(Number.isInteger(s.restartDelaySeconds) && s.restartDelaySeconds >= 0 && s.restartDelaySeconds <= 60))
    add("services.restartDelaySeconds", s.restartDelaySeconds, "is not a delay", "use 0-60 seconds, e.g. 1");
  const images = model.versions.images;
  for (const key of ["dnsmasq", "pihole"] as const)
    if (!/^[a-z0-9.-]+(:\d+)?\/[a-z0-9._/-]+:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(images[key]))
      add(
        `versions.images.${key}`,
        images[key],
        "is not an image reference pinned by a tag",
        'write registry/repository:tag, e.g. "docker.io/pihole/pihole:2025.07.1"',
      );
  for (const key of ["matchboxRepository", "registryRepository"] as const)
    if (!/^[a-z0-9.-]+(:\d+)?\/[a-z0-9._/-]+$/.test(images[key]))
      add(
        `versions.images.${key}`,
        images[key],
        "is not an image repository (its tag comes from the version the lab builds)",
        'write registry/repository, e.g. "quay.io/poseidon/matchbox"',
      );
}

const SSH_KEY_TYPES = [
  "ssh-ed25519",
  "ssh-rsa",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "sk-ssh-ed25519@openssh.com",
];

/** CozyStack, GitOps and demo values (SPEC §4 rows 05–07). */
function validatePlatform(model: Model, add: AddProblem): void {
  const p = model.platform;
  const v = model.versions;
  const join = parseIpv4Cidr(p.cozystack.joinCidr);
  if (!join)
    add(
      "platform.cozystack.joinCidr",
      p.cozystack.joinCidr,
      "is not an IPv4 CIDR",
      'use e.g. "100.64.0.0/16"',
    );
  else
    for (const [name, text] of [
      ["the VPC", model.network.vpcCidr],
      ["nodes.podCidr", model.nodes.podCidr],
      ["nodes.serviceCidr", model.nodes.serviceCidr],
    ] as const) {
      const other = parseIpv4Cidr(text);
      if (other && cidrsOverlap(join, other))
        add(
          "platform.cozystack.joinCidr",
          p.cozystack.joinCidr,
          `overlaps ${name} ${text}`,
          "use a range of its own, e.g. 100.64.0.0/16",
        );
    }
  const dnsName = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
  if (!dnsName.test(p.cozystack.rootHost))
    add(
      "platform.cozystack.rootHost",
      p.cozystack.rootHost,
      "is not a DNS name",
      'use e.g. "moon.example.org"',
    );
  if (!/^[a-z0-9]+$/.test(p.demo.tenant))
    add(
      "platform.demo.tenant",
      p.demo.tenant,
      "is not a CozyStack tenant name (lower-case letters and digits only, no dashes)",
      'use e.g. "demo"',
    );
  if (!/^[a-z0-9.-]+(:\d+)?\/[a-z0-9._/-]+:[A-Za-z0-9._-]+$/.test(p.demo.image))
    add(
      "platform.demo.image",
      p.demo.image,
      "is not a registry/repository:tag reference",
      'use e.g. "ghcr.io/you/hello-spin:0.1.0"',
    );
  if (!Number.isInteger(p.demo.replicas) || p.demo.replicas < 1)
    add("platform.demo.replicas", p.demo.replicas, "is not a positive whole number", "use e.g. 2");
  const url = p.gitops.repositoryUrl;
  if (!/^(https:\/\/|ssh:\/\/)[^\s]+$/.test(url))
    add(
      "platform.gitops.repositoryUrl",
      url,
      "is not an https:// or ssh:// Git URL",
      'use e.g. "https://github.com/you/moon-and-back"',
    );
  const duration = /^(\d+h)?(\d+m)?(\d+s)?$/;
  for (const key of ["interval", "timeout"] as const)
    if (!duration.test(p.gitops[key]) || p.gitops[key] === "")
      add(`platform.gitops.${key}`, p.gitops[key], "is not a Go duration", 'use e.g. "10m" or "1h30m"');
  const spinNodes = model.nodes.machines.filter(
    (m) =>
      m.arch === p.spin.nodeArch &&
      model.nodes.extensions[m.role === "controlplane" ? "gateway" : "compute"].includes("siderolabs/spin"),
  );
  if (spinNodes.length === 0)
    add(
      "platform.spin.nodeArch",
      p.spin.nodeArch,
      "has no node of that architecture whose extensions include siderolabs/spin: the demo could not be scheduled",
      `add a ${p.spin.nodeArch} machine to nodes.machines, or siderolabs/spin to its role's extensions`,
    );
  // Flux pulls the spin-operator chart through the bastion's cache of its registry.
  const chartHost = p.spin.chart.split("/")[0] ?? "";
  if (!model.services.caches.some((c) => c.upstream === chartHost))
    add(
      "platform.spin.chart",
      p.spin.chart,
      `comes from ${chartHost}, which no cache in services.caches serves: Flux pulls it through the bastion`,
      `use a chart from ${model.services.caches.map((c) => c.upstream).join(", ")}, or add a cache for ${chartHost}`,
    );
  const builds: readonly [string, string, { module: string; moduleVersion: string }][] = [
    ["versions.cozystack.appsApi", v.cozystack.version, v.cozystack.appsApi],
    ["versions.spinOperator.api", v.spinOperator.version, v.spinOperator.api],
  ];
  for (const [path, version, build] of builds)
    if (build.moduleVersion !== `v${version}`)
      add(
        `${path}.moduleVersion`,
        build.moduleVersion,
        `does not match the release ${version}`,
        `use "v${version}", and \`go get\` it in setup/go/kube-validate`,
      );
}

/**
 * An address a packet from the internet can come from: IANA allocates global unicast from
 * 2000::/3 (its IPv6 address space registry, within RFC 4291 §2.4's "everything else"), so
 * loopback, link-local, unique-local, multicast and mapped IPv4 all fall outside it.
 */
function isGlobalUnicast6(address: bigint): boolean {
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

/**
 * What a target needs beyond a valid model: the aws target opens SSH to one real address
 * with one real key, so both must be set. Checked before any file is written or API called.
 */
export function validateForTarget(model: Model, target: TargetName): Model {
  const problems: Problem[] = [];
  if (target === "aws") {
    if (model.bastion.operatorIpv6Cidr === null)
      problems.push({
        path: "bastion.operatorIpv6Cidr",
        value: null,
        message: "is not set, and the aws target allows SSH only from it",
        fix: 'set it in moon.config.json to your home address as a /128, e.g. "2001:db8:ab::10/128"',
      });
    if (model.bastion.sshPublicKey === null || model.bastion.sshPublicKey.trim() === "")
      problems.push({
        path: "bastion.sshPublicKey",
        value: model.bastion.sshPublicKey,
        message: "is missing: the bastion accepts only this key",
        fix: "set it in moon.config.json to the line of your ~/.ssh/id_ed25519.pub",
      });
    if (model.budget.alertEmail === null)
      problems.push({
        path: "budget.alertEmail",
        value: null,
        message: "is not set, and the budget's alert has nowhere to go",
        fix: 'set it in moon.config.json to the address AWS Budgets should mail, e.g. "you@example.org"',
      });
  }
  if (problems.length > 0) throw new ModelError(problems);
  return model;
}

/** Validates the whole model; throws one ModelError listing every problem. */
export function validateModel(model: Model): Model {
  const problems: Problem[] = [];
  const add = (path: string, value: unknown, message: string, fix: string): void => {
    problems.push({ path, value, message, fix });
  };

  if (!(AWS_REGIONS as readonly string[]).includes(model.region)) {
    const guess = closest(model.region, AWS_REGIONS);
    add(
      "region",
      model.region,
      "is not an AWS region",
      guess ? `did you mean "${guess}"?` : `use one of ${AWS_REGIONS.join(", ")}`,
    );
  }

  const net = model.network;
  const cidr = (path: string, text: string): Ipv4Cidr | undefined => {
    const parsed = parseIpv4Cidr(text);
    if (!parsed)
      add(
        path,
        text,
        "is not an IPv4 CIDR with its host bits clear",
        "write it as a.b.c.d/n, e.g. 10.20.0.0/16",
      );
    return parsed;
  };
  const vpc = cidr("network.vpcCidr", net.vpcCidr);
  if (vpc && (vpc.prefix < 16 || vpc.prefix > 28))
    add(
      "network.vpcCidr",
      net.vpcCidr,
      "has a prefix AWS does not allow for a VPC",
      "use a prefix from /16 to /28",
    );
  const subnets = (["public", "private"] as const).map((role) => {
    const path = `network.${role}.cidr`;
    const s = cidr(path, net[role].cidr);
    if (s && vpc && !cidrContains(vpc, s))
      add(path, net[role].cidr, `is outside the VPC ${net.vpcCidr}`, `pick a subnet inside ${net.vpcCidr}`);
    if (s && (s.prefix < 16 || s.prefix > 28))
      add(
        path,
        net[role].cidr,
        "has a prefix AWS does not allow for a subnet",
        "use a prefix from /16 to /28",
      );
    const idx = net[role].ipv6Index;
    if (!Number.isInteger(idx) || idx < 0 || idx > 255)
      add(
        `network.${role}.ipv6Index`,
        idx,
        "is not the index of a /64 inside the VPC's /56",
        "use an integer 0-255",
      );
    return s;
  });
  const [pub, priv] = subnets;
  if (pub && priv && cidrsOverlap(pub, priv))
    add(
      "network.private.cidr",
      net.private.cidr,
      `overlaps the public subnet ${net.public.cidr}`,
      "give the two subnets disjoint ranges, e.g. 10.20.1.0/24 and 10.20.13.0/24",
    );
  if (net.public.ipv6Index === net.private.ipv6Index)
    add(
      "network.private.ipv6Index",
      net.private.ipv6Index,
      "is the public subnet's IPv6 index too",
      "use a different index",
    );
  if (
    !net.availabilityZone.startsWith(model.region) ||
    !/^[a-z]$/.test(net.availabilityZone.slice(model.region.length))
  )
    add(
      "network.availabilityZone",
      net.availabilityZone,
      `is not a zone of region ${model.region}`,
      `use the region name plus a letter, e.g. ${model.region}a`,
    );
  if (!(NAT_CHOICES as readonly string[]).includes(net.nat)) {
    const guess = closest(net.nat, NAT_CHOICES);
    add(
      "network.nat",
      net.nat,
      "is not a NAT choice",
      `use one of ${NAT_CHOICES.join(", ")}${guess ? ` (did you mean "${guess}"?)` : ""}`,
    );
  }
  if (!(NAT_SCHEDULES as readonly string[]).includes(net.natSchedule))
    add(
      "network.natSchedule",
      net.natSchedule,
      "is not a NAT schedule",
      `use one of ${NAT_SCHEDULES.join(", ")}`,
    );
  if (!isArmInstanceType(net.natInstanceType))
    add(
      "network.natInstanceType",
      net.natInstanceType,
      "is not an ARM64 (Graviton) instance type",
      "use a Graviton type such as t4g.nano",
    );
  if (
    !Number.isInteger(net.natInstanceVolumeGb) ||
    net.natInstanceVolumeGb < 8 ||
    net.natInstanceVolumeGb > 64
  )
    add(
      "network.natInstanceVolumeGb",
      net.natInstanceVolumeGb,
      "is not a root volume size the NAT instance can use",
      "use 8-64 GiB; Amazon Linux 2023's snapshot needs 8",
    );
  if (!net.natInstanceAmiParameter.startsWith("/aws/service/"))
    add(
      "network.natInstanceAmiParameter",
      net.natInstanceAmiParameter,
      "is not an AWS public SSM parameter",
      "use a path under /aws/service/, e.g. /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
    );

  const b = model.bastion;
  const ip = parseIpv4(b.privateIp);
  if (ip === undefined)
    add("bastion.privateIp", b.privateIp, "is not an IPv4 address", "write it as a.b.c.d");
  else if (priv && !cidrContainsIp(priv, ip))
    add(
      "bastion.privateIp",
      b.privateIp,
      `is outside the private subnet ${net.private.cidr}`,
      `pick an address inside ${net.private.cidr}`,
    );
  else if (priv && (ip - priv.base < 4 || ip === priv.base + cidrSize(priv) - 1))
    add(
      "bastion.privateIp",
      b.privateIp,
      "is one of the five addresses AWS reserves in every subnet",
      `pick from ${cidrHost(priv, 4)} to ${cidrHost(priv, -2)}`,
    );
  if (!isArmInstanceType(b.instanceType))
    add(
      "bastion.instanceType",
      b.instanceType,
      "is not an ARM64 (Graviton) instance type",
      "use a Graviton type such as t4g.small",
    );
  for (const key of ["start", "stop"] as const) {
    const why = cronProblem(b.schedule[key]);
    if (why)
      add(
        `bastion.schedule.${key}`,
        b.schedule[key],
        `is not a valid recurrence: ${why}`,
        'use cron syntax, e.g. "0 18 * * *"',
      );
  }
  const reading =
    (cronProblem(b.schedule.start) ?? cronProblem(b.schedule.stop))
      ? undefined
      : readSchedule(b.schedule.start, b.schedule.stop);
  if (typeof reading === "string")
    add(
      "bastion.schedule",
      `${b.schedule.start} → ${b.schedule.stop}`,
      `cannot be read as a daily window: ${reading}`,
      'give start and stop one fixed time each, e.g. "0 18 * * *" and "0 23 * * *"',
    );
  else if (reading && Math.abs(reading.hoursPerDay - b.schedule.targetHoursPerDay) > 0.5)
    add(
      "bastion.schedule",
      `${b.schedule.start} → ${b.schedule.stop}`,
      `gives ${reading.hoursPerDay.toFixed(2)} hours a day, not the ${b.schedule.targetHoursPerDay} of bastion.schedule.targetHoursPerDay`,
      "move start or stop, or change targetHoursPerDay",
    );
  if (!(b.schedule.targetHoursPerDay > 0 && b.schedule.targetHoursPerDay <= 24))
    add(
      "bastion.schedule.targetHoursPerDay",
      b.schedule.targetHoursPerDay,
      "is not a number of hours in a day",
      "use a number from 1 to 24, e.g. 5",
    );
  if (b.operatorIpv6Cidr !== null) {
    const op = parseIpv6Cidr(b.operatorIpv6Cidr);
    const address = op ? parseIpv6(op.address) : undefined;
    if (!op || op.prefix !== 128 || address === 0n)
      add(
        "bastion.operatorIpv6Cidr",
        b.operatorIpv6Cidr,
        "is not one IPv6 address as a /128: SSH is allowed from exactly one address",
        'write your home address with /128, e.g. "2001:db8:ab::10/128" (`curl -6 ifconfig.co` tells it)',
      );
    else if (address !== undefined && !isGlobalUnicast6(address))
      add(
        "bastion.operatorIpv6Cidr",
        b.operatorIpv6Cidr,
        "is not a global unicast address (loopback, link-local, unique-local, multicast or mapped IPv4): no packet from the internet comes from it",
        "write your home's public IPv6 address, as `curl -6 ifconfig.co` prints it, with /128",
      );
  }
  if (b.sshPublicKey !== null && sshKeyProblem(b.sshPublicKey))
    add(
      "bastion.sshPublicKey",
      b.sshPublicKey.length > 40 ? `${b.sshPublicKey.slice(0, 40)}…` : b.sshPublicKey,
      `is not an OpenSSH public key: ${sshKeyProblem(b.sshPublicKey) ?? ""}`,
      'paste one line of your ~/.ssh/id_ed25519.pub, e.g. "ssh-ed25519 AAAAC3Nza… you@home"',
    );
  if (!Number.isInteger(b.rootVolumeGb) || b.rootVolumeGb < 8 || b.rootVolumeGb > 256)
    add(
      "bastion.rootVolumeGb",
      b.rootVolumeGb,
      "is not a root volume size the bastion can use",
      "use 8-256 GiB (the legacy free tier covers 30 GiB of EBS in all)",
    );
  if (!b.amiParameter.startsWith("/aws/service/"))
    add(
      "bastion.amiParameter",
      b.amiParameter,
      "is not an AWS public SSM parameter",
      "use a path under /aws/service/",
    );
  const zone = b.schedule.timeZone;
  if (!isTimeZone(zone))
    add(
      "bastion.schedule.timeZone",
      zone,
      "is not an IANA time zone",
      'use a name such as "Europe/Paris" or "UTC"',
    );
  else {
    // ICU accepts any case; EventBridge Scheduler and the Auto Scaling schedule want the
    // IANA name as written (https://data.iana.org/time-zones/tz-link.html).
    const canonical = new Intl.DateTimeFormat("en", { timeZone: zone }).resolvedOptions().timeZone;
    if (canonical !== zone && canonical.toLowerCase() === zone.toLowerCase())
      add(
        "bastion.schedule.timeZone",
        zone,
        "is an IANA time zone in the wrong case",
        `write it as "${canonical}"`,
      );
  }

  // Ports of services sharing one host (the bastion) must not clash; lab ports live on other hosts.
  const bastionPorts = new Map<number, string>();
  const port = (path: string, value: number, host?: Map<number, string>): void => {
    if (!Number.isInteger(value) || value < PORT_MIN || value > PORT_MAX) {
      add(path, value, "is not a TCP port", `use an integer ${PORT_MIN}-${PORT_MAX}`);
      return;
    }
    if (!host) return;
    const other = host.get(value);
    if (other) add(path, value, `clashes with ${other}`, "give each service its own port");
    else host.set(value, path);
  };
  port("services.matchboxPort", model.services.matchboxPort, bastionPorts);
  port("services.dnsPort", model.services.dnsPort, bastionPorts);
  port("services.tftpPort", model.services.tftpPort, bastionPorts);
  const upstreams = new Set<string>();
  if (model.services.caches.length === 0)
    add(
      "services.caches",
      [],
      "is empty: the nodes pull every image through the bastion's caches, and have no other way out",
      "list at least the registries the nodes pull from, as the defaults do",
    );
  model.services.caches.forEach((c, i) => {
    port(`services.caches[${i}].port`, c.port, bastionPorts);
    if (!HOSTNAME_RE.test(c.upstream))
      add(
        `services.caches[${i}].upstream`,
        c.upstream,
        "is not a registry host name",
        'use a bare host name such as "quay.io"',
      );
    if (upstreams.has(c.upstream))
      add(`services.caches[${i}].upstream`, c.upstream, "has a cache already", "list each upstream once");
    upstreams.add(c.upstream);
    const url = urlProblem(c.remoteUrl);
    if (url)
      add(
        `services.caches[${i}].remoteUrl`,
        c.remoteUrl,
        url,
        'use the registry\'s API URL, e.g. "https://quay.io"',
      );
  });
  validateServices(model, priv, add);

  const macs = new Map<string, number>();
  // Addresses already taken: what a node must not be given.
  const fixedAddresses = new Map<string, string>([[model.bastion.privateIp, "the bastion's"]]);
  model.nodes.machines.forEach((m, i) => {
    if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(m.mac))
      add(
        `nodes.machines[${i}].mac`,
        m.mac,
        "is not a MAC address",
        'write six lower-case hex pairs, e.g. "02:4d:42:00:00:01"',
      );
    const first = macs.get(m.mac);
    if (first !== undefined)
      add(
        `nodes.machines[${i}].mac`,
        m.mac,
        `is listed twice (also nodes.machines[${first}])`,
        "give every node its own MAC",
      );
    else macs.set(m.mac, i);
    if (!(NODE_ARCHES as readonly string[]).includes(m.arch))
      add(
        `nodes.machines[${i}].arch`,
        m.arch,
        "is not a node architecture",
        `use ${NODE_ARCHES.join(" or ")}`,
      );
    if (!(NODE_ROLES as readonly string[]).includes(m.role))
      add(`nodes.machines[${i}].role`, m.role, "is not a Talos role", `use ${NODE_ROLES.join(" or ")}`);
    const path = `nodes.machines[${i}].ip`;
    const nodeIp = parseIpv4(m.ip);
    const host = priv && nodeIp !== undefined ? nodeIp - priv.base : -1;
    const reserved = fixedAddresses.get(m.ip);
    if (nodeIp === undefined)
      add(path, m.ip, "is not an IPv4 address", 'write it as a.b.c.d, e.g. "10.20.13.11"');
    else if (priv && !cidrContainsIp(priv, nodeIp))
      add(
        path,
        m.ip,
        `is outside the private subnet ${net.private.cidr}`,
        `pick an address inside ${net.private.cidr}`,
      );
    else if (priv && (host < 4 || host > cidrSize(priv) - 2))
      add(
        path,
        m.ip,
        "is one of the five addresses AWS reserves in every subnet",
        `pick from ${cidrHost(priv, 4)} to ${cidrHost(priv, -2)}`,
      );
    else if (host >= model.services.dhcp.firstHost && host <= model.services.dhcp.lastHost)
      add(
        path,
        m.ip,
        `is inside the DHCP range (hosts ${model.services.dhcp.firstHost}-${model.services.dhcp.lastHost})`,
        "pick a fixed address outside the range",
      );
    else if (reserved !== undefined)
      add(path, m.ip, `is already ${reserved}`, "give every node an address of its own");
    fixedAddresses.set(m.ip, `nodes.machines[${i}]'s address`);
  });
  if (!model.nodes.machines.some((m) => m.role === "controlplane"))
    add(
      "nodes.machines",
      model.nodes.machines.length,
      "has no controlplane node",
      'give at least one machine role "controlplane"',
    );
  for (const key of ["talosApiPort", "kubernetesApiPort"] as const) {
    const p = model.nodes[key];
    if (!Number.isInteger(p) || p < 1 || p > 65535)
      add(`nodes.${key}`, p, "is not a TCP port", "use 1-65535");
  }
  if (model.nodes.talosApiPort === model.nodes.kubernetesApiPort)
    add(
      "nodes.kubernetesApiPort",
      model.nodes.kubernetesApiPort,
      "is the Talos API's port too: both listen on every control-plane node",
      "keep Talos on 50000 and Kubernetes on 6443, or give each its own port",
    );
  for (const key of ["podCidr", "serviceCidr"] as const) {
    const c = parseIpv4Cidr(model.nodes[key]);
    const vpc = parseIpv4Cidr(net.vpcCidr);
    if (!c)
      add(
        `nodes.${key}`,
        model.nodes[key],
        "is not an IPv4 CIDR",
        'write it as a.b.c.d/n, e.g. "10.244.0.0/16"',
      );
    else if (vpc && cidrsOverlap(c, vpc))
      add(
        `nodes.${key}`,
        model.nodes[key],
        `overlaps the VPC ${net.vpcCidr}`,
        "use a range outside the VPC, e.g. 10.244.0.0/16",
      );
  }
  for (const [target, disk] of Object.entries(model.nodes.installDisk))
    if (!/^\/dev\/[a-z0-9/]+$/.test(disk))
      add(`nodes.installDisk.${target}`, disk, "is not a disk device path", 'use e.g. "/dev/sda"');
  const na = model.nodes.aws;
  const size = GRAVITON_SIZES[na.instanceType];
  if (!isArmInstanceType(na.instanceType))
    add(
      "nodes.aws.instanceType",
      na.instanceType,
      "is not an ARM64 (Graviton) instance type",
      "use a Graviton type such as m7g.xlarge",
    );
  else if (!size)
    add(
      "nodes.aws.instanceType",
      na.instanceType,
      "is not a Graviton type the kit knows the size of",
      `use one of ${Object.keys(GRAVITON_SIZES).join(", ")}`,
    );
  else if (size.vcpu < 4 || size.memoryGib < 16)
    add(
      "nodes.aws.instanceType",
      na.instanceType,
      `has ${size.vcpu} vCPU and ${size.memoryGib} GiB, under CozyStack's 4 cores and 16 GB`,
      "use m7g.xlarge or larger",
    );
  if (!(na.systemVolumeGb >= 32))
    add(
      "nodes.aws.systemVolumeGb",
      na.systemVolumeGb,
      "is under CozyStack's 32 GB system disk",
      "use 32 or more",
    );
  if (na.dataVolumeGb === na.systemVolumeGb)
    add(
      "nodes.aws.dataVolumeGb",
      na.dataVolumeGb,
      "is the system disk's size: Talos finds its install disk on EC2 by size, and would not know which",
      `use a size other than nodes.aws.systemVolumeGb (${String(na.systemVolumeGb)})`,
    );
  if (!(na.dataVolumeGb >= 100))
    add(
      "nodes.aws.dataVolumeGb",
      na.dataVolumeGb,
      "is under CozyStack's 100 GB data disk",
      "use 100 or more",
    );
  if (!(NODE_BOOTS as readonly string[]).includes(na.boot))
    add(
      "nodes.aws.boot",
      na.boot,
      "is not a node boot choice",
      'use "ipxe" (chain to matchbox) or "ami" (Talos\'s AMI)',
    );
  for (const kind of ["compute", "gateway"] as const) {
    const seen = new Set<string>();
    model.nodes.extensions[kind].forEach((e, i) => {
      const path = `nodes.extensions.${kind}[${i}]`;
      if (!(OFFICIAL_EXTENSIONS as readonly string[]).includes(e)) {
        const guess = closest(e, OFFICIAL_EXTENSIONS);
        add(
          path,
          e,
          "is not an official Talos extension the kit knows",
          guess ? `did you mean "${guess}"?` : `use one of ${OFFICIAL_EXTENSIONS.join(", ")}`,
        );
      }
      if (seen.has(e)) add(path, e, "is listed twice", "list each extension once");
      seen.add(e);
    });
  }
  if (!/^\d+\.\d+\.\d+$/.test(model.versions.talos))
    add("versions.talos", model.versions.talos, "is not a Talos release", 'use e.g. "1.13.6"');
  else if (model.versions.talosMachinery.moduleVersion !== `v${model.versions.talos}`)
    add(
      "versions.talosMachinery.moduleVersion",
      model.versions.talosMachinery.moduleVersion,
      `does not match versions.talos ${model.versions.talos}`,
      `use "v${model.versions.talos}", and \`go get\` it in setup/go/talos-config`,
    );
  if (!(model.budget.monthlyUsd > 0))
    add(
      "budget.monthlyUsd",
      model.budget.monthlyUsd,
      "is not a positive amount",
      "use a target in USD per month, e.g. 0.10",
    );
  validateAccount(model.budget.account, add);
  if (model.budget.alertEmail !== null && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(model.budget.alertEmail))
    add(
      "budget.alertEmail",
      model.budget.alertEmail,
      "is not an email address",
      'write the address AWS Budgets should mail, e.g. "you@example.org"',
    );
  const fl = model.guardrails.flowLogs;
  if (!(FLOW_LOG_TRAFFIC_TYPES as readonly string[]).includes(fl.trafficType))
    add(
      "guardrails.flowLogs.trafficType",
      fl.trafficType,
      "is not a flow-log traffic type",
      `use one of ${FLOW_LOG_TRAFFIC_TYPES.join(", ")}`,
    );
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(fl.retentionDays))
    add(
      "guardrails.flowLogs.retentionDays",
      fl.retentionDays,
      "is not a retention CloudWatch Logs offers",
      `use one of ${LOG_RETENTION_DAYS.join(", ")}`,
    );
  const sp = model.guardrails.scanPorts;
  if (!(
    Number.isInteger(sp.from) &&
    Number.isInteger(sp.to) &&
    sp.from >= 1 &&
    sp.from <= sp.to &&
    sp.to <= 65535
  ))
    add(
      "guardrails.scanPorts",
      `${sp.from}-${sp.to}`,
      "is not a TCP port range",
      "use from ≤ to within 1-65535, e.g. { from: 1, to: 1024 }",
    );

  const semver = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
  if (!semver.test(model.versions.opentofu))
    add("versions.opentofu", model.versions.opentofu, "is not a version", 'use a release such as "1.12.6"');
  if (!semver.test(model.versions.awsProvider.version))
    add(
      "versions.awsProvider.version",
      model.versions.awsProvider.version,
      "is not a version",
      'use a version such as "6.47.0"',
    );
  for (const key of ["matchbox", "registry"] as const) {
    const v = model.versions[key];
    if (v.build.moduleVersion !== `v${v.version}`)
      add(
        `versions.${key}.build.moduleVersion`,
        v.build.moduleVersion,
        `does not build versions.${key}.version ${v.version}`,
        `use "v${v.version}", and \`go get -tool\` it in setup/go/${key}`,
      );
  }
  if (!/^\d+\.\d+\.\d+$/.test(model.versions.composePlugin))
    add(
      "versions.composePlugin",
      model.versions.composePlugin,
      "is not a version",
      'use a release such as "2.39.1"',
    );
  if (!/^\d+\.\d+\.\d+$/.test(model.versions.awscli))
    add("versions.awscli", model.versions.awscli, "is not a version", 'use a release such as "1.46.3"');
  if (!/^\d+\.\d+\.\d+$/.test(model.versions.moto))
    add("versions.moto", model.versions.moto, "is not a version", 'use a release such as "5.2.1"');

  validatePlatform(model, add);

  const lab = model.lab;
  if (!/^127\.\d+\.\d+\.\d+$/.test(lab.emulator.host))
    add(
      "lab.emulator.host",
      lab.emulator.host,
      "is not a loopback address",
      "the emulator listens on loopback only, e.g. 127.0.0.1",
    );
  port("lab.emulator.port", lab.emulator.port);
  if (!/^[a-z]{1,4}-$/.test(lab.namespacePrefix))
    add(
      "lab.namespacePrefix",
      lab.namespacePrefix,
      "is not a short prefix",
      'use 1-4 lowercase letters and "-", e.g. "mab-"',
    );
  if (!lab.stateDir.startsWith("/"))
    add(
      "lab.stateDir",
      lab.stateDir,
      "is not an absolute path",
      "use an absolute path such as /run/moon-and-back/lab",
    );
  for (const key of ["hostsCidr", "publicCidr"] as const) {
    const c = cidr(`lab.internet.${key}`, lab.internet[key]);
    if (c && vpc && cidrsOverlap(c, vpc))
      add(
        `lab.internet.${key}`,
        lab.internet[key],
        `overlaps the VPC ${net.vpcCidr}`,
        "use a documentation range such as 203.0.113.0/24",
      );
  }
  port("lab.internet.webPort", lab.internet.webPort);
  const link6 = parseIpv6Cidr(lab.internet.ipv6LinkCidr);
  if (!link6 || link6.prefix !== 64)
    add(
      "lab.internet.ipv6LinkCidr",
      lab.internet.ipv6LinkCidr,
      "is not an IPv6 /64",
      'use e.g. "2001:db8:ffff::/64"',
    );
  const home6 = parseIpv6Cidr(lab.home.ipv6Cidr);
  if (!home6 || home6.prefix !== 64)
    add("lab.home.ipv6Cidr", lab.home.ipv6Cidr, "is not an IPv6 /64", 'use e.g. "2001:db8:ab::/64"');
  if (!Number.isInteger(lab.home.hostIndex) || lab.home.hostIndex < 2 || lab.home.hostIndex > 0xffff)
    add(
      "lab.home.hostIndex",
      lab.home.hostIndex,
      "is not a free host number of the home /64",
      "use 2-65535, e.g. 16",
    );
  if (parseIpv6(lab.internet.strangerIpv6) === undefined)
    add(
      "lab.internet.strangerIpv6",
      lab.internet.strangerIpv6,
      "is not an IPv6 address",
      'use e.g. "2001:db8:bad::66"',
    );
  if (
    !Number.isInteger(lab.internet.awsEndpointIndex) ||
    lab.internet.awsEndpointIndex < 2 ||
    lab.internet.awsEndpointIndex > 254 ||
    lab.internet.awsEndpointIndex === 10
  )
    add(
      "lab.internet.awsEndpointIndex",
      lab.internet.awsEndpointIndex,
      "is not a free host number of the lab internet",
      "use 2-254 except 1 and 10, e.g. 20",
    );
  if (
    priv &&
    (lab.privateHostIndex < 4 ||
      lab.privateHostIndex >= cidrSize(priv) - 1 ||
      cidrHost(priv, lab.privateHostIndex) === b.privateIp)
  )
    add(
      "lab.privateHostIndex",
      lab.privateHostIndex,
      "is a reserved or taken address of the private subnet",
      "use a free host number such as 10",
    );
  port("lab.probePort", lab.probePort);
  const hosts = parseIpv4Cidr(lab.internet.hostsCidr);
  const up = lab.upstreams;
  // Host numbers of the lab internet already taken: its router, its web host, the AWS endpoint.
  const taken = new Map<number, string>([
    [1, "the lab internet's router"],
    [10, "the lab internet's web host"],
    [lab.internet.awsEndpointIndex, "lab.internet.awsEndpointIndex"],
  ]);
  const hostIndex = (path: string, n: number): void => {
    const max = hosts ? cidrSize(hosts) - 2 : 254;
    if (!Number.isInteger(n) || n < 2 || n > max)
      add(path, n, "is not a host number of the lab internet", `use 2-${max}`);
    else if (taken.has(n)) add(path, n, `is taken by ${taken.get(n) ?? ""}`, "pick a free host number");
    else taken.set(n, path);
  };
  hostIndex("lab.upstreams.dnsIndex", up.dnsIndex);
  model.services.caches.forEach((c, i) => {
    hostIndex(
      `lab.upstreams.firstRegistryIndex (+${i}, the ${c.upstream} upstream)`,
      up.firstRegistryIndex + i,
    );
  });
  if (!/^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)+$/.test(up.testImage.repository))
    add(
      "lab.upstreams.testImage.repository",
      up.testImage.repository,
      "is not a registry repository name",
      'use lowercase path components, e.g. "moon-and-back/hello"',
    );
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(up.testImage.tag))
    add("lab.upstreams.testImage.tag", up.testImage.tag, "is not an image tag", 'use e.g. "1.0"');
  if (
    !Number.isInteger(up.testImage.layerBytes) ||
    up.testImage.layerBytes < 1024 ||
    up.testImage.layerBytes > 64 * 1024 * 1024
  )
    add(
      "lab.upstreams.testImage.layerBytes",
      up.testImage.layerBytes,
      "is not a layer size the lab can serve",
      "use 1 KiB to 64 MiB, e.g. 4194304",
    );
  if (!(up.link.rateMbit >= 1 && up.link.rateMbit <= 10_000))
    add("lab.upstreams.link.rateMbit", up.link.rateMbit, "is not a link rate", "use 1-10000 Mbit/s, e.g. 50");
  if (!(Number.isInteger(up.link.latencyMs) && up.link.latencyMs >= 0 && up.link.latencyMs <= 2000))
    add("lab.upstreams.link.latencyMs", up.link.latencyMs, "is not a latency", "use 0-2000 ms, e.g. 40");

  // The floor every string stands on (model/strings.ts), for the values the checks of their
  // meaning above let through; a value is reported once, by its most specific check.
  const reported = new Set(problems.map((p) => p.path));
  problems.push(...stringProblems(model).filter((p) => !reported.has(p.path)));
  if (problems.length > 0) throw new ModelError(problems);
  return model;
}
