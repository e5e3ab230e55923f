#!/usr/bin/env bash
# The Ray tests: a venv with the pinned Ray (made once), a single-node Ray head on loopback with token
# auth in a temporary folder, then the Rust tests that need it (tests/it/ray*.rs and the remote training
# tests) with RAY_ADDRESS and RAY_TOKEN set. Ray is stopped and the folder removed whatever happens.
set -euo pipefail
cd "$(dirname "$0")/../.."
# The same target folder as the Makefile, so the `cairn` binary the remote-training tests send is found.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/cairn/target}"
VENV="${CAIRN_RAY_VENV:-$HOME/.cache/cairn/venv-ray}"
PIN="ray[default]==2.60.0"
GCS_PORT="${CAIRN_RAY_GCS_PORT:-6390}"
DASH_PORT="${CAIRN_RAY_DASHBOARD_PORT:-8275}"

if ! "$VENV/bin/python" -c "import ray, ray.dashboard; assert ray.__version__ == '2.60.0'" 2>/dev/null; then
  echo "==> creating the Ray test venv in $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "$PIN"
fi

# The user's own recent-projects lists, wherever cairn looks outside the tests: this run must leave them
# as they are. Every cairn started below (the Rust tests' CLI runs, the browser journey's server) gets a
# config folder of its own; the one exported here covers anything that would otherwise fall back.
user_config="${CAIRN_CONFIG_DIR:-}"
user_lists() {
  for d in "$user_config" "${XDG_CONFIG_HOME:+$XDG_CONFIG_HOME/cairn}" "$HOME/.config/cairn"; do
    [[ -n "$d" ]] && { cat "$d/recent-projects.json" 2>/dev/null || echo "(none in $d)"; }
  done | cksum
}
user_lists_before=$(user_lists)

tmp=$(mktemp -d /tmp/cairn-ray.XXXXXX)
export CAIRN_CONFIG_DIR="$tmp/config"
export RAY_USAGE_STATS_ENABLED=0
# Else Ray rewrites 127.0.0.1 to the machine's address and binds every interface.
export RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0
export RAY_AUTH_MODE=token
RAY_AUTH_TOKEN=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
export RAY_AUTH_TOKEN
cleanup() {
  local rc=$?
  "$VENV/bin/ray" stop --grace-period 10 >/dev/null 2>&1 || "$VENV/bin/ray" stop --force >/dev/null 2>&1 || true
  rm -rf "$tmp"
  if [[ "$(user_lists)" != "$user_lists_before" ]]; then
    echo "the Ray tests changed the user's own recent projects list" >&2
    rc=1
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "==> starting a Ray head on 127.0.0.1:$DASH_PORT"
"$VENV/bin/ray" start --head --node-ip-address 127.0.0.1 --port "$GCS_PORT" \
  --dashboard-host 127.0.0.1 --dashboard-port "$DASH_PORT" --num-cpus 2 \
  --temp-dir "$tmp/ray" --disable-usage-stats >"$tmp/start.log" 2>&1 || { cat "$tmp/start.log"; exit 1; }
# Wait for the dashboard with the venv's Python (no curl needed on a fresh machine).
ready() {
  "$VENV/bin/python" - "$DASH_PORT" "$RAY_AUTH_TOKEN" <<'PY'
import sys, urllib.request
req = urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}/api/version", headers={"Authorization": f"Bearer {sys.argv[2]}"})
urllib.request.urlopen(req, timeout=2).read()
PY
}
for _ in $(seq 120); do ready 2>/dev/null && break; sleep 0.5; done
ready 2>/dev/null || { cat "$tmp/start.log"; echo "the Ray dashboard did not answer" >&2; exit 1; }

# The tests' own clients must not inherit the server's token: they pass RAY_TOKEN explicitly.
export RAY_ADDRESS="http://127.0.0.1:$DASH_PORT" RAY_TOKEN="$RAY_AUTH_TOKEN"
unset RAY_AUTH_TOKEN RAY_AUTH_MODE
cargo test --release --workspace --test it -- ray "$@"
tests/ray/keyring.sh
# The same journey in a real browser: add the cluster, train on it, kill the app mid-job, re-attach.
(cd ui && CAIRN_BIN="${CAIRN_BIN:-$CARGO_TARGET_DIR/release/cairn}" npx playwright test -c playwright.ray.config.ts)
