#!/usr/bin/env bash
# Installs the system packages Cairn needs to build and test, only those that are missing.
# Usage: scripts/setup-system.sh [build|test]   (test adds the browser, Xvfb tools and WebKit's WebDriver)
set -euo pipefail
want=(libwebkit2gtk-4.1-dev build-essential libssl-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev
      libgtk-3-dev pkg-config curl libdbus-1-dev)
if [[ "${1:-build}" == test ]]; then
  # gnome-keyring and dbus: a real Secret Service for the cluster-token tests (tests/ray/run.sh).
  want+=(xvfb xauth webkit2gtk-driver chromium imagemagick x11-utils python3-venv gnome-keyring dbus-daemon)
fi
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
((${#missing[@]})) || exit 0
echo "==> installing system packages: ${missing[*]}"
sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
