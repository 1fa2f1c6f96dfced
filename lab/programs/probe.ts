// A probe run inside a lab namespace (`ip netns exec NS …`); prints one JSON result.
//   probe.ts http URL [timeoutMs]   an HTTP GET with undici
//   probe.ts tcp HOST PORT [timeoutMs]   a TCP connect, reading what the peer sends
import { connect } from "node:net";
import { request } from "undici";

export interface ProbeResult {
  readonly ok: boolean;
  readonly status?: number;
  readonly body?: string;
  readonly error?: string;
  readonly ms: number;
}

async function http(url: string, timeoutMs: number): Promise<ProbeResult> {
  const start = Date.now();
  try {
    const r = await request(url, {
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await r.body.text();
    return { ok: true, status: r.statusCode, body, ms: Date.now() - start };
  } catch (e) {
    return { ok: false, error: (e as Error).message, ms: Date.now() - start };
  }
}

function tcp(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  const start = Date.now();
  return new Promise((resolve) => {
    let body = "";
    const s = connect({ host, port });
    const done = (r: Omit<ProbeResult, "ms">) => {
      s.destroy();
      resolve({ ...r, ms: Date.now() - start });
    };
    s.setTimeout(timeoutMs, () => {
      done({ ok: false, error: `no answer within ${timeoutMs} ms` });
    });
    s.on("data", (d: Buffer) => (body += d.toString()));
    s.on("end", () => {
      done({ ok: true, body });
    });
    s.on("error", (e) => {
      done({ ok: false, error: e.message });
    });
  });
}

const [kind, a, b, c] = process.argv.slice(2);
const result =
  kind === "http" && a
    ? await http(a, Number(b ?? 3000))
    : kind === "tcp" && a && b
      ? await tcp(a, Number(b), Number(c ?? 3000))
      : { ok: false, error: "usage: probe.ts http URL [ms] | tcp HOST PORT [ms]", ms: 0 };
console.log(JSON.stringify(result));
