// Running programs: captured (for checks and evidence), streamed, or logged to a file with a
// progress line (for long work the user waits on), with errors that name the command and show
// its output.
import { spawn, spawnSync, type SpawnOptions } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { dirname } from "node:path";

export interface RunResult {
  readonly command: string;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export class CommandError extends Error {
  constructor(readonly result: RunResult) {
    const tail = (result.stderr || result.stdout).trim().split("\n").slice(-15).join("\n");
    super(`\`${result.command}\` exited with ${result.code}${tail ? `:\n${tail}` : ""}`);
    this.name = "CommandError";
  }
}

const show = (argv: readonly string[]) =>
  argv.map((a) => (/^[\w./:=@%+,-]+$/.test(a) ? a : JSON.stringify(a))).join(" ");

export interface RunOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly input?: string;
  /** Return the result instead of throwing on a non-zero exit. */
  readonly allowFailure?: boolean;
  readonly timeoutMs?: number;
}

/** Runs a program to completion and captures its output. */
/**
 * The environment without libfaketime (`npm run test:at`): for a program whose output must
 * hold on the kernel's clock too, such as a certificate's validity.
 */
export function realClockEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("FAKETIME") && k !== "LD_PRELOAD"),
  );
  const preload = (process.env.LD_PRELOAD ?? "").split(/[: ]/).filter((l) => l && !l.includes("faketime"));
  return preload.length ? { ...env, LD_PRELOAD: preload.join(":") } : env;
}

export function run(argv: readonly string[], opts: RunOptions = {}): RunResult {
  const [cmd, ...args] = argv;
  if (cmd === undefined) throw new Error("run: empty command");
  const r = spawnSync(cmd, args, {
    env: opts.env ?? process.env,
    cwd: opts.cwd,
    input: opts.input,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    timeout: opts.timeoutMs,
  });
  if (r.error) throw new Error(`\`${show(argv)}\` could not run: ${r.error.message}`);
  const result = { command: show(argv), code: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
  if (result.code !== 0 && !opts.allowFailure) throw new CommandError(result);
  return result;
}

/** Runs a program with its output streamed to ours; resolves with the exit code. */
export function stream(
  argv: readonly string[],
  opts: RunOptions & { prefix?: string } = {},
): Promise<number> {
  const [cmd, ...args] = argv;
  if (cmd === undefined) throw new Error("stream: empty command");
  return new Promise((resolve, reject) => {
    const spawnOpts: SpawnOptions = {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      stdio: ["ignore", "pipe", "pipe"],
    };
    const child = spawn(cmd, args, spawnOpts);
    const relay = (chunk: Buffer, to: NodeJS.WriteStream) => {
      const text = chunk.toString();
      to.write(opts.prefix ? text.replace(/^(?=.)/gm, opts.prefix) : text);
    };
    child.stdout?.on("data", (c: Buffer) => {
      relay(c, process.stdout);
    });
    child.stderr?.on("data", (c: Buffer) => {
      relay(c, process.stderr);
    });
    child.on("error", (e) => {
      reject(new Error(`\`${show(argv)}\` could not run: ${e.message}`));
    });
    child.on("close", (code) => {
      resolve(code ?? 128);
    });
  });
}

/**
 * Runs a long program with its whole output in a log file, not on the terminal: one progress
 * line every `everyMs` (with how many lines matched `progress`, e.g. modules downloaded or
 * resources created). Resolves with the exit code; `logFailure` says what a failure left. The
 * log is rewritten on each run.
 */
export async function runLogged(
  argv: readonly string[],
  opts: {
    readonly log: string;
    readonly what: string;
    readonly env?: NodeJS.ProcessEnv;
    readonly cwd?: string;
    /** Lines that count as progress, and what to call them ("modules downloaded"). */
    readonly progress?: { readonly pattern: RegExp; readonly noun: string };
    readonly everyMs?: number;
  },
): Promise<number> {
  const [cmd, ...args] = argv;
  if (cmd === undefined) throw new Error("runLogged: empty command");
  mkdirSync(dirname(opts.log), { recursive: true });
  const fd = openSync(opts.log, "w");
  const start = Date.now();
  const counted = () => {
    if (!opts.progress) return "";
    const n = readFileSync(opts.log, "utf8")
      .split("\n")
      .filter((l) => opts.progress?.pattern.test(l)).length;
    return `${n} ${opts.progress.noun}, `;
  };
  const timer = setInterval(() => {
    console.log(`  … ${opts.what}: ${counted()}${Math.round((Date.now() - start) / 1000)} s so far`);
  }, opts.everyMs ?? 30_000);
  try {
    return await new Promise<number>((resolve, reject) => {
      const child = spawn(cmd, args, {
        env: opts.env ?? process.env,
        cwd: opts.cwd,
        stdio: ["ignore", fd, fd],
      });
      child.on("error", (e) => {
        reject(new Error(`\`${show(argv)}\` could not run: ${e.message}`));
      });
      child.on("close", (code) => {
        resolve(code ?? 128);
      });
    });
  } finally {
    clearInterval(timer);
    closeSync(fd);
  }
}

/** For a failure's message: the log's last lines and where the whole of it is. */
export function logFailure(log: string): string {
  return `Its last lines:\n${logTail(log)}\nThe whole output: ${log}`;
}

/** The last lines of a log, indented, for a failure message. */
export function logTail(log: string, lines = 25): string {
  if (!existsSync(log)) return "";
  return readFileSync(log, "utf8")
    .trimEnd()
    .split("\n")
    .slice(-lines)
    .map((l) => `    ${l}`)
    .join("\n");
}

export const elapsed = (start: number) => `${((Date.now() - start) / 1000).toFixed(1)} s`;
