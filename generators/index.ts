import { generator01 } from "./01-network.ts";
import type { Generator } from "./types.ts";

export type { GeneratedFile, Generator } from "./types.ts";

/** Every generator, by spec number. Generator NN serves spec NN. */
export const GENERATORS: readonly Generator[] = [generator01];

/** Folders whose every file is generated: a file there that no generator made is an error. */
export const GENERATED_ROOTS = ["infra"] as const;
