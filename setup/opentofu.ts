// OpenTofu and the hashicorp/aws provider, by one of two paths chosen once per machine:
//   download — OpenTofu's release archive, checked against the release's SHA256SUMS, and the
//              provider installed by `tofu init` itself from the public registry (or a network
//              mirror), cached for every init on the machine. Minutes, little memory.
//   build    — both built from the Go module proxy (setup.ts), for machines that reach only
//              package registries. Tens of minutes and several GB of memory.
// Both give the same `tofu` path and a CLI config (tofurc) that every tofu run here reads.
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { run } from "../common/exec.ts";
import { UsageError, type Model } from "../model/index.ts";
import { cacheDir, hostPlatform, recordedSetupPath, toolPaths } from "./tools.ts";

export const SETUP_PATHS = ["build", "download"] as const;
export type SetupPath = (typeof SETUP_PATHS)[number];

/**
 * Where each download comes from. OpenTofu's releases are GitHub release assets named by its
 * goreleaser config (opentofu/opentofu .goreleaser.yaml: project `tofu`, archives
 * `tofu_<version>_<os>_<arch>.tar.gz`, checksums `tofu_<version>_SHA256SUMS`); providers come
 * from the OpenTofu registry, which answers service discovery at /.well-known/terraform.json
 * (https://opentofu.org/docs/internals/provider-registry-protocol/).
 */
export const DOWNLOAD_SOURCES = {
  tofuReleases: "https://github.com/opentofu/opentofu/releases/download",
  registry: "https://registry.opentofu.org",
} as const;

export interface PathChoice {
  readonly path: SetupPath;
  readonly why: string;
  /** MOON_TOFU_RELEASES: another host serving OpenTofu's release assets in the same layout. */
  readonly tofuReleases: string;
  /** MOON_PROVIDER_MIRROR: a provider network mirror to install from instead of the registry. */
  readonly providerMirror?: string;
}

function httpsUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${name}=${value} is not a URL. Fix: give an https:// URL, or unset ${name}.`);
  }
  // OpenTofu itself takes a network mirror over https only (internal/getproviders/http_mirror_source.go).
  if (url.protocol !== "https:")
    throw new UsageError(`${name}=${value} is not https. Fix: give an https:// URL, or unset ${name}.`);
  return value.endsWith("/") ? value : `${value}/`;
}

/** The path the setup takes here: MOON_SETUP if set, else the one recorded, else what answers. */
export async function choosePath(env: NodeJS.ProcessEnv, opentofu: string): Promise<PathChoice> {
  const forced = env.MOON_SETUP;
  if (forced !== undefined && !(SETUP_PATHS as readonly string[]).includes(forced))
    throw new UsageError(
      `MOON_SETUP=${forced} is not a setup path. Fix: MOON_SETUP=build (from the Go module proxy) or MOON_SETUP=download (releases and the registry), or unset it to let the setup choose.`,
    );
  // The sources given once are kept with the path, so a later run without them keeps them.
  const recorded = recordedSetupPath();
  const tofuReleases = httpsUrl(
    "MOON_TOFU_RELEASES",
    env.MOON_TOFU_RELEASES ?? recorded?.tofuReleases ?? DOWNLOAD_SOURCES.tofuReleases,
  );
  const mirror = env.MOON_PROVIDER_MIRROR ?? recorded?.providerMirror;
  const providerMirror = mirror === undefined ? undefined : httpsUrl("MOON_PROVIDER_MIRROR", mirror);
  const sources = { tofuReleases, ...(providerMirror ? { providerMirror } : {}) };
  if (forced) return { path: forced as SetupPath, why: `MOON_SETUP=${forced}`, ...sources };
  if (recorded) {
    return {
      path: recorded.path,
      why: "chosen earlier on this machine (MOON_SETUP=build|download changes it)",
      ...sources,
    };
  }
  const providerProbe = providerMirror
    ? `${providerMirror}registry.opentofu.org/hashicorp/aws/index.json`
    : `${DOWNLOAD_SOURCES.registry}/.well-known/terraform.json`;
  const probes = [`${tofuReleases}v${opentofu}/tofu_${opentofu}_SHA256SUMS`, providerProbe];
  const answers = await Promise.all(probes.map(reachable));
  const missing = probes.filter((_, i) => !answers[i]);
  return missing.length === 0
    ? { path: "download", why: "OpenTofu's releases and the provider registry answer", ...sources }
    : { path: "build", why: `no answer from ${missing.join(" and ")}`, ...sources };
}

/**
 * Whether the URL is there: a success or a redirect (GitHub sends release assets elsewhere).
 * Node's fetch takes no proxy from HTTPS_PROXY: behind one, the probe fails and the setup
 * builds unless MOON_SETUP=download says otherwise.
 */
