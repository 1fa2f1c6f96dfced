// Where the setup puts each tool, keyed by the model's versions. The lab, the checks
// and the fixtures find their programs here and nowhere else.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT, type Model } from "../model/index.ts";

/** The user's cache directory for heavy builds, shared by every clone of the kit. */
export function cacheDir(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "moon-and-back");
}

export interface ToolPaths {
  readonly tofu: string;
  /** Filesystem mirror holding the locally built providers. */
  readonly providerMirror: string;
  readonly awsProviderBinary: string;
  /** OpenTofu CLI configuration: the mirror only (build path), or the registry through the plugin cache (download). */
  readonly tofurc: string;
  /** Where `tofu init` keeps the provider packages it downloaded (download path). */
  readonly pluginCache: string;
  readonly venv: string;
  /** Debian's Chromium: the slides' PDF and the browser spec (Playwright's own download cannot run here). */
  readonly chromium: string;
  /** checkov in a venv of its own (its pins clash with moto's). */
  readonly checkov: string;
  readonly python: string;
  readonly goWrappers: string;
  readonly matchbox: string;
  readonly registry: string;
  /** Our program around Talos's config library; keyed by the Talos version and its own source. */
  readonly talosConfig: string;
  /** Our manifest validator (setup/go/kube-validate), keyed by its own source. */
  readonly kubeValidate: string;
  /** controller-gen, built at the version kube-validate's module pins. */
  readonly controllerGen: string;
  /** CRDs controller-gen produced from the pinned upstream API packages. */
  readonly kubeCrds: string;
}

/** This machine in Go's words (`linux_amd64`), as provider packages and OpenTofu's archives name it. */
export function hostPlatform(platform: string = process.platform, arch: string = process.arch): string {
  const os = ({ linux: "linux", darwin: "darwin", freebsd: "freebsd" } as Record<string, string>)[platform];
  // The platforms OpenTofu's goreleaser config builds for these systems (.goreleaser.yaml).
  const cpu = ({ x64: "amd64", arm64: "arm64", ia32: "386", arm: "arm" } as Record<string, string>)[arch];
  if (!os || !cpu)
    throw new Error(`${platform}/${arch} is not a platform this kit knows OpenTofu's name for`);
  return `${os}_${cpu}`;
}

export interface RecordedSetupPath {
  readonly path: "build" | "download";
  readonly tofuReleases?: string;
  readonly providerMirror?: string;
}

/** The setup path recorded on this machine, with its sources (setup/opentofu.ts); undefined before the first setup. */
export function recordedSetupPath(): RecordedSetupPath | undefined {
  const file = join(cacheDir(), "setup-path.json");
  if (!existsSync(file)) return undefined;
  const r = JSON.parse(readFileSync(file, "utf8")) as Partial<Record<keyof RecordedSetupPath, unknown>>;
  if (r.path !== "build" && r.path !== "download") return undefined;
  const text = (v: unknown) => (typeof v === "string" ? v : undefined);
  const [tofuReleases, providerMirror] = [text(r.tofuReleases), text(r.providerMirror)];
  return {
    path: r.path,
    ...(tofuReleases ? { tofuReleases } : {}),
    ...(providerMirror ? { providerMirror } : {}),
  };
}

/** A short hash of a wrapper module's own files: a program of ours is rebuilt when they change. */
function sourceHash(wrapper: string): string {
  const dir = join(REPO_ROOT, "setup", "go", wrapper);
  const h = createHash("sha256");
  for (const f of ["go.mod", "go.sum", "main.go"])
    if (existsSync(join(dir, f))) h.update(f).update(readFileSync(join(dir, f)));
  return h.digest("hex").slice(0, 12);
}

export function toolPaths(model: Model): ToolPaths {
  const cache = cacheDir();
  const p = model.versions.awsProvider.version;
  const providerMirror = join(cache, "providers");
  const venv = join(REPO_ROOT, ".venv");
  const kv = join(cache, "kube-validate", sourceHash("kube-validate"));
  return {
    tofu: join(cache, "opentofu", model.versions.opentofu, "tofu"),
    providerMirror,
    awsProviderBinary: join(
      providerMirror,
      "registry.opentofu.org",
      "hashicorp",
      "aws",
      p,
      hostPlatform(),
      `terraform-provider-aws_v${p}`,
    ),
    tofurc: join(cache, "tofurc"),
    pluginCache: join(cache, "plugin-cache"),
    venv,
    python: join(venv, "bin", "python"),
    checkov: join(REPO_ROOT, ".venv-checkov", "bin", "checkov"),
    chromium: "/usr/bin/chromium",
    goWrappers: join(REPO_ROOT, "setup", "go"),
    matchbox: join(cache, "matchbox", model.versions.matchbox.version, "matchbox"),
    registry: join(cache, "registry", model.versions.registry.version, "registry"),
    talosConfig: join(
      cache,
      "talos-config",
      `${model.versions.talos}-${sourceHash("talos-config")}`,
      "talos-config",
    ),
    kubeValidate: join(kv, "kube-validate"),
    controllerGen: join(kv, "controller-gen"),
    kubeCrds: join(kv, "crds"),
  };
}

/** Environment for running tofu offline against the local mirror. */
export function tofuEnv(model: Model): NodeJS.ProcessEnv {
  // Never let a real credential or endpoint from the user's shell reach a lab run.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("AWS_")));
  return { ...env, TF_CLI_CONFIG_FILE: toolPaths(model).tofurc, TF_IN_AUTOMATION: "1" };
}
