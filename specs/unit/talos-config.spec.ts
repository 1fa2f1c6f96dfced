// Unit specs of talos-config, the setup's program around Talos's own config library
// (setup/go/talos-config): configs it generates pass Talos's strict validation for bare
// metal, the PKI is made once and kept, mirrors land where containerd reads them, and a
// config Talos would refuse is refused with the field named.
import { expect, test } from "@playwright/test";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../../common/exec.ts";
import { DEFAULT_MODEL } from "../../model/index.ts";
import { toolPaths } from "../../setup/tools.ts";
import { parse, parseAllDocuments } from "yaml";
import { machineConfigDoc, validateTalosConfigs } from "../../generators/talos-configs.ts";

const tool = toolPaths(DEFAULT_MODEL).talosConfig;

/** Talos's strict validation, as the kit runs it everywhere (one result per file). */
const validate = (...files: string[]) => validateTalosConfigs(DEFAULT_MODEL, files);

test("talos-config's Go source is gofmt-formatted", () => {
  const r = run(["gofmt", "-l", "setup/go/talos-config"], { allowFailure: true });
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout.trim(), "files gofmt would change").toBe("");
});

test.describe("talos-config", () => {
  test.skip(!existsSync(tool), `talos-config is not built (${tool}): npm run setup builds it`);
  let dir = "";
  test.beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "moon-talos-"));
  });
  test.afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const gen = (...extra: string[]) =>
    run([
      tool,
      "gen",
      "--out",
      dir,
      "--cluster",
      "moon",
      "--endpoint",
      "https://10.20.13.10:6443",
      "--install-disk",
      "/dev/vda",
      ...DEFAULT_MODEL.services.caches.map(
        (c) => `--mirror=${c.upstream}=http://${DEFAULT_MODEL.bastion.privateIp}:${c.port}`,
      ),
      ...extra,
    ]);

  test("generated configs pass Talos's strict validation, one per role", () => {
    gen();
    const results = validate(join(dir, "controlplane.yaml"), join(dir, "worker.yaml"));
    expect(results.map((r) => [r.kind, r.ok, r.error])).toEqual([
      ["controlplane", true, undefined],
      ["worker", true, undefined],
    ]);
  });

  test("the mirrors point each registry at its cache, over plain http", () => {
    gen();
    // Talos 1.12+ writes generated mirrors as RegistryMirrorConfig documents beside the
    // machine config (the kit's patches still set machine.registries, which Talos merges).
    const docs = parseAllDocuments(readFileSync(join(dir, "worker.yaml"), "utf8")).map(
      (d) => d.toJS() as { kind?: string; name?: string; endpoints?: { url: string }[] },
    );
    const mirrors = new Map(
      docs
        .filter((d) => d.kind === "RegistryMirrorConfig")
        .map((d) => [d.name, d.endpoints?.map((e) => e.url)]),
    );
    for (const c of DEFAULT_MODEL.services.caches)
      expect(mirrors.get(c.upstream), `${c.upstream} is pulled through its cache`).toEqual([
        `http://${DEFAULT_MODEL.bastion.privateIp}:${c.port}`,
      ]);
  });

  test("talosctl's client config is written for the control planes' addresses", () => {
    gen("--talos-endpoint", "10.20.13.11");
    const tc = parse(readFileSync(join(dir, "talosconfig"), "utf8")) as {
      context: string;
      contexts: Record<string, { endpoints: string[]; ca: string; crt: string; key: string }>;
    };
    const ctx = tc.contexts[tc.context];
    expect(tc.context, "the context is the cluster's").toBe("moon");
    expect(ctx?.endpoints, "talosctl talks to the control plane").toEqual(["10.20.13.11"]);
    expect(ctx?.key.length, "with an admin client key").toBeGreaterThan(40);
  });

  test("the secrets are made once and kept: a second gen keeps the cluster's CA", () => {
    gen();
    const secrets = readFileSync(join(dir, "secrets.yaml"), "utf8");
    expect(statSync(join(dir, "secrets.yaml")).mode & 0o777, "secrets are readable by their owner only").toBe(
      0o600,
    );
    const ca = (f: string) =>
      (
        machineConfigDoc(readFileSync(join(dir, f), "utf8")) as unknown as {
          machine: { ca: { crt: string } };
        }
      ).machine.ca.crt;
    const before = ca("worker.yaml");
    gen();
    expect(readFileSync(join(dir, "secrets.yaml"), "utf8")).toBe(secrets);
    expect(ca("worker.yaml"), "the same PKI after regenerating").toBe(before);
  });

  test("an unknown field is refused, and named", () => {
    gen();
    const text = readFileSync(join(dir, "worker.yaml"), "utf8").replace(
      /^(\s*)install:\n/m,
      (m, indent: string) => `${m}${indent}    dsik: /dev/vdb\n`,
    );
    writeFileSync(join(dir, "broken.yaml"), text);
    const [r] = validate(join(dir, "broken.yaml"));
    expect(r?.ok).toBe(false);
    expect(r?.error, "the message names the unknown field").toMatch(/unknown keys[\s\S]*dsik/);
  });

  test("bare metal without an install disk is refused, as a node would refuse it", () => {
    run([tool, "gen", "--out", dir, "--cluster", "moon", "--endpoint", "https://10.20.13.10:6443"]);
    const [r] = validate(join(dir, "worker.yaml"));
    expect(r?.ok).toBe(false);
    expect(r?.error).toMatch(/install disk/);
  });
});
