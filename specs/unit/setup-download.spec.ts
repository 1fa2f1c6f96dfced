// The setup's download path, run here against a stand-in for OpenTofu's release host and a
// provider network mirror, both served on loopback over HTTPS with a CA of the spec's own —
// the same protocols a connected machine uses (a release's SHA256SUMS and archive; OpenTofu's
// network mirror protocol) — as an ordinary user. The stand-in serves what this machine built
// (`tofu` and the provider), so the spec skips where the build path has not run.
import { expect, test } from "@playwright/test";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  chownSync,
  copyFileSync,
  cpSync,
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeServerCertificate } from "../../common/certificates.ts";
import { realClockEnv, run, type RunResult } from "../../common/exec.ts";
import { loadModel, REPO_ROOT } from "../../model/index.ts";
import { choosePath } from "../../setup/opentofu.ts";
import { hostPlatform, toolPaths } from "../../setup/tools.ts";

const model = loadModel();
const built = toolPaths(model);
const NOBODY = 65534;

/** Serves `root` read-only over HTTPS on a free loopback port; `requests` records each path asked for. */
async function serve(
  root: string,
  tls: { cert: string; key: string },
): Promise<{ server: Server; base: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer({ cert: readFileSync(tls.cert), key: readFileSync(tls.key) }, (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "https://x").pathname);
    requests.push(`${req.method ?? "GET"} ${path}`);
    const file = join(root, path);
    if (path.includes("..") || !existsSync(file) || statSync(file).isDirectory()) {
      res.writeHead(404).end();
      return;
    }
    // OpenTofu reads a mirror's JSON only with its media type (http_mirror_source.go).
    const type = file.endsWith(".json") ? "application/json" : "application/octet-stream";
    res.writeHead(200, { "content-length": statSync(file).size, "content-type": type });
    if (req.method === "HEAD") res.end();
    else createReadStream(file).pipe(res);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { server, base: `https://127.0.0.1:${port}`, requests };
}

const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

test("the setup path is forced, recorded or refused by name", async () => {
  await expect(choosePath({ MOON_SETUP: "fast" }, "1.12.6")).rejects.toThrow(
    "MOON_SETUP=fast is not a setup path",
  );
  await expect(
    choosePath({ MOON_SETUP: "download", MOON_TOFU_RELEASES: "http://example.org/r" }, "1.12.6"),
  ).rejects.toThrow("is not https");
  const forced = await choosePath({ MOON_SETUP: "build" }, "1.12.6");
  expect(forced.path).toBe("build");
  expect(forced.why).toBe("MOON_SETUP=build");
  const bad = run(["npx", "tsx", "setup/setup.ts", "--only", "lab"], { cwd: REPO_ROOT, allowFailure: true });
  expect(bad.code, bad.stderr).toBe(2);
  expect(bad.stderr).toContain("--only lab is not a part of the setup. Fix: --only opentofu");
});