async function reachable(url: string): Promise<boolean> {
  try {
    const r = await fetch(url, { method: "HEAD", signal: AbortSignal.timeout(5000), redirect: "manual" });
    return r.status < 400;
  } catch {
    return false;
  }
}

export function recordPath(choice: PathChoice): void {
  mkdirSync(cacheDir(), { recursive: true });
  const { path, tofuReleases, providerMirror } = choice;
  // Only what was given: a default stays the kit's, so a later kit's default applies.
  const given = {
    ...(tofuReleases !== httpsUrl("default", DOWNLOAD_SOURCES.tofuReleases) ? { tofuReleases } : {}),
    ...(providerMirror ? { providerMirror } : {}),
  };
  writeFileSync(join(cacheDir(), "setup-path.json"), `${JSON.stringify({ path, ...given }, null, 2)}\n`);
}

async function get(url: string): Promise<Buffer> {
  const r = await fetch(url, { signal: AbortSignal.timeout(300_000) }).catch((e: unknown) => {
    // fetch says only "fetch failed"; its cause names the refusal (DNS, TLS, a reset).
    const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : String(e);
    throw new Error(
      `GET ${url}: ${cause}. Fix: check the network, or take the other path with MOON_SETUP=build`,
    );
  });
  if (!r.ok) throw new Error(`GET ${url}: HTTP ${r.status}`);
  return Buffer.from(await r.arrayBuffer());
}

/** OpenTofu's release archive for this platform, checked against its SHA256SUMS, unpacked to `paths.tofu`. */
export async function downloadOpenTofu(model: Model, choice: PathChoice): Promise<string> {
  const v = model.versions.opentofu;
  const archive = `tofu_${v}_${hostPlatform()}.tar.gz`;
  const base = `${choice.tofuReleases}v${v}/`;
  const sums = (await get(`${base}tofu_${v}_SHA256SUMS`)).toString("utf8");
  const want = sums
    .split("\n")
    .map((l) => l.trim().split(/\s+/))
    .find(([, name]) => name === archive)?.[0];
  if (!want) throw new Error(`tofu_${v}_SHA256SUMS at ${base} lists no ${archive}`);
  const bytes = await get(`${base}${archive}`);
  const got = createHash("sha256").update(bytes).digest("hex");
  if (got !== want)
    throw new Error(
      `${base}${archive} has SHA-256 ${got}, its release's SHA256SUMS says ${want}; nothing was installed`,
    );
  const target = toolPaths(model).tofu;
  mkdirSync(dirname(target), { recursive: true });
  const tmp = mkdtempSync(`${target}.partial-`);
  try {
    writeFileSync(join(tmp, archive), bytes);
    run(["tar", "-xzf", join(tmp, archive), "--no-same-owner", "-C", tmp, "tofu"]);
    renameSync(join(tmp, "tofu"), target);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return `${base}${archive} (SHA-256 ${got.slice(0, 16)}…, as its SHA256SUMS says)`;
}

/**
 * The CLI config every tofu run of the kit reads. Build: providers from the local mirror
 * only, so `tofu init` works offline. Download: from the registry (or the given network
 * mirror), through a plugin cache, so the many inits of the checks download each package once.
 */
export function tofurc(model: Model, choice: PathChoice): string {
  const paths = toolPaths(model);
  const hcl = (s: string) => JSON.stringify(s);
  const head = "# OpenTofu CLI configuration written by the moon-and-back setup";
  if (choice.path === "build")
    return [
      `${head} (build path): providers come from`,
      "# the local mirror only, so `tofu init` works offline.",
      "provider_installation {",
      "  filesystem_mirror {",
      `    path    = ${hcl(paths.providerMirror)}`,
      '    include = ["registry.opentofu.org/hashicorp/aws"]',
      "  }",
      "}",
      "",
    ].join("\n");
  return [
    `${head} (download path): providers come from`,
    choice.providerMirror ? `# the network mirror ${choice.providerMirror}` : "# their registry",
    "# and are kept in the plugin cache, so each package is downloaded once per machine.",
    `plugin_cache_dir = ${hcl(paths.pluginCache)}`,
    "# Reuse a cached package even where a root has no lock file yet (the checks init copies of",
    "# the roots); such a lock file then holds this platform's hash only.",
    "plugin_cache_may_break_dependency_lock_file = true",
    "provider_installation {",
    ...(choice.providerMirror
      ? ["  network_mirror {", `    url = ${hcl(choice.providerMirror)}`, "  }"]
      : ["  direct {}"]),
    "}",
    "",
  ].join("\n");
}
