// The talk as a Marp deck, written from the kit's own data: every number is a figure
// (slides/data.ts) read from a generated file or the model, never typed in. A slide whose
// data is missing says which command makes it.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, type Model } from "../model/index.ts";
import { Figures, SOURCES, historyRuns, specFiles } from "./data.ts";

/** Screenshots the browser spec takes of the Allure report, shown when they exist. */
export const SCREENSHOTS = {
  overview: "reports/screenshots/allure-overview.png",
} as const;

export interface Deck {
  readonly markdown: string;
  readonly figures: Figures;
}

const slide = (...lines: string[]) => lines.join("\n");

export function buildDeck(model: Model, screenshotDir: string): Deck {
  const f = new Figures(model);
  const m = (key: string, field: string) => f.get(key, "model", field);
  const slides: string[] = [];

  slides.push(
    slide(
      "<!-- _class: lead -->",
      "# moon-and-back",
      "",
      "A Talos Linux + CozyStack home lab, replicated on AWS Graviton for cents a month,",
      "and proved layer by layer by an acceptance suite written before the code.",
    ),
  );

  slides.push(
    slide(
      "## The problem: a hot, loud home lab",
      "",
      "- CozyStack wants three machines with plenty of cores, memory and disk: a rack at home that",
      "  heats the room and hums all night.",
      "- The cloud runs the same stack, but a naive copy (NAT gateway, public addresses, nodes",
      "  always on) costs tens of dollars a month before anyone uses it.",
      "- So: an always-on **baseline** that costs almost nothing, and **experiment sessions**",
      "  with real nodes, priced before they start.",
    ),
  );

  slides.push(
    slide(
      "## The architecture, drawn from the model",
      "",
      `![h:470](architecture.svg)`,
      "",
      `Region ${m("region", "region")}, VPC ${m("vpc", "network.vpcCidr")}, bastion ${m("bastion.ip", "bastion.privateIp")}.`,
    ),
  );

  const caches = model.services.caches
    .map((c, i) => `${c.upstream} ${f.get(`cache.${i}.port`, "model", `services.caches.${i}.port`)}`)
    .join(", ");
  slides.push(
    slide(
      "## The netboot path, at home and on AWS",
      "",
      "**At home (and in the lab):** the bastion's dnsmasq answers DHCP and TFTP; iPXE (amd64) or",
      `GRUB (ARM64 EFI) fetches kernel and initrd from matchbox on port ${m("matchbox.port", "services.matchboxPort")},`,
      "which picks the node's group by MAC; the node fetches its role's machine config.",
      "",
      "**On AWS:** EC2 cannot PXE-boot from a DHCP server you run. The official iPXE AMI runs",
      "`#!ipxe` user data that chains to matchbox over HTTP, naming the node.",
      "",
      `Every image comes through the bastion's caches: ${caches}.`,
    ),
  );

  // The suite: each acceptance spec's status in the latest run of the history.
  const runs = historyRuns();
  const specs = specFiles();
  slides.push(
    slide(
      `## ${f.get("specs.count", "specs/", "specs.length", "int")} specs, written first`,
      "",
      "| spec | name |",
      "| ---- | ---- |",
      ...specs.map((s, i) => `| ${f.get(`spec.${s.nn}`, "specs/", `specs.${i}.nn`)} | ${s.name} |`),
    ),
  );

  if (runs.length > 0) {
    const shown = runs.slice(-8);
    const first = runs.length - shown.length;
    slides.push(
      slide(
        "## Red to green: the Allure history",
        "",
        "| run | passed | failed | broken | skipped |",
        "| --- | ------ | ------ | ------ | ------- |",
        ...shown.map((r, j) => {
          const i = first + j;
          const g = (k: "passed" | "failed" | "broken" | "skipped") =>
            f.get(`run.${i}.${k}`, SOURCES.history, `runs.${i}.${k}`, "int");
          return `| ${f.get(`run.${i}.when`, SOURCES.history, `runs.${i}.when`)} | ${g("passed")} | ${g("failed")} | ${g("broken")} | ${g("skipped")} |`;
        }),
      ),
    );
  } else slides.push(slide("## Red to green: the Allure history", "", "No history yet: run `npm run lab`."));

  const overview = join(REPO_ROOT, SCREENSHOTS.overview);
  slides.push(
    f.has(SOURCES.summary)
      ? slide(
          "## The latest run in Allure",
          "",
          `${f.get("summary.passed", SOURCES.summary, "stats.passed", "int")} passed,`,
          `${f.get("summary.skipped", SOURCES.summary, "stats.skipped", "int")} skipped with their reasons,`,
          `in ${f.get("summary.duration", SOURCES.summary, "duration", "minutes")}.`,
          "",
          existsSync(overview) ? `![h:360](${join(screenshotDir, "allure-overview.png")})` : "",
        )
      : slide("## The latest run in Allure", "", "No report yet: run `npm run lab` (it builds the report)."),
  );

  // A bill of the month-by-month shape (an older reports/cost.json has no months: make it again).
  if (f.has(SOURCES.cost) && Array.isArray(f.value(SOURCES.cost, "months"))) {
    const c = (key: string, field: string) => f.get(key, SOURCES.cost, field, "usd");
    slides.push(
      slide(
        "## What it costs, month by month, from the plan",
        "",
        `An account opened ${f.get("cost.account.opened", SOURCES.cost, "account.opened")} on the ${f.get("cost.account.plan", SOURCES.cost, "account.plan")} plan,`,
        `budget ${c("cost.budget", "budgetUsd")}, prices of ${f.get("cost.date", SOURCES.cost, "pricesDate")}; spend before credits.`,
        "",
        "| month | spend | offers |",
        "| ----- | ----- | ------ |",
        ...monthRows(f),
        "",
        `An experiment session: ${c("cost.session.hour", "session.perHourUsd")} an hour.`,
      ),
    );
    slides.push(
      slide(
        "## The alternatives, priced the same way",
        "",
        "| design | this month | first month over the budget |",
        "| ------ | ---------- | --------------------------- |",
        ...alternativesRows(f),
      ),
    );
  } else
    slides.push(slide("## What it costs", "", "No bill yet: run `npm run cost -- --lab` with the lab up."));

  slides.push(
    slide(
      "## Lessons",
      "",
      "- EC2 cannot PXE-boot from your DHCP: iPXE user data chains to matchbox over HTTP.",
      "- With no free tier left, what a running hour costs decides the hours: one t4g.micro as bastion",
      "  and NAT, its address and disk only while it runs — an hour a week within the budget.",
      "- An Auto Scaling group cannot pin an address: a persistent interface gives the bastion its own.",
      "- Without a NAT gateway every pull path needs a mirror: plain-HTTP containerd mirrors, Flux",
      "  sources and Talos installers through the caches.",
      "- Generate Talos PKI once, for fixed node addresses.",
      "- CozyStack's own Talos image is amd64-only: ARM64 nodes use Image Factory schematics.",
    ),
  );

  slides.push(
    slide(
      "## Replicate it",
      "",
      "```sh",
      "git clone https://github.com/moon-and-back/moon-and-back && cd moon-and-back",
      "npm run lab     # setup, the lab up, the nine specs, the Allure report",
      "npm test        # what CI runs",
      "```",
      "",
      "Then your own account: `docs/aws.md`.",
    ),
  );

  const markdown = [
    "---",
    "marp: true",
    "theme: default",
    "paginate: true",
    "html: true",
    "title: moon-and-back",
    "---",
    "",
    slides.join("\n\n---\n\n"),
    "",
  ].join("\n");
  return { markdown, figures: f };
}

