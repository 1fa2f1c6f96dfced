// The typed model of a deployment: the one source of truth for every address, name,
// port, schedule, budget and version. Generators, fixtures, specs and the lab all read
// it; nothing else defines these values.
//
// Each section has its file under sections/ with its types, its defaults and its rules;
// this file puts them together.
import type { BastionModel } from "./sections/bastion.ts";
import type { BudgetModel } from "./sections/budget.ts";
import type { GuardrailsModel } from "./sections/guardrails.ts";
import type { LabModel } from "./sections/lab.ts";
import type { NetworkModel } from "./sections/network.ts";
import type { NodesModel } from "./sections/nodes.ts";
import type { PlatformModel } from "./sections/platform.ts";
import type { ServicesModel } from "./sections/services.ts";
import type { VersionsModel } from "./sections/versions.ts";

export * from "./sections/network.ts";
export * from "./sections/bastion.ts";
export * from "./sections/services.ts";
export * from "./sections/nodes.ts";
export * from "./sections/budget.ts";
export * from "./sections/guardrails.ts";
export * from "./sections/versions.ts";
export * from "./sections/platform.ts";
export * from "./sections/lab.ts";

export const TARGETS = ["lab", "aws", "home"] as const;
export type TargetName = (typeof TARGETS)[number];

export interface Model {
  readonly project: string;
  readonly region: string;
  /** Tags put on every resource. */
  readonly tags: Readonly<Record<string, string>>;
  readonly network: NetworkModel;
  readonly bastion: BastionModel;
  readonly services: ServicesModel;
  readonly nodes: NodesModel;
  readonly budget: BudgetModel;
  readonly guardrails: GuardrailsModel;
  readonly versions: VersionsModel;
  readonly platform: PlatformModel;
  readonly lab: LabModel;
}

/** A deep partial of the model, as a user's override file gives it. */
export type ModelOverrides = {
  [K in keyof Model]?: Model[K] extends readonly unknown[]
    ? Model[K]
    : Model[K] extends object
      ? DeepPartial<Model[K]>
      : Model[K];
};
type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K];
};
