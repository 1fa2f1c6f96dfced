// The lab's AWS: moto in server mode on loopback, at the model's endpoint.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EMULATOR_PRICES_ENV, writeEmulatorPrices } from "../cost/emulator-prices.ts";
import { UPSTREAM_AMIS } from "../generators/node-amis.ts";
import { derived, REPO_ROOT, type Model } from "../model/index.ts";
import { toolPaths } from "../setup/tools.ts";
import { emulatorSocket, startProcess, type LabState } from "./state.ts";

export async function isEmulatorUp(model: Model): Promise<boolean> {
  try {
    const r = await fetch(`${derived(model).emulatorUrl}/moto-api/`, { signal: AbortSignal.timeout(1000) });
    return r.ok;
  } catch {
    return false;
  }
}

/**
 * The day of the one iPXE build the lab holds: a build after iPXE's AWS script learned IMDSv2,
 * as the nodes module requires (generators/node-amis.ts notCreatedBefore). Whether AWS holds
 * such a build is checked on AWS, by the data source's postcondition; a unit plan shows an
 * older image refused.
 */
export const LAB_IPXE_BUILD_DAY = "2026-08-03";

/**
 * The emulator's copies of the upstream AMIs (lab/moto_lab.py reads them from MOTO_LAB_AMIS):
 * each publisher's image of the pinned release, per architecture, `{region}` left for the
 * emulator's region. IDs are stable per name, as a published AMI's is.
 */
export function emulatorAmis(model: Model): Record<string, string | number>[] {
  return UPSTREAM_AMIS.flatMap((a) =>
    a.architectures.map((arch) => {
      const name = a.name
        .replace("{version}", model.versions.talos)
        // The date iPXE names each build with, which is also its creation date.
        .replace("{date}", LAB_IPXE_BUILD_DAY)
        .replace("{arch}", a.archInName[arch]);
      return {
        creationDate: a.name.includes("{date}") ? `${LAB_IPXE_BUILD_DAY}T00:00:00.000Z` : "",
        amiId: `ami-${createHash("sha256").update(name).digest("hex").slice(0, 17)}`,
        name,
        owner: a.owner,
        architecture: arch,
        rootDeviceName: a.rootDeviceName,
        rootVolumeGib: a.rootVolumeGib,
        rootVolumeType: a.rootVolumeType,
        bootMode: a.bootMode[arch] ?? "",
        source: a.source,
      };
    }),
  );
}

export async function startEmulator(model: Model, state: LabState): Promise<void> {
  if (await isEmulatorUp(model))
    throw new Error(
      `Something already answers on ${derived(model).emulatorUrl}; the lab will not share it. Stop it (npm run lab:down stops a lab's own emulator) or set lab.emulator.port in moon.config.json.`,
    );
  const { python } = toolPaths(model);
  // The emulator's Cost Explorer prices the usage it observes with the project's one price
  // table, handed over as a file: it copies no price of its own.
  mkdirSync(model.lab.stateDir, { recursive: true });
  const prices = join(model.lab.stateDir, "emulator-prices.json");
  writeEmulatorPrices(prices);
  // The upstream AMIs the nodes module looks up, as their publishers register them.
  const amis = join(model.lab.stateDir, "emulator-amis.json");
  writeFileSync(amis, JSON.stringify(emulatorAmis(model), null, 2));
  startProcess(model, state, {
    name: "emulator",
    ns: "host",
    // moto_lab.py is moto's server with the gaps the lab depends on filled (see that file).
    argv: [
      python,
      join(REPO_ROOT, "lab", "moto_lab.py"),
      "-H",
      model.lab.emulator.host,
      "-p",
      String(model.lab.emulator.port),
    ],
    // AWS-managed IAM policies (such as AmazonSSMManagedInstanceCore) exist only when loaded.
    // The socket is the only way into the emulator from inside the lab (lab/programs/relay.ts).
    // MOON_NOW, when set, passes through: the usage ledger's clock starts there.
    env: {
      ...process.env,
      MOTO_IAM_LOAD_MANAGED_POLICIES: "true",
      MOTO_LAB_UNIX_SOCKET: emulatorSocket(model),
      [EMULATOR_PRICES_ENV]: prices,
      MOTO_LAB_AMIS: amis,
    },
  });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (await isEmulatorUp(model)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `the emulator did not answer on ${derived(model).emulatorUrl} within 30 s; see ${model.lab.stateDir}/emulator.log`,
  );
}

/** Emulator processes on our port even when the state file is lost (after a crash). */
export function strayEmulatorPids(model: Model): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      const p = argv.indexOf("-p");
      if (argv.includes("moto.server") && argv[p + 1] === String(model.lab.emulator.port))
        pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}
