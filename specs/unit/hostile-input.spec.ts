// Unit specs of hostile input (issue 20), one per class: a config of the wrong shape, a
// string that would be code where it lands, a path out of the repository, a write that
// fails half-way, a bad flag. Each is refused with a problem that names the value and the
// fix, exit code 2 where a command is run, and nothing written.
import { expect, test } from "@playwright/test";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../../common/exec.ts";
import {
  DEFAULT_MODEL,
  failure,
  mergeModel,
  ModelError,
  REPO_ROOT,
  UsageError,
  validateModel,
} from "../../model/index.ts";
import { STRING_RULES, rulePath, stringProblems } from "../../model/strings.ts";
import { insideRoot, STAGING_PREFIX, writeAllOrNothing } from "../../generators/writers/files.ts";

/** The problems loadModel reports for overrides, or a failure when it throws anything else. */
function refusal(overrides: unknown): string {
  try {
    validateModel(mergeModel(DEFAULT_MODEL, overrides));
  } catch (e) {
    if (e instanceof ModelError) return e.message;
    throw new Error(`not a ModelError but ${String(e)}`, { cause: e });
  }
  throw new Error(`accepted: ${JSON.stringify(overrides)}`);
}

function stringLeaves(v: unknown, path = ""): [string, string][] {
  if (Array.isArray(v)) return v.flatMap((x, i) => stringLeaves(x, `${path}[${i}]`));
  if (typeof v === "object" && v !== null)
    return Object.entries(v).flatMap(([k, x]) => stringLeaves(x, path ? `${path}.${k}` : k));
  return typeof v === "string" ? [[path, v]] : [];
}

test("every string of the model has a rule for where it lands, and the defaults keep it", () => {
  const leaves = stringLeaves(DEFAULT_MODEL);
  expect(leaves.length).toBeGreaterThan(100);
  const missing = leaves.filter(([p]) => STRING_RULES[rulePath(p)] === undefined).map(([p]) => p);
  expect(missing, "string paths without a rule in model/strings.ts").toEqual([]);
  expect(stringProblems(DEFAULT_MODEL), "the defaults break no rule").toEqual([]);
  const badExamples = Object.entries(STRING_RULES)
    .filter(([, r]) => !(r.re.test(r.example) && r.example.length <= r.max))
    .map(([p]) => p);
  expect(badExamples, "rules whose own example (the fix a problem suggests) they refuse").toEqual([]);
  // The nullable strings too, set to values their rules accept.
  for (const p of ["bastion.operatorIpv6Cidr", "bastion.sshPublicKey", "budget.alertEmail"])
    expect(STRING_RULES[p], p).toBeDefined();
});

test("a config that is not a JSON object is refused, not a TypeError", () => {
  for (const config of [null, [], "moon", 42, true])
    expect(refusal(config), JSON.stringify(config)).toMatch(/\(the config\) = .*: is .*, not a JSON object/);
});

test("a value of another type than its default is refused with its path and the fix", () => {
  expect(refusal({ budget: { monthlyUsd: Infinity } })).toMatch(
    /budget\.monthlyUsd = "Infinity": is not a finite number/,
  );
  expect(refusal({ budget: { monthlyUsd: true } })).toMatch(
    /budget\.monthlyUsd = true: is a boolean, not a number/,
  );
  expect(refusal({ budget: { monthlyUsd: [5] } })).toMatch(
    /budget\.monthlyUsd = "\(a list\)": is a list, not a number/,
  );
  expect(refusal({ budget: { monthlyUsd: "0.10" } })).toMatch(
    /budget\.monthlyUsd = "0\.10": is a string, not a number/,
  );
  expect(refusal({ network: { vpcCidr: { a: 1 } } })).toMatch(
    /network\.vpcCidr = "\(an object\)": is an object, not a string/,
  );
  expect(refusal({ services: { caches: "docker.io" } })).toMatch(
    /services\.caches = "docker\.io": is a string, not a list/,
  );
  expect(refusal({ services: { matchboxPort: 8080.5 } })).toMatch(
    /services\.matchboxPort = 8080\.5: is not a whole number/,
  );
  expect(refusal({ services: { caches: [{ upstream: "quay.io" }] } })).toMatch(
    /services\.caches\[0\]\.port = "\(missing\)": is missing/,
  );
  expect(refusal({ network: null })).toMatch(/network = null: is null, not an object/);
  // A JSON number too big for a double parses as Infinity.
  expect(refusal(JSON.parse('{"budget": {"monthlyUsd": 1e309}}'))).toMatch(/is not a finite number/);
});

