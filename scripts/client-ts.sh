#!/usr/bin/env bash
# The TypeScript client as an integrator builds it: types generated from the
# committed contract by openapi-typescript, a small client (clients/ts/client.mts)
# compiled with `tsc --strict` against them, then run against a live server on
# loopback. Tool versions are pinned in package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=node_modules/.bin

# shellcheck source=scripts/lib/fresh.sh
. scripts/lib/fresh.sh
# Generation and compilation depend only on these; the run is always made.
inputs=(openapi/openapi.json redocly.yaml package-lock.json clients/ts/client.mts clients/ts/tsconfig.json scripts/client-ts.sh)
if fresh "$STAMPS/client-ts" "${inputs[@]}" && [ -e target/client-ts/client.mjs ]; then
  echo "client-ts: the contract and the client are unchanged since they last compiled" >&2
else
  echo "openapi-typescript $("$bin/openapi-typescript" --version 2>/dev/null | tail -1), tsc $("$bin/tsc" --version):" >&2
  "$bin/openapi-typescript" openapi/openapi.json -o clients/ts/schema.d.ts --redocly redocly.yaml >/dev/null
  "$bin/tsc" -p clients/ts/tsconfig.json
  stamp "$STAMPS/client-ts"
fi
# `--build`: generate and compile only (make test does this beside the build).
[ "${1:-}" != --build ] || exit 0

# shellcheck source=scripts/lib/live-server.sh
. scripts/lib/live-server.sh
live_server_start 20
CSCMS_BASE_URL=$BASE_URL \
  CSCMS_DOPT_TOKEN=$(live_token dopt) \
  CSCMS_EMPLOYEE_TOKEN=$(live_token employee --employee CSS-000001) \
  CSCMS_EMPLOYEE_CODE=CSS-000001 \
  node target/client-ts/client.mjs
live_server_check_log
