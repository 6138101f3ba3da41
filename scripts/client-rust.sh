#!/usr/bin/env bash
# The Rust client as an integrator builds it: openapi-generator (pinned,
# from PyPI, run on Debian's Java) generates a crate from the committed
# contract; clients/rust is a program written against it, built with its
# own lockfile and run against a live server on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
GENERATOR=7.26.0

scripts/system-tools.sh java
[ -x .venv/bin/python ] || python3 -m venv .venv
if [ "$(.venv/bin/openapi-generator-cli version 2>/dev/null)" != "$GENERATOR" ]; then
  echo "client-rust: installing openapi-generator $GENERATOR into .venv" >&2
  .venv/bin/pip install -q "openapi-generator-cli==$GENERATOR"
fi

# shellcheck source=scripts/lib/fresh.sh
. scripts/lib/fresh.sh
# Validation and generation depend only on the contract and this script.
if fresh "$STAMPS/client-rust" openapi/openapi.json scripts/client-rust.sh && [ -d clients/rust/generated ]; then
  echo "client-rust: the contract is unchanged since the client was last generated" >&2
else
  echo "openapi-generator $GENERATOR (validate, then the rust generator):" >&2
  .venv/bin/openapi-generator-cli validate -i openapi/openapi.json
  rm -rf clients/rust/generated
  .venv/bin/openapi-generator-cli generate -i openapi/openapi.json -g rust -o clients/rust/generated \
    --package-name cscms-client --additional-properties=library=reqwest,supportAsync=true \
    --global-property=apiDocs=false,modelDocs=false,apiTests=false,modelTests=false >/dev/null 2>&1 \
    || { echo "client-rust: openapi-generator failed:" >&2
         .venv/bin/openapi-generator-cli generate -i openapi/openapi.json -g rust -o "$(mktemp -d)" 2>&1 | grep -E "ERROR|Exception" >&2; exit 1; }
  stamp "$STAMPS/client-rust"
fi

# Its own target directory: the generated crate's dependencies (reqwest, tokio)
# are not the service's, and sharing would churn the service's build.
client_target=${CARGO_TARGET_DIR:-target}/client-rust
# Built as an integrator builds it: plain rustc, not the service's clippy lints.
env -u RUSTC_WORKSPACE_WRAPPER -u CLIPPY_ARGS CARGO_TARGET_DIR="$client_target" cargo build --locked -q --manifest-path clients/rust/Cargo.toml
# `--build`: generate and compile only (make test does this beside the build).
[ "${1:-}" != --build ] || exit 0

# shellcheck source=scripts/lib/live-server.sh
. scripts/lib/live-server.sh

live_server_start 20
CSCMS_BASE_URL=$BASE_URL CSCMS_DOPT_TOKEN=$(live_token dopt) "$client_target/debug/cscms-client-check"
live_server_check_log
