#!/usr/bin/env bash
# `npm run test:at -- 2027-01-15`: the whole `npm test` with every process's clock moved to
# that day, noon UTC (libfaketime), so the bill, the offers and the lab's usage ledger see
# the same date. Go programs (OpenTofu, the registry, matchbox) read the kernel's clock
# directly and keep the real one; nothing they decide depends on the month.
set -euo pipefail
cd "$(dirname "$0")/.."

day=${1:-}
if ! [[ "$day" =~ ^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$ ]]; then
  echo "test:at: give the day as YYYY-MM-DD, e.g. npm run test:at -- 2027-01-15 (got '${day}')" >&2
  exit 2
fi
command -v faketime >/dev/null || {
  echo "test:at: faketime is missing. Fix: npm run setup (it installs Debian's faketime)" >&2
  exit 2
}
echo "[test:at] npm test with the clock at ${day} 12:00:00 UTC"
# The clock runs on from that moment; monotonic clocks stay real, so timeouts keep their length.
exec env TZ=UTC FAKETIME_DONT_FAKE_MONOTONIC=1 faketime "${day} 12:00:00" bash setup/run.sh test