function monthRows(f: Figures): string[] {
  return Array.from({ length: f.length(SOURCES.cost, "months") }, (_, i) => {
    const month = f.get(`cost.month.${i}`, SOURCES.cost, `months.${i}.month`);
    const spend = f.get(`cost.month.${i}.usd`, SOURCES.cost, `months.${i}.totalUsd`, "usd");
    const ok = f.value(SOURCES.cost, `months.${i}.withinBudget`) === true ? "✓" : "✗";
    const offers = Array.from({ length: f.length(SOURCES.cost, `months.${i}.offers`) }, (_, j) =>
      f.get(`cost.month.${i}.offer.${j}`, SOURCES.cost, `months.${i}.offers.${j}`),
    );
    return `| ${month} | ${spend} ${ok} | ${offers.join(", ") || "none"} |`;
  });
}

function alternativesRows(f: Figures): string[] {
  return Array.from({ length: f.length(SOURCES.cost, "alternatives") }, (_, i) => {
    const name = f.get(`cost.alt.${i}.name`, SOURCES.cost, `alternatives.${i}.name`);
    const breach =
      f.value(SOURCES.cost, `alternatives.${i}.firstBreach`) === null
        ? "none of the months"
        : f.get(`cost.alt.${i}.breach`, SOURCES.cost, `alternatives.${i}.firstBreach`);
    return `| ${name} | ${f.get(`cost.alt.${i}.usd`, SOURCES.cost, `alternatives.${i}.totalUsd`, "usd")} | ${breach} |`;
  });
}
