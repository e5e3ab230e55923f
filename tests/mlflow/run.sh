#!/usr/bin/env bash
# The MLflow client tests: a venv with the pinned mlflow (made once), a fresh project served by
# `cairn serve` with a known token, then pytest over tests/mlflow/ with MLflow's variables set. The server
# and the temporary folder are removed whatever happens.
set -euo pipefail
cd "$(dirname "$0")"
: "${CARGO_TARGET_DIR:=$HOME/.cache/cairn/target}"
BIN="${CAIRN_BIN:-$CARGO_TARGET_DIR/release/cairn}"
VENV="${CAIRN_MLFLOW_VENV:-$HOME/.cache/cairn/venv-mlflow}"
# mlflow-skinny is MLflow's client without the server's dependencies; numpy and pandas are what its
# pyfunc flavor needs to log and load a model. boto3 (SageMaker's runtime client) and tritonclient (KServe's
# Open Inference Protocol v2) are the clients test_serving.py speaks to an endpoint with.
PINS=("mlflow-skinny==3.17.2" "numpy==2.4.6" "pandas==2.3.3" "pytest==8.4.2" "boto3==1.44.18" "tritonclient[http]==2.73.0")

if ! "$VENV/bin/python" -c "import mlflow, pandas, pytest, boto3, tritonclient.http; assert mlflow.__version__ == '3.17.2' and boto3.__version__ == '1.44.18'" 2>/dev/null; then
  echo "==> creating the MLflow test venv in $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "${PINS[@]}"
fi

# The user's own recent-projects lists, wherever cairn looks outside the tests: this run must leave them
# as they are (every cairn below gets the temporary CAIRN_CONFIG_DIR).
user_lists() {
  for d in "${CAIRN_CONFIG_DIR:-}" "${XDG_CONFIG_HOME:+$XDG_CONFIG_HOME/cairn}" "$HOME/.config/cairn"; do
    [[ -n "$d" ]] && { cat "$d/recent-projects.json" 2>/dev/null || echo "(none in $d)"; }
  done | cksum
}
user_lists_before=$(user_lists)

tmp=$(mktemp -d)
server=""
cleanup() {
  local rc=$?
  if [[ -n "$server" ]] && kill -0 "$server" 2>/dev/null; then
    kill "$server" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server" 2>/dev/null || true
  fi
  rm -rf "$tmp"
  if [[ "$(CAIRN_CONFIG_DIR="$user_config" user_lists)" != "$user_lists_before" ]]; then
    echo "the MLflow tests changed the user's own recent projects list" >&2
    rc=1
  fi
  exit "$rc"
}
user_config="${CAIRN_CONFIG_DIR:-}"
trap cleanup EXIT
trap 'exit 130' INT TERM

export CAIRN_CONFIG_DIR="$tmp/config"
token=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
"$BIN" new "$tmp/project" --name mlflow-tests >/dev/null
"$BIN" serve "$tmp/project" --port 0 --token "$token" >"$tmp/serve.log" 2>&1 &
server=$!
url=""
for _ in $(seq 300); do
  url=$(grep -oE 'open: http://127\.0\.0\.1:[0-9]+' "$tmp/serve.log" | head -1 | sed 's/^open: //') || true
  [[ -n "$url" ]] && break
  kill -0 "$server" 2>/dev/null || { cat "$tmp/serve.log"; echo "cairn serve exited before listening" >&2; exit 1; }
  sleep 0.1
done
[[ -n "$url" ]] || { cat "$tmp/serve.log"; echo "cairn serve printed no URL" >&2; exit 1; }
grep -q "export MLFLOW_TRACKING_URI=$url" "$tmp/serve.log" || { cat "$tmp/serve.log"; echo "cairn serve does not print the MLflow variables" >&2; exit 1; }

export MLFLOW_TRACKING_URI="$url" MLFLOW_TRACKING_TOKEN="$token" CAIRN_TEST_PROJECT="$tmp/project" CAIRN_BIN="$BIN"
# No telemetry or network calls from the client during tests.
export MLFLOW_DISABLE_TELEMETRY=true DO_NOT_TRACK=true MLFLOW_HTTP_REQUEST_MAX_RETRIES=0
"$VENV/bin/python" -m pytest -q -p no:cacheprovider "$@" .
