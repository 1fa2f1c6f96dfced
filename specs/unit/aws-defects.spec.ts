// Unit specs of what AWS (or an upstream project) would refuse where the lab does not look
// (issue 18): each check fails on one defect found by reading the aws path against upstream
// sources, and names it. Level: offline.
import { expect, test } from "@playwright/test";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterBootCommands } from "../../generators/05-cozystack.ts";
import { syncCrds } from "../../generators/07-gitops.ts";
import { generateFiles } from "../../generators/index.ts";
import { compareVersions, TOFU_FEATURES } from "../../generators/tofu-features.ts";
import { DEFAULT_MODEL, loadModel, mergeModel, NODE_ROLES, REPO_ROOT, TARGETS } from "../../model/index.ts";
import { schematicFor } from "../../generators/04-talos.ts";
import {
  platformSerialConsole,
  schematicId,
  schematicYaml,
  type TalosPlatform,
} from "../../generators/talos-schematic.ts";
import { serialConsole } from "../../generators/03-netboot.ts";
import { parse } from "yaml";
import { upstreamAmi } from "../../generators/node-amis.ts";
import { emulatorAmis } from "../../lab/emulator.ts";

const model = loadModel();
const files = generateFiles(model);

test("every root and module asks for an OpenTofu that has every feature the generated files use", () => {
  const hcl = files.filter((f) => /\.(tf|hcl|hcl\.example)$/.test(f.path));
  const used = TOFU_FEATURES.filter((feature) => hcl.some((f) => feature.pattern.test(f.content)));
  expect(used.length, "the S3 backend's use_lockfile is in backend.hcl.example").toBeGreaterThan(0);
  const constraints = hcl.flatMap((f) =>
    [...f.content.matchAll(/required_version\s*=\s*"([^"]*)"/g)].map((m) => ({
      path: f.path,
      value: m[1] ?? "",
    })),
  );
  expect(constraints.length, "every versions.tf declares required_version").toBeGreaterThanOrEqual(7);
  for (const { path, value } of constraints) {
    const lower = /^>=\s*([0-9.]+)$/.exec(value)?.[1];
    expect(lower, `${path}: required_version "${value}" has one lower bound`).toBeDefined();
    for (const feature of used)
      expect(
        compareVersions(lower ?? "0", feature.since),
        `${path}: required_version "${value}" lets OpenTofu older than ${feature.since} in, which refuses ${feature.name} (${feature.source})`,
      ).toBeGreaterThanOrEqual(0);
  }
});

test("every node EC2 boots writes its console to ttyS0, where get-console-output reads (Graviton too)", () => {
  const profiles = files.filter((f) => /^infra\/aws\/netboot\/matchbox\/profiles\/.*\.json$/.test(f.path));
  expect(profiles.map((p) => p.path)).toContain(
    "infra/aws/netboot/matchbox/profiles/talos-arm64-worker.json",
  );
  for (const p of profiles) {
    const args = (JSON.parse(p.content) as { boot: { args: string[] } }).boot.args;
    const serial = args.filter((a) => /^console=tty(S|AMA)\d/.test(a));
    expect(
      serial,
      `${p.path}: EC2's serial console is ttyS0 on Graviton as on x86 (Talos's AWS platform, aws.go KernelArgs); ttyAMA0 is QEMU's and would leave get-console-output empty`,
    ).toEqual(["console=ttyS0"]);
  }
  // The lab's arm64 guests are QEMU `virt` machines: PL011, ttyAMA0.
  const lab = files.find((f) => f.path === "infra/lab/netboot/matchbox/profiles/talos-arm64-worker.json");
  expect(lab?.content, "the lab's arm64 profile").toContain("console=ttyAMA0");
});

test("every installed node writes its console where its machine has the serial port (EC2: ttyS0 on Graviton)", () => {
  // The profiles set the console of the netbooted kernel only; the installed system's comes
  // from the platform of the installer in the config. The metal installer gives arm64 ttyAMA0,
  // which EC2 does not have, so an EC2 node would go quiet on get-console-output once installed.
  for (const target of TARGETS) {
    // EC2 nodes are Graviton (the nodes module asks for arm64 AMIs); the others as the model has them.
    const arches =
      target === "aws" ? (["arm64"] as const) : [...new Set(model.nodes.machines.map((m) => m.arch))];
    for (const role of NODE_ROLES) {
      const path = `infra/${target}/talos/patch-${role}.yaml`;
      const patch = parse(files.find((f) => f.path === path)?.content ?? "") as {
        machine: { install: { image: string } };
      };
      const repo = /^factory\.talos\.dev\/([a-z-]+)\//.exec(patch.machine.install.image)?.[1];
      const platform = repo === "installer" ? "metal" : repo?.replace(/-installer$/, "");
      expect(
        ["metal", "aws"],
        `${path}: an Image Factory installer (${patch.machine.install.image})`,
      ).toContain(platform);
      for (const arch of arches)
        expect(
          platformSerialConsole(platform as TalosPlatform, arch),
          `${path}: the ${platform} installer's console on ${arch} must be the ${target} machine's serial port ` +
            `(Talos's platform KernelArgs: aws ttyS0 everywhere, metal ttyAMA0 on arm64)`,
        ).toBe(serialConsole(target, arch));
    }
  }
});

