// The lab's hypervisor daemon (started by `lab up`, stopped by `lab down`): once a second,
// it carries out the schedules that fell due on the lab clock (lab/schedules.ts), then makes
// the lab's instances match the emulator's (lab/instances.ts).
import { awsClients, targetFor } from "../../common/target.ts";
import { loadModel } from "../../model/index.ts";
import { Hypervisor } from "../instances.ts";
import { LabScheduler } from "../schedules.ts";

const POLL_MS = 1000;
const model = loadModel();
const hypervisor = new Hypervisor(model);
const target = targetFor("lab", model);
const scheduler = new LabScheduler(model, awsClients(target), target.endpoint ?? "");
const state = { stopping: false };
process.on("SIGTERM", () => {
  state.stopping = true;
  hypervisor.stopping = true;
});
console.log(`hypervisor: following the emulator every ${POLL_MS} ms`);

async function pass(): Promise<void> {
  try {
    for (const f of await scheduler.pass())
      console.log(
        `${new Date().toISOString()} schedule ${f.name} (lab clock ${f.at}): ${f.what}: ${f.outcome}${f.detail ? ` (${f.detail})` : ""}`,
      );
  } catch (e) {
    console.error(
      `${new Date().toISOString()} schedules failed: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  try {
    await hypervisor.reconcile();
  } catch (e) {
    console.error(
      `${new Date().toISOString()} reconcile failed: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  if (state.stopping) hypervisor.destroy();
  else setTimeout(() => void pass(), POLL_MS);
}
await pass();
