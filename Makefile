# CSCMS — the two commands a newcomer needs are `make run` and `make test`.
CARGO ?= cargo
# Honours CARGO_TARGET_DIR, so a worktree with its own target dir regenerates the contract from its own build.
BIN := $(or $(CARGO_TARGET_DIR),target)/debug/cscms

.PHONY: run test test-sqlite test-postgres lint openapi build bench fuzz-api fuzz-smoke print-tools

build:
	$(CARGO) build -p cscms-api --bin cscms

## Build, migrate, seed the demo if the database is empty, serve on 127.0.0.1:8080.
run: build
	$(BIN) seed-demo --if-empty
	$(BIN) serve --announce

## Formatting, lints, the suite on SQLite, then on a throwaway PostgreSQL.
test: lint test-sqlite test-postgres fuzz-smoke

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

test-sqlite: print-tools
	$(CARGO) test --workspace

test-postgres:
	scripts/with-postgres.sh $(CARGO) test -p cscms-store -p cscms-api -p cscms-tests

## pdftoppm (Debian's poppler-utils): the print tests keep page 1 of every print as
## PNG under target/tmp/prints/ for a reviewer to look at.
print-tools:
	@command -v pdftoppm >/dev/null || { \
	  echo "installing poppler-utils (pdftoppm) for the print previews" >&2; \
	  if [ "$$(id -u)" -eq 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; fi; }

## Contract fuzzing of every operation with schemathesis (make test runs a small bounded pass).
fuzz-api: build
	scripts/fuzz-api.sh

fuzz-smoke: build
	FUZZ_EXAMPLES=5 scripts/fuzz-api.sh

## Regenerate the committed contract from the code.
openapi: build
	$(BIN) openapi > openapi/openapi.json

## Benchmarks: release build, 100,000 employees, wrk on loopback; writes bench/results.md.
bench:
	bench/run.sh
