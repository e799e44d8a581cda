# Waymark's two commands: `make run` and `make test`. Both install what is missing first
# (scripts/setup.sh), so they work on a fresh Debian or Ubuntu machine.

SHELL := /bin/bash
CARGO ?= cargo
NPM ?= npm
UI_DEPS := ui/node_modules/.package-lock.json
# The Tauri CLI that builds installers (package.json at the root).
TAURI_CLI := node_modules/.bin/tauri

.PHONY: run test setup ui ui-deps lint unit e2e package package-check bench measure bindings schema errors

## Build and launch the desktop app on its default data folder (WAYMARK_DATA_DIR overrides).
run: setup ui
	$(CARGO) build -p waymark-app
	target/debug/waymark-app

## Every check CI runs: formatting, lints, type checks, unit tests and the app end to end.
## A one-off build gains nothing from incremental compilation, which would keep a second copy
## of every workspace crate's work (3 GB) on a CI disk that has run out of space before.
test: export CARGO_INCREMENTAL := 0
test: setup ui lint unit e2e package-check

setup:
	@scripts/setup.sh

$(UI_DEPS): ui/package.json ui/package-lock.json
	cd ui && $(NPM) ci --no-audit --no-fund

ui-deps: $(UI_DEPS)

## The web UI, built into ui/dist (embedded into the app binary at compile time).
ui: ui-deps
	cd ui && $(NPM) run build

lint: ui-deps
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
	@# The endpoint builds on a bare server: nothing of Tauri, WebKitGTK or GTK in its graph.
	@if $(CARGO) tree -p waymark-server -e normal --prefix none --locked | grep -Eiq '^(tauri|wry|webkit2gtk|javascriptcore|gtk|gdk|soup3|waymark-core|waymark-app) '; then \
	  echo "waymark-server depends on a desktop crate:"; $(CARGO) tree -p waymark-server -e normal --prefix none | grep -Ei '^(tauri|wry|webkit2gtk|javascriptcore|gtk|gdk|soup3|waymark-core|waymark-app) ' | sort -u; exit 1; fi
	@# The school's submission engine adapts to any front end: nothing of Tauri or GTK in it.
	@if $(CARGO) tree -p waymark-sync -e normal --prefix none --locked | grep -Eiq '^(tauri|wry|webkit2gtk|javascriptcore|gtk|gdk|soup3|waymark-app) '; then \
	  echo "waymark-sync depends on a desktop crate"; exit 1; fi
	cd ui && $(NPM) run check && $(NPM) run lint

## The endpoint's suite runs twice: on the embedded stores (above), and on a real PostgreSQL and
## a real S3-compatible server (s3s-fs), both started on loopback by the tests themselves. The
## same `--workspace` selection as above, so nothing is compiled again (it also reruns the
## assessor tool's own tests/review.rs, a few seconds, which has no stores to choose).
SERVER_SUITE := --test enrollment --test uploads --test submissions --test review --test binary --test privacy
unit: ui-deps
	$(CARGO) test --workspace --all-targets --locked
	WAYMARK_TEST_STORAGE=postgres+s3 $(CARGO) test --workspace --locked $(SERVER_SUITE)
	cd ui && $(NPM) test

## The real app in a real window under Xvfb, driven over WebDriver (tauri-driver).
## The binaries come from the same build as the unit tests (same packages, targets and so
## features): `cargo build -p waymark-app` alone resolves features without the workspace's
## dev-dependencies and so compiled ~300 crates a second time.
e2e: ui
	$(CARGO) build --workspace --all-targets --locked
	scripts/e2e.sh

$(TAURI_CLI): package.json package-lock.json
	$(NPM) ci --no-audit --no-fund

## Installers for this computer's platform (release build) in target/release/bundle/: .deb and
## .rpm on Linux, .msi and .exe (NSIS) on Windows, .app and .dmg on macOS. Each carries the app
## and the `waymark` CLI. See README.md, "Installing Waymark on many machines".
package: setup ui-deps $(TAURI_CLI)
	$(TAURI_CLI) build --ci

## The Linux package made from the e2e tests' debug build (no second build), unpacked and
## smoke-tested: the packaged CLI runs and the packaged app shows its first screen.
package-check: e2e $(TAURI_CLI)
	scripts/package-test.sh

## Benchmarks (release build): status over growing history; evidence scans against b3sum and
## git status (apt-get install b3sum for the reference); the PDF report of 500 benchmarks; the
## endpoint's ingest (200 institutions × 10 MB while 50 poll status) against dd on the same disk.
bench: setup
	$(CARGO) bench -p waymark-core --bench progress
	$(CARGO) build --release -p waymark-cli
	$(CARGO) bench -p waymark-core --bench evidence_scan
	$(CARGO) bench -p waymark-documents --bench report
	$(CARGO) bench -p waymark-server --bench ingest
	WAYMARK_BENCH_POLL_MS=1000 $(CARGO) bench -p waymark-server --bench ingest
	$(CARGO) bench -p waymark-sync --bench submit

## App start-up time, memory and autosave round trip under Xvfb.
measure: ui
	$(CARGO) build -p waymark-app --locked
	scripts/e2e.sh measure

## Regenerate ui/src/lib/bindings.ts (the Rust types), ui/src/lib/commands.ts (the command
## wrappers, from src-tauri/command_list.rs) and ui/src/test/fixtures/core/*.json (the core's
## answers the UI's tests replay, from src-tauri/ui_fixtures.rs, and the submission journey's
## from tests/app_submission.rs: ui/src/test/fixtures/core/submissions.json).
bindings:
	WAYMARK_BLESS=1 $(CARGO) test -p waymark-app --lib -- the_generated_ the_ui_fixtures_are_the_cores_answers
	WAYMARK_BLESS=1 $(CARGO) test -p waymark-app --test app_submission

## Regenerate docs/errors.md from the core's error codes.
errors:
	WAYMARK_BLESS=1 $(CARGO) test -p waymark-core --lib the_error_code_reference_is_current

## Regenerate docs/framework.schema.json from the Rust types.
schema:
	WAYMARK_BLESS=1 $(CARGO) test -p waymark-framework --lib the_published_json_schema_is_current
