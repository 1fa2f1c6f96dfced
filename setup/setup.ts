// The setup: installs everything the kit needs on a fresh machine, idempotently, with
// progress. Debian packages, moto in a project venv, OpenTofu and the hashicorp/aws provider
// (downloaded where their releases answer, else built from the Go module proxy:
// opentofu.ts), the lab's other Go tools, all cached under the user's cache directory, keyed
// by version. `--only opentofu` installs just what the aws target needs, without root.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { elapsed, logFailure, run, runLogged } from "../common/exec.ts";
import { loadModel, runCommand, UsageError, type GoModuleBuild, type Model } from "../model/index.ts";
import { choosePath, downloadOpenTofu, recordPath, tofurc, type PathChoice } from "./opentofu.ts";
import { ensurePayloadParts } from "./payload.ts";
import { cacheDir, recordedSetupPath, toolPaths } from "./tools.ts";

/** Debian packages the lab and the checks call. */
export const APT_PACKAGES = [
  "iproute2",
  "nftables",
  "shellcheck",
  "procps",
  "time",
  "curl",
  "iputils-ping",
  // DHCP, TFTP and DNS for the netboot layer, and the iPXE loaders its TFTP serves.
  "dnsmasq-base",
  "ipxe",
  // The lab internet's CA and its upstream registries' certificate.
  "openssl",
  // Validates the compose rendering offline (the docker client here has no compose plugin).
  "docker-compose",
  // sshd for the lab bastion; installed without starting a service on the host (below).
  "openssh-server",
  // The lab's nodes: QEMU guests under software emulation, netbooting through the bastion —
  // SeaBIOS with iPXE ROMs for amd64, AAVMF (UEFI) for arm64 — and the tools that pack the
  // stand-in payload (cpio, xz) and the arm64 GRUB EFI loader (grub-mkimage).
  "qemu-system-x86",
  "ipxe-qemu",
  "qemu-system-arm",
  "qemu-efi-aarch64",
  "cpio",
  "xz-utils",
  "grub-common",
  // Headless browser for the slides' PDF and the browser spec over the reports.
  "chromium",
  // `npm run test:at -- DATE`: the whole suite with every process's clock at another date
  // (the bill and the free-tier offers change with the month).
  "faketime",
] as const;

// Debian starts a daemon when its package is installed; this machine runs none of its own.
// invoke-rc.d asks this file first, and exit code 101 means "do not start".
const POLICY_RC_D = "/usr/sbin/policy-rc.d";

let stepNo = 0;
let steps = 0;
function step(title: string): number {
  stepNo++;
  console.log(`[setup ${stepNo}/${steps}] ${title}`);
  return Date.now();
}

