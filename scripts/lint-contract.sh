#!/usr/bin/env bash
# Lints the committed contract with the integrators' tools, pinned in
# package-lock.json: spectral (spectral:oas) and redocly (recommended).
# Any error or warning from either fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
export SCARF_ANALYTICS=false REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
bin=node_modules/.bin
file=openapi/openapi.json
# shellcheck source=scripts/lib/fresh.sh
. scripts/lib/fresh.sh
inputs=("$file" .spectral.yaml redocly.yaml package-lock.json scripts/lint-contract.sh)
if fresh "$STAMPS/lint-contract" "${inputs[@]}"; then
  echo "lint-contract: the contract and the linters are unchanged since they last passed"
  exit 0
fi

echo "spectral $("$bin/spectral" --version) (spectral:oas, .spectral.yaml):"
"$bin/spectral" lint --ruleset .spectral.yaml --fail-severity=warn "$file"

echo "redocly $("$bin/redocly" --version 2>/dev/null) (recommended, redocly.yaml):"
report=$(mktemp)
trap 'rm -f "$report"' EXIT
# redocly exits non-zero on errors only; warnings are counted from its report.
status=0
"$bin/redocly" lint --config redocly.yaml --format json "$file" >"$report" 2>/dev/null || status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  for (const p of r.problems) console.log(`${p.severity} ${p.ruleId}: ${p.message} (${p.location.map(l => l.pointer).join(", ")})`);
  console.log(`redocly: ${r.totals.errors} errors, ${r.totals.warnings} warnings`);
  process.exit(r.totals.errors + r.totals.warnings === 0 ? 0 : 1);
' "$report"
[ "$status" -eq 0 ] && stamp "$STAMPS/lint-contract"
exit "$status"
