// `npm run cost -- [--lab | --show FILE] [--profile P] [--session-hours N] [--json OUT]`
// The projected monthly bill of a plan, its line items, the design's alternatives, and the
// price of an experiment session with the model's nodes. --lab reads the lab's applied
// state; --show reads the output of `tofu show -json` (of a plan file or a state).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { tofuShowJson } from "../lab/tofu.ts";
import { loadModel, REPO_ROOT, type Model } from "../model/index.ts";
import {
  alternatives,
  estimate,
  offersUsed,
  sessionUsage,
  usageOf,
  type TofuShow,
  type UsageOptions,
} from "./model.ts";
import { FREE_TIER_PROFILES, HOURS_PER_MONTH, PRICES_DATE, type FreeTierProfile } from "./prices.ts";

/** The model's schedule and the traffic a NAT gateway would see, as the model's usage options. */
export function usageOptions(model: Model): UsageOptions {
  return {
    scheduledHoursPerMonth: (model.bastion.schedule.targetHoursPerDay * HOURS_PER_MONTH) / 24,
    natGatewayGbPerMonth: 5,
  };
}

const usd = (n: number) => `$${n.toFixed(n < 1 ? 4 : 2)}`;

function parseArgs(argv: readonly string[]): {
  lab: boolean;
  show?: string;
  profile: FreeTierProfile;
  sessionHours: number;
  json: string;
} {
  const out = {
    lab: false,
    show: undefined as string | undefined,
    profile: "trial+legacy" as FreeTierProfile,
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
  const opts = usageOptions(model);
  const usage = usageOf(show, opts);
  const chosen = estimate(usage, args.profile);
  console.log(`prices: eu-west-1, table of ${PRICES_DATE} (cost/prices.ts); profile: ${args.profile}`);
  for (const o of offersUsed(args.profile)) console.log(`  free: ${o}`);
  for (const l of chosen.lines)
    console.log(
      `  ${l.address}: ${l.quantity.toFixed(1)} × ${usd(l.unitUsd)} per ${l.unit} = ${usd(l.grossUsd)}${l.freeUsd ? `, free ${usd(l.freeUsd)}` : ""} → ${usd(l.netUsd)} (${l.why})`,
    );
  console.log(
    `baseline: ${usd(chosen.totalUsd)} a month (before free tier ${usd(chosen.grossUsd)}); budget ${usd(model.budget.monthlyUsd)}`,
  );
  const profiles = Object.fromEntries(FREE_TIER_PROFILES.map((p) => [p, estimate(usage, p).totalUsd]));
  console.log(`by profile: ${FREE_TIER_PROFILES.map((p) => `${p} ${usd(profiles[p] ?? NaN)}`).join(", ")}`);
  const alts = alternatives(usage, opts).map((a) => ({
    name: a.name,
    totalUsd: estimate(a.usage, args.profile).totalUsd,
  }));
  console.log("alternatives:");
  for (const a of alts) console.log(`  ${a.name}: ${usd(a.totalUsd)}`);
  const n = model.nodes.machines.length;
  const disk = model.nodes.aws.systemVolumeGb + model.nodes.aws.dataVolumeGb;
  const hour = estimate(sessionUsage(n, model.nodes.aws.instanceType, disk, 1), "none").totalUsd;
  const session = estimate(
    sessionUsage(n, model.nodes.aws.instanceType, disk, args.sessionHours),
    "none",
  ).totalUsd;
  console.log(
    `experiment session: ${n} × ${model.nodes.aws.instanceType} with ${disk} GB each: ${usd(hour)} an hour, ${usd(session)} for ${args.sessionHours} h (no free tier)`,
  );
  mkdirSync(dirname(args.json), { recursive: true });
  writeFileSync(
    args.json,
    `${JSON.stringify({ pricesDate: PRICES_DATE, profile: args.profile, estimate: chosen, byProfile: profiles, alternatives: alts, session: { nodes: n, instanceType: model.nodes.aws.instanceType, perHourUsd: hour, hours: args.sessionHours, totalUsd: session } }, null, 2)}\n`,
  );
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
