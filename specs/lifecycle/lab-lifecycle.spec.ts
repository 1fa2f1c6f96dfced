// The lab's lifecycle (SPEC §6): a second `lab up` is a no-op, `lab down` leaves nothing
// behind (also after a failed up), and `lab down` then `lab up` works. Run by `npm test`
// before the acceptance specs; it leaves the lab up for them.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { evidence, expect, test } from "../../fixtures/index.ts";
import { labFootprint } from "../../fixtures/lab.ts";
import { run } from "../../common/exec.ts";
import { derived, REPO_ROOT, type Model } from "../../model/index.ts";

test.describe.configure({ mode: "serial" });

function lab(...command: string[]): { code: number; out: string; ms: number } {
  const start = Date.now();
  const r = run(["npx", "tsx", "lab/cli.ts", ...command], {
    cwd: REPO_ROOT,
    allowFailure: true,
    timeoutMs: 600_000,
  });
  return { code: r.code, out: r.stdout + r.stderr, ms: Date.now() - start };
}

/** Everything the lab could have left: namespaces, /etc/netns entries, processes, state. */
function leftovers(model: Model): string[] {
  const left: string[] = [];
  for (const ns of labFootprint.namespaces(model)) left.push(`namespace ${ns}`);
  if (existsSync("/etc/netns"))
    for (const d of readdirSync("/etc/netns"))
      if (d.startsWith(model.lab.namespacePrefix)) left.push(`/etc/netns/${d}`);
  for (const pid of labFootprint.emulatorPids(model)) left.push(`emulator process ${pid}`);
  for (const entry of readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (cmd.includes(join(REPO_ROOT, "lab", "programs")))
        left.push(`lab program ${entry}: ${cmd.replace(/\0/g, " ")}`);
      else if (
        cmd.startsWith("/usr/bin/qemu-system-") &&
        cmd.includes(`ifname=${labFootprint.nodeTapPrefix}`)
      )
        left.push(`QEMU node ${entry}: ${cmd.replace(/\0/g, " ")}`);
    } catch {
      // Gone while we looked.
    }
  }
  if (existsSync(model.lab.stateDir)) left.push(`state directory ${model.lab.stateDir}`);
  return left;
}

test("lab down leaves no namespace, process, QEMU node, tap device or file behind", async ({ model }) => {
  test.setTimeout(600_000);
  const up = lab("up");
  expect(up.code, `lab up:\n${up.out}`).toBe(0);
  // Nodes running (one per architecture), each with its tap device and QEMU process.
  for (const n of derived(model).nodes) {
    const add = lab("node", "add", "--arch", n.arch, "--role", n.role);
    expect(add.code, `lab node add:\n${add.out}`).toBe(0);
  }
  const nodes = lab("node", "list");
  await evidence("lab node list", nodes.out);
  expect(nodes.out.trim().split("\n").length, "every node of the model runs").toBe(
    derived(model).nodes.length,
  );
  const taps = run(["ip", "-n", derived(model).namespaces.vpc, "-br", "link"]).stdout;
  expect(taps, "each node has its tap device on the VPC router").toContain(labFootprint.nodeTapPrefix);
  const down = lab("down");
  await evidence("lab down", down.out);
  expect(down.code).toBe(0);
  expect(leftovers(model), "nothing of the lab remains").toEqual([]);
});

test("a failed lab up tears down what it made", async ({ model }) => {
  test.setTimeout(600_000);
  // A broken file in the lab root makes `tofu init` fail after the emulator has started.
  const broken = join(REPO_ROOT, "infra", "lab", "zz_lifecycle_broken.tf");
  writeFileSync(broken, "this is not HCL {\n");
  let up: ReturnType<typeof lab>;
  try {
    up = lab("up");
  } finally {
    rmSync(broken, { force: true });
  }
  await evidence("failed lab up", up.out);
  expect(up.code, "lab up reports the failure").not.toBe(0);
  expect(up.out).toMatch(/tearing down what was made/);
  expect(leftovers(model), "nothing of the failed up remains").toEqual([]);
  // …but its logs, which the teardown would otherwise delete with the state directory.
  const kept = /the lab's logs are kept in (\S+);/.exec(up.out)?.[1];
  expect(kept, "the failure says where the logs are kept").toBeTruthy();
  const logs = readdirSync(kept ?? "", { recursive: true, encoding: "utf8" }).filter((f) =>
    f.endsWith(".log"),
  );
  expect(logs.length, `logs kept in ${kept ?? ""}`).toBeGreaterThan(0);
  rmSync(kept ?? "", { recursive: true, force: true });
});

test("lab up twice: the second is a no-op; down then up works", async () => {
  test.setTimeout(600_000);
  const first = lab("up");
  expect(first.code, `lab up:\n${first.out}`).toBe(0);
  const second = lab("up");
  await evidence("second lab up", second.out);
  expect(second.code).toBe(0);
  expect(second.out, "the second up does nothing").toMatch(/lab is already up: nothing to do/);
  expect(lab("down").code).toBe(0);
  const again = lab("up");
  await evidence("lab up after down", again.out);
  expect(again.code, `lab up after down:\n${again.out}`).toBe(0);
  const status = lab("status");
  expect(status.out).toMatch(/^lab: up$/m);
});
