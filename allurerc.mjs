// Allure 3 report configuration. The history file is kept between runs, so the report's
// trend shows the red-to-green progress of the acceptance suite.
import { defineConfig } from "allure";

export default defineConfig({
  name: "moon-and-back acceptance",
  output: "reports/allure-report",
  historyPath: "reports/history/history.jsonl",
  appendHistory: true,
  plugins: {
    awesome: { options: { reportLanguage: "en", groupBy: ["parentSuite", "suite"] } },
  },
});
