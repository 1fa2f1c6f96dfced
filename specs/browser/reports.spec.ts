// The reports in a real browser (Debian's Chromium): the Allure report renders and shows
// each acceptance spec with the statuses of its latest run; the slides build to HTML and
// PDF, and every number on them is the one its source says today. Screenshots go to
// reports/screenshots/ (the slides show the Allure overview; the docs copy them).
import { createServer, type Server } from "node:http";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { expect, test } from "@playwright/test";
import { loadModel, REPO_ROOT } from "../../model/index.ts";
import { buildSlides } from "../../slides/build.ts";
import { fieldOf, formatValue, loadSource, SOURCES, type Figure } from "../../slides/data.ts";

const SHOTS = join(REPO_ROOT, "reports", "screenshots");
const REPORT = join(REPO_ROOT, "reports", "allure-report");
const TYPES: Record<string, string> = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".json": "application/json",
  ".css": "text/css",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

/** The report over HTTP on loopback: its app fetches its data, which file:// URLs refuse. */
function serve(root: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = normalize(join(root, decodeURIComponent((req.url ?? "/").split("?")[0] ?? "/")));
    if (!path.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    readFile(path.endsWith("/") ? join(path, "index.html") : path).then(
      (body) =>
        res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const addr = server.address();
      resolve({ server, url: `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}/` });
    });
  });
}

/** Each acceptance spec's results in the latest run of the history: status → count. */
function latestRunBySpec(): Map<string, Record<string, number>> {
  const lines = readFileSync(join(REPO_ROOT, SOURCES.history), "utf8").split("\n").filter(Boolean);
  const run = JSON.parse(lines[lines.length - 1] ?? "{}") as {
    testResults: Record<string, { status: string; labels: { name: string; value: string }[] }>;
  };
  const out = new Map<string, Record<string, number>>();
  for (const r of Object.values(run.testResults)) {
    const suite = r.labels.find((l) => l.name === "suite")?.value ?? "";
    if (!/^\d\d-/.test(suite)) continue;
    const counts = out.get(suite) ?? {};
    counts[r.status] = (counts[r.status] ?? 0) + 1;
    out.set(suite, counts);
  }
  return out;
}

test.describe.configure({ mode: "serial" });

test("the Allure report renders and shows each spec with its statuses", async ({ page }) => {
  test.skip(
    !existsSync(join(REPORT, "index.html")),
    "no Allure report yet: run `npm run lab` (it builds one)",
  );
  mkdirSync(SHOTS, { recursive: true });
  const { server, url } = await serve(REPORT);
  try {
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.goto(`${url}index.html`);
    const summary = JSON.parse(readFileSync(join(REPORT, "summary.json"), "utf8")) as {
      stats: Record<string, number>;
    };
    await expect(page.getByText("moon-and-back acceptance").first(), "the report's title").toBeVisible();
    await expect(
      page.getByText(`Total ${summary.stats.total ?? 0}`),
      "the total the summary gives",
    ).toBeVisible();
    await page.screenshot({ path: join(SHOTS, "allure-overview.png") });
    await page.getByText("lab", { exact: true }).click();
    const expected = latestRunBySpec();
    expect(expected.size, "the latest run has acceptance specs").toBeGreaterThan(0);
    // The specs the latest run ran (a partial run shows only its own).
    for (const file of [...expected.keys()].sort()) {
      await test.step(`${file}: ${JSON.stringify(expected.get(file) ?? {})}`, async () => {
        const counts = expected.get(file);
        const row = page.locator('[data-testid="tree-section"]', {
          has: page.locator('[data-testid="tree-section-title"]', { hasText: file }),
        });
        await expect(row, `a row for ${file}`).toBeVisible();
        // The row's status bar: one item per status, its class naming the status, its text the count.
        const shown = await row
          .locator('[class*="tree-status-bar-item"]')
          .evaluateAll((items: Element[]) =>
            items.map((i) => [
              /_(passed|failed|broken|skipped|unknown)_/.exec(i.getAttribute("class") ?? "")?.[1] ?? "?",
              Number(i.textContent),
            ]),
          );
        expect(Object.fromEntries(shown), `${file}: the report's count per status`).toEqual(counts);
      });
    }
    await page.screenshot({ path: join(SHOTS, "allure-specs.png"), fullPage: true });
  } finally {
    server.close();
  }
});

test("the slides build to HTML and PDF, and every number on them matches its source", async ({ page }) => {
  const model = loadModel();
  const built = buildSlides(model);
  await test.step("a PDF with a page per slide", () => {
    const pdf = readFileSync(built.pdf);
    expect(pdf.subarray(0, 5).toString(), "a PDF file").toBe("%PDF-");
    expect(statSync(built.pdf).size).toBeGreaterThan(10_000);
  });
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(`file://${built.html}`);
  const slides = await page.locator("section").count();
  expect(slides, "the deck has its slides").toBeGreaterThan(5);
  const manifest = JSON.parse(
    readFileSync(join(REPO_ROOT, "slides", "dist", "figures.json"), "utf8"),
  ) as Figure[];
  expect(manifest.length, "the slides carry figures").toBeGreaterThan(10);
  await test.step("each figure is what its source says now", () => {
    for (const f of manifest) {
      const fresh = fieldOf(loadSource(f.source as Parameters<typeof loadSource>[0], model), f.field);
      expect(
        typeof fresh === "number" || typeof fresh === "string",
        `${f.key}: ${f.source} has ${f.field}`,
      ).toBe(true);
      expect(formatValue(f.format, fresh as number | string), `${f.key} (${f.source} ${f.field})`).toBe(
        f.text,
      );
    }
  });
  await test.step("each figure is on the rendered slides, and no number is typed in beside them", async () => {
    const rendered = await page
      .locator("section [data-figure]")
      .evaluateAll((els) =>
        els.map((e) => ({ key: e.getAttribute("data-figure") ?? "", text: e.textContent })),
      );
    for (const f of manifest)
      expect(rendered.find((r) => r.key === f.key)?.text, `figure ${f.key} on a slide`).toBe(f.text);
    const prose = await page.locator("section").evaluateAll((sections) =>
      sections.map((s) => {
        const copy = s.cloneNode(true) as HTMLElement;
        copy.querySelectorAll("[data-figure], pre, code, img, svg").forEach((e) => {
          e.remove();
        });
        return copy.textContent;
      }),
    );
    // A number not inside a name (t4g, ARM64, IPv6, x86_64), with or without a unit after it
    // ("750h", "2GB"); page numbers are drawn by CSS and are not in the text.
    const loose = prose.flatMap((text, i) =>
      [...text.matchAll(/(?<![\w./:§$-])\$?\d+(?:[.,]\d+)*/g)].map((m) => `slide ${i + 1}: ${m[0]}`),
    );
    expect(loose, "every number on the slides comes from a figure").toEqual([]);
  });
  mkdirSync(SHOTS, { recursive: true });
  for (let i = 1; i <= slides; i++) {
    await page.goto(`file://${built.html}#${i}`);
    await page.screenshot({ path: join(SHOTS, `slide-${String(i).padStart(2, "0")}.png`) });
  }
});
