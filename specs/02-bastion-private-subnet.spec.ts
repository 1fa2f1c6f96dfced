// Spec 02 — bastion in private subnet (SPEC §4 row 02). Pending: its layer comes with issue #3.
import { test } from "../fixtures/index.ts";
import { pendingSpec } from "./pending.ts";

const spec = pendingSpec({
  nn: 2,
  title: "bastion in private subnet",
  issue: 3,
  checks: [
    "runs in the private subnet and answers on the fixed address",
    "has IPv4 egress",
    "SSH with the operator key works from home and not from elsewhere",
    "start and stop actions give about 5 hours a day",
  ],
});

test.describe(spec.describe, () => {
  test(spec.title, spec.run);
});
