# CSCMS — the two commands a newcomer needs are `make run` and `make test`.
CARGO ?= cargo
# Honours CARGO_TARGET_DIR, so several checkouts can build side by side.
BIN := $(or $(CARGO_TARGET_DIR),target)/debug/cscms

.PHONY: run test test-sqlite test-postgres lint openapi build

build:
	$(CARGO) build -p cscms-api --bin cscms

## Build, migrate, seed the demo if the database is empty, serve on 127.0.0.1:8080.
run: build
	$(BIN) seed-demo --if-empty
	$(BIN) serve --announce

## Formatting, lints, the suite on SQLite, then on a throwaway PostgreSQL.
test: lint test-sqlite test-postgres

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

test-sqlite:
	$(CARGO) test --workspace

test-postgres:
	scripts/with-postgres.sh $(CARGO) test -p cscms-store -p cscms-tests

## Regenerate the committed contract from the code.
openapi: build
	$(BIN) openapi > openapi/openapi.json
