// Specs whose layer is not built yet: one visible skip per spec, with the reason and the
// checks to come. Once the spec's generator exists the skip lifts and the test fails
// until its checks are written, so a pending spec can never pass by accident.
import { test } from "../fixtures/index.ts";
import { GENERATORS } from "../generators/index.ts";

export interface PendingSpec {
  readonly describe: string;
  readonly title: string;
  readonly run: () => void;
}

export function pendingSpec(spec: {
  nn: number;
  title: string;
  issue: number;
  checks: readonly string[];
}): PendingSpec {
  const nn = String(spec.nn).padStart(2, "0");
  const built = GENERATORS.some((g) => g.test === spec.nn);
  return {
    describe: `${nn} ${spec.title}`,
    title: `checks to come: ${spec.checks.join("; ")}`,
    run: () => {
      test.skip(
        !built,
        `layer ${nn} is not built yet (generator ${nn} and this spec come with issue #${spec.issue})`,
      );
      throw new Error(`generator ${nn} exists but spec ${nn}'s checks are not written yet`);
    },
  };
}