test("keys inherited from Object.prototype are not settings", () => {
  for (const key of ["toString", "hasOwnProperty", "constructor", "__proto__"]) {
    const config = JSON.parse(`{"network": {"${key}": {"polluted": true}}}`) as unknown;
    expect(refusal(config), key).toContain(`network.${key} = "(override)": is not a setting of the model`);
  }
  expect(({} as Record<string, unknown>).polluted, "the prototype was not touched").toBeUndefined();
});

test("strings that would be code, or too long, where they land are refused", () => {
  expect(refusal({ project: 'x$(touch /tmp/p)"; echo hi; "' })).toMatch(
    /project = .*: is not a lower-case name/,
  );
  expect(refusal({ project: "" })).toMatch(/project = "": is not a lower-case name/);
  expect(refusal({ project: "mönd" })).toMatch(/project = "mönd"/);
  expect(refusal({ project: "a".repeat(300) })).toMatch(/project = "a+…": is 300 characters, longer than/);
  expect(refusal({ nodes: { clusterName: "Moon Cluster" } })).toMatch(/nodes\.clusterName/);
  expect(refusal({ platform: { demo: { message: 'hi"; rm -rf /; echo "' } } })).toMatch(
    /platform\.demo\.message = .*: is not a short sentence/,
  );
  expect(refusal({ tags: { "aws:owner": "me" } })).toMatch(
    /tags\.aws:owner = "aws:owner": is not an AWS tag key/,
  );
  expect(refusal({ bastion: { timeZone: "x" } })).toMatch(
    /bastion\.timeZone = "\(override\)": is not a setting/,
  );
  expect(refusal({ bastion: { schedule: { timeZone: "europe/paris" } } })).toMatch(
    /bastion\.schedule\.timeZone = "europe\/paris"/,
  );
  for (const branch of ["a.lock", "a//b", "-x", "HEAD", ".hidden", "a/.b", "a..b", "a/"])
    expect(refusal({ platform: { gitops: { branch } } }), branch).toMatch(
      /platform\.gitops\.branch = .*: is not a Git branch name/,
    );
  expect(refusal({ tags: { Owner: "AWS:me" } })).toMatch(/tags\.Owner = "AWS:me": is not an AWS tag value/);
  expect(refusal({ nodes: { configParameterPath: "/aws/moon" } })).toMatch(/nodes\.configParameterPath/);
  expect(refusal({ bastion: { sshPublicKey: "ssh-ed25519 AAAA" } })).toMatch(
    /bastion\.sshPublicKey = .*cut short/,
  );
  expect(refusal({ bastion: { sshPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 $(id)" } })).toMatch(
    /bastion\.sshPublicKey/,
  );
});

test("a path out of the repository is refused, by '..', absolute or through a symbolic link", () => {
  expect(refusal({ platform: { gitops: { root: "../../../tmp/x" } } })).toMatch(
    /platform\.gitops\.root = "\.\.\/\.\.\/\.\.\/tmp\/x": is not a relative path without '\.\.'/,
  );
  expect(refusal({ platform: { gitops: { root: "/tmp/x" } } })).toMatch(/platform\.gitops\.root/);
  expect(refusal({ services: { dataDir: "/var/lib/../../etc" } })).toMatch(/services\.dataDir/);
  const root = mkdtempSync(join(tmpdir(), "moon-inside-"));
  const outside = mkdtempSync(join(tmpdir(), "moon-outside-"));
  try {
    symlinkSync(outside, join(root, "gitops"));
    expect(() => insideRoot(root, "gitops/clusters/moon/sync.yaml")).toThrow(/leads through a symbolic link/);
    expect(() => insideRoot(root, "../x")).toThrow(UsageError);
    expect(insideRoot(root, "infra/lab/main.tf")).toBe(join(root, "infra/lab/main.tf"));
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
});

test("network values a packet could not honour are refused before any generator runs", () => {
  expect(refusal({ bastion: { operatorIpv6Cidr: "::1/128" } })).toMatch(/is not a global unicast address/);
  expect(refusal({ bastion: { operatorIpv6Cidr: "ff02::1/128" } })).toMatch(
    /is not a global unicast address/,
  );
  expect(refusal({ bastion: { operatorIpv6Cidr: "fe80::1/128" } })).toMatch(
    /is not a global unicast address/,
  );
  expect(refusal({ nodes: { kubernetesApiPort: 50000 } })).toMatch(
    /nodes\.kubernetesApiPort = 50000: is the Talos API's port too/,
  );
  expect(refusal({ services: { caches: [] } })).toMatch(/services\.caches = \[\]: is empty/);
});

test("a write that fails half-way leaves every file as it was", () => {
  const root = mkdtempSync(join(tmpdir(), "moon-write-"));
  try {
    writeFileSync(join(root, "a.tf"), "old a\n");
    writeFileSync(join(root, "blocker"), "a file where a folder must go\n");
    const files = [
      { path: "a.tf", content: "new a\n" },
      { path: "b/new.tf", content: "new b\n" },
      { path: "blocker/c.tf", content: "new c\n" },
    ];
    expect(() => writeAllOrNothing(root, files)).toThrow(
      /writing blocker\/c\.tf failed .*no file was changed/,
    );
    expect(readFileSync(join(root, "a.tf"), "utf8"), "the first file is back").toBe("old a\n");
    expect(existsSync(join(root, "b/new.tf")), "the new file is gone").toBe(false);
    expect(
      readdirSync(root).filter((n) => n.startsWith(STAGING_PREFIX)),
      "no staging folder left",
    ).toEqual([]);
    // A folder where a generated file goes is refused before anything moves.
    mkdirSync(join(root, "d.tf"));
    expect(() => writeAllOrNothing(root, [{ path: "d.tf", content: "x" }])).toThrow(/is not a file/);
    // And when nothing stands in the way, all of it lands.
    expect(writeAllOrNothing(root, files.slice(0, 2))).toEqual(["a.tf", "b/new.tf"]);
    expect(readFileSync(join(root, "b/new.tf"), "utf8")).toBe("new b\n");
    expect(writeAllOrNothing(root, files.slice(0, 2)), "a second write changes nothing").toEqual([]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("the commands answer bad input with one message, exit code 2 and no stack trace", () => {
  const dir = mkdtempSync(join(tmpdir(), "moon-cli-"));
  try {
    writeFileSync(join(dir, "empty.json"), "{}");
    writeFileSync(join(dir, "lab-elsewhere.json"), JSON.stringify({ lab: { stateDir: join(dir, "lab") } }));
    const cases: [string[], RegExp, Record<string, string>?][] = [
      [["generators/cli.ts", "--test"], /generate: Option '--test <value>' argument missing/],
      [["generators/cli.ts", "--bogus"], /generate: Unknown option '--bogus'/],
      [["generators/cli.ts", "--test", "12"], /there is no generator 12\. Fix: use one of/],
      [
        ["generators/cli.ts"],
        /MOON_CONFIG = ".*missing\.json": names a file that does not exist/,
        { MOON_CONFIG: join(dir, "missing.json") },
      ],
      [["cost/cli.ts", "--show", join(dir, "empty.json")], /is neither a plan nor a state/],
      [["cost/cli.ts", "--show"], /--show needs a value/],
      [
        ["cost/cli.ts", "--lab"],
        /--lab: the lab has applied nothing \(no .*applied\.json\)\. Fix: npm run lab:up/,
        { MOON_CONFIG: join(dir, "lab-elsewhere.json") },
      ],
      [["generators/talos-configs.ts", "--target", "mars"], /--target mars: use aws/],
    ];
    for (const [argv, message, env] of cases) {
      const r = run(["npx", "tsx", ...argv], {
        cwd: REPO_ROOT,
        env: { ...process.env, ...env },
        allowFailure: true,
      });
      const line = argv.join(" ");
      expect(r.code, `${line}: exit code`).toBe(2);
      expect(r.stderr, `${line}: the message`).toMatch(message);
      expect(r.stderr, `${line}: no stack trace`).not.toMatch(/^\s+at /m);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("an unexpected failure is one line and exit code 1; its stack only with DEBUG", () => {
  const f = failure("generate", new Error("disk full"));
  expect(f).toEqual({ code: 1, message: "generate: disk full" });
  expect(failure("cost", new UsageError("--x is bad")).code).toBe(2);
});
