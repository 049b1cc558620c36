#!/usr/bin/env bash
# Installs what Provenance Lens needs on a fresh Debian machine: Debian's Chromium, Firefox ESR
# and ffmpeg (from apt, when missing), the oldest Firefox ESR the add-on supports (unpacked into
# .cache/, when it is not the installed one), then the npm packages. Playwright never downloads a
# browser here. Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v firefox-esr >/dev/null 2>&1 || need+=(firefox-esr)
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing from apt: ${need[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

# The oldest supported Firefox (the manifest's strict_min_version, an ESR) for the Firefox e2e
# project: Debian's main suite has it while the security suite serves the current ESR, so it is
# unpacked from its package, not installed. tests/e2e-firefox/harness/firefox.ts looks for it here.
oldest=$(grep -o "strict_min_version: '[0-9]*" wxt.config.ts | grep -o '[0-9]*$')
oldest_dir=".cache/firefox-$oldest"
oldest_bin="$oldest_dir/usr/lib/firefox-esr/firefox-esr"
if ! "$oldest_bin" --version 2>/dev/null | grep -q "Firefox $oldest\."; then
  if firefox-esr --version 2>/dev/null | grep -q "Firefox $oldest\."; then
    # The installed ESR is the oldest one: point at it.
    rm -rf "$oldest_dir" && mkdir -p "$oldest_dir/usr/lib" && ln -s /usr/lib/firefox-esr "$oldest_dir/usr/lib/firefox-esr"
  else
    version=$(apt-cache madison firefox-esr | awk -F'|' '{gsub(/ /, "", $2); print $2}' | grep "^$oldest\." | head -n1 || true)
    if [ -z "$version" ]; then
      $sudo apt-get update -qq
      version=$(apt-cache madison firefox-esr | awk -F'|' '{gsub(/ /, "", $2); print $2}' | grep "^$oldest\." | head -n1 || true)
    fi
    [ -n "$version" ] || { echo "setup: no firefox-esr $oldest.x in the apt sources (needed for the Firefox $oldest tests)" >&2; exit 1; }
    echo "Unpacking firefox-esr $version into $oldest_dir"
    tmp=$(mktemp -d)
    (cd "$tmp" && apt-get download -qq "firefox-esr=$version")
    rm -rf "$oldest_dir.tmp" "$oldest_dir"
    mkdir -p "$oldest_dir.tmp"
    dpkg -x "$tmp"/firefox-esr_*.deb "$oldest_dir.tmp"
    mv "$oldest_dir.tmp" "$oldest_dir"
    rm -rf "$tmp"
  fi
  "$oldest_bin" --version
fi

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
