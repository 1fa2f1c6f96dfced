// Unit specs of the setup: the Go wrapper modules build exactly what the model pins,
// and the tool paths are keyed by version.
import { expect, test } from "@playwright/test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { logTail, runLogged } from "../../common/exec.ts";
import { slowestResources } from "../../lab/tofu.ts";
import { loadModel, REPO_ROOT } from "../../model/index.ts";
import { wrapperRequirement } from "../../setup/setup.ts";
import { hostPlatform, toolPaths } from "../../setup/tools.ts";

const model = loadModel();

test("the Go wrapper modules require the versions the model pins", () => {
  const go = join(REPO_ROOT, "setup", "go");
  expect(wrapperRequirement(join(go, "opentofu"), model.versions.opentofuBuild)).toBeUndefined();
  expect(
    wrapperRequirement(join(go, "terraform-provider-aws"), model.versions.awsProvider.build),
  ).toBeUndefined();
  expect(wrapperRequirement(join(go, "matchbox"), model.versions.matchbox.build)).toBeUndefined();
  expect(wrapperRequirement(join(go, "registry"), model.versions.registry.build)).toBeUndefined();
});

test("a wrapper that disagrees with the model is caught, with the fix", () => {
  const message = wrapperRequirement(join(REPO_ROOT, "setup", "go", "opentofu"), {
    module: model.versions.opentofuBuild.module,
    moduleVersion: "v1.99.0",
  });
  const b = model.versions.opentofuBuild;
  expect(message).toContain(`requires ${b.module} ${b.moduleVersion}, the model says v1.99.0`);
  expect(message).toMatch(/go get -tool/);
});

test("heavy builds are cached by version", () => {
  const paths = toolPaths(model);
  expect(paths.matchbox).toContain(`/matchbox/${model.versions.matchbox.version}/matchbox`);
  expect(paths.registry).toContain(`/registry/${model.versions.registry.version}/registry`);
  expect(paths.tofu).toContain(`/opentofu/${model.versions.opentofu}/`);
  expect(paths.awsProviderBinary).toContain(
    `/registry.opentofu.org/hashicorp/aws/${model.versions.awsProvider.version}/linux_amd64/terraform-provider-aws_v${model.versions.awsProvider.version}`,
  );
});

test("a long program's output goes to its log, not the terminal; its progress and a failure's tail are told", async () => {
  const dir = mkdtempSync(join(tmpdir(), "mab-logged-"));
  const log = join(dir, "build.log");
  const printed: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => printed.push(args.join(" "));
  let code: number;
  let logged: string;
  try {
    code = await runLogged(
      [
        "sh",
        "-c",
        'for i in 1 2 3; do echo "go: downloading example.com/m$i v1.0.0"; done; sleep 0.3; echo "compile error: boom" >&2; exit 3',
      ],
      {
        log,
        what: "a build",
        progress: { pattern: /go: downloading /, noun: "modules downloaded" },
        everyMs: 100,
      },
    );
    logged = readFileSync(log, "utf8");
  } finally {
    console.log = original;
    rmSync(dir, { recursive: true, force: true });
  }
  expect(code, "the exit code comes back").toBe(3);
  expect(logged, "the log holds stdout and stderr").toContain("go: downloading example.com/m3");
  expect(logged).toContain("compile error: boom");
  expect(printed.join("\n"), "nothing of the program's own output reached the terminal").not.toContain(
    "example.com",
  );
  expect(
    printed.some((l) => /a build: 3 modules downloaded, \d+ s so far/.test(l)),
    `a progress line counts the downloads: ${printed.join(" | ")}`,
  ).toBe(true);
});

test("a failure's message carries the log's last lines", () => {
  const dir = mkdtempSync(join(tmpdir(), "mab-tail-"));
  try {
    const log = join(dir, "x.log");
    writeFileSync(log, Array.from({ length: 40 }, (_, i) => `line ${i + 1}`).join("\n") + "\n");
    const tail = logTail(log, 3);
    expect(tail.split("\n"), "the last three lines, indented").toEqual([
      "    line 38",
      "    line 39",
      "    line 40",
    ]);
    expect(logTail(join(dir, "missing.log")), "nothing for a log that is not there").toBe("");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("lab up names the resources an apply spent its time on, read from OpenTofu's output", () => {
  const output = [
    "module.network.aws_vpc.this: Still creating... [10s elapsed]",
    "module.network.aws_vpc.this: Creation complete after 11s [id=vpc-1]",
    "module.bastion.aws_key_pair.operator: Creation complete after 1s [id=k]",
    "module.network.aws_subnet.private: Creation complete after 1m5s [id=subnet-2]",
    "module.network.aws_subnet.public: Creation complete after 11s [id=subnet-1]",
    "Apply complete! Resources: 4 added, 0 changed, 0 destroyed.",
  ].join("\n");
  expect(slowestResources(output, 3)).toEqual([
    { address: "module.network.aws_subnet.private", seconds: 65 },
    { address: "module.network.aws_subnet.public", seconds: 11 },
    { address: "module.network.aws_vpc.this", seconds: 11 },
  ]);
  expect(slowestResources("Apply complete! Resources: 0 added", 3), "none when nothing was created").toEqual(
    [],
  );
});

test("this machine is named as OpenTofu's releases and provider packages name it", () => {
  expect(hostPlatform("linux", "x64")).toBe("linux_amd64");
  expect(hostPlatform("darwin", "arm64")).toBe("darwin_arm64");
  expect(hostPlatform("linux", "arm")).toBe("linux_arm");
  expect(() => hostPlatform("win32", "x64")).toThrow("win32/x64 is not a platform");
});
