// Spec 03 — netboot services (SPEC §4 row 03). Pending: its layer comes with issue #4.
import { test } from "../fixtures/index.ts";
import { pendingSpec } from "./pending.ts";

const spec = pendingSpec({
  nn: 3,
  title: "netboot services",
  issue: 4,
  checks: [
    "every service is running",
    "dnsmasq serves a DHCP range in the private subnet",
    "matchbox serves the Talos kernel",
    "each cache answers /v2/ and pulls through, the second pull from cache",
    "the DNS filter resolves a name and blocks a listed one",
  ],
});

test.describe(spec.describe, () => {
  test(spec.title, spec.run);
});
