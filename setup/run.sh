#!/usr/bin/env bash
# The two commands of the README, and the setup they share.
#   setup/run.sh setup   install everything (idempotent)
#   setup/run.sh lab     setup, lab up, the nine specs against it, Allure report, slides; the lab stays up
#   setup/run.sh test    setup, every check CI runs, the specs against a fresh lab, the report and
#                        slides checked in a browser, lab down
set -euo pipefail

cd "$(dirname "$0")/.."
mode=${1:-}

# npm dependencies come first: the rest of the setup is TypeScript.
install_node_modules() {
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "[setup] npm ci"
    npm ci --no-audit --no-fund
  fi
}

run_setup() {
  install_node_modules
  npx tsx setup/setup.ts "$@"
}

# Builds the Allure report with the history of earlier runs, so the trend shows progress.
report() {
  npx tsx reports/build.ts || {
    echo "[report] the Allure report could not be built; see above" >&2
    return 1
  }
}

# The lab's bill for the slides (reports/cost.json), while the lab is up.
bill() {
  rm -f reports/cost.json
  npx tsx cost/cli.ts --lab >/dev/null || {
    echo "[cost] the lab's bill could not be priced; see above" >&2
    return 1
  }
}

# The report and the slides in Debian's Chromium: they render, show each spec's status, and
# every number on the slides is its source's. Keeps the results the report was built from.
browser_checks() {
  MOON_KEEP_RESULTS=1 npx playwright test --project=browser
}

case "$mode" in
  setup)
    # `npm run setup -- --only opentofu`: the aws target's tools alone, without root.
    run_setup "${@:2}"
    ;;
  lab)
    run_setup
    # The lab-setup project brings the lab up first (a no-op when it is up already).
    status=0
    npx playwright test --project=lab || status=$?
    bill || status=1
    report || status=1
    browser_checks || status=$?
    echo
    echo "The lab is still up: explore it with 'npm run lab:status'; tear it down with 'npm run lab:down'."
    exit "$status"
    ;;
  test)
    run_setup
    echo "[checks] typecheck, lint, format"
    npm run --silent typecheck
    npm run --silent lint
    npm run --silent format:check
    # The acceptance specs run against a fresh lab, taken down afterwards whatever happens.
    npx tsx lab/cli.ts down
    trap 'npx tsx lab/cli.ts down' EXIT
    status=0
    MOON_LIFECYCLE=1 npx playwright test --project=unit --project=lab || status=$?
    # The slides and the browser checks read the bill and the report: without them, fail.
    bill || status=1
    report || status=1
    browser_checks || status=$?
    exit "$status"
    ;;
  *)
    echo "usage: setup/run.sh setup|lab|test" >&2
    exit 2
    ;;
esac
