// Unit specs of the typed model: the defaults are valid, and every bad value is refused
// with a message that names the value and the fix, before anything is written.
import { expect, test } from "@playwright/test";
import { cidrNetmask, parseIpv4Cidr } from "../../model/net.ts";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../../common/exec.ts";
import {
  DEFAULT_MODEL,
  isArmInstanceType,
  loadModel,
  ModelError,
  now,
  REPO_ROOT,
  type ModelOverrides,
} from "../../model/index.ts";
import { GENERATORS } from "../../generators/index.ts";

function problemsOf(overrides: ModelOverrides | Record<string, unknown>): string {
  try {
    loadModel(overrides);
  } catch (e) {
    if (e instanceof ModelError) return e.message;
    throw e;
  }
  throw new Error("the model was accepted");
}

test("the defaults are SPEC §5's fixed values and validate", () => {
  const m = loadModel({});
  expect(m.network.vpcCidr).toBe("10.20.0.0/16");
  expect(m.network.public.cidr).toBe("10.20.1.0/24");
  expect(m.network.private.cidr).toBe("10.20.13.0/24");
  expect(m.region).toBe("eu-west-1");
  expect(m.bastion.privateIp).toBe("10.20.13.140");
  expect(m.bastion.name).toBe("tf-bastion");
  expect(m.services.caches.map((c) => `${c.port} ${c.upstream}`)).toEqual([
    "5050 docker.io",
    "5051 gcr.io",
    "5052 ghcr.io",
    "5053 quay.io",
    "5054 registry.k8s.io",
  ]);
  expect(m.services.matchboxPort).toBe(8080);
  expect(m.budget.monthlyUsd).toBe(0.1);
});

