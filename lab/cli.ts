// `npm run lab:up`, `lab:down`, `lab:status`, `lab:ssh [-- command]`,
// `lab:node -- add --arch amd64|arm64 --role controlplane|worker [--wait] [--timeout S]`, `lab:node -- list|rm NAME`,
// `lab:clock [-- show|set ISO|advance 2h]`
// (also `npx tsx lab/cli.ts up|down|status|ssh`).
import { loadModel, runCommand } from "../model/index.ts";
import { down, ssh, status, up } from "./lab.ts";
import { addNode, listNodes, nodeBoot, nodeConsole, removeNode, type LabNode } from "./nodes.ts";
import { parseDuration, readLabClock, setLabClock } from "./clock.ts";
import { readFirings } from "./schedules.ts";

/** `--flag value` pairs of a subcommand. */
function flags(args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i += 2) {
    const k = args[i] ?? "";
    const v = args[i + 1];
    if (!k.startsWith("--") || v === undefined)
      throw new Error(`expected --flag value, got "${args.slice(i).join(" ")}"`);
    out[k.slice(2)] = v;
  }
  return out;
}

/** Waits for a node's report, printing progress; its power-on-to-report time, or an error. */
async function waitForReport(node: LabNode, timeoutS: number): Promise<number> {
  const start = Date.now();
  let said = 0;
  for (;;) {
    const b = nodeBoot(node);
    if (b?.reportAt) {
      console.log(
        `${node.name} reported ${((Date.parse(b.reportAt) - Date.parse(b.poweredOnAt)) / 1000).toFixed(1)} s after power-on`,
      );
      return 0;
    }
    if (b?.exitCode !== undefined)
      throw new Error(`${node.name} exited ${b.exitCode} before its report; see ${nodeConsole(node)}`);
    if ((Date.now() - start) / 1000 > timeoutS)
      throw new Error(`${node.name} did not report within ${timeoutS} s; see ${nodeConsole(node)}`);
    const s = Math.floor((Date.now() - start) / 5000);
    if (s > said) {
      said = s;
      console.log(`  … ${s * 5} s, booting (console ${nodeConsole(node)})`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function node(model: ReturnType<typeof loadModel>, args: readonly string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case "add": {
      const wait = rest.includes("--wait");
      const f = flags(rest.filter((a) => a !== "--wait"));
      if (!f.arch || !f.role)
        throw new Error("lab node add needs --arch amd64|arm64 and --role controlplane|worker");
      const timeout = Number(f.timeout ?? 180);
      if (!(timeout > 0))
        throw new Error(`--timeout ${f.timeout ?? ""} is not a number of seconds; e.g. --timeout 180`);
      const n = addNode(model, { arch: f.arch, role: f.role, name: f.name });
      console.log(
        `${n.name} (${n.arch} ${n.role}, MAC ${n.mac}, ${n.ip}) powered on; console ${n.dir}/console.log`,
      );
      return wait ? await waitForReport(n, timeout) : 0;
    }
    case "list":
    case undefined:
      for (const n of listNodes(model)) {
        const b = nodeBoot(n);
        const reported = b?.reportAt
          ? `reported ${((Date.parse(b.reportAt) - Date.parse(b.poweredOnAt)) / 1000).toFixed(1)} s after power-on`
          : "booting";
        console.log(
          `${n.name}  ${n.arch} ${n.role}  ${n.mac}  ${n.ip}  ${n.payload}  pid ${n.pid}  ${b?.exitCode !== undefined ? `exited ${b.exitCode}` : reported}`,
        );
      }
      return 0;
    case "rm":
      if (!rest[0]) throw new Error("lab node rm needs a node name (lab node list shows them)");
      removeNode(model, rest[0]);
      console.log(`${rest[0]} removed`);
      return 0;
    default:
      console.error(`unknown lab node command "${sub}". Use: add --arch A --role R, list, rm NAME.`);
      return 2;
  }
}

/** `lab clock [show]`, `lab clock set <ISO time>`, `lab clock advance <90s|15m|2h|1d>`. */
function clock(model: ReturnType<typeof loadModel>, args: readonly string[]): number {
  const [sub = "show", value = ""] = args;
  // The input is checked before the lab is: a typo is named even when the lab is down.
  let move: ((now: Date) => Date) | undefined;
  if (sub === "set") {
    const at = new Date(value);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(at.getTime())) {
      console.error(
        `lab clock set "${value}": not an ISO 8601 time. Fix: e.g. lab clock set 2026-12-12T09:00:00Z.`,
      );
      return 2;
    }
    move = () => at;
  } else if (sub === "advance") {
    const ms = parseDuration(value);
    if (ms === undefined) {
      console.error(`lab clock advance "${value}": not a duration. Fix: e.g. 90s, 15m, 2h or 1d.`);
      return 2;
    }
    move = (now) => new Date(now.getTime() + ms);
  } else if (sub !== "show") {
    console.error(`unknown lab clock command "${sub}". Use: show, set <ISO time>, advance <duration>.`);
    return 2;
  }
  const current = readLabClock(model);
  if (!current) {
    console.error("The lab clock is not set: the lab is not up. Fix: npm run lab:up.");
    return 2;
  }
  const next = move?.(current);
  if (next) setLabClock(model, next);
  console.log(`lab clock ${(next ?? current).toISOString()}${next ? ` (was ${current.toISOString()})` : ""}`);
  for (const f of readFirings(model).slice(-5))
    console.log(`  ${f.at} ${f.name}: ${f.what}: ${f.outcome}${f.detail ? ` (${f.detail})` : ""}`);
  return 0;
}

async function main(): Promise<number> {
  const command = process.argv[2];
  if (process.getuid?.() !== 0) {
    console.error(
      "The lab creates network namespaces and needs root. Fix: run it as root (sudo -E npm run lab:up).",
    );
    return 2;
  }
  const model = loadModel();
  switch (command) {
    case "up":
      await up(model);
      return 0;
    case "down":
      down(model);
      return 0;
    case "status":
      return status(model);
    case "ssh":
      return ssh(model, process.argv.slice(3));
    case "node":
      return await node(model, process.argv.slice(3));
    case "clock":
      return clock(model, process.argv.slice(3));
    default:
      console.error(
        `unknown lab command "${command ?? ""}". Use: up, down, status, ssh [command], node add|list|rm or clock [show|set|advance].`,
      );
      return 2;
  }
}

runCommand("lab", main);
