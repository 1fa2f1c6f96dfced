// The lab project's setup: brings the lab up unless it already is (a no-op then).
import { test } from "../fixtures/index.ts";
import { labUp } from "../fixtures/lab.ts";

test("the lab is up", async ({ model }) => {
  test.setTimeout(600_000);
  await labUp(model);
});
