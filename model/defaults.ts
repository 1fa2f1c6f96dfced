import type { Model } from "./types.ts";
import { NETWORK_DEFAULTS } from "./sections/network.ts";
import { BASTION_DEFAULTS } from "./sections/bastion.ts";
import { SERVICES_DEFAULTS } from "./sections/services.ts";
import { NODES_DEFAULTS } from "./sections/nodes.ts";
import { BUDGET_DEFAULTS } from "./sections/budget.ts";
import { GUARDRAILS_DEFAULTS } from "./sections/guardrails.ts";
import { VERSIONS_DEFAULTS } from "./sections/versions.ts";
import { PLATFORM_DEFAULTS } from "./sections/platform.ts";
import { LAB_DEFAULTS } from "./sections/lab.ts";

// SPEC §5's fixed values and the pinned tool versions, each section's from its own file. A
// user changes them with a `moon.config.json` override (see model/README.md), never by
// editing generated files.
export const DEFAULT_MODEL: Model = {
  project: "moon-and-back",
  region: "eu-west-1",
  tags: { Project: "moon-and-back", ManagedBy: "opentofu" },
  network: NETWORK_DEFAULTS,
  bastion: BASTION_DEFAULTS,
  services: SERVICES_DEFAULTS,
  nodes: NODES_DEFAULTS,
  budget: BUDGET_DEFAULTS,
  guardrails: GUARDRAILS_DEFAULTS,
  versions: VERSIONS_DEFAULTS,
  platform: PLATFORM_DEFAULTS,
  lab: LAB_DEFAULTS,
};

/** Frozen all the way down: a caller that changed a default would change it for every later caller. */
function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
deepFreeze(DEFAULT_MODEL);
