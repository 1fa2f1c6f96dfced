// Spec 05 — CozyStack operational (SPEC §4 row 05). Pending: its layer comes with issue #6.
import { test } from "../fixtures/index.ts";
import { pendingSpec } from "./pending.ts";

const spec = pendingSpec({
  nn: 5,
  title: "CozyStack operational",
  issue: 6,
  checks: [
    "live: API, CRDs, cozy-system pods, KubeVirt, RuntimeClass, tailscale",
    "offline: Talos configs validate with the CozyStack patches and mirrors",
    "offline: the CozyStack install manifests render and validate",
  ],
});

test.describe(spec.describe, () => {
  test(spec.title, spec.run);
});
