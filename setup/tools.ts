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
  /** OpenTofu CLI configuration that installs providers from the mirror only (offline). */
  readonly tofurc: string;
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
      "linux_amd64",
      `terraform-provider-aws_v${p}`,
    ),
    tofurc: join(cache, "tofurc"),
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