const bad: { what: string; overrides: Record<string, unknown>; mentions: RegExp[] }[] = [
  {
    what: "a subnet outside the VPC",
    overrides: { network: { private: { cidr: "10.30.13.0/24" } } },
    mentions: [
      /network\.private\.cidr = "10\.30\.13\.0\/24"/,
      /outside the VPC 10\.20\.0\.0\/16/,
      /Fix: pick a subnet inside/,
    ],
  },
  {
    what: "overlapping subnets",
    overrides: { network: { private: { cidr: "10.20.1.0/25" } } },
    mentions: [/overlaps the public subnet 10\.20\.1\.0\/24/, /disjoint/],
  },
  {
    what: "an unknown NAT choice",
    overrides: { network: { nat: "nat_instnace" } },
    mentions: [
      /network\.nat = "nat_instnace"/,
      /nat_instance, nat_gateway, none/,
      /did you mean "nat_instance"/,
    ],
  },
  {
    what: "a region typo",
    overrides: { region: "eu-west-l" },
    mentions: [/region = "eu-west-l": is not an AWS region/, /did you mean "eu-west-1"/],
  },
  {
    what: "a CIDR with host bits set",
    overrides: { network: { vpcCidr: "10.20.0.1/16" } },
    mentions: [/network\.vpcCidr = "10\.20\.0\.1\/16"/, /host bits/],
  },
  {
    what: "a bastion address outside its subnet",
    overrides: { bastion: { privateIp: "10.20.14.140" } },
    mentions: [/bastion\.privateIp = "10\.20\.14\.140"/, /outside the private subnet/],
  },
  {
    what: "a non-ARM instance type for an ARM role",
    overrides: { network: { natInstanceType: "t3.nano" } },
    mentions: [/network\.natInstanceType = "t3\.nano"/, /not an ARM64/, /t4g\.nano/],
  },
  {
    what: "a bad schedule",
    overrides: { bastion: { schedule: { start: "0 25 * * *" } } },
    mentions: [/bastion\.schedule\.start = "0 25 \* \* \*"/, /hour field "25" is outside 0-23/],
  },
  {
    what: "a cache port clashing with matchbox",
    overrides: { services: { matchboxPort: 5050 } },
    mentions: [/services\.caches\[0\]\.port = 5050: clashes with services\.matchboxPort/],
  },
  {
    what: "a setting the model does not have",
    overrides: { network: { natt: "none" } },
    mentions: [/network\.natt/, /is not a setting of the model/],
  },
  {
    what: "an emulator off loopback",
    overrides: { lab: { emulator: { host: "10.0.0.5" } } },
    mentions: [/lab\.emulator\.host = "10\.0\.0\.5": is not a loopback address/],
  },
  ...nodeCases(),
  {
    what: "a kube-ovn join network over the pods",
    overrides: { platform: { cozystack: { joinCidr: "10.244.128.0/17" } } },
    mentions: [/platform\.cozystack\.joinCidr = "10\.244\.128\.0\/17": overlaps nodes\.podCidr/],
  },
  {
    what: "a tenant name with a dash (CozyStack refuses them)",
    overrides: { platform: { demo: { tenant: "my-demo" } } },
    mentions: [/platform\.demo\.tenant = "my-demo"/, /no dashes/],
  },
  {
    what: "a demo image without a tag",
    overrides: { platform: { demo: { image: "ghcr.io/you/hello-spin" } } },
    mentions: [/platform\.demo\.image/, /registry\/repository:tag/],
  },
  {
    what: "a GitOps repository that is not a Git URL",
    overrides: { platform: { gitops: { repositoryUrl: "github.com/you/moon" } } },
    mentions: [/platform\.gitops\.repositoryUrl = "github\.com\/you\/moon"/, /https:\/\/ or ssh:\/\//],
  },
  {
    what: "a Flux interval that is not a duration",
    overrides: { platform: { gitops: { interval: "ten minutes" } } },
    mentions: [/platform\.gitops\.interval = "ten minutes": is not a Go duration/],
  },
  {
    what: "Spin's arch with no node carrying the spin extension",
    overrides: { nodes: { extensions: { compute: ["siderolabs/drbd", "siderolabs/zfs"] } } },
    mentions: [/platform\.spin\.nodeArch = "arm64": has no node of that architecture/, /siderolabs\/spin/],
  },
  {
    what: "a spin-operator API module at another release",
    overrides: { versions: { spinOperator: { api: { moduleVersion: "v0.5.0" } } } },
    mentions: [/versions\.spinOperator\.api\.moduleVersion = "v0\.5\.0": does not match the release 0\.6\.1/],
  },
];

/** A machine list with one machine changed (the others as the defaults have them). */
function withMachine(i: number, change: Record<string, unknown>): Record<string, unknown> {
  return {
    nodes: { machines: DEFAULT_MODEL.nodes.machines.map((m, j) => (j === i ? { ...m, ...change } : m)) },
  };
}

function nodeCases(): { what: string; overrides: Record<string, unknown>; mentions: RegExp[] }[] {
  const [first] = DEFAULT_MODEL.nodes.machines;
  return [
    {
      what: "a malformed node address",
      overrides: withMachine(1, { ip: "10.20.13.300" }),
      mentions: [
        /nodes\.machines\[1\]\.ip = "10\.20\.13\.300": is not an IPv4 address/,
        /write it as a\.b\.c\.d/,
      ],
    },
    {
      what: "a node address outside the private subnet",
      overrides: withMachine(0, { ip: "10.20.1.11" }),
      mentions: [
        /nodes\.machines\[0\]\.ip = "10\.20\.1\.11": is outside the private subnet 10\.20\.13\.0\/24/,
      ],
    },
    {
      what: "a node address inside the DHCP range",
      overrides: withMachine(0, { ip: "10.20.13.170" }),
      mentions: [/is inside the DHCP range \(hosts 160-199\)/, /pick a fixed address outside the range/],
    },
    {
      what: "a node on the bastion's address",
      overrides: withMachine(1, { ip: "10.20.13.140" }),
      mentions: [/nodes\.machines\[1\]\.ip = "10\.20\.13\.140": is already the bastion's/],
    },
    {
      what: "two nodes on one address",
      overrides: withMachine(1, { ip: first?.ip }),
      mentions: [/nodes\.machines\[1\]\.ip = "10\.20\.13\.11": is already nodes\.machines\[0\]'s address/],
    },
    {
      what: "a node MAC listed twice",
      overrides: withMachine(1, { mac: first?.mac }),
      mentions: [
        /nodes\.machines\[1\]\.mac = "02:4d:42:00:00:01": is listed twice \(also nodes\.machines\[0\]\)/,
        /give every node its own MAC/,
      ],
    },
    {
      what: "a cluster without a control plane",
      overrides: { nodes: { machines: DEFAULT_MODEL.nodes.machines.map((m) => ({ ...m, role: "worker" })) } },
      mentions: [/nodes\.machines = 2: has no controlplane node/],
    },
    {
      what: "EC2 nodes too small for CozyStack",
      overrides: { nodes: { aws: { instanceType: "t4g.small" } } },
      mentions: [/nodes\.aws\.instanceType = "t4g\.small": is not a Graviton type the kit knows the size of/],
    },
    {
      what: "a node data disk under CozyStack's 100 GB",
      overrides: { nodes: { aws: { instanceType: "c7g.2xlarge", dataVolumeGb: 50 } } },
      mentions: [/nodes\.aws\.dataVolumeGb = 50: is under CozyStack's 100 GB data disk/],
    },
    {
      what: "x86 EC2 nodes",
      overrides: { nodes: { aws: { instanceType: "m7i.xlarge" } } },
      mentions: [/nodes\.aws\.instanceType = "m7i\.xlarge": is not an ARM64 \(Graviton\) instance type/],
    },
    {
      what: "an unknown boot choice for EC2 nodes",
      overrides: { nodes: { aws: { boot: "pxe" } } },
      mentions: [/nodes\.aws\.boot = "pxe": is not a node boot choice/, /"ipxe"/],
    },
    {
      what: "a pod network overlapping the VPC",
      overrides: { nodes: { podCidr: "10.20.128.0/17" } },
      mentions: [/nodes\.podCidr = "10\.20\.128\.0\/17": overlaps the VPC 10\.20\.0\.0\/16/],
    },
    {
      // The nodes' mirrors are the caches: a cache with a bad upstream would be a wrong mirror.
      what: "a mirror upstream that is not a registry host",
      overrides: {
        services: {
          caches: DEFAULT_MODEL.services.caches.map((c, i) =>
            i === 2 ? { ...c, upstream: "https://ghcr.io" } : c,
          ),
        },
      },
      mentions: [/services\.caches\[2\]\.upstream = "https:\/\/ghcr\.io": is not a registry host name/],
    },
    {
      what: "a parameter path SSM would refuse",
      overrides: { nodes: { configParameterPath: "moon/talos/" } },
      mentions: [/nodes\.configParameterPath = "moon\/talos\/": is not an SSM parameter path/],
    },
    {
      what: "a credentials path above the Talos configs, which the bastion's role would then read",
      overrides: { services: { registryCredentialsPath: "/moon-and-back" } },
      mentions: [
        /services\.registryCredentialsPath = "\/moon-and-back": overlaps nodes\.configParameterPath/,
      ],
    },
  ];
}

for (const b of bad) {
  test(`refuses ${b.what}, naming the value and the fix`, () => {
    const message = problemsOf(b.overrides);
    for (const m of b.mentions) expect(message, `the error names ${String(m)}`).toMatch(m);
  });
}

test("bastion values: the operator's /128, the schedule, the SSH key, the fixed address", () => {
  expect(problemsOf({ bastion: { operatorIpv6Cidr: "2001:db8:ab::/64" } })).toContain(
    'bastion.operatorIpv6Cidr = "2001:db8:ab::/64": is not one IPv6 address as a /128',
  );
  expect(problemsOf({ bastion: { operatorIpv6Cidr: "::/0" } })).toContain("bastion.operatorIpv6Cidr");
  expect(problemsOf({ bastion: { operatorIpv6Cidr: "203.0.113.7/32" } })).toContain(
    "Fix: write your home address with /128",
  );
  expect(problemsOf({ bastion: { schedule: { start: "0 25 * * *" } } })).toContain(
    'bastion.schedule.start = "0 25 * * *": is not a valid recurrence: its hour field "25" is outside 0-23',
  );
  // The nodes' EventBridge schedules read the same crons: no weekday step, no backward range.
  expect(problemsOf({ bastion: { schedule: { start: "0 10 * * */2" } } })).toContain(
    "has a step, which EventBridge Scheduler's day-of-week does not take",
  );
  expect(problemsOf({ bastion: { schedule: { start: "0 10 * * 5-1" } } })).toContain(
    'its day of week field "5-1" is a range that runs backwards',
  );
  expect(
    problemsOf({ bastion: { schedule: { start: "0 18 * * *", stop: "0 20 * * *", targetHoursPerDay: 5 } } }),
  ).toContain("gives 2.00 hours a day, not the 5 of bastion.schedule.targetHoursPerDay");
  expect(problemsOf({ bastion: { schedule: { start: "*/5 18 * * *" } } })).toContain(
    "cannot be read as a daily window",
  );
  expect(problemsOf({ bastion: { sshPublicKey: "ssh-ed25519" } })).toContain("bastion.sshPublicKey");
  expect(problemsOf({ bastion: { sshPublicKey: "-----BEGIN OPENSSH PRIVATE KEY----- abc" } })).toContain(
    "is not an OpenSSH public key",
  );
  expect(problemsOf({ bastion: { privateIp: "10.20.1.140" } })).toContain(
    'bastion.privateIp = "10.20.1.140": is outside the private subnet 10.20.13.0/24. Fix: pick an address inside 10.20.13.0/24',
  );
  const key = readFileSync(join(REPO_ROOT, "specs", "unit", "fixtures", "operator.pub"), "utf8").trim();
  expect(
    loadModel(
      {
        bastion: { sshPublicKey: key, operatorIpv6Cidr: "2001:db8:ab::10/128" },
        budget: { alertEmail: "you@example.org" },
      },
      "aws",
    ).bastion.sshPublicKey,
  ).toBe(key);
});

test("the aws target refuses to run without the operator's address and key, and the budget's address", () => {
  let message = "";
  try {
    loadModel({}, "aws");
  } catch (e) {
    message = e instanceof ModelError ? e.message : String(e);
  }
  expect(message).toContain(
    "bastion.operatorIpv6Cidr = null: is not set, and the aws target allows SSH only from it",
  );
  expect(message).toContain(
    "bastion.sshPublicKey = null: is missing: the bastion accepts only this key. Fix: set it in moon.config.json",
  );
  expect(message).toContain("budget.alertEmail = null: is not set, and the budget's alert has nowhere to go");
  expect(problemsOf({ budget: { alertEmail: "you-at-home" } })).toContain(
    'budget.alertEmail = "you-at-home": is not an email address',
  );
  expect(problemsOf({ guardrails: { flowLogs: { retentionDays: 10 } } })).toContain(
    "guardrails.flowLogs.retentionDays = 10: is not a retention CloudWatch Logs offers",
  );
  expect(() => loadModel({}, "lab"), "the lab brings its own home and key").not.toThrow();
});

/** Runs `f` with the clock (MOON_NOW) set, or unset, and puts it back after. */
function withClock<T>(value: string | undefined, f: () => T): T {
  const before = process.env.MOON_NOW;
  if (value === undefined) delete process.env.MOON_NOW;
  else process.env.MOON_NOW = value;
  try {
    return f();
  } finally {
    if (before === undefined) delete process.env.MOON_NOW;
    else process.env.MOON_NOW = before;
  }
}

test("the budget's account: an existing paid account by default; a bad one is refused with the fix", () => {
  expect(DEFAULT_MODEL.budget.account).toEqual({ opened: "2024-01", plan: "paid" });
  withClock("2026-12-15", () => {
    expect(loadModel({ budget: { account: { opened: "2025-09", plan: "free" } } }).budget.account.plan).toBe(
      "free",
    );
    expect(
      loadModel({ budget: { account: { opened: "2025-07-03", plan: "paid" } } }).budget.account.opened,
    ).toBe("2025-07-03");
    expect(
      loadModel({ budget: { account: { opened: "2025-07", plan: "free" } } }).budget.account.opened,
    ).toBe("2025-07");
    expect(problemsOf({ budget: { account: { opened: "2024/01" } } })).toContain(
      'budget.account.opened = "2024/01": is not a month as "YYYY-MM" (or a day as "YYYY-MM-DD"). Fix: write the month your AWS account was opened, e.g. "2024-01"',
    );
    expect(problemsOf({ budget: { account: { opened: "2024-13" } } })).toContain("budget.account.opened");
    expect(problemsOf({ budget: { account: { opened: "2025-02-30" } } })).toContain("budget.account.opened");
    expect(problemsOf({ budget: { account: { opened: "2027-01" } } })).toContain(
      'budget.account.opened = "2027-01": is after this month (2026-12): an account cannot be opened in the future. Fix: write the month your AWS account was opened, or set MOON_NOW to a day after it',
    );
    expect(problemsOf({ budget: { account: { plan: "business" } } })).toContain(
      'budget.account.plan = "business": is not an AWS account plan. Fix: use one of paid, free',
    );
    expect(problemsOf({ budget: { account: { opened: "2025-06", plan: "free" } } })).toContain(
      'budget.account = "2025-06 free": has the free plan, which only accounts opened on or after 2025-07-15 have. Fix: use plan "paid"',
    );
    expect(problemsOf({ budget: { account: { opened: "2025-07-14", plan: "free" } } })).toContain(
      "has the free plan, which only accounts opened on or after 2025-07-15 have",
    );
    expect(problemsOf({ budget: { account: { opened: "2025-07", plan: "paid" } } })).toContain(
      'Fix: write the day it was opened, e.g. "2025-07-03"',
    );
  });
  // The clock decides what the future is.
  const opened = withClock("2027-02-01", () => loadModel({ budget: { account: { opened: "2027-01" } } }));
  expect(opened.budget.account.opened).toBe("2027-01");
});

test("a clock (MOON_NOW) that is not an ISO date is refused, naming it and the fix", () => {
  for (const value of ["next tuesday", "2027-13-01", "2027-02-30", "15/01/2027"])
    expect(withClock(value, () => problemsOf({}))).toContain(
      `MOON_NOW = ${JSON.stringify(value)}: is not an ISO date or date-time. Fix: unset it for the real time, or write a day such as MOON_NOW=2027-01-15`,
    );
  const at = (value: string | undefined) => withClock(value, () => now().toISOString());
  expect(at("2027-01-15T12:00")).toBe("2027-01-15T12:00:00.000Z");
  expect(at("2027-01-15")).toBe("2027-01-15T00:00:00.000Z");
  expect(at("2027-01-15T12:00:00+01:00")).toBe("2027-01-15T11:00:00.000Z");
  expect(() => at("soon")).toThrow(/MOON_NOW = "soon": is not an ISO date or date-time/);
  expect(Math.abs(Date.parse(at(undefined)) - Date.now())).toBeLessThan(5000);
});

test("ARM64 instance types are told from the others", () => {
  for (const t of [
    "t4g.nano",
    "t4g.small",
    "m7gd.xlarge",
    "c7gn.large",
    "a1.medium",
    "is4gen.large",
    "r8g.2xlarge",
  ])
    expect(isArmInstanceType(t), t).toBe(true);
  for (const t of ["t3.nano", "m5.large", "c6i.xlarge", "t3a.small", "m7i-flex.large", "g5.xlarge"])
    expect(isArmInstanceType(t), t).toBe(false);
});

function treeHash(): string {
  const h = createHash("sha256");
  for (const g of GENERATORS)
    for (const f of g.generate(DEFAULT_MODEL)) h.update(f.path).update(readFileSync(join(REPO_ROOT, f.path)));
  return h.digest("hex");
}

test("a bad model fails `npm run generate` before any file is written", () => {
  const dir = mkdtempSync(join(tmpdir(), "moon-model-"));
  const config = join(dir, "moon.config.json");
  writeFileSync(
    config,
    JSON.stringify({
      network: { vpcCidr: "10.20.0.0/16", public: { cidr: "10.99.1.0/24" } },
      region: "eu-wset-1",
    }),
  );
  const before = treeHash();
  const r = run(["npx", "tsx", "generators/cli.ts"], {
    cwd: REPO_ROOT,
    env: { ...process.env, MOON_CONFIG: config },
    allowFailure: true,
  });
  expect(r.code, "the generator exits non-zero").toBe(2);
  expect(r.stderr).toMatch(/network\.public\.cidr = "10\.99\.1\.0\/24": is outside the VPC/);
  expect(r.stderr).toMatch(/region = "eu-wset-1".*did you mean "eu-west-1"/);
  expect(r.stderr).toMatch(/nothing was written and no API was called/);
  expect(r.stdout, "no file was written").not.toMatch(/wrote /);
  expect(treeHash(), "the generated tree is unchanged").toBe(before);
});

test("a bad model fails `lab up` before any namespace or process is made", () => {
  const dir = mkdtempSync(join(tmpdir(), "moon-model-"));
  const config = join(dir, "moon.config.json");
  const stateDir = join(dir, "state");
  writeFileSync(config, JSON.stringify({ network: { nat: "natgw" }, lab: { stateDir } }));
  const namespacesBefore = run(["ip", "netns", "list"]).stdout;
  const r = run(["npx", "tsx", "lab/cli.ts", "up"], {
    cwd: REPO_ROOT,
    env: { ...process.env, MOON_CONFIG: config },
    allowFailure: true,
  });
  expect(r.code).not.toBe(0);
  expect(r.stderr).toMatch(/network\.nat = "natgw": is not a NAT choice/);
  expect(run(["ip", "netns", "list"]).stdout, "no namespace was made").toBe(namespacesBefore);
  expect(run(["ls", dir]).stdout.trim(), "no state directory was made").toBe("moon.config.json");
});

test("a CIDR's netmask, as dnsmasq's DHCP range wants it", () => {
  const mask = (c: string) => cidrNetmask(parseIpv4Cidr(c) ?? { text: c, base: 0, prefix: 0 });
  expect(["10.0.0.0/8", "10.20.13.0/24", "10.20.13.0/28", "0.0.0.0/0"].map(mask)).toEqual([
    "255.0.0.0",
    "255.255.255.0",
    "255.255.255.240",
    "0.0.0.0",
  ]);
});

test("the provider's version is one both roots' constraint selects: a pre-release never is", () => {
  const c = DEFAULT_MODEL.versions.awsProvider.constraint;
  expect(problemsOf({ versions: { awsProvider: { version: "6.48.0-dev.5f2286d6d836" } } })).toContain(
    `versions.awsProvider.version = "6.48.0-dev.5f2286d6d836": is a pre-release, which \`${c}\` never selects`,
  );
  expect(problemsOf({ versions: { awsProvider: { version: "5.99.0" } } })).toContain(
    `is not selected by \`${c}\``,
  );
  expect(problemsOf({ versions: { awsProvider: { constraint: ">= 6.0" } } })).toContain(
    "the model's constraint must read ~> MAJOR.MINOR[.PATCH]",
  );
  // Build metadata names the commit and is ignored in selection, as the build path's label does.
  expect(() => loadModel({ versions: { awsProvider: { version: "6.52.1+abc123" } } })).not.toThrow();
});