test("the download path: OpenTofu's release checked against its SHA256SUMS, the provider through a network mirror, as an ordinary user", async () => {
  test.skip(
    !existsSync(built.tofu) || !existsSync(built.awsProviderBinary),
    "the stand-in serves this machine's build of OpenTofu and the provider: run npm run setup (build path) first",
  );
  test.setTimeout(900_000);
  const dir = mkdtempSync(join(tmpdir(), "moon-download-"));
  chmodSync(dir, 0o755);
  const tls = makeServerCertificate(dir, "stand-in", {
    caName: "moon-and-back stand-in CA",
    serverName: "stand-in release host",
    altNames: ["IP:127.0.0.1"],
  });
  chmodSync(tls.ca, 0o644);
  const v = model.versions.opentofu;
  const label = model.versions.awsProvider.version;
  const platform = hostPlatform();
  const archive = `tofu_${v}_${platform}.tar.gz`;
  const site = join(dir, "site");
  let server: Server | undefined;
  try {
    await test.step("the stand-in: a release of OpenTofu, a bad copy of it, and a provider network mirror", () => {
      for (const release of ["releases", "tampered"]) {
        const rel = join(site, release, `v${v}`);
        mkdirSync(rel, { recursive: true });
        copyFileSync(built.tofu, join(dir, "tofu"));
        run(["tar", "-czf", join(rel, archive), "-C", dir, "tofu"]);
        const sum = release === "releases" ? sha256(join(rel, archive)) : "0".repeat(64);
        writeFileSync(
          join(rel, `tofu_${v}_SHA256SUMS`),
          `${"1".repeat(64)}  tofu_${v}_windows_amd64.zip\n${sum}  ${archive}\n`,
        );
      }
      const mirror = join(site, "providers", "registry.opentofu.org", "hashicorp", "aws");
      mkdirSync(mirror, { recursive: true });
      const zip = `terraform-provider-aws_${label}_${platform}.zip`;
      // Stored, not deflated: the 900 MB binary zips in seconds, and OpenTofu reads either.
      run([
        built.python,
        "-c",
        "import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_STORED) as z: z.write(sys.argv[2], sys.argv[3])",
        join(mirror, zip),
        built.awsProviderBinary,
        `terraform-provider-aws_v${label}`,
      ]);
      writeFileSync(join(mirror, "index.json"), JSON.stringify({ versions: { [label]: {} } }));
      writeFileSync(
        join(mirror, `${label}.json`),
        JSON.stringify({
          archives: { [platform]: { url: zip, hashes: [`zh:${sha256(join(mirror, zip))}`] } },
        }),
      );
    });
    const s = await serve(site, tls);
    server = s.server;
    const home = join(dir, "home");
    mkdirSync(home);
    const asRoot = process.getuid?.() === 0;
    if (asRoot) chownSync(home, NOBODY, NOBODY);
    const cache = join(home, ".cache");
    // An ordinary user where we are root: the download path needs no privilege. Asynchronous,
    // so the stand-in in this process keeps answering while the program runs.
    const asUser = (argv: string[], extra: NodeJS.ProcessEnv): Promise<RunResult> => {
      const full = asRoot
        ? ["setpriv", `--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "--", ...argv]
        : argv;
      const child = spawn(full[0] ?? "", full.slice(1), {
        cwd: REPO_ROOT,
        env: { ...realClockEnv(), HOME: home, XDG_CACHE_HOME: cache, TMPDIR: home, ...extra },
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      return new Promise((ok) => {
        child.on("close", (code) => {
          ok({ command: full.join(" "), code: code ?? 128, stdout, stderr });
        });
      });
    };
    const setupEnv = (releases: string) => ({
      MOON_SETUP: "download",
      MOON_TOFU_RELEASES: `${s.base}/${releases}/`,
      MOON_PROVIDER_MIRROR: `${s.base}/providers/`,
      NODE_EXTRA_CA_CERTS: tls.ca,
    });
    const setup = [
      process.execPath,
      join(REPO_ROOT, "node_modules", "tsx", "dist", "cli.mjs"),
      "setup/setup.ts",
      "--only",
      "opentofu",
    ];
    const installed = join(cache, "moon-and-back", "opentofu", v, "tofu");

    await test.step("an archive that does not match its SHA256SUMS is refused, and nothing is installed", async () => {
      const r = await asUser(setup, setupEnv("tampered"));
      expect(r.code, `${r.stdout}${r.stderr}`).toBe(1);
      expect(r.stderr).toContain(
        `${archive} has SHA-256 ${sha256(join(site, "tampered", `v${v}`, archive))}, its release's SHA256SUMS says ${"0".repeat(64)}`,
      );
      expect(existsSync(installed), "no tofu from a refused archive").toBe(false);
    });

    await test.step("setup --only opentofu takes the download path and installs the release", async () => {
      const r = await asUser(setup, setupEnv("releases"));
      expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
      expect(r.stdout).toContain("the download path");
      expect(r.stdout).toContain(`as its SHA256SUMS says`);
      expect(statSync(installed).uid, "installed by the ordinary user, in their cache").toBe(
        asRoot ? NOBODY : process.getuid?.(),
      );
      expect(sha256(installed), "the release's tofu, unpacked").toBe(sha256(built.tofu));
      expect(s.requests).toContain(`GET /releases/v${v}/${archive}`);
      const rc = readFileSync(join(cache, "moon-and-back", "tofurc"), "utf8");
      expect(rc).toContain(`url = "${s.base}/providers/"`);
      expect(rc).toContain("plugin_cache_dir");
    });

    await test.step("the path and its sources are kept: a later setup without them changes nothing", async () => {
      const r = await asUser(setup, { NODE_EXTRA_CA_CERTS: tls.ca });
      expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
      expect(r.stdout).toContain("the download path");
      expect(r.stdout).toContain("chosen earlier on this machine");
      expect(readFileSync(join(cache, "moon-and-back", "tofurc"), "utf8")).toContain(
        `url = "${s.base}/providers/"`,
      );
    });

    await test.step("tofu init installs the provider from the mirror for the lab root, once for two inits, and validate passes", async () => {
      const env = {
        TF_CLI_CONFIG_FILE: join(cache, "moon-and-back", "tofurc"),
        SSL_CERT_FILE: tls.ca,
        TF_IN_AUTOMATION: "1",
      };
      for (const copy of ["one", "two"]) {
        const work = join(home, copy);
        cpSync(join(REPO_ROOT, "infra"), join(work, "infra"), {
          recursive: true,
          filter: (src) => !src.includes(".terraform"),
        });
        if (asRoot) run(["chown", "-R", `${NOBODY}:${NOBODY}`, work]);
        const root = join(work, "infra", "lab");
        const init = await asUser(
          [installed, `-chdir=${root}`, "init", "-backend=false", "-input=false", "-no-color"],
          { ...env, TF_DATA_DIR: join(work, "data") },
        );
        expect(init.code, `tofu init:\n${init.stdout}${init.stderr}`).toBe(0);
        const lock = readFileSync(join(root, ".terraform.lock.hcl"), "utf8");
        expect(lock, "the lab root selects the mirror's package").toContain(`version     = "${label}"`);
        const validate = await asUser([installed, `-chdir=${root}`, "validate", "-json"], {
          ...env,
          TF_DATA_DIR: join(work, "data"),
        });
        expect((JSON.parse(validate.stdout) as { valid: boolean }).valid, validate.stdout).toBe(true);
      }
      const zips = s.requests.filter((r) => r.endsWith(".zip"));
      expect(zips, "the second init takes the package from the plugin cache").toHaveLength(1);
    });
  } finally {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the aws target's commands need no root: generate and cost run as an ordinary user", () => {
  test.skip(process.getuid?.() !== 0, "already an ordinary user: every unit spec shows it");
  const home = mkdtempSync(join(tmpdir(), "moon-user-"));
  chownSync(home, NOBODY, NOBODY);
  try {
    const tsx = join(REPO_ROOT, "node_modules", "tsx", "dist", "cli.mjs");
    const asNobody = (...args: string[]) =>
      run(
        [
          "setpriv",
          `--reuid=${NOBODY}`,
          `--regid=${NOBODY}`,
          "--clear-groups",
          "--",
          process.execPath,
          tsx,
          ...args,
        ],
        {
          cwd: REPO_ROOT,
          allowFailure: true,
          env: { ...process.env, HOME: home, XDG_CACHE_HOME: join(home, ".cache"), TMPDIR: home },
        },
      );
    const generate = asNobody("generators/cli.ts", "--check");
    expect(generate.code, generate.stderr).toBe(0);
    expect(generate.stdout).toContain("generated files are up to date");
    const cost = asNobody(
      "cost/cli.ts",
      "--show",
      join(REPO_ROOT, "specs", "unit", "fixtures", "one-bastion-plan.json"),
      // In their own clone the bill lands in reports/; this clone is root's.
      "--json",
      join(home, "cost.json"),
    );
    expect(cost.code, cost.stderr).toBe(0);
    expect(cost.stdout).toMatch(/\$\d+\.\d+/);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
