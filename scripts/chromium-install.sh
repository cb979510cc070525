#!/usr/bin/env bash
# Installs Debian's Chromium (/usr/bin/chromium) for the dashboard's browser test, if missing.
# Browser tests drive it through playwright-core; no browser is ever downloaded by Playwright.
set -euo pipefail
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [[ -x "$CHROMIUM" ]]; then
  echo "chromium-install: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM") already installed"
  exit 0
fi
[[ "$(id -u)" == "0" ]] || { echo "chromium-install: needs root: sudo apt-get install -y chromium" >&2; exit 1; }
command -v apt-get >/dev/null || { echo "chromium-install: apt-get not available" >&2; exit 1; }
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-dejavu-core
[[ -x "$CHROMIUM" ]] || { echo "chromium-install: installed, but $CHROMIUM is missing" >&2; exit 1; }
echo "chromium-install: $("$CHROMIUM" --version)"
