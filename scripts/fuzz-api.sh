#!/usr/bin/env bash
# Contract fuzzing: schemathesis (installed from PyPI into ./.venv) runs
# every operation of openapi/openapi.json against a live server on
# loopback, once per role, and fails on any 5xx, any response that breaks
# its documented schema or content type, and any undocumented status code.
# FUZZ_EXAMPLES sets examples per operation (make test uses a small number).
set -euo pipefail
cd "$(dirname "$0")/.."
EXAMPLES=${FUZZ_EXAMPLES:-50}
BIN=${CARGO_TARGET_DIR:-target}/debug/cscms

if [ ! -x .venv/bin/st ]; then
  echo "fuzz-api: installing schemathesis into .venv" >&2
  python3 -m venv .venv
  .venv/bin/pip install -q "schemathesis>=4,<5"
fi
[ -x "$BIN" ] || cargo build -q -p cscms-api --bin cscms

work=$(mktemp -d /tmp/cscms-fuzz.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
export CSCMS_DATABASE_URL="sqlite://$work/fuzz.db" CSCMS_BIND="127.0.0.1:$port" RUST_LOG=warn \
  CSCMS_JWT_SECRET=fuzz-secret-fuzz-secret-fuzz-secret-000000 \
  CSCMS_RATE_LIMIT_USER=1000000/1 CSCMS_RATE_LIMIT_CLIENT=1000000/1 CSCMS_RATE_LIMIT_BULK=1000000/1
"$BIN" seed-demo --employees 60 >/dev/null
"$BIN" serve >"$work/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done

status=0
for role in "dopt" "avd" "nodal_officer --org MHA" "employee --employee CSS-000001" "integration --scope employees:read --scope organisations:read"; do
  # shellcheck disable=SC2086
  token=$("$BIN" token --role $role --ttl 1h)
  echo "fuzz-api: as $role, $EXAMPLES examples per operation" >&2
  .venv/bin/st run openapi/openapi.json --url "http://127.0.0.1:$port" \
    -H "Authorization: Bearer $token" -n "$EXAMPLES" \
    --phases examples,fuzzing --generation-deterministic \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
    --no-color >"$work/st.log" 2>&1 || { status=1; cat "$work/st.log"; }
  # The summary: operations tested, then the test cases generated, passed, failed.
  grep -E -A1 "^(Test cases|API Operations):" "$work/st.log" | grep -v "^--" | sed "s/^/  [$role] /" >&2 || true
done
if grep -q "panicked" "$work/server.log"; then
  echo "fuzz-api: the server panicked:" >&2; grep -n "panicked" "$work/server.log" >&2; status=1
fi
exit $status
