// Spec 06 — demo workload on ARM64 (SPEC §4 row 06). Pending: its layer comes with issue #6.
import { test } from "../fixtures/index.ts";
import { pendingSpec } from "./pending.ts";

const spec = pendingSpec({
  nn: 6,
  title: "demo workload on ARM64",
  issue: 6,
  checks: [
    "live: the SpinApp is ready, answers Hello from Spin on arm64, shows tenant isolation",
    "offline: the component builds and a local wasm runtime serves Hello from Spin",
    "offline: its manifest validates",
  ],
});

test.describe(spec.describe, () => {
  test(spec.title, spec.run);
});
