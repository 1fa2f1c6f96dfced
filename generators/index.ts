import { generator01 } from "./01-network.ts";
import { generator02 } from "./02-bastion.ts";
import { generator03 } from "./03-netboot.ts";
import { generator04 } from "./04-talos.ts";
import { generator05 } from "./05-cozystack.ts";
import { generator06 } from "./06-demo.ts";
import { generator07 } from "./07-gitops.ts";
import { generator08 } from "./08-budget.ts";
import { generator09 } from "./09-guardrails.ts";
import { rootsFiles } from "./roots.ts";
import type { GeneratedFile, Generator } from "./types.ts";
import type { Model } from "../model/index.ts";

export type { GeneratedFile, Generator } from "./types.ts";

/** Every generator, by spec number. Generator NN serves spec NN. */
export const GENERATORS: readonly Generator[] = [
  generator01,
  generator02,
  generator03,
  generator04,
  generator05,
  generator06,
  generator07,
  generator08,
  generator09,
];

/** Folders whose every file is generated: a file there that no generator made is an error. */
export const GENERATED_ROOTS = ["infra", "gitops", "demo/manifests"] as const;

/**
 * The files of the chosen generators (all when none is chosen), plus the roots of infra/,
 * which compose every layer and so are always rendered whole.
 */
export function generateFiles(model: Model, chosen: readonly Generator[] = GENERATORS): GeneratedFile[] {
  return [...chosen.flatMap((g) => g.generate(model)), ...rootsFiles(model, GENERATORS)];
}
