// `npm run lab:up`, `lab:down`, `lab:status`, `lab:ssh [-- command]`
// (also `npx tsx lab/cli.ts up|down|status|ssh`).
import { loadModel, ModelError } from "../model/index.ts";
import { down, ssh, status, up } from "./lab.ts";

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
    default:
      console.error(`unknown lab command "${command ?? ""}". Use: up, down, status or ssh [command].`);
      return 2;
  }
}

main().then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    console.error(e instanceof ModelError ? e.message : `lab: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  },
);
