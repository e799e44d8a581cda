#!/usr/bin/env bash
# End-to-end tests of the Waymark desktop app, driven through tauri-driver.
#
#   scripts/e2e.sh            run the tests (tests/e2e/*.test.mjs, node's test runner)
#   scripts/e2e.sh measure    run tests/e2e/measure.mjs (start-up time, memory, autosave) instead
#   scripts/e2e.sh FILE...    run only the given test files
#
# It expects the app to be built already (see the message below if it is not), starts Xvfb on
# a free display when DISPLAY is unset, starts tauri-driver on port 4444 with WebKitGTK's own
# driver behind it, stops both on exit, and exits with the tests' status. Each test launches
# the app on its own fresh data folder. Screenshots go to test-output/screenshots.
#
# The app needs the OS keychain (its data folder's key is there; the submission tests keep the
# school's credentials there too, and assessor.test.mjs the assessors' age identities and tokens,
# from the app and from `waymark-assess`): the script runs itself again inside `dbus-run-session` (a private session bus) and starts
# gnome-keyring-daemon on it, unlocked, its keyring in a temporary folder (as the Rust harness,
# crates/harness/src/keychain.rs, does), before Xvfb and tauri-driver, so that the tests, the
# CLIs they run and the app (tauri-driver passes its environment on) all use that keychain.
#
# Environment (all optional):
#   WAYMARK_APP          the app binary            (default: target/debug/waymark-app)
#   TAURI_DRIVER         tauri-driver              (default: on PATH, else ~/.cargo/bin)
#   TAURI_DRIVER_PORT    its port                  (default: 4444)
#   WEBKIT_WEBDRIVER     the native driver         (default: /usr/bin/WebKitWebDriver)
#   WAYMARK_E2E_KEEP=1   keep each test's data folder (their paths are printed)
#   MEASURE_RUNS         launches for `measure`    (default: 5)
set -euo pipefail

if [[ $(uname -s) != Linux ]]; then
  echo "e2e: skipped on $(uname -s): tauri-driver drives WebKitGTK on Linux only (see README.md)."
  exit 0
fi

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
E2E="$ROOT/tests/e2e"
OUT="$ROOT/test-output"
SHOTS="$OUT/screenshots"
LOGS="$OUT/logs"

export WAYMARK_APP="${WAYMARK_APP:-$ROOT/target/debug/waymark-app}"
export TAURI_DRIVER_PORT="${TAURI_DRIVER_PORT:-4444}"
export WAYMARK_SCREENSHOTS="$SHOTS"
export WAYMARK_E2E_LOGS="$LOGS"
NATIVE_DRIVER="${WEBKIT_WEBDRIVER:-/usr/bin/WebKitWebDriver}"

mode=test
if [[ "${1:-}" == "measure" ]]; then
  mode=measure
  shift
fi
# Test files may be named from the caller's folder or from tests/e2e.
args=()
for a in "$@"; do
  if [[ -e "$a" ]]; then args+=("$(realpath "$a")"); else args+=("$a"); fi
done
set -- "${args[@]}"

die() {
  echo "e2e: $*" >&2
  exit 2
}

# --- Preconditions, each with what to do about it -------------------------------------------
[[ -x "$WAYMARK_APP" ]] || die "the app is not built ($WAYMARK_APP is missing). Build it with:
  npm --prefix ui ci && npm --prefix ui run build && cargo build -p waymark-app"
if [[ -d "$ROOT/ui/dist" && -n "$(find "$ROOT/ui/dist" -newer "$WAYMARK_APP" -print -quit)" ]]; then
  echo "e2e: note: ui/dist is newer than $WAYMARK_APP; run 'cargo build -p waymark-app' to test the latest UI" >&2
fi
TAURI_DRIVER="${TAURI_DRIVER:-$(command -v tauri-driver || echo "$HOME/.cargo/bin/tauri-driver")}"
[[ -x "$TAURI_DRIVER" ]] || die "tauri-driver is not installed. Install it with:
  cargo install tauri-driver --version \"^2\" --locked"
[[ -x "$NATIVE_DRIVER" ]] || die "$NATIVE_DRIVER is missing. Install it with: apt-get install webkit2gtk-driver"
command -v node >/dev/null || die "node is not installed (Node 20 or later is needed)"

# --- The keychain ------------------------------------------------------------------------------
# The app keeps its data folder's key in the OS keychain (everything in the folder is
# encrypted), so every run needs one, measurements included.
needs_keychain=1
if ((needs_keychain)) && [[ -z "${WAYMARK_E2E_SESSION_BUS:-}" ]]; then
  for tool in dbus-run-session:dbus-daemon dbus-send:dbus-bin gnome-keyring-daemon:gnome-keyring; do
    command -v "${tool%%:*}" >/dev/null || die "${tool%%:*} is missing (the app needs a keychain). Install it with: apt-get install ${tool##*:}"
  done
  # A private session bus for this run; dbus-run-session stops it when the script exits.
  export WAYMARK_E2E_SESSION_BUS=1
  exec dbus-run-session -- "$BASH" "${BASH_SOURCE[0]}" "$@"
