// `npm run audit -- [--target lab|aws] [--no-scan] [--no-checkov]`
// The exposure audit: the API checks of SPEC §4 row 09 against the target (the lab's
// emulator, or your AWS account with your own credentials), the lab's scan from the wire,
// and checkov over infra/. Prints each finding with the resource it names; exits 1 on any.
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { awsClients, targetFor } from "../common/target.ts";
import { LabClient } from "../fixtures/lab.ts";
import { loadModel, runCommand, TARGETS, type TargetName } from "../model/index.ts";
import { checkovProblems, runCheckov } from "./checkov.ts";
import { auditExposure, describeFindings, sessionExposure } from "./exposure.ts";
import { scanFromOutside } from "./scan.ts";

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const t = argv.includes("--target") ? argv[argv.indexOf("--target") + 1] : "lab";
  if (!(TARGETS as readonly string[]).includes(t ?? ""))
    throw new Error(`--target ${t ?? ""} is not a target; use one of ${TARGETS.join(", ")}`);
  const name = t as TargetName;
  const model = loadModel(undefined, name);
  const target = targetFor(name, model);
  const aws = awsClients(target);
  const problems: string[] = [];
  try {
    console.log(`[audit] the API of ${name === "lab" ? "the lab's emulator" : `AWS (${model.region})`}`);
    const api = await auditExposure({ model, target: name, ec2: aws.ec2 });
    problems.push(...describeFindings([...api.findings, ...sessionExposure(model)]));
    console.log(
      `  ${api.findings.length} finding(s); looked at ${JSON.stringify(api.looked.nodes)} nodes, ${String(api.looked.securityGroupRules)} rules`,
    );
    if (target.hasLabDataPlane && !argv.includes("--no-scan")) {
      console.log("[audit] the lab's scan from the lab internet and from home");
      const scan = await scanFromOutside(model, aws.ec2, new LabClient(model));
      console.log(
        `  ${scan.plan.addresses.length} addresses × ports ${scan.plan.ports}: internet ${scan.fromInternet.open.length} open (${scan.fromInternet.ms} ms), home ${scan.fromHome.open.map((o) => `[${o.host}]:${o.port}`).join(", ") || "none"} (${scan.fromHome.ms} ms)`,
      );
      problems.push(...scan.unexpected);
    }
    if (!argv.includes("--no-checkov")) {
      console.log("[audit] checkov over infra/");
      const c = runCheckov(model);
      console.log(
        `  checkov ${c.version}: ${c.passed} passed, ${c.failed.length} failed, ${c.skipped.length} skipped in the code with a reason`,
      );
      problems.push(...checkovProblems(c));
    }
  } finally {
    aws.destroy();
  }
  for (const p of problems) console.log(`  ✗ ${p}`);
  console.log(problems.length === 0 ? "[audit] no exposure found" : `[audit] ${problems.length} problem(s)`);
  return problems.length === 0 ? 0 : 1;
}

if (fileURLToPath(import.meta.url) === resolve(process.argv[1] ?? ""))
  runCommand("audit", main, { exit: true });
