#!/usr/bin/env bash
# Installs tauri-driver (the WebDriver bridge for the desktop smoke test) when it is missing.
set -euo pipefail
export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v tauri-driver >/dev/null; then
  echo "==> installing tauri-driver 2.1.0"
  cargo install tauri-driver --locked --version 2.1.0 --quiet
fi
