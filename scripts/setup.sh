#!/usr/bin/env bash
# Installs what building, running and testing Waymark needs, when it is missing. Safe to run
# again: it only acts on what is absent. System packages are installed with apt when running as
# root on Debian/Ubuntu; otherwise the missing ones are named so you can install them.
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1; }
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

if have dpkg-query; then
  # Build: a C compiler (SQLite is compiled from source) and the WebKitGTK stack Tauri uses.
  # Tests: Xvfb for a headless display and WebKitWebDriver for tauri-driver; poppler-utils
  # (pdftotext, pdfinfo) and qpdf check the PDF documents.
  # The endpoint's tests: age (the standard tool reads what Waymark encrypts), openssl and
  # curl (a self-signed certificate, and a TLS client other than our own).
  wanted=(build-essential pkg-config libssl-dev libwebkit2gtk-4.1-dev libsoup-3.0-dev
          librsvg2-dev libayatana-appindicator3-dev xvfb webkit2gtk-driver poppler-utils qpdf
          age openssl curl)
  have node || wanted+=(nodejs npm)
  # The assessor tool's tests (crates/assess) use a real OS keychain: a private D-Bus session
  # bus (dbus-daemon; dbus-send is in dbus-bin) with GNOME Keyring's Secret Service on it.
  wanted+=(gnome-keyring dbus-daemon dbus-bin)
  # The app's submission tests (tests/e2e/submission.test.mjs) use the same keychain, on a bus
  # from dbus-run-session (in dbus-daemon), and read the endpoint's upload offsets with sqlite3.
  wanted+=(sqlite3)
  # The erasure tests (crates/cli/tests/privacy.rs) list what the keychain holds with
  # secret-tool, a Secret Service client other than our own.
  wanted+=(libsecret-tools)
  # The network tests (crates/harness) put a real HTTP proxy between client and endpoint:
  # tinyproxy (plain requests, CONNECT, Basic authentication); openssl makes their test PKI.
  wanted+=(tinyproxy)
  # The endpoint's metadata tests (crates/harness/src/postgres.rs) start a real PostgreSQL
  # cluster of their own (initdb and postgres from /usr/lib/postgresql/<version>/bin; as root
  # they run as the postgres user the package creates). The package also sets up a default
  # cluster of its own, which the tests never use.
  wanted+=(postgresql)
  missing=()
  for p in "${wanted[@]}"; do installed "$p" || missing+=("$p"); done
  if ((${#missing[@]})); then
    if [[ $(id -u) -eq 0 ]] && have apt-get; then
      echo "setup: installing ${missing[*]}"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
      echo "setup: please install: ${missing[*]}  (sudo apt-get install ${missing[*]})" >&2
      exit 1
    fi
  fi
fi

if ! have cargo; then
  echo "setup: Rust is not installed. Install it with rustup (see README.md), then run make again." >&2
  exit 1
fi
if ! have npm; then
  echo "setup: Node.js 20+ with npm is needed to build the UI (see README.md)." >&2
  exit 1
fi
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt 2>/dev/null || true

# tauri-driver bridges WebDriver to the app's webview in the end-to-end tests (Linux only).
if [[ $(uname -s) == Linux ]] && ! have tauri-driver && [[ ! -x "$HOME/.cargo/bin/tauri-driver" ]]; then
  echo "setup: installing tauri-driver (cargo install, once)"
  cargo install tauri-driver --version "^2" --locked --quiet
fi

# The endpoint's blob-store tests (crates/harness/src/s3.rs) run a real S3-compatible server:
# s3s-fs, the s3s crate's S3 service over a folder (cargo install, once: a release build of
# a few minutes). Pinned: the harness relies on how 0.14.1 logs its address and keeps buckets.
s3s_fs="${CARGO_HOME:-$HOME/.cargo}/bin/s3s-fs"
have s3s-fs && s3s_fs=$(command -v s3s-fs)
if [[ $("$s3s_fs" --version 2>/dev/null) != "s3s-fs 0.14.1" ]]; then
  echo "setup: installing s3s-fs (cargo install, once)"
  cargo install s3s-fs --version 0.14.1 --features binary --locked --quiet
fi

# The endpoint's upload tests drive Python's tuspy (a standard tus 1.0 client) against the
# server: python3 with pip, then tuspy (import name `tusclient`). Newer Debian marks the system
# Python as externally managed, so pip there needs --break-system-packages.
if ! python3 -c 'import tusclient' 2>/dev/null; then
  if ! python3 -m pip --version >/dev/null 2>&1 && [[ $(id -u) -eq 0 ]] && have apt-get; then
    echo "setup: installing python3 and pip"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 python3-pip >/dev/null
  fi
  echo "setup: installing tuspy (pip, once)"
  python3 -m pip install --quiet 'tuspy>=1.1,<2' 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages 'tuspy>=1.1,<2' \
    || { echo "setup: could not install tuspy: python3 -m pip install 'tuspy>=1.1,<2'" >&2; exit 1; }
fi
