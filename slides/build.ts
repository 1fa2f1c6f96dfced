// `npm run slides`: the talk built from the kit's own data into slides/dist/ — the Marp
// deck's Markdown, the architecture diagram from the model, the manifest of every figure
// with its source, then HTML and PDF (the PDF through Debian's headless Chromium).
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "../common/exec.ts";
import { loadModel, REPO_ROOT, runCommand, type Model } from "../model/index.ts";
import { toolPaths } from "../setup/tools.ts";
import { architectureSvg } from "./architecture.ts";
import { buildDeck, SCREENSHOTS } from "./deck.ts";
import type { Figure } from "./data.ts";

export const DIST = join(REPO_ROOT, "slides", "dist");
export const FIGURES_FILE = join(DIST, "figures.json");

export interface BuiltSlides {
  readonly html: string;
  readonly pdf: string;
  readonly figures: readonly Figure[];
}

export function buildSlides(model: Model, opts: { pdf?: boolean } = {}): BuiltSlides {
  const start = Date.now();
  rmSync(DIST, { recursive: true, force: true });
  mkdirSync(join(DIST, "screenshots"), { recursive: true });
  const overview = join(REPO_ROOT, SCREENSHOTS.overview);
  if (existsSync(overview)) copyFileSync(overview, join(DIST, "screenshots", "allure-overview.png"));
  const deck = buildDeck(model, "screenshots");
  writeFileSync(join(DIST, "deck.md"), deck.markdown);
  writeFileSync(join(DIST, "architecture.svg"), architectureSvg(model));
  writeFileSync(FIGURES_FILE, `${JSON.stringify(deck.figures.all, null, 2)}\n`);
  console.log(
    `[slides] deck.md with ${deck.figures.all.length} figures from generated data; architecture.svg from the model`,
  );
  const chromium = toolPaths(model).chromium;
  if (!existsSync(chromium)) throw new Error(`Chromium is not at ${chromium}: run \`npm run setup\``);
  const env = { ...process.env, CHROME_PATH: chromium };
  const marp = (out: string, ...flags: string[]) => {
    run(["npx", "marp", join(DIST, "deck.md"), "--html", "--allow-local-files", ...flags, "-o", out], {
      cwd: REPO_ROOT,
      env,
    });
  };
  const html = join(DIST, "deck.html");
  const pdf = join(DIST, "deck.pdf");
  // No on-screen controls: the slides are shown full screen, and screenshots stay clean.
  marp(html, "--bespoke.osc=false");
  if (opts.pdf !== false) marp(pdf, "--pdf");
  console.log(
    `[slides] ${html}${opts.pdf !== false ? ` and ${pdf}` : ""} in ${((Date.now() - start) / 1000).toFixed(1)} s`,
  );
  return { html, pdf, figures: deck.figures.all };
}

if (fileURLToPath(import.meta.url) === resolve(process.argv[1] ?? ""))
  runCommand("slides", () => {
    buildSlides(loadModel());
    return 0;
  });
