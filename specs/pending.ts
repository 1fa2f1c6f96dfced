// Specs whose layer is not built yet: one visible skip per spec, with the reason and the
// checks to come. Once the spec's generator exists the skip lifts and the test fails
// until its checks are written, so a pending spec can never pass by accident.
import { GENERATORS } from "../generators/index.ts";
import { test } from "../fixtures/index.ts";

export function pendingSpec(spec: {
  nn: number;
  title: string;
  issue: number;
  checks: readonly string[];
}): void {
  const built = GENERATORS.some((g) => g.test === spec.nn);
  test.describe(`${String(spec.nn).padStart(2, "0")} ${spec.title}`, () => {
    test(`checks to come: ${spec.checks.join("; ")}`, () => {
      test.skip(
        !built,
        `layer ${String(spec.nn).padStart(2, "0")} is not built yet (generator ${spec.nn} and this spec come with issue #${spec.issue})`,
      );
      throw new Error(`generator ${spec.nn} exists but spec ${spec.nn}'s checks are not written yet`);
    });
  });
}
