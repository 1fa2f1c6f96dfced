// `npm run cost -- [--lab | --show FILE] [--account YYYY-MM[:paid|free]] [--session-hours N] [--json OUT]`
// The projected bill of a plan for this calendar month and each of the next 12, with the
// offers the account has in each, this month's line items, the design's alternatives month
// by month, and the price of an experiment session with the model's nodes. --lab reads the
// lab's applied state; --show reads the output of `tofu show -json` (of a plan file or a
// state). The clock is MOON_NOW when set (model/clock.ts).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  ACCOUNT_PLANS,
  derived,
  loadModel,
  mergeModel,
  ModelError,
  now,
  REPO_ROOT,
  runCommand,
  UsageError,
  validateModel,
  type AccountModel,
  type AccountPlan,
  type Model,
} from "../model/index.ts";
import type { TofuShow } from "./model.ts";
import { describeLine, describeMonth, projectBill, usd } from "./bill.ts";
import { PRICES_DATE } from "./prices.ts";

const USAGE =
  "usage: npm run cost -- (--lab | --show FILE) [--account YYYY-MM[:paid|free]] [--session-hours N] [--json OUT]";

interface Args {
  readonly lab: boolean;
  readonly show?: string;
  readonly account?: { opened: string; plan?: AccountPlan };
  readonly sessionHours: number;
  readonly json: string;
}

function parseArgs(argv: readonly string[]): Args {
  let lab = false;
  let show: string | undefined;
  let account: Args["account"];
  let sessionHours = 4;
  let json = join(REPO_ROOT, "reports", "cost.json");
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? "";
    const next = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${a} needs a value; ${USAGE}`);
      return v;
    };
    if (a === "--lab") lab = true;
    else if (a === "--show") show = next();
    else if (a === "--json") json = resolve(next());
    else if (a === "--session-hours") {
      const v = next();
      sessionHours = Number(v);
      if (!(sessionHours > 0))
        throw new UsageError(
          `--session-hours ${v} is not a positive number of hours; use e.g. --session-hours 4`,
        );
    } else if (a === "--account") {
      const v = next();
      const [opened = "", plan] = v.split(":");
      if (plan !== undefined && !(ACCOUNT_PLANS as readonly string[]).includes(plan))
        throw new UsageError(
          `--account ${v}: "${plan}" is not an AWS account plan; use one of ${ACCOUNT_PLANS.join(", ")}, e.g. --account 2025-09:free`,
        );
      account = plan === undefined ? { opened } : { opened, plan: plan as AccountPlan };
    } else throw new UsageError(`unknown argument ${a}; ${USAGE}`);
  }
  if (lab === (show !== undefined))
    throw new UsageError(`give one of --lab (the lab's state) or --show FILE; ${USAGE}`);
  return { lab, show, account, sessionHours, json };
}

/** The model, with the account of --account in place of the model's (validated the same way). */
function modelFor(args: Args): Model {
  const base = loadModel();
  if (!args.account) return base;
  const account: AccountModel = {
    plan: args.account.plan ?? base.budget.account.plan,
    opened: args.account.opened,
  };
  try {
    return validateModel(mergeModel(base, { budget: { account } }));
  } catch (e) {
    // The model's own problem, named as the flag the user typed.
    if (e instanceof ModelError)
      throw new UsageError(
        e.problems
          .map((p) => `--account ${args.account?.opened ?? ""}: ${p.path} ${p.message}. Fix: ${p.fix}`)
          .join("; "),
      );
    throw e;
  }
}

/** The output of `tofu show -json` of a plan or a state, or a UsageError naming the file. */
function readShow(file: string): TofuShow {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(
      `--show ${file}: cannot be read (${(e as Error).message}). Fix: tofu show -json tfplan > plan.json, then --show plan.json`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(
      `--show ${file}: is not JSON. Fix: give the output of tofu show -json (of a plan or a state)`,
    );
  }
  const root = (key: string): boolean => {
    const v = (parsed as Record<string, unknown>)[key];
    return (
      typeof v === "object" && v !== null && typeof (v as Record<string, unknown>).root_module === "object"
    );
  };
  if (
    typeof parsed !== "object" ||
    parsed === null ||
    Array.isArray(parsed) ||
    !(root("planned_values") || root("values"))
  )
    throw new UsageError(
      `--show ${file}: is neither a plan nor a state (no planned_values or values with a root_module). Fix: give the output of tofu show -json tfplan or tofu show -json`,
    );
  return parsed;
}

/** What the lab applied: it writes `tofu show -json` of its state after each apply. */
function readLabApplied(model: Model): TofuShow {
  const file = derived(model).labAppliedJson;
  if (!existsSync(file))
    throw new UsageError(
      `--lab: the lab has applied nothing (no ${file}). Fix: npm run lab:up, then try again`,
    );
  return readShow(file);
}

function main(): number {
  const args = parseArgs(process.argv.slice(2));
  const model = modelFor(args);
  const show = args.lab ? readLabApplied(model) : readShow(args.show ?? "");
  const bill = projectBill(model, show, { now: now(), sessionHours: args.sessionHours });
  const a = bill.account;
  console.log(
    `prices: eu-west-1, table of ${PRICES_DATE} (cost/prices.ts); account opened ${a.opened}, ${a.plan} plan; now ${bill.now.slice(0, 10)}`,
  );
  console.log(`this month (${bill.months[0]?.month ?? "?"}), line by line:`);
  for (const l of bill.estimate.lines) console.log(`  ${describeLine(l)}`);
  console.log(
    `  spend ${usd(bill.estimate.totalUsd)} (before offers ${usd(bill.estimate.grossUsd)}, free tier ${usd(bill.estimate.freeTierUsd)})`,
  );
  console.log(
    `the ${bill.months.length} months (spend before credits, against the budget of ${usd(bill.budgetUsd)}):`,
  );
  for (const m of bill.months) {
    console.log(`  ${describeMonth(m, bill.budgetUsd)}`);
    for (const note of m.notes) console.log(`      ${note}`);
  }
  console.log(`first month over the budget: ${bill.firstBreach ?? "none of these"}`);
  console.log(`always free: ${bill.alwaysFree.join(", ")}`);
  console.log(`t4g instance-hours, the most in a month: ${bill.t4gHours.toFixed(1)}`);
  for (const u of bill.unexpected) console.log(`  unexpected: ${u.address}: ${u.problem}`);
  console.log("alternatives (this month; first month over the budget):");
  for (const alt of bill.alternatives)
    console.log(
      `  ${alt.name}: ${usd(alt.totalUsd)}; ${alt.firstBreach ?? "within the budget all 13 months"}`,
    );
  const s = bill.session;
  console.log(
    `experiment session: ${s.nodes} × ${s.instanceType} with ${model.nodes.aws.systemVolumeGb + model.nodes.aws.dataVolumeGb} GB each: ${usd(s.perHourUsd)} an hour, ${usd(s.totalUsd)} for ${s.hours} h (no free tier)`,
  );
  mkdirSync(dirname(args.json), { recursive: true });
  writeFileSync(args.json, `${JSON.stringify(bill, null, 2)}\n`);
  console.log(`written: ${args.json}`);
  if (bill.unexpected.length > 0) {
    console.error(
      `cost: ${bill.unexpected.length} resource(s) the cost model cannot price or does not expect (listed above). Fix: remove them from the plan, or price them in cost/prices.ts`,
    );
    return 1;
  }
  return 0;
}

if (fileURLToPath(import.meta.url) === resolve(process.argv[1] ?? ""))
  runCommand("cost", main, { usage: USAGE });
