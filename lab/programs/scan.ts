// A TCP connect scan run inside a lab namespace (`ip netns exec NS …`): every address given
// × every port given, many at a time, each attempt bounded. Prints one JSON result: the
// open ports, and how many attempts were refused, dropped (timed out) or unroutable.
//   scan.ts PORTS ADDRESS... with PORTS like 1-1024,5050,8080
import { connect } from "node:net";

export interface ScanResult {
  readonly open: readonly { readonly host: string; readonly port: number }[];
  readonly attempts: number;
  readonly refused: number;
  readonly timedOut: number;
  readonly unreachable: number;
  readonly ms: number;
}

const TIMEOUT_MS = 400;
const PARALLEL = 400;

function parsePorts(spec: string): number[] {
  const out = new Set<number>();
  for (const part of spec.split(",")) {
    const [a, b] = part.split("-").map(Number);
    if (a === undefined || !Number.isInteger(a)) throw new Error(`bad port list: ${spec}`);
    for (let p = a; p <= (b ?? a); p++) out.add(p);
  }
  return [...out];
}

function attempt(host: string, port: number): Promise<"open" | "refused" | "timeout" | "unreachable"> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (r: "open" | "refused" | "timeout" | "unreachable") => {
      clearTimeout(timer);
      s.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => {
      done("timeout");
    }, TIMEOUT_MS);
    s.on("connect", () => {
      done("open");
    });
    s.on("error", (e: NodeJS.ErrnoException) => {
      done(e.code === "ECONNREFUSED" ? "refused" : "unreachable");
    });
  });
}

async function main(): Promise<void> {
  const [ports, ...hosts] = process.argv.slice(2);
  if (!ports || hosts.length === 0) {
    console.error("usage: scan.ts PORTS ADDRESS...");
    process.exit(2);
  }
  const start = Date.now();
  const jobs = hosts.flatMap((host) => parsePorts(ports).map((port) => ({ host, port })));
  const open: { host: string; port: number }[] = [];
  const counts = { refused: 0, timeout: 0, unreachable: 0 };
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      if (!job) break;
      const r = await attempt(job.host, job.port);
      if (r === "open") open.push(job);
      else counts[r]++;
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  const result: ScanResult = {
    open: open.sort((a, b) => a.host.localeCompare(b.host) || a.port - b.port),
    attempts: jobs.length,
    refused: counts.refused,
    timedOut: counts.timeout,
    unreachable: counts.unreachable,
    ms: Date.now() - start,
  };
  console.log(JSON.stringify(result));
}

void main();