test("boot = ami finds the Talos AMI by its exact release name: a prefix would let most_recent pick another image", () => {
  const nodes = files.find((f) => f.path === "infra/modules/nodes/nodes.tf")?.content ?? "";
  const talos = /data "aws_ami" "talos" \{[\s\S]*?name\s*=\s*"name"\s*values\s*=\s*\["([^"]*)"\]/.exec(
    nodes,
  )?.[1];
  expect(talos, "the Talos AMI's name filter in nodes.tf").toBeDefined();
  expect(talos, "no wildcard in the name filter").not.toMatch(/[*?]/);
  const resolved = (talos ?? "")
    .replace("${var.talos_version}", model.versions.talos)
    .replace("${data.aws_region.current.region}", model.region);
  const published = emulatorAmis(model)
    .filter((a) => a.owner === upstreamAmi("talos").owner && a.architecture === "arm64")
    .map((a) => String(a.name).replace("{region}", model.region));
  expect(
    published,
    "the filter names the release image as Talos publishes it (talos-v<version>-<region>-<arch>)",
  ).toEqual([resolved]);
});

test("the after-boot steps wait for Flux's CRDs before they apply the sync", () => {
  // CozyStack's operator installs Flux's CRDs a while after `helm --wait` returns: here,
  // on the third look. Until then, applying a GitRepository is "no matches for kind".
  const dir = mkdtempSync(join(tmpdir(), "moon-after-boot-"));
  try {
    const stub = (name: string, body: string) => {
      writeFileSync(join(dir, name), `#!/bin/bash\necho "${name} $*" >> "${dir}/calls"\n${body}\n`);
      chmodSync(join(dir, name), 0o755);
    };
    stub("talosctl", "");
    stub("helm", "");
    stub("sleep", "");
    stub(
      "kubectl",
      `looks=$(grep -c '^kubectl get crd/' "${dir}/calls")
case "$1" in
  get) [ "$looks" -ge 3 ] || { echo "Error from server (NotFound)" >&2; exit 1; } ;;
  wait) [ "$looks" -ge 3 ] || { echo "error: the server doesn't have a resource type" >&2; exit 1; }; touch "${dir}/established" ;;
  apply) [ -e "${dir}/established" ] || { echo 'error: resource mapping not found: no matches for kind "GitRepository" in version "source.toolkit.fluxcd.io/v1": ensure CRDs are installed first' >&2; exit 1; } ;;
esac`,
    );
    const script = ["set -euo pipefail", ...afterBootCommands(model)].join("\n").replaceAll("DIR", dir);
    const r = spawnSync("bash", ["-c", script], {
      cwd: REPO_ROOT,
      env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? ""}` },
      encoding: "utf8",
    });
    const calls = readFileSync(join(dir, "calls"), "utf8").trim().split("\n");
    expect(r.status, `the after-boot steps failed:\n${r.stderr}\n${calls.join("\n")}`).toBe(0);
    const apply = calls.findIndex((c) => c.startsWith("kubectl apply -k"));
    const waited = calls.findIndex((c) => c.startsWith("kubectl wait --for=condition=Established"));
    expect(apply, "the sync is applied").toBeGreaterThan(0);
    expect(waited, "the CRDs are waited for, before the sync is applied").toBeGreaterThan(0);
    expect(waited).toBeLessThan(apply);
    for (const crd of syncCrds(model)) expect(calls[waited], `waits for ${crd}`).toContain(`crd/${crd}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("with boot = ami, every node is upgraded to its role's AWS installer with the extensions, before CozyStack", () => {
  // Talos's AMI carries no extensions, and an installed system ignores the config's install
  // image (siderolabs/talos v1alpha1_types.go: install is "silently ignored" by pre-installed
  // images); Talos's way to add them is an upgrade to an Image Factory installer.
  const ami = mergeModel(DEFAULT_MODEL, { nodes: { aws: { boot: "ami" } } });
  const steps = afterBootCommands(ami);
  const helm = steps.findIndex((s) => s.startsWith("helm upgrade --install cozystack"));
  const bootstrap = steps.findIndex((s) => s.includes(" bootstrap "));
  for (const m of ami.nodes.machines) {
    const schematic = schematicFor(ami, m.role);
    expect(schematicYaml(schematic), `the ${m.role} schematic`).toContain("siderolabs/drbd");
    const configured = steps.findIndex((s) => s.includes("apply-config --insecure") && s.includes(m.ip));
    const upgraded = steps.findIndex(
      (s) =>
        s.includes(` upgrade `) &&
        s.includes(m.ip) &&
        s.includes(`factory.talos.dev/aws-installer/${schematicId(schematic)}:v${ami.versions.talos}`),
    );
    expect(configured, `${m.ip} gets its config in maintenance mode`).toBeGreaterThanOrEqual(0);
    expect(upgraded, `${m.ip} is upgraded to its ${m.role} installer, with the extensions`).toBeGreaterThan(
      configured,
    );
    expect(upgraded, "before CozyStack needs drbd and zfs").toBeLessThan(helm);
    expect(upgraded, "before the bootstrap: there is no API server to drain against yet").toBeLessThan(
      bootstrap,
    );
    expect(steps[upgraded], "without a drain").toContain("--drain=false");
  }
  expect(
    afterBootCommands(DEFAULT_MODEL).some((s) => s.startsWith("talosctl") && s.includes(" upgrade ")),
    "with iPXE the nodes install the factory image themselves",
  ).toBe(false);
});
