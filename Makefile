# CSCMS — the two commands a newcomer needs are `make run` and `make test`.
CARGO ?= cargo
# Honours CARGO_TARGET_DIR, so a worktree with its own target dir regenerates the contract from its own build.
BIN := $(or $(CARGO_TARGET_DIR),target)/debug/cscms

# One build serves the lints and the tests. clippy-driver compiles the
# workspace's own crates (running its lints, warnings denied) and rustc the
# dependencies, so there is no second, check-only build of the whole tree.
# Every cargo run from this file shares that build; a bare `cargo test`
# outside make recompiles the workspace's crates, not the dependencies.
CLIPPY_DRIVER := $(shell rustup which clippy-driver 2>/dev/null || command -v clippy-driver)
export RUSTC_WORKSPACE_WRAPPER := $(CLIPPY_DRIVER)
export CLIPPY_ARGS := -D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__
# Whole builds, as CI's always are: incremental compilation only added work
# to them (27 s of a cold build here).
export CARGO_INCREMENTAL ?= 0
# Twice as many test threads as cores: the API tests spend a third of their
# time waiting (timers, long polls, a second process), and two threads left
# the cores idle for it (SQLite stage: 67 s with 2, 54 s with 4, 58 s with 6).
export RUST_TEST_THREADS ?= $(shell echo $$(( $$(nproc) * 2 )))

.PHONY: demo-reset run test prepare readme-walkthrough test-sqlite test-postgres lint lint-contract openapi build bench fuzz-api fuzz-smoke fuzz-smoke-postgres print-tools metrics-tools clients docs-browser

build:
	$(CARGO) build -p cscms-api --bin cscms

## Build, migrate, seed the demo if the database is empty, serve on 127.0.0.1:8080.
run: build
	$(BIN) seed-demo --if-empty
	$(BIN) serve --announce

## A fresh demo: the next `make run` creates and seeds a new database. The
## signing secret stays, so tokens already minted remain valid.
demo-reset:
	rm -f data/cscms.db data/cscms.db-wal data/cscms.db-shm data/cscms.db-journal

## Formatting and lints (as the suite's build), then the suite on SQLite and
## on a throwaway PostgreSQL, the fuzz smoke, the generated clients, the
## docs page and the README's walkthroughs. What the later stages need
## (Debian packages, the npm and Python tools, the generated clients
## compiled) is made ready beside the build, so its downloads overlap the
## compiling; the live-server stages run two at a time. --output-sync keeps
## each stage's output together.
test:
	$(MAKE) --no-print-directory -j2 --output-sync=target lint prepare
	$(MAKE) --no-print-directory test-sqlite test-postgres
	$(MAKE) --no-print-directory -j2 --output-sync=target fuzz-smoke fuzz-smoke-postgres clients docs-browser readme-walkthrough

## The tools of the stages after the build, one step at a time (one apt run,
## one writer of .venv).
prepare: node_modules/.package-lock.json
	scripts/system-tools.sh
	scripts/lint-contract.sh
	scripts/fuzz-api.sh --install
	scripts/client-ts.sh --build
	scripts/client-rust.sh --build
	scripts/readme-walkthrough.sh --install

## Formatting, then clippy over every target as the suite's own build.
lint:
	@[ -n "$(CLIPPY_DRIVER)" ] || { echo "clippy-driver not found: run 'rustup component add clippy'" >&2; exit 1; }
	$(CARGO) fmt --all -- --check
	$(CARGO) test --workspace --all-targets --no-run

## The contract as integrators' linters see it (versions pinned in package-lock.json).
lint-contract: node_modules/.package-lock.json
	scripts/lint-contract.sh

node_modules/.package-lock.json: package.json package-lock.json
	SCARF_ANALYTICS=false npm ci --no-audit --no-fund --ignore-scripts

test-sqlite: print-tools metrics-tools
	$(CARGO) test --workspace

# The same package set as test-sqlite, so the build is reused as it is (a
# `-p` subset resolves other features and compiles everything again).
test-postgres:
	scripts/with-postgres.sh $(CARGO) test --workspace

## pdftoppm (Debian's poppler-utils): the print tests keep page 1 of every print as
## PNG under target/tmp/prints/ for a reviewer to look at.
print-tools:
	@scripts/system-tools.sh pdftoppm

## promtool (Debian's prometheus package): a test checks the /metrics exposition with it.
metrics-tools:
	@scripts/system-tools.sh promtool

## Contract fuzzing of every operation with schemathesis (make test runs a small bounded pass).
fuzz-api: build
	scripts/fuzz-api.sh

# The suite's build makes the binary too (the API's integration tests run
# it): after test-sqlite this builds nothing, where `build` (a `-p` subset)
# would compile dependencies again with other features.
fuzz-smoke:
	$(CARGO) test --workspace --no-run
	FUZZ_EXAMPLES=5 scripts/fuzz-api.sh

# The same bounded pass with the server on a throwaway PostgreSQL: one code
# path serves both backends, and the contract holds on each.
fuzz-smoke-postgres:
	$(CARGO) test --workspace --no-run
	scripts/with-postgres.sh bash -c 'LIVE_DATABASE_URL=$$CSCMS_TEST_DATABASE_URL FUZZ_EXAMPLES=5 scripts/fuzz-api.sh'

## Clients generated from the committed contract, as integrators make them:
## TypeScript (openapi-typescript, `tsc --strict`) and Rust (openapi-generator),
## each run against a live server. After fuzz-smoke the server binary is built.
clients: node_modules/.package-lock.json
	scripts/client-ts.sh
	scripts/client-rust.sh

## The docs page in headless Chromium (Debian's package, installed if missing).
docs-browser: node_modules/.package-lock.json
	scripts/docs-browser.sh

## The README's walkthroughs run in order against a fresh `make run`-style
## server, each answer checked against what the README says it is.
readme-walkthrough: metrics-tools
	scripts/readme-walkthrough.sh

## Regenerate the committed contract from the code.
# Built as the suite builds (a `-p` build would compile dependencies again).
openapi:
	$(CARGO) test --workspace --no-run
	$(BIN) openapi > openapi/openapi.json

## Benchmarks: release build, 100,000 employees, wrk on loopback; writes bench/results.md.
bench:
	bench/run.sh
