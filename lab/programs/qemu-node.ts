// One lab node: runs its QEMU guest (argv after `--`) with the serial console on a pipe and
// writes each console line to the node's console.log with the time it came, and the moment
// the guest's report line appears to boot.json, so power-on → report is measured on the
// host's clock. SIGTERM stops the guest. Started by lab/nodes.ts inside the VPC namespace,
// where the node's tap device is.
//   qemu-node NODE_DIR -- qemu-system-… args…
import { spawn } from "node:child_process";
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [dir, sep, ...argv] = process.argv.slice(2);
if (!dir || sep !== "--" || argv.length === 0) {
  console.error("usage: qemu-node NODE_DIR -- qemu-system-… args…");
  process.exit(2);
}
const consoleLog = join(dir, "console.log");
const bootFile = join(dir, "boot.json");
const poweredOnAt = new Date().toISOString();
const boot: { poweredOnAt: string; reportAt?: string; exitCode?: number } = { poweredOnAt };
writeFileSync(bootFile, `${JSON.stringify(boot)}\n`);

const guest = spawn(argv[0] ?? "", argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
let partial = "";
const onData = (chunk: Buffer) => {
  const text = partial + chunk.toString("latin1");
  const lines = text.split(/\r?\n/);
  partial = lines.pop() ?? "";
  const now = new Date().toISOString();
  appendFileSync(consoleLog, lines.map((l) => `${now} ${l.replace(/\r/g, "")}\n`).join(""));
  if (!boot.reportAt && lines.some((l) => l.includes("moon-payload: REPORT "))) {
    boot.reportAt = now;
    writeFileSync(bootFile, `${JSON.stringify(boot)}\n`);
  }
};
guest.stdout.on("data", onData);
guest.stderr.on("data", onData);
for (const sig of ["SIGTERM", "SIGINT"] as const) process.on(sig, () => guest.kill("SIGTERM"));
guest.on("exit", (code, signal) => {
  boot.exitCode = code ?? (signal ? 128 : -1);
  writeFileSync(bootFile, `${JSON.stringify(boot)}\n`);
  process.exit(0);
});
