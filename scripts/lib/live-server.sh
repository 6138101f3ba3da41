# Sourced by the scripts that test against a live server (fuzzing, the
# generated clients, the docs page in a browser). `live_server_start N`
# starts the debug build on a free loopback port over a fresh SQLite database
# (or the empty database LIVE_DATABASE_URL names, e.g. a throwaway PostgreSQL)
# seeded with N demo employees, waits until it is ready and stops it (and
# removes its files) when the calling script exits. It sets BASE_URL,
# LIVE_DIR and BIN; `live_token ROLE...` mints a bearer token for it.
BIN=${CARGO_TARGET_DIR:-target}/debug/cscms

live_server_start() {
  local employees=$1 port
  [ -x "$BIN" ] || cargo test --workspace --no-run -q
  LIVE_DIR=$(mktemp -d /tmp/cscms-live.XXXXXX)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  BASE_URL="http://127.0.0.1:$port"
  export CSCMS_DATABASE_URL="${LIVE_DATABASE_URL:-sqlite://$LIVE_DIR/live.db}" CSCMS_BIND="127.0.0.1:$port" CSCMS_PUBLIC_URL="$BASE_URL" RUST_LOG=warn \
    CSCMS_JWT_SECRET=live-secret-live-secret-live-secret-000000 \
    CSCMS_RATE_LIMIT_USER=1000000/1 CSCMS_RATE_LIMIT_CLIENT=1000000/1 CSCMS_RATE_LIMIT_BULK=1000000/1
  "$BIN" seed-demo --employees "$employees" >/dev/null
  "$BIN" serve >"$LIVE_DIR/server.log" 2>&1 &
  LIVE_PID=$!
  trap 'kill $LIVE_PID 2>/dev/null || true; rm -rf "$LIVE_DIR"' EXIT
  for _ in $(seq 1 100); do curl -sf "$BASE_URL/readyz" >/dev/null && return 0; sleep 0.1; done
  echo "live server did not become ready:" >&2
  cat "$LIVE_DIR/server.log" >&2
  return 1
}

# shellcheck disable=SC2068
live_token() { "$BIN" token --role $@ --ttl 1h; }

# Fails the calling script when the server panicked at any point.
live_server_check_log() {
  if grep -q "panicked" "$LIVE_DIR/server.log"; then
    echo "the server panicked:" >&2
    grep -n "panicked" "$LIVE_DIR/server.log" >&2
    return 1
  fi
}
