// `npm run cost -- [--lab | --show FILE] [--profile P] [--session-hours N] [--json OUT]`
// The projected monthly bill of a plan, its line items, the design's alternatives, and the
// price of an experiment session with the model's nodes. --lab reads the lab's applied
// state; --show reads the output of `tofu show -json` (of a plan file or a state).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { tofuShowJson } from "../lab/tofu.ts";
import { loadModel, REPO_ROOT } from "../model/index.ts";
import { offersUsed, type TofuShow } from "./model.ts";
import { describeLine, projectBill, usd } from "./bill.ts";
import { FREE_TIER_PROFILES, PRICES_DATE, type FreeTierProfile } from "./prices.ts";

function parseArgs(argv: readonly string[]): {
  lab: boolean;
  show?: string;
  profile: FreeTierProfile | undefined;
  sessionHours: number;
  json: string;
} {
  const out = {
    lab: false,
    show: undefined as string | undefined,
    profile: undefined as FreeTierProfile | undefined,
    sessionHours: 4,
    json: join(REPO_ROOT, "reports", "cost.json"),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a ?? ""} needs a value`);
      return v;
    };
    if (a === "--lab") out.lab = true;
    else if (a === "--show") out.show = next();
    else if (a === "--json") out.json = resolve(next());
    else if (a === "--session-hours") out.sessionHours = Number(next());
    else if (a === "--profile") {
      const p = next();
      if (!(FREE_TIER_PROFILES as readonly string[]).includes(p))
        throw new Error(
          `--profile ${p} is not a free-tier profile; use one of ${FREE_TIER_PROFILES.join(", ")}`,
        );
      out.profile = p as FreeTierProfile;
    } else
      throw new Error(
        `unknown argument ${a ?? ""}; usage: npm run cost -- [--lab | --show FILE] [--profile P]`,
      );
  }
  if (out.lab === (out.show !== undefined))
    throw new Error("give one of --lab (the lab's state) or --show FILE");
  if (!(out.sessionHours > 0)) throw new Error("--session-hours must be a positive number of hours");
  return out;
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const model = loadModel();
  const show = (
    args.lab ? tofuShowJson(model) : JSON.parse(readFileSync(args.show ?? "", "utf8"))
  ) as TofuShow;
  const bill = projectBill(model, show, args.profile ?? model.budget.freeTierProfile, args.sessionHours);
  console.log(`prices: eu-west-1, table of ${PRICES_DATE} (cost/prices.ts); profile: ${bill.profile}`);
  for (const o of offersUsed(bill.profile)) console.log(`  free: ${o}`);
  for (const l of bill.estimate.lines) console.log(`  ${describeLine(l)}`);
  console.log(
    `baseline: ${usd(bill.estimate.totalUsd)} a month (before free tier ${usd(bill.estimate.grossUsd)}); budget ${usd(bill.budgetUsd)}`,
  );
  console.log(`by profile: ${FREE_TIER_PROFILES.map((p) => `${p} ${usd(bill.byProfile[p])}`).join(", ")}`);
  console.log(`t4g instance-hours a month: ${bill.t4gHours.toFixed(1)} (the trial covers 750)`);
  for (const u of bill.unexpected) console.log(`  unexpected: ${u.address}: ${u.problem}`);
  console.log("alternatives:");
  for (const a of bill.alternatives) console.log(`  ${a.name}: ${usd(a.totalUsd)}`);
  const s = bill.session;
  console.log(
    `experiment session: ${s.nodes} × ${s.instanceType} with ${model.nodes.aws.systemVolumeGb + model.nodes.aws.dataVolumeGb} GB each: ${usd(s.perHourUsd)} an hour, ${usd(s.totalUsd)} for ${s.hours} h (no free tier)`,
  );
  mkdirSync(dirname(args.json), { recursive: true });
  writeFileSync(args.json, `${JSON.stringify(bill, null, 2)}\n`);
  console.log(`written: ${args.json}`);
}

if (fileURLToPath(import.meta.url) === resolve(process.argv[1] ?? "")) {
  try {
    main();
  } catch (e: unknown) {
    console.error(`cost: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  }
}
