// The lab's hypervisor daemon (started by `lab up`, stopped by `lab down`): once a second,
// it makes the lab's instances match the emulator's (lab/instances.ts).
import { loadModel } from "../../model/index.ts";
import { Hypervisor } from "../instances.ts";

const POLL_MS = 1000;
const hypervisor = new Hypervisor(loadModel());
const state = { stopping: false };
process.on("SIGTERM", () => {
  state.stopping = true;
  hypervisor.stopping = true;
});
console.log(`hypervisor: following the emulator every ${POLL_MS} ms`);

async function pass(): Promise<void> {
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
