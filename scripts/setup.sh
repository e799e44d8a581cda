#!/usr/bin/env bash
# Installs what building and testing Waymark needs, when it is missing. Safe to run again:
# it only acts on what is absent. System packages are installed with apt when running as root
# on Debian/Ubuntu; otherwise the missing packages are named so you can install them.
set -euo pipefail

need_apt=()
have() { command -v "$1" >/dev/null 2>&1; }
pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# A C compiler and pkg-config: SQLite is compiled from source (rusqlite's bundled feature).
have cc || need_apt+=(build-essential)
have pkg-config || need_apt+=(pkg-config)

if ((${#need_apt[@]})); then
  if [[ $(id -u) -eq 0 ]] && have apt-get; then
    echo "setup: installing ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "setup: please install: ${need_apt[*]} (e.g. sudo apt-get install ${need_apt[*]})" >&2
    exit 1
  fi
fi

if ! have cargo; then
  echo "setup: Rust is not installed. Install it from rustup (see README.md), then run make again." >&2
  exit 1
fi
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt 2>/dev/null || true
