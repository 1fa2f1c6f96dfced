// Unit specs of the generators and the committed generated code: deterministic, up to
// date, formatted (`tofu fmt -check`), valid (`tofu validate`), planned with the provider
// mocked (`tofu test`), shellcheck-clean.
import { expect, test } from "@playwright/test";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { staleFiles } from "../../generators/check.ts";
import { GENERATORS, generateFiles } from "../../generators/index.ts";
import { run } from "../../common/exec.ts";
import { cronProblem, DEFAULT_MODEL, loadModel, REPO_ROOT, schedulerCron } from "../../model/index.ts";
import { recordedSetupPath, toolPaths, tofuEnv } from "../../setup/tools.ts";

const model = loadModel();
const tofu = toolPaths(model).tofu;
const hasTofu = existsSync(tofu);
// On the download path tofu init installs the provider itself (from the registry).
const buildPath = recordedSetupPath()?.path !== "download";
const hasProvider = !buildPath || existsSync(toolPaths(model).awsProviderBinary);

test("every generator is deterministic", () => {
  for (const g of GENERATORS)
    expect(g.generate(model), `generator ${g.test} twice`).toEqual(g.generate(model));
  expect(generateFiles(model), "the roots twice").toEqual(generateFiles(model));
});

test("the committed generated files are up to date and not edited by hand", () => {
  const files = generateFiles(model);
  expect(staleFiles(files, true), "run `npm run generate` and commit the result").toEqual([]);
});

test("the stale check catches a hand edit and an orphan file", () => {
  const files = generateFiles(model);
  const edited = files.map((f, i) => (i === 0 ? { ...f, content: f.content + "# edited\n" } : f));
  expect(staleFiles(edited, false)).toEqual([
    `${files[0]?.path ?? ""}: differs from what its generator emits (stale or edited by hand)`,
  ]);
  const orphan = join(REPO_ROOT, "infra", "orphan-check.tf");
  writeFileSync(orphan, "# not generated\n");
  try {
    expect(staleFiles(files, true)).toContain("infra/orphan-check.tf: no generator emits this file");
  } finally {
    rmSync(orphan);
  }
});

test("generator 01 renders each NAT choice from the model", () => {
  for (const nat of ["nat_instance", "nat_gateway", "none"] as const) {
    const m = loadModel({ network: { nat } });
    const values = generateFiles(m).find((f) => f.path === "infra/modules/stack/model.tf")?.content ?? "";
    expect(values, `the stack sets nat to ${nat}`).toMatch(new RegExp(`^  nat +?= "${nat}"$`, "m"));
  }
});

test("generated values come from the model, not from the generator", () => {
  const m = loadModel({
    network: {
      vpcCidr: "10.40.0.0/16",
      public: { cidr: "10.40.1.0/24" },
      private: { cidr: "10.40.13.0/24" },
    },
    bastion: { privateIp: "10.40.13.140" },
    nodes: {
      machines: DEFAULT_MODEL.nodes.machines.map((n) => ({ ...n, ip: n.ip.replace("10.20.", "10.40.") })),
    },
  });
  const files = generateFiles(m);
  const text = files.map((f) => f.content).join("\n");
  expect(text).toContain('"10.40.0.0/16"');
  expect(text, "no default address leaks through").not.toContain("10.20.");
  expect(generateFiles(DEFAULT_MODEL).map((f) => f.path)).toEqual(files.map((f) => f.path));
});

test("generated HCL passes tofu fmt -check", () => {
  test.skip(!hasTofu, `OpenTofu is not installed at ${tofu}: run npm run setup`);
  const r = run([tofu, "fmt", "-check", "-recursive", "-diff", join(REPO_ROOT, "infra")], {
    env: tofuEnv(model),
    allowFailure: true,
  });
  expect(r.code, `tofu fmt -check found unformatted files:\n${r.stdout}${r.stderr}`).toBe(0);
});