function aptPackages(): void {
  const start = step("Debian packages");
  const missing = APT_PACKAGES.filter(
    (p) =>
      !run(["dpkg-query", "-W", "-f=${Status}", p], { allowFailure: true }).stdout.includes(
        "install ok installed",
      ),
  );
  if (missing.length === 0) {
    console.log(`  all ${APT_PACKAGES.length} present`);
    return;
  }
  // Only this step needs root; everything after it writes to the clone and the user's cache.
  if (process.getuid?.() !== 0)
    throw new Error(
      `Debian packages missing: ${missing.join(" ")}. Fix: install them once as root (sudo apt-get install -y --no-install-recommends ${missing.join(" ")}), then run the setup again as yourself; for the aws target alone, npm run setup -- --only opentofu needs none of them.`,
    );
  console.log(`  installing ${missing.join(" ")}`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  run(["apt-get", "update", "-q"], { env });
  const ownPolicy = !existsSync(POLICY_RC_D);
  if (ownPolicy) writeFileSync(POLICY_RC_D, "#!/bin/sh\nexit 101\n", { mode: 0o755 });
  try {
    run(["apt-get", "install", "-y", "-q", "--no-install-recommends", ...missing], { env });
  } finally {
    if (ownPolicy) rmSync(POLICY_RC_D, { force: true });
  }
  console.log(`  done in ${elapsed(start)}`);
}

/** Packages from PyPI in a venv, pinned by a constraints file; skipped when `want` is installed. */
function pipVenv(opts: {
  title: string;
  python: string;
  packages: Record<string, string>;
  extras?: Record<string, string>;
  constraints: string;
}): void {
  const start = step(opts.title);
  const names = Object.keys(opts.packages);
  const want = names.map((n) => opts.packages[n]).join(" ");
  const have = existsSync(opts.python)
    ? run(
        [
          opts.python,
          "-c",
          `import importlib.metadata as m; print(${names.map((n) => `m.version('${n}')`).join(", ")})`,
        ],
        { allowFailure: true },
      ).stdout.trim()
    : "";
  if (have === want) {
    console.log("  present");
    return;
  }
  if (!existsSync(opts.python)) run(["python3", "-m", "venv", dirname(dirname(opts.python))]);
  // The constraints file pins the packages' own dependencies so every machine gets the same set.
  run([
    opts.python,
    "-m",
    "pip",
    "install",
    "-q",
    "--disable-pip-version-check",
    "-c",
    join(dirname(new URL(import.meta.url).pathname), opts.constraints),
    ...names.map((n) => `${n}${opts.extras?.[n] ?? ""}==${opts.packages[n] ?? ""}`),
  ]);
  console.log(`  installed in ${elapsed(start)}`);
}

function motoVenv(model: Model): void {
  pipVenv({
    title: `moto ${model.versions.moto} (the AWS emulator) and the AWS CLI ${model.versions.awscli} in .venv`,
    python: toolPaths(model).python,
    packages: { moto: model.versions.moto, awscli: model.versions.awscli },
    extras: { moto: "[server]" },
    constraints: "python-constraints.txt",
  });
}

function checkovVenv(model: Model): void {
  pipVenv({
    title: `checkov ${model.versions.checkov} (static scan of infra/) in .venv-checkov`,
    python: join(dirname(toolPaths(model).checkov), "python"),
    packages: { checkov: model.versions.checkov },
    constraints: "checkov-constraints.txt",
  });
}

/** Fails early when a wrapper module and the model disagree on what to build. */
export function wrapperRequirement(wrapperDir: string, build: GoModuleBuild): string | undefined {
  const gomod = readFileSync(join(wrapperDir, "go.mod"), "utf8");
  const m = new RegExp(`^\\s*${build.module.replace(/[.]/g, "\\.")} (\\S+)`, "m").exec(gomod);
  if (m?.[1] === build.moduleVersion) return undefined;
  return `${join(wrapperDir, "go.mod")} requires ${build.module} ${m?.[1] ?? "(nothing)"}, the model says ${build.moduleVersion}. Fix: in that folder run \`go get -tool ${build.module}@${build.moduleVersion}\` (add the package path for OpenTofu).`;
}

async function goBuild(opts: {
  title: string;
  wrapper: string;
  build: GoModuleBuild;
  pkg: string;
  ldflags: string;
  output: string;
  expectHint: string;
}): Promise<void> {
  const start = step(opts.title);
  if (existsSync(opts.output)) {
    console.log(`  cached: ${opts.output}`);
    return;
  }
  const mismatch = wrapperRequirement(opts.wrapper, opts.build);
  if (mismatch) throw new Error(mismatch);
  console.log(`  not cached; building from the Go module proxy (${opts.expectHint})`);
  mkdirSync(dirname(opts.output), { recursive: true });
  const logs = join(cacheDir(), "build-logs");
  mkdirSync(logs, { recursive: true });
  const tmp = `${opts.output}.partial`;
  const log = join(logs, `${basename(opts.output)}.time.log`);
  // The module downloads and the compiler's output go to a file: hundreds of lines on a
  // cold build, none of which a user needs unless it fails.
  const buildLog = join(logs, `${basename(opts.output)}.build.log`);
  console.log(`  output: ${buildLog}`);
  const argv = ["go", "build", "-trimpath", "-ldflags", opts.ldflags, "-o", tmp, opts.pkg];
  // GNU time records the peak memory of the build beside the cache, for the closing note.
  const timed = existsSync("/usr/bin/time") ? ["/usr/bin/time", "-v", "-o", log, ...argv] : argv;
  const code = await runLogged(timed, {
    log: buildLog,
    what: opts.title,
    cwd: opts.wrapper,
    progress: { pattern: /go: downloading /, noun: "modules downloaded" },
  });
  if (code !== 0) {
    rmSync(tmp, { force: true });
    throw new Error(
      `${opts.title} failed (exit ${code}); nothing was cached. ${logFailure(buildLog)}. Fix: a download error means the Go module proxy is unreachable (check GOPROXY and the network); "killed" or "signal: killed" means memory ran out (see docs/troubleshooting.md, "The provider build fails or is killed").`,
    );
  }
  renameSync(tmp, opts.output);
  console.log(`  built in ${elapsed(start)}${existsSync(log) ? `; time and peak memory in ${log}` : ""}`);
}

/** The Go API packages whose CRDs controller-gen writes for kube-validate (one version each). */
export function crdPackages(model: Model): readonly string[] {
  const v = model.versions;
  return [
    `${v.spinOperator.api.module}/api/v1alpha1`,
    `${v.flux.sourceApi.module}/v1`,
    `${v.flux.kustomizeApi.module}/v1`,
    `${v.flux.helmApi.module}/v2`,
    `${v.flux.notificationApi.module}/v1beta3`,
  ];
}

async function kubeValidate(model: Model): Promise<void> {
  const paths = toolPaths(model);
  const wrapper = join(paths.goWrappers, "kube-validate");
  const v = model.versions;
  for (const build of [
    v.cozystack.appsApi,
    v.flux.sourceApi,
    v.flux.kustomizeApi,
    v.flux.helmApi,
    v.flux.notificationApi,
    v.spinOperator.api,
  ]) {
    const mismatch = wrapperRequirement(wrapper, build);
    if (mismatch) throw new Error(mismatch);
  }
  await goBuild({
    title: `kube-validate (kustomize, Kubernetes, Flux controllers ${v.flux.sourceApi.moduleVersion}, spin-operator ${v.spinOperator.version} and CozyStack ${v.cozystack.version} API types)`,
    wrapper,
    build: v.spinOperator.api,
    pkg: ".",
    ldflags: "-s -w",
    output: paths.kubeValidate,
    expectHint: "about a minute",
  });
  await goBuild({
    title: `controller-gen ${v.controllerTools.moduleVersion}`,
    wrapper,
    build: v.controllerTools,
    pkg: `${v.controllerTools.module}/cmd/controller-gen`,
    ldflags: "-s -w",
    output: paths.controllerGen,
    expectHint: "about half a minute",
  });
  const s = step("CRDs of the pinned spin-operator and Flux APIs, generated from their Go packages");
  if (existsSync(paths.kubeCrds)) {
    console.log(`  cached: ${paths.kubeCrds}`);
    return;
  }
  const tmp = `${paths.kubeCrds}.partial`;
  rmSync(tmp, { recursive: true, force: true });
  // Run inside the wrapper module, whose go.mod pins the packages, exactly as upstream's
  // \`make manifests\` runs controller-gen over its own api/ folder.
  run([paths.controllerGen, "crd", ...crdPackages(model).map((p) => `paths=${p}`), `output:crd:dir=${tmp}`], {
    cwd: wrapper,
  });
  renameSync(tmp, paths.kubeCrds);
  console.log(`  ${paths.kubeCrds} (${elapsed(s)})`);
}

function writeTofurc(model: Model, choice: PathChoice): void {
  const paths = toolPaths(model);
  const rc = tofurc(model, choice);
  if (!existsSync(paths.tofurc) || readFileSync(paths.tofurc, "utf8") !== rc) writeFileSync(paths.tofurc, rc);
}

async function openTofuByPath(model: Model, choice: PathChoice): Promise<void> {
  const paths = toolPaths(model);
  if (choice.path === "download") {
    const start = step(`OpenTofu ${model.versions.opentofu}, the release archive`);
    if (existsSync(paths.tofu)) console.log(`  cached: ${paths.tofu}`);
    else console.log(`  ${await downloadOpenTofu(model, choice)} (${elapsed(start)})`);
    const p = step(`hashicorp/aws provider ${model.versions.awsProvider.constraint}: installed by tofu init`);
    mkdirSync(paths.pluginCache, { recursive: true });
    console.log(
      `  from ${choice.providerMirror ?? "the OpenTofu registry"} at the first init, kept in ${paths.pluginCache} (${elapsed(p)})`,
    );
    return;
  }
  await goBuild({
    title: `OpenTofu ${model.versions.opentofu}`,
    wrapper: join(paths.goWrappers, "opentofu"),
    build: model.versions.opentofuBuild,
    pkg: `${model.versions.opentofuBuild.module}/cmd/tofu`,
    // Release builds set version.dev=no; without it `tofu version` says "-dev".
    ldflags: `-s -w -X ${model.versions.opentofuBuild.module}/version.dev=no`,
    output: paths.tofu,
    expectHint: "about 7 minutes on 2 cores",
  });
  await goBuild({
    title: `hashicorp/aws provider ${model.versions.awsProvider.version}`,
    wrapper: join(paths.goWrappers, "terraform-provider-aws"),
    build: model.versions.awsProvider.build,
    pkg: model.versions.awsProvider.build.module,
    ldflags: `-s -w -X ${model.versions.awsProvider.build.module}/version.ProviderVersion=${model.versions.awsProvider.version}`,
    output: paths.awsProviderBinary,
    expectHint: "the longest step: tens of minutes and several GB of memory",
  });
}

/** OpenTofu checked to be the model's release, the tofurc written, the path recorded. */
function finishOpenTofu(model: Model, choice: PathChoice): void {
  const paths = toolPaths(model);
  const version = run([paths.tofu, "version"], {
    env: { ...process.env, TF_CLI_CONFIG_FILE: "/dev/null" },
  }).stdout;
  if (!version.startsWith(`OpenTofu v${model.versions.opentofu}\n`))
    throw new Error(
      `${paths.tofu} reports "${version.split("\n")[0] ?? ""}", expected OpenTofu v${model.versions.opentofu}. Delete it and run the setup again.`,
    );
  const s = step("OpenTofu's CLI configuration");
  writeTofurc(model, choice);
  recordPath(choice);
  console.log(
    `  ${paths.tofurc}: providers ${choice.path === "build" ? `from the mirror ${paths.providerMirror}` : `from ${choice.providerMirror ?? "the registry"}, cached in ${paths.pluginCache}`} (${elapsed(s)})`,
  );
}

/** The path, said once: which, why, and how to force the other. */
async function announcePath(model: Model): Promise<PathChoice> {
  const s = step("OpenTofu and the aws provider: download or build");
  const before = recordedSetupPath();
  const choice = await choosePath(process.env, model.versions.opentofu);
  console.log(`  the ${choice.path} path`);
  console.log(
    `  ${choice.why}${before && before.path !== choice.path ? ` (was ${before.path})` : ""}; MOON_SETUP=${choice.path === "build" ? "download" : "build"} takes the other (${elapsed(s)})`,
  );
  return choice;
}

/** `--only opentofu`: what the aws target needs (generate, plan, apply), no root, no lab tools. */
export async function setupOpenTofu(model: Model): Promise<void> {
  const start = Date.now();
  steps = 4;
  const choice = await announcePath(model);
  await openTofuByPath(model, choice);
  finishOpenTofu(model, choice);
  console.log(`setup (opentofu) complete in ${elapsed(start)}`);
}

export async function setup(model: Model): Promise<void> {
  const start = Date.now();
  const paths = toolPaths(model);
  steps = 14;
  const choice = await announcePath(model);
  aptPackages();
  motoVenv(model);
  checkovVenv(model);
  await openTofuByPath(model, choice);
  // The netboot layer's servers, run natively by the lab's bastion (on aws and home they
  // run as containers of the same versions).
  const mb = model.versions.matchbox;
  await goBuild({
    title: `matchbox ${mb.version}`,
    wrapper: join(paths.goWrappers, "matchbox"),
    build: mb.build,
    pkg: `${mb.build.module}/cmd/matchbox`,
    ldflags: `-s -w -X ${mb.build.module}/matchbox/version.Version=v${mb.version}`,
    output: paths.matchbox,
    expectHint: "about a minute",
  });
  const reg = model.versions.registry;
  await goBuild({
    title: `registry (distribution) ${reg.version}`,
    wrapper: join(paths.goWrappers, "registry"),
    build: reg.build,
    pkg: `${reg.build.module}/cmd/registry`,
    ldflags: `-s -w -X ${reg.build.module}/version.version=v${reg.version}`,
    output: paths.registry,
    expectHint: "about two minutes",
  });
  const talos = model.versions.talosMachinery;
  await goBuild({
    title: `talos-config (Talos ${model.versions.talos}'s config library)`,
    wrapper: join(paths.goWrappers, "talos-config"),
    build: talos,
    pkg: ".",
    ldflags: "-s -w",
    output: paths.talosConfig,
    expectHint: "about a minute",
  });
  await kubeValidate(model);
  for (const [name, argv, want] of [
    ["matchbox", [paths.matchbox, "-version"], `v${mb.version}`],
    ["registry", [paths.registry, "--version"], `v${reg.version}`],
  ] as const) {
    const out = run(argv, { allowFailure: true }).stdout;
    if (!out.includes(want))
      throw new Error(
        `${argv[0]} reports "${out.trim()}", expected ${want}. Delete it and run the setup again.`,
      );
    console.log(`  ${name}: ${out.trim()}`);
  }
  const p = step(
    "the offline lab's stand-in boot payload: Debian kernels, NIC modules and busybox for amd64 and arm64, GRUB for arm64 EFI",
  );
  const payload = ensurePayloadParts((l) => {
    console.log(l);
  });
  console.log(`  ${payload} (${elapsed(p)})`);
  finishOpenTofu(model, choice);
  console.log(`setup complete in ${elapsed(start)}`);
}

if (fileURLToPath(import.meta.url) === resolve(process.argv[1] ?? ""))
  runCommand(
    "setup",
    async () => {
      const { values } = parseArgs({ options: { only: { type: "string" } } });
      if (values.only !== undefined && values.only !== "opentofu")
        throw new UsageError(
          `--only ${values.only} is not a part of the setup. Fix: --only opentofu, or no --only for everything.`,
        );
      await (values.only ? setupOpenTofu(loadModel()) : setup(loadModel()));
      return 0;
    },
    { usage: "npm run setup [-- --only opentofu]" },
  );
