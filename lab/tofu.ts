// OpenTofu against the lab root (infra/lab), with its state and working data in the
// lab's state directory: the emulator is in memory, so its state lives and dies with it.
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { derived, REPO_ROOT, type Model } from "../model/index.ts";
import { cacheDir, recordedSetupPath, toolPaths, tofuEnv } from "../setup/tools.ts";
import { elapsed, logFailure, run, runLogged, type RunResult } from "../common/exec.ts";
import { operatorKeyPath } from "./state.ts";

export const labRoot = join(REPO_ROOT, "infra", "lab");

function env(model: Model): NodeJS.ProcessEnv {
  // The lab's operator key (made by lab up) is the lab root's one required input.
  const key = `${operatorKeyPath(model)}.pub`;
  return {
    ...tofuEnv(model),
    TF_DATA_DIR: join(model.lab.stateDir, "tofu-data"),
    ...(existsSync(key) ? { TF_VAR_ssh_public_key: readFileSync(key, "utf8").trim() } : {}),
  };
}
const statePath = (model: Model) => join(model.lab.stateDir, "terraform.tfstate");

function tofuArgv(model: Model, ...args: string[]): string[] {
  return [toolPaths(model).tofu, `-chdir=${labRoot}`, ...args];
}

/**
 * Where `lab up` keeps OpenTofu's whole output: beside the tool cache, not in the lab's state
 * directory, so it is still there after a failed up has torn the lab down.
 */
export const tofuLog = (step: "init" | "apply") => join(cacheDir(), "logs", `lab-up-tofu-${step}.log`);

/** The resources an apply took longest to create, from its output ("…: Creation complete after 1m5s"). */
export function slowestResources(output: string, n: number): { address: string; seconds: number }[] {
  const seconds = (d: string) =>
    [...d.matchAll(/(\d+)([hms])/g)].reduce(
      (t, [, v, u]) => t + Number(v) * (u === "h" ? 3600 : u === "m" ? 60 : 1),
      0,
    );
  return [...output.matchAll(/^(\S+): Creation complete after ((?:\d+[hms])+)/gm)]
    .map(([, address = "", d = ""]) => ({ address, seconds: seconds(d) }))
    .sort((a, b) => b.seconds - a.seconds || a.address.localeCompare(b.address))
    .slice(0, n);
}

/**
 * On the build path the mirror holds this machine's build only, so a lock file naming another
 * provider (a release the download path chose, an earlier build's label) would stop init. The
 * lab root's lock file is machine-local (.gitignore): it is dropped and made again. On the
 * download path it keeps the release the first init chose, without asking the registry again.
 */
function dropForeignLock(model: Model): void {
  const lock = join(labRoot, ".terraform.lock.hcl");
  if (recordedSetupPath()?.path === "download" || !existsSync(lock)) return;
  const version = model.versions.awsProvider.version;
  if (readFileSync(lock, "utf8").includes(`version     = "${version}"`)) return;
  rmSync(lock);
  console.log(`  ${lock} named another provider than this machine's build ${version}: made again`);
}

/** `tofu init` and `tofu apply` of the lab root; their output goes to logs, a line of progress to us. */
export async function tofuInitApply(model: Model): Promise<void> {
  const e = env(model);
  dropForeignLock(model);
  for (const [step, args] of [
    ["init", ["init", "-input=false", "-no-color"]],
    ["apply", ["apply", "-input=false", "-auto-approve", "-no-color", `-state=${statePath(model)}`]],
  ] as const) {
    const log = tofuLog(step);
    const started = Date.now();
    const code = await runLogged(tofuArgv(model, ...args), {
      log,
      what: `tofu ${step}`,
      env: e,
      everyMs: 10_000,
      progress:
        step === "apply" ? { pattern: /: Creation complete after /, noun: "resources created" } : undefined,
    });
    if (code !== 0) throw new Error(`tofu ${step} of infra/lab failed (exit ${code}). ${logFailure(log)}`);
    if (step === "apply") writeApplied(model);
    const text = readFileSync(log, "utf8");
    const summary = text.match(/Apply complete! Resources: [^\n]*/)?.[0];
    console.log(
      `  tofu ${step}: ${summary?.replace(/\.$/, "") ?? "done"} in ${elapsed(started)}; output in ${log}`,
    );
    const slowest = slowestResources(text, 3);
    // Where an apply's time goes, on every up: the provider's own waits show here.
    if (slowest.length)
      console.log(`  slowest: ${slowest.map((r) => `${r.address} ${String(r.seconds)} s`).join(", ")}`);
  }
}

/**
 * An experiment session's nodes, as the operator starts and ends one on AWS
 * (`tofu apply -var nodes_enabled=true`, then `=false`): the nodes layer applied or removed.
 */
export function tofuApplyNodes(model: Model, enabled: boolean): RunResult {
  const r = run(
    tofuArgv(
      model,
      "apply",
      "-input=false",
      "-auto-approve",
      "-no-color",
      `-var=nodes_enabled=${String(enabled)}`,
      `-state=${statePath(model)}`,
    ),
    { env: env(model), allowFailure: true, timeoutMs: 300_000 },
  );
  // Even a failed apply may have changed the state: the file follows the state, not the exit code.
  writeApplied(model);
  return r;
}

/** What the lab applied, as `tofu show -json` gives it, where the cost model reads it (staged, then moved). */
export function writeApplied(model: Model): void {
  const file = derived(model).labAppliedJson;
  writeFileSync(`${file}.part`, JSON.stringify(tofuShowJson(model)));
  renameSync(`${file}.part`, file);
}

/** `tofu plan -detailed-exitcode`: exit 0 means no changes, 2 means changes. */
export function tofuPlan(model: Model): RunResult {
  return run(
    tofuArgv(model, "plan", "-input=false", "-no-color", "-detailed-exitcode", `-state=${statePath(model)}`),
    {
      env: env(model),
      allowFailure: true,
    },
  );
}

export function tofuOutputs(model: Model): Record<string, unknown> {
  const out = run(tofuArgv(model, "output", "-json", `-state=${statePath(model)}`), {
    env: env(model),
  }).stdout;
  // The root's one output is the stack module's outputs, as one object.
  const stack = (JSON.parse(out) as { stack?: { value: unknown } }).stack?.value;
  if (typeof stack !== "object" || stack === null)
    throw new Error("the lab root has no stack output: run npm run generate");
  return stack as Record<string, unknown>;
}

let shown: { key: string; json: unknown } | undefined;

/**
 * `tofu show -json` of the lab's applied state: what the cost model reads. A few seconds
 * each, so it is read again only when the state file changed.
 */
export function tofuShowJson(model: Model): unknown {
  const st = statSync(statePath(model));
  const key = `${statePath(model)} ${st.mtimeMs} ${st.size}`;
  if (shown?.key !== key)
    shown = {
      key,
      json: JSON.parse(
        run(tofuArgv(model, "show", "-json", statePath(model)), { env: env(model) }).stdout,
      ) as unknown,
    };
  return shown.json;
}
