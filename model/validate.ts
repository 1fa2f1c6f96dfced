// Every rule a model must meet, section by section (sections/*.ts), and what a target
// needs beyond them; one error lists every problem with its fix.
import { stringProblems } from "./strings.ts";
import { AWS_REGIONS, closest, ModelError, newRules, type Problem } from "./rules.ts";
import { networkRules } from "./sections/network.ts";
import { bastionRules } from "./sections/bastion.ts";
import { servicesRules } from "./sections/services.ts";
import { nodesRules } from "./sections/nodes.ts";
import { budgetRules } from "./sections/budget.ts";
import { guardrailsRules } from "./sections/guardrails.ts";
import { versionsRules } from "./sections/versions.ts";
import { platformRules } from "./sections/platform.ts";
import { labRules } from "./sections/lab.ts";
import type { Model, TargetName } from "./types.ts";

export {
  AWS_REGIONS,
  closest,
  cronProblem,
  GRAVITON_SIZES,
  isArmInstanceType,
  ModelError,
  sshKeyProblem,
  urlProblem,
  type Problem,
} from "./rules.ts";

/**
 * What a target needs beyond a valid model: the aws target opens SSH to one real address
 * with one real key, so both must be set. Checked before any file is written or API called.
 */
export function validateForTarget(model: Model, target: TargetName): Model {
  const problems: Problem[] = [];
  if (target === "aws") {
    if (model.bastion.operatorIpv6Cidr === null)
      problems.push({
        path: "bastion.operatorIpv6Cidr",
        value: null,
        message: "is not set, and the aws target allows SSH only from it",
        fix: 'set it in moon.config.json to your home address as a /128, e.g. "2001:db8:ab::10/128"',
      });
    if (model.bastion.sshPublicKey === null || model.bastion.sshPublicKey.trim() === "")
      problems.push({
        path: "bastion.sshPublicKey",
        value: model.bastion.sshPublicKey,
        message: "is missing: the bastion accepts only this key",
        fix: "set it in moon.config.json to the line of your ~/.ssh/id_ed25519.pub",
      });
    if (model.budget.alertEmail === null)
      problems.push({
        path: "budget.alertEmail",
        value: null,
        message: "is not set, and the budget's alert has nowhere to go",
        fix: 'set it in moon.config.json to the address AWS Budgets should mail, e.g. "you@example.org"',
      });
  }
  if (problems.length > 0) throw new ModelError(problems);
  return model;
}

/** Validates the whole model; throws one ModelError listing every problem. */
export function validateModel(model: Model): Model {
  const problems: Problem[] = [];
  const r = newRules(problems);
  const add = r.add;
  if (!(AWS_REGIONS as readonly string[]).includes(model.region)) {
    const guess = closest(model.region, AWS_REGIONS);
    add(
      "region",
      model.region,
      "is not an AWS region",
      guess ? `did you mean "${guess}"?` : `use one of ${AWS_REGIONS.join(", ")}`,
    );
  }

  const at = networkRules(model, r);
  bastionRules(model, r, at);
  servicesRules(model, r, at);
  nodesRules(model, r, at);
  budgetRules(model, r);
  guardrailsRules(model, r);
  versionsRules(model, r);
  platformRules(model, r);
  labRules(model, r, at);

  // The floor every string stands on (model/strings.ts), for the values the checks of their
  // meaning above let through; a value is reported once, by its most specific check.
  const reported = new Set(problems.map((p) => p.path));
  problems.push(...stringProblems(model).filter((p) => !reported.has(p.path)));
  if (problems.length > 0) throw new ModelError(problems);
  return model;
}
