// Spec 04 — Talos node netboots (SPEC §4 row 04). Pending: its layer comes with issue #5.
import { test } from "../fixtures/index.ts";
import { pendingSpec } from "./pending.ts";

const spec = pendingSpec({
  nn: 4,
  title: "Talos node netboots",
  issue: 5,
  checks: [
    "a node gets a DHCP lease",
    "it fetches kernel and initrd from matchbox",
    "it fetches the machine config of its role",
    "it reaches ready",
    "it pulls through a registry cache",
    "both x86_64 and aarch64 nodes",
  ],
});

test.describe(spec.describe, () => {
  test(spec.title, spec.run);
});
