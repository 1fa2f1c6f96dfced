// The lab's Talos machine configs: rendered once per lab with Talos's own library from
// generator 04's patches (the secrets bundle kept in the lab's state directory, removed by
// `lab down`), validated, and published to the emulator's parameter store as SecureString
// parameters — the same path as on aws, so the bastion's own boot installs them in matchbox.
import { join } from "node:path";
import type { Model, NodeRole } from "../model/index.ts";
import { awsClients, targetFor } from "../common/target.ts";
import {
  fileSecrets,
  publishTalosConfigs,
  renderTalosConfigs,
  type TalosValidation,
} from "../generators/talos-configs.ts";

export const labTalosDir = (model: Model) => join(model.lab.stateDir, "talos");
/** The config the lab published for a role (the node's report must match it byte for byte). */
export const labTalosConfig = (model: Model, role: NodeRole) => join(labTalosDir(model), `${role}.yaml`);

export async function publishLabTalosConfigs(
  model: Model,
): Promise<{ validation: TalosValidation[]; chunks: Record<NodeRole, number> }> {
  const dir = labTalosDir(model);
  const validation = await renderTalosConfigs(model, "lab", fileSecrets(join(dir, "secrets.yaml")), dir);
  const clients = awsClients(targetFor("lab", model));
  try {
    return { validation, chunks: await publishTalosConfigs(model, clients.ssm, dir) };
  } finally {
    clients.destroy();
  }
}
