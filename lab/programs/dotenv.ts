// The bundle's .env as both runtimes read it. The start script writes only KEY='VALUE'
// lines, which Docker Compose reads literally (compose-go dotenv/parser.go: a single-quoted
// value gets no `$` interpolation and no `#` comment); the native supervisor reads them here
// the same way, so a credential means the same under either runtime.

export interface DotEnv {
  readonly values: ReadonlyMap<string, string>;
  /** Names of lines that are not KEY='VALUE' (never their values: they may be secrets). */
  readonly ignored: readonly string[];
}

export function readDotEnv(text: string): DotEnv {
  const values = new Map<string, string>();
  const ignored: string[] = [];
  for (const line of text.split("\n")) {
    const m = /^([A-Z0-9_]+)='([^']*)'$/.exec(line);
    if (m?.[1]) values.set(m[1], m[2] ?? "");
    else if (line.trim()) ignored.push(line.split("=")[0] ?? "");
  }
  return { values, ignored };
}
