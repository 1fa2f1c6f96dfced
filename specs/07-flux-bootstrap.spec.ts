// Spec 07 — Flux bootstrap (SPEC §4 row 07). Pending: its layer comes with issue #6.
import { test } from "../fixtures/index.ts";
import { pendingSpec } from "./pending.ts";

const spec = pendingSpec({
  nn: 7,
  title: "Flux bootstrap",
  issue: 6,
  checks: [
    "live: flux-system, controllers available, GitRepository, Kustomizations ready",
    "offline: the tree builds, paths exist, no dependsOn cycle, strict decoding",
  ],
});

test.describe(spec.describe, () => {
  test(spec.title, spec.run);
});