for (const root of ["lab", "aws"] as const) {
  test(`the ${root} root passes tofu validate and plans its defaults with the provider mocked, offline`, () => {
    test.skip(!hasTofu || !hasProvider, "OpenTofu or the aws provider is not installed: run npm run setup");
    test.setTimeout(300_000);
    // A copy, so validation leaves nothing beside the committed code.
    const dir = mkdtempSync(join(tmpdir(), "moon-validate-"));
    try {
      cpSync(join(REPO_ROOT, "infra"), join(dir, "infra"), {
        recursive: true,
        filter: (src) => !src.includes(".terraform"),
      });
      const rootDir = join(dir, "infra", root);
      // Validate leaves the values a root passes its modules unchecked; a mocked plan checks
      // them. In place before init, which installs the modules the test's own runs name.
      mkdirSync(join(rootDir, "tests"));
      cpSync(
        join(REPO_ROOT, "specs", "unit", "fixtures", "offline-plan.tftest.hcl"),
        join(rootDir, "tests", "plan.tftest.hcl"),
      );
      const env = { ...tofuEnv(model), TF_DATA_DIR: join(dir, "data") };
      const init = run([tofu, `-chdir=${rootDir}`, "init", "-backend=false", "-input=false", "-no-color"], {
        env,
        allowFailure: true,
      });
      expect(init.code, `tofu init (offline, from the mirror):\n${init.stdout}${init.stderr}`).toBe(0);
      const v = run([tofu, `-chdir=${rootDir}`, "validate", "-json"], { env, allowFailure: true });
      const result = JSON.parse(v.stdout) as { valid: boolean; diagnostics: unknown[] };
      expect(result.diagnostics, "no warnings or errors").toEqual([]);
      expect(result.valid).toBe(true);
      // One way in: the model's values are the stack's locals, so a -var cannot change one.
      // (Asked of the lab root: the aws root's S3 backend will not open offline; one renderer makes both.)
      if (root === "lab") {
        const override = run(
          [tofu, `-chdir=${rootDir}`, "console", "-no-color", "-var", "bastion_instance_type=t4g.large"],
          { env, input: "1\n", allowFailure: true },
        );
        expect(override.code, "a -var for a model value is refused").not.toBe(0);
        expect(override.stderr.replace(/\s+/g, " ")).toContain("Value for undeclared variable");
      }
      const key = readFileSync(join(REPO_ROOT, "specs", "unit", "fixtures", "operator.pub"), "utf8").trim();
      const required =
        root === "aws"
          ? ["-var", "operator_ipv6_cidr=2001:db8:ab::10/128", "-var", "budget_alert_email=you@example.org"]
          : [];
      const plan = run(
        [tofu, `-chdir=${rootDir}`, "test", "-no-color", "-var", `ssh_public_key=${key}`, ...required],
        {
          env,
          allowFailure: true,
        },
      );
      expect(
        plan.code,
        `tofu test (a plan of the defaults, provider mocked):\n${plan.stdout}${plan.stderr}`,
      ).toBe(0);
      expect(plan.stdout).toContain("3 passed, 0 failed");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test("generated and project shell scripts are shellcheck-clean", () => {
  const shellcheck = "/usr/bin/shellcheck";
  test.skip(!existsSync(shellcheck), "shellcheck is not installed: run npm run setup");
  const scripts = [
    ...generateFiles(model)
      .filter((f) => f.path.endsWith(".sh"))
      .map((f) => f.path),
    "setup/run.sh",
    ".ci/run",
    // The stand-in payload's init and DHCP hook (busybox ash; their shellcheck directive says so).
    "lab/payload/init",
    "lab/payload/udhcpc",
  ];
  expect(scripts.length).toBeGreaterThan(2);
  const r = run([shellcheck, "--severity=style", ...scripts], { cwd: REPO_ROOT, allowFailure: true });
  expect(r.code, `shellcheck:\n${r.stdout}`).toBe(0);
});

test("the bastion's role may touch only its own interface, its own group's instances and its own health", () => {
  // The policy as generated; the lab's emulator enforces it on the bastion's calls (spec 02).
  const iam = generateFiles(model).find((f) => f.path === "infra/modules/bastion/iam.tf")?.content ?? "";
  const statements = iam.split("statement {").slice(1);
  const bySid = (sid: string) => statements.find((st) => new RegExp(`sid\\s*=\\s*"${sid}"`).test(st)) ?? "";
  expect(bySid("TheFixedInterfaceOnly")).toContain("resources = [aws_network_interface.bastion.arn]");
  const instances = bySid("InstancesOfThisGroupOnly");
  expect(instances).toContain('variable = "aws:ResourceTag/aws:autoscaling:groupName"');
  expect(instances).toContain("values   = [var.asg_name]");
  expect(bySid("ReportItselfUnhealthy")).toContain("autoScalingGroupName/${var.asg_name}");
  const wildcard = statements.filter((st) => /resources\s*=\s*\["\*"\]/.test(st));
  expect(
    wildcard.map((st) => /sid\s*=\s*"(\w+)"/.exec(st)?.[1]),
    "only Describe calls on *",
  ).toEqual(["FindTheInterface"]);
  expect(bySid("FindTheInterface")).not.toMatch(/Attach|Detach|Create|Delete|Modify/);
  const configs = bySid("ReadTheNodesConfigs");
  expect(configs, "reads, never writes, parameters").not.toMatch(/ssm:Put|ssm:Delete/);
  expect(configs, "the configs subtree only: not the secrets bundle beside it").toContain(
    "parameter${var.talos_config_parameter_path}/configs/*",
  );
  expect(configs).not.toMatch(/parameter\$\{var\.talos_config_parameter_path\}\/\*/);
  // The lab enforces these for the bastion's real calls (spec 02); here, their reach.
  const credentials = bySid("ReadTheCachesCredentials");
  expect(credentials, "reads one parameter at a time, never writes").toContain(
    'actions   = ["ssm:GetParameter"]',
  );
  expect(credentials, "the caches' credentials subtree only").toContain(
    'resources = ["arn:aws:ssm:*:*:parameter${var.registry_credentials_parameter_path}/*"]',
  );
});

// The nodes and the NAT instance keep the bastion's hours through EventBridge Scheduler,
// which reads weekdays differently from the bastion's Auto Scaling cron. The one module both
// call translates; this holds it to the model's reading and its validation to the model's.
{
  const module = "instance-schedule";
  const file = "schedule.tf";
  test(`the ${module} module reads the bastion's crons as EventBridge Scheduler does, and accepts what the model accepts`, () => {
    test.skip(!hasTofu, `OpenTofu is not installed at ${tofu}: run npm run setup`);
    const files = generateFiles(model);
    const text = (path: string) => files.find((f) => f.path === path)?.content ?? "";
    for (const [caller, call] of [
      ["network", "nat-schedule.tf"],
      ["nodes", "schedule.tf"],
    ])
      expect(
        text(`infra/modules/${caller}/${call}`),
        `the ${caller} module keeps the hours through ${module}`,
      ).toContain(`source             = "../${module}"`);
    const locals = /^locals \{\n[\s\S]*?^\}\n/m.exec(text(`infra/modules/${module}/${file}`))?.[0];
    expect(locals, `infra/modules/${module}/${file} holds the scheduler_cron locals`).toContain(
      "scheduler_cron",
    );
    const variables = text(`infra/modules/${module}/variables.tf`);
    const variable = (name: string) =>
      new RegExp(`^variable "${name}" \\{\\n[\\s\\S]*?^\\}\\n`, "m").exec(variables)?.[0] ?? "";
    const dir = mkdtempSync(join(tmpdir(), "moon-cron-"));
    try {
      writeFileSync(
        join(dir, "main.tf"),
        `${variable("schedule_start")}${variable("schedule_stop")}${locals ?? ""}`,
      );
      const readBy = (start: string, stop: string) =>
        run(
          [
            tofu,
            `-chdir=${dir}`,
            "console",
            "-var",
            `schedule_start=${start}`,
            "-var",
            `schedule_stop=${stop}`,
          ],
          {
            env: tofuEnv(model),
            input: "jsonencode(local.scheduler_cron)\n",
            allowFailure: true,
          },
        );
      const b = model.bastion.schedule;
      for (const [start, stop] of [
        [b.start, b.stop],
        ["0 18 * * *", "0 23 * * *"],
        ["30 7 * * 1-5", "30 9 * * 1-5"],
        ["0 9 * * 0,6-7", "0 10 * * 0,6-7"],
      ] as const) {
        expect(
          cronProblem(start) ?? cronProblem(stop),
          `the model accepts ${start} → ${stop}`,
        ).toBeUndefined();
        const r = readBy(start, stop);
        expect(r.code, `tofu console on ${start} → ${stop}:\n${r.stdout}${r.stderr}`).toBe(0);
        expect(
          JSON.parse(JSON.parse(r.stdout.trim()) as string),
          `${start} → ${stop} in Scheduler's form`,
        ).toEqual({
          start: schedulerCron(start),
          stop: schedulerCron(stop),
        });
      }
      // What the model refuses, the module refuses too (a step: Scheduler's weekday takes none).
      const stepped = "0 10 * * */2";
      expect(cronProblem(stepped), `the model refuses ${stepped}`).toContain("step");
      const refused = readBy(stepped, stepped);
      // tofu console reports a failed validation and carries on (exit 0): read what it said.
      expect(refused.stderr, `the module refuses ${stepped}`).toContain("Invalid value for variable");
      expect(refused.stderr).toContain("EventBridge Scheduler");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
