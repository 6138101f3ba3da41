#!/usr/bin/env bash
# Contract fuzzing: schemathesis (installed from PyPI into ./.venv) runs
# every operation of openapi/openapi.json against a live server on
# loopback, once per role, and fails on any 5xx, any response that breaks
# its documented schema or content type, and any undocumented status code.
# FUZZ_EXAMPLES sets examples per operation (make test uses a small number);
# `--install` installs schemathesis and stops.
set -euo pipefail
cd "$(dirname "$0")/.."
EXAMPLES=${FUZZ_EXAMPLES:-50}

if [ ! -x .venv/bin/st ]; then
  echo "fuzz-api: installing schemathesis into .venv" >&2
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install -q "schemathesis>=4,<5"
fi
# `--install`: the tool only (make test installs it beside the build).
[ "${1:-}" != --install ] || exit 0
# shellcheck source=scripts/lib/live-server.sh
. scripts/lib/live-server.sh
live_server_start 60

roles=("dopt" "avd" "nodal_officer --org MHA" "employee --employee CSS-000001" "integration --scope employees:read --scope organisations:read")
# Tokens first: minting one waits for the database, which a run keeps busy.
tokens=()
for role in "${roles[@]}"; do
  # shellcheck disable=SC2086
  tokens+=("$(live_token $role)")
done

# One schemathesis run per role, all at once: each is a single Python
# process, the roles are independent, and the kernel shares the cores more
# evenly than batches of `nproc` did (5 roles on 2 cores: 86 s against 99 s).
fuzz_role() {
  local n=$1
  .venv/bin/st run openapi/openapi.json --url "$BASE_URL" \
    -H "Authorization: Bearer ${tokens[$n]}" -n "$EXAMPLES" \
    --phases examples,fuzzing --generation-deterministic \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
    --no-color >"$LIVE_DIR/st-$n.log" 2>&1
}

declare -A pid_of
for n in "${!roles[@]}"; do
  echo "fuzz-api: as ${roles[$n]}, $EXAMPLES examples per operation" >&2
  fuzz_role "$n" &
  pid_of[$n]=$!
done

status=0
for n in "${!roles[@]}"; do
  wait "${pid_of[$n]}" || { status=1; cat "$LIVE_DIR/st-$n.log"; }
  # The summary: operations tested, then the test cases generated, passed, failed.
  grep -E -A1 "^(Test cases|API Operations):" "$LIVE_DIR/st-$n.log" | grep -v "^--" | sed "s/^/  [${roles[$n]}] /" >&2 || true
done
live_server_check_log || status=1
exit $status
