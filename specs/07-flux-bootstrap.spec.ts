// Spec 07 — Flux bootstrap (SPEC §4 row 07). Pending: its layer comes with issue #6.
import { pendingSpec } from "./pending.ts";

pendingSpec({
  nn: 7,
  title: "Flux bootstrap",
  issue: 6,
  checks: [
    "live: flux-system, controllers available, GitRepository, Kustomizations ready",
    "offline: the tree builds, paths exist, no dependsOn cycle, strict decoding",
  ],
});