fi

if [[ ! -d "$E2E/node_modules" ]]; then
  echo "e2e: installing the test dependencies (npm ci in tests/e2e)" >&2
  npm --prefix "$E2E" ci --ignore-scripts --no-audit --no-fund >&2
fi

mkdir -p "$SHOTS" "$LOGS"

# --- Background processes, stopped on exit ---------------------------------------------------
pids=()
cleanup() {
  local i
  # Newest first: the tests, then tauri-driver (which takes WebKitWebDriver with it), then Xvfb.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill "${pids[i]}" 2>/dev/null || true
    wait "${pids[i]}" 2>/dev/null || true
  done
  if [[ -n "${keyring_home:-}" ]]; then rm -rf "$keyring_home"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ -z "${DISPLAY:-}" ]]; then
  command -v Xvfb >/dev/null || die "Xvfb is not installed and DISPLAY is unset. Install it with: apt-get install xvfb"
  # -displayfd: Xvfb picks a free display number itself and writes it to the descriptor.
  display_file="$LOGS/xvfb.display"
  : >"$display_file"
  Xvfb -displayfd 3 -screen 0 1280x1024x24 -nolisten tcp 3>"$display_file" >"$LOGS/xvfb.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    [[ -s "$display_file" ]] && break
    kill -0 "${pids[-1]}" 2>/dev/null || die "Xvfb did not start; see $LOGS/xvfb.log"
    sleep 0.1
  done
  [[ -s "$display_file" ]] || die "Xvfb did not report a display within 10 s; see $LOGS/xvfb.log"
  export DISPLAY=":$(tr -d '[:space:]' <"$display_file")"
  echo "e2e: Xvfb on display $DISPLAY" >&2
fi

if ((needs_keychain)); then
  # gnome-keyring's Secret Service on the private bus, its login keyring (empty password, read
  # from stdin by --unlock) in a temporary folder; our own child (--foreground), stopped on exit.
  keyring_home=$(mktemp -d "${TMPDIR:-/tmp}/waymark-e2e-keyring-XXXXXX")
  mkdir -p "$keyring_home/data" "$keyring_home/run"
  chmod 700 "$keyring_home/run"
  printf '\n' | XDG_DATA_HOME="$keyring_home/data" XDG_RUNTIME_DIR="$keyring_home/run" \
    gnome-keyring-daemon --unlock --components=secrets --foreground >"$LOGS/gnome-keyring.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 200); do
    if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then
      break
    fi
    kill -0 "${pids[-1]}" 2>/dev/null || die "gnome-keyring-daemon exited; see $LOGS/gnome-keyring.log"
    sleep 0.1
  done
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true' \
    || die "gnome-keyring-daemon did not serve org.freedesktop.secrets within 20 s; see $LOGS/gnome-keyring.log"
  echo "e2e: keychain: gnome-keyring on a private session bus ($DBUS_SESSION_BUS_ADDRESS)" >&2
  # Everything the submission and assessor tests talk to is on loopback: no proxy in between.
  unset HTTP_PROXY HTTPS_PROXY ALL_PROXY http_proxy https_proxy all_proxy
fi

# WebKitGTK draws nothing under Xvfb with its compositing mode on (see shared PITFALLS).
export WEBKIT_DISABLE_COMPOSITING_MODE=1

if (exec 3<>"/dev/tcp/127.0.0.1/$TAURI_DRIVER_PORT") 2>/dev/null; then
  die "port $TAURI_DRIVER_PORT is already in use (another tauri-driver?). Stop it or set TAURI_DRIVER_PORT."
fi
"$TAURI_DRIVER" --port "$TAURI_DRIVER_PORT" --native-driver "$NATIVE_DRIVER" \
  >"$LOGS/tauri-driver.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$TAURI_DRIVER_PORT") 2>/dev/null; then
    break
  fi
  kill -0 "${pids[-1]}" 2>/dev/null || die "tauri-driver exited; see $LOGS/tauri-driver.log"
  sleep 0.1
done

# --- Run -------------------------------------------------------------------------------------
# Run in the background and wait, so that a signal to this script stops the run at once.
run() {
  "$@" &
  pids+=($!)
  wait "${pids[-1]}"
}
status=0
cd "$E2E"
if [[ "$mode" == measure ]]; then
  run node measure.mjs "$@" || status=$?
else
  if [[ $# -gt 0 ]]; then
    files=("$@")
  else
    files=(*.test.mjs)
  fi
  rm -f "$SHOTS"/*.png
  # One test file at a time: they share the one tauri-driver, which drives one app at a time.
  run node --test --test-concurrency=1 --test-reporter=spec "${files[@]}" || status=$?
  echo
  echo "e2e: screenshots in $SHOTS"
fi
echo "e2e: logs in $LOGS"
exit "$status"
