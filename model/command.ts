// One error style for every command of the kit (generate, cost, talos:configs, lab, audit,
// gitops:validate, slides, live-demo, the benches): bad input — a flag, the model, MOON_NOW,
// a file that is not what it should be — is one message that names the value and the fix,
// exit code 2. Any other failure is one line and exit code 1. A stack only with DEBUG set.
import { ClockError } from "./clock.ts";
import { ModelError } from "./validate.ts";

/** Bad input on the command line or in a file the command was given: exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** node:util parseArgs's own refusals (an unknown option, a missing value). */
function isParseArgsError(e: unknown): boolean {
  const code = e instanceof Error ? (e as { code?: unknown }).code : undefined;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS");
}

/** The exit code and the message a failure gets (exported for the unit specs). */
export function failure(name: string, e: unknown, usage?: string): { code: number; message: string } {
  if (e instanceof ModelError || e instanceof ClockError || e instanceof UsageError)
    return { code: 2, message: `${name}: ${e.message}` };
  if (isParseArgsError(e))
    return { code: 2, message: `${name}: ${(e as Error).message}${usage ? `\nFix: ${usage}` : ""}` };
  const text = e instanceof Error ? e.message : String(e);
  return { code: 1, message: `${name}: ${text}` };
}

/**
 * Runs a command's main and sets the exit code from what it returns or throws. `name` is
 * how the messages begin (the npm script's name); `usage` is the line a bad flag is told.
 */
export function runCommand(
  name: string,
  main: () => number | Promise<number>,
  options: { readonly usage?: string; readonly exit?: boolean } = {},
): void {
  // `exit` for commands whose clients keep sockets open after their work is done.
  const done = (code: number): void => {
    if (options.exit) process.exit(code);
    process.exitCode = code;
  };
  const fail = (e: unknown): void => {
    const { code, message } = failure(name, e, options.usage);
    console.error(message);
    if (process.env.DEBUG && e instanceof Error && e.stack) console.error(e.stack);
    else if (code === 1) console.error("(set DEBUG=1 to see where it failed)");
    done(code);
  };
  try {
    const result = main();
    if (typeof result === "number") done(result);
    else result.then(done, fail);
  } catch (e) {
    fail(e);
  }
}
