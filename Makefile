# Waymark's two commands: `make run` and `make test`. Both install what is missing first
# (see scripts/setup.sh), so they work on a fresh Debian or Ubuntu machine.

SHELL := /bin/bash
CARGO ?= cargo
# Demo data folder used by `make run` until the desktop shell lands.
DEMO_DIR ?= $(CURDIR)/target/demo-data

.PHONY: run test setup lint unit bench demo schema clean-demo

## Build and run Waymark on a demo data folder (status of a sample self-review).
run: setup
	$(CARGO) build -p waymark-cli
	@scripts/demo.sh "$(CURDIR)/target/debug/waymark" "$(DEMO_DIR)"

## Run every check CI runs: formatting, lints and all tests.
test: setup lint unit

setup:
	@scripts/setup.sh

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

unit:
	$(CARGO) test --workspace --all-targets --locked

## Benchmarks (release build): progress and award status over growing history.
bench: setup
	$(CARGO) bench -p waymark-core --bench progress

## Regenerate docs/framework.schema.json from the Rust types.
schema:
	WAYMARK_BLESS=1 $(CARGO) test -p waymark-core --lib the_published_json_schema_is_current

clean-demo:
	rm -rf "$(DEMO_DIR)"
