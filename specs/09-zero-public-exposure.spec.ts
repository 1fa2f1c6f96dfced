// Spec 09 — zero public exposure (SPEC §4 row 09). Pending: its layer comes with issue #7.
import { test } from "../fixtures/index.ts";
import { pendingSpec } from "./pending.ts";

const spec = pendingSpec({
  nn: 9,
  title: "zero public exposure",
  issue: 7,
  checks: [
    "no world-open ingress but SSH from the operator /128",
    "no node has a public IP",
    "nodes route out only through NAT",
    "flow logs are on",
    "lab: a scan from the lab internet finds only SSH from home",
  ],
});

test.describe(spec.describe, () => {
  test(spec.title, spec.run);
});
