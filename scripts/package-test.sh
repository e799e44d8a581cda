#!/usr/bin/env bash
# Builds the Linux package from the debug build the end-to-end tests already made (no second
# build: `tauri bundle --debug` packs target/debug/waymark-app, and scripts/stage-cli.mjs adds
# the `waymark` CLI), unpacks it into a temporary root with dpkg-deb -x, and checks what an IT
# admin installs: the packaged CLI answers --version, the package says what it is and needs,
# and the packaged app starts under Xvfb far enough to show its first screen over WebDriver.
#
#   scripts/package-test.sh        (make test runs it after the e2e tests; Linux only)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

if [[ $(uname -s) != Linux ]] || ! command -v dpkg-deb >/dev/null; then
  echo "package-test: skipped: needs Linux with dpkg-deb (the .deb is the package tested here)"
  exit 0
fi
[[ -x target/debug/waymark-app ]] || {
  echo "package-test: build the app first: cargo build -p waymark-app -p waymark-cli" >&2
  exit 2
}
[[ -x node_modules/.bin/tauri ]] || npm ci --no-audit --no-fund

rm -rf target/debug/bundle/deb
node_modules/.bin/tauri bundle --debug --bundles deb --ci
deb=$(ls target/debug/bundle/deb/*.deb)
echo "package-test: built $deb ($(du -h "$deb" | cut -f1))"

unpacked=$(mktemp -d)
trap 'rm -rf "$unpacked"' EXIT
dpkg-deb -x "$deb" "$unpacked"
fail() {
  echo "package-test: $*" >&2
  exit 1
}

# What an IT admin sees before installing.
info=$(dpkg-deb -f "$deb" Package Version Maintainer Depends Section Description)
echo "$info"
grep -q '^Package: waymark$' <<<"$info" || fail "the package is not called waymark"
grep -q '^Depends: .*libwebkit2gtk-4.1' <<<"$info" || fail "the package does not depend on WebKitGTK 4.1"
grep -q '^Maintainer: The Waymark developers' <<<"$info" || fail "no maintainer"
grep -q 'command line' <<<"$info" || fail "the long description is missing"

# What it installs.
for f in usr/bin/waymark-app usr/bin/waymark usr/share/applications/Waymark.desktop \
  usr/share/icons/hicolor/128x128/apps/waymark-app.png usr/share/doc/waymark/copyright; do
  [[ -e "$unpacked/$f" ]] || fail "the package does not install /$f"
done
grep -q '^Exec=waymark-app' "$unpacked/usr/share/applications/Waymark.desktop" || fail "the desktop entry does not start waymark-app"

# The packaged CLI runs on its own.
version=$("$unpacked/usr/bin/waymark" --version)
expected=$(node -p "require('./tauri.conf.json').version")
[[ $version == "waymark $expected" ]] || fail "waymark --version said \"$version\", expected \"waymark $expected\""
echo "package-test: packaged CLI: $version"
data=$(mktemp -d)
"$unpacked/usr/bin/waymark" --data-dir "$data" frameworks list --json >/dev/null || fail "the packaged CLI cannot list frameworks"
rm -rf "$data"

# The packaged app shows its first screen.
WAYMARK_APP="$unpacked/usr/bin/waymark-app" scripts/e2e.sh tests/e2e/package.smoke.mjs
echo "package-test: the packaged app started and showed its first screen"
