// Spec 08 — cost within free tier (SPEC §4 row 08). Pending: its layer comes with issue #7.
import { test } from "../fixtures/index.ts";
import { pendingSpec } from "./pending.ts";

const spec = pendingSpec({
  nn: 8,
  title: "cost within free tier",
  issue: 7,
  checks: [
    "projected monthly bill under the budget",
    "t4g hours under 750 a month",
    "no unexpected services",
    "month-to-date cost under target",
  ],
});

test.describe(spec.describe, () => {
  test(spec.title, spec.run);
});
