#!/usr/bin/env bash
# The README's walkthroughs, run in order as a newcomer runs them: `make run`
# (a fresh demo database, default settings) in a directory of its own, then
# every shell block from "Walkthrough with curl" on in one bash session
# (`set -u`: a variable the README never set fails it). Each answer's status
# is checked against what the README says next to the request
# (scripts/lib/readme_walk.py); a block the README marks
# `<!-- walkthrough: not run (why) -->` is left out.
# The OAuth walkthrough's client needs Python's `cryptography`, installed
# from PyPI into ./.venv (`--install` installs it and stops).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
if ! .venv/bin/python -c "import cryptography" 2>/dev/null; then
  echo "readme-walkthrough: installing cryptography into .venv" >&2
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install -q "cryptography>=42"
fi
[ "${1:-}" != --install ] || exit 0
export PATH="$repo/.venv/bin:$PATH"
BIN=${CARGO_TARGET_DIR:-target}/debug/cscms
[ -x "$BIN" ] || cargo test --workspace --no-run -q
case $BIN in /*) ;; *) BIN=$repo/$BIN ;; esac

work=$(mktemp -d /tmp/cscms-readme.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
base="http://127.0.0.1:$port"
# The README runs target/debug/cscms and docs/examples/ from the checkout.
mkdir -p "$work/target/debug"
ln -s "$BIN" "$work/target/debug/cscms"
ln -s "$repo/docs" "$work/docs"
cd "$work"
# The server as `make run` starts it, on a port of its own (named as its
# public URL, which the OAuth walkthrough's assertions are addressed to).
export CSCMS_BIND="127.0.0.1:$port" CSCMS_PUBLIC_URL="$base" CSCMS_URL="$base" RUST_LOG=warn
target/debug/cscms seed-demo --if-empty >seed.log 2>&1
target/debug/cscms serve >server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; cd /; [ -n "${WALK_KEEP:-}" ] || rm -rf "$work"' EXIT
for _ in $(seq 1 100); do curl -sf "$base/readyz" >/dev/null && break; sleep 0.1; done
curl -sf "$base/readyz" >/dev/null || { echo "readme-walkthrough: the server did not start:" >&2; cat server.log >&2; exit 1; }

{
  cat <<'PREAMBLE'
# Each answer's README line, status, method and URL, to the log; a format
# of the README's own (-w) is kept, with this after it. A body the README
# does not send to a file is also kept, on one line after its README line.
curl() {
  local ours="%{stderr}${WALK_AT:-0} %{http_code} %{method} %{url_effective}\n" args=() merged= body= rc=0
  while [ $# -gt 0 ]; do
    case $1 in
      -w | --write-out) args+=("$1" "$2$ours"); merged=1; shift 2 ;;
      -o | --output) args+=("$1" "$2"); body=none; shift 2 ;;
      *) args+=("$1"); shift ;;
    esac
  done
  [ -n "$merged" ] || args=(-w "$ours" "${args[@]}")
  [ -n "$body" ] || { body=$(mktemp); args+=(-o "$body"); }
  command curl --no-progress-meter "${args[@]}" 2>>"$WALK_LOG" || rc=$?
  if [ "$body" != none ]; then
    cat "$body"
    { printf '%s ' "${WALK_AT:-0}"; tr '\r\n' '  ' <"$body"; echo; } >>"$WALK_BODIES"
    rm -f "$body"
  fi
  return $rc
}
# A command that fails (a grep that finds nothing, promtool refusing the
# metrics) is a README that says what does not happen.
set -o pipefail
trap 'echo "README.md:${WALK_AT:-0}: a command failed ($?)" >>"$WALK_FAILED"' ERR
PREAMBLE
  python3 "$repo/scripts/lib/readme_walk.py" script "$repo/README.md" "$base"
} >walk.sh
status=0
WALK_LOG=$work/walk.log WALK_FAILED=$work/failed.log WALK_BODIES=$work/bodies.log bash -u walk.sh >walk.out 2>walk.err || {
  status=1
  echo "readme-walkthrough: the script stopped ($?):" >&2
  tail -20 walk.err >&2
}
if [ -s failed.log ]; then
  status=1
  sed 's/^/  /' failed.log >&2
fi
grep -E '^[0-9]+ [0-9]{3} [A-Z]+ ' walk.log >answers.log || true
touch bodies.log
python3 "$repo/scripts/lib/readme_walk.py" check "$repo/README.md" answers.log bodies.log || status=1
if grep -q "panicked" server.log; then
  echo "readme-walkthrough: the server panicked:" >&2
  grep -n "panicked" server.log >&2
  status=1
fi
[ $status = 0 ] || { echo "readme-walkthrough: stderr of the walkthrough:" >&2; grep -v '^[0-9]* [0-9]\{3\} ' walk.err | tail -40 >&2 || true; }
exit $status
