#!/usr/bin/env bash
# Real-time endpoints: single-row requests over loopback with the load generator (wrk, few connections)
# on the same machine. Cairn's endpoint (`cairn endpoint-serve`, a GBM of 100 trees fitted on adult.csv)
# beside `mlflow models serve` (MLflow 3.17.2, a worker per core, LightGBM of 100 trees fitted on
# the same data), one after the other in the same run. Prints requests/s and latency of each, and the ratio.
# Standalone: CAIRN_BIN=$CARGO_TARGET_DIR/release/cairn scripts/bench-serve.sh (needs the release
# examples: cargo build --release --workspace --all-targets). SERVE_SECONDS (default 10) per measurement,
# SERVE_CONNECTIONS (default 4).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-env.sh
CAIRN_BIN="${CAIRN_BIN:-$REL/cairn}"
SERVE_BENCH="$(dirname "$CAIRN_BIN")/examples/serve_bench"
if [[ ! -x "$CAIRN_BIN" || ! -x "$SERVE_BENCH" ]]; then
  echo "bench-serve: $CAIRN_BIN or $SERVE_BENCH is missing: cargo build --release --workspace --all-targets" >&2
  exit 1
fi
SECS="${SERVE_SECONDS:-10}"
CONNS="${SERVE_CONNECTIONS:-4}"
DATA="$(cd ../shared/data && pwd)"
ROW=100

# The load generator, from Debian's packages (as scripts/setup-system.sh installs packages).
if ! command -v wrk >/dev/null; then
  echo "==> installing wrk"
  sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi
# The peer, in the benchmarks' venv with scripts/bench.sh's pins.
VENV="$HOME/.cache/cairn/venv-bench"
[[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
"$VENV/bin/python" -c "import pandas" 2>/dev/null || "$VENV/bin/pip" install -q "pandas==2.3.3"
"$VENV/bin/python" -c "import lightgbm" 2>/dev/null || "$VENV/bin/pip" install -q "lightgbm==4.7.0"
"$VENV/bin/python" -c "import mlflow" 2>/dev/null || "$VENV/bin/pip" install -q "mlflow==3.17.2"

work=$(mktemp -d)
server=""
stop_server() {
  # Each server runs in a session of its own (setsid), so its workers stop with it.
  if [[ -n "$server" ]]; then kill -TERM -- "-$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; server=""; fi
}
trap 'stop_server; rm -rf "$work"' EXIT

wait_for() { # CHECK-COMMAND SECONDS WHAT
  for _ in $(seq 1 $(( $2 * 10 ))); do eval "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "bench-serve: $3 did not start; its log:" >&2
  cat "$work"/*.log >&2 || true
  exit 1
}
# wrk: a 2 s warm-up, then SECS seconds measured; prints the script's RESULT line.
measure() { # URL BODY-FILE CONTENT-TYPE KEY
  wrk -t1 -c"$CONNS" -d2s -s scripts/bench/serve_post.lua "$1" -- "$2" "$3" "$4" >/dev/null
  wrk -t1 -c"$CONNS" -d"${SECS}s" -s scripts/bench/serve_post.lua "$1" -- "$2" "$3" "$4" | grep '^RESULT'
}
get() { sed -n "s/.* $2=\([0-9.]*\).*/\1/p" <<<"$1"; }
show() { # LABEL RESULT
  awk -v l="$1" -v r="$(get "$2" rps)" -v p50="$(get "$2" p50_us)" -v p99="$(get "$2" p99_us)" -v e="$(get "$2" errors)" \
    'BEGIN { printf "  %-44s %8.0f req/s   p50 %6.2f ms   p99 %6.2f ms   errors %d\n", l, r, p50/1000, p99/1000, e }'
}

echo "==> endpoints: single-row requests on loopback, wrk -t1 -c$CONNS, ${SECS} s each after a 2 s warm-up ($(nproc) cores; $BENCH_BUILD)"
# Latency percentiles mean little on a machine busy with other work: say how busy it was.
echo "  load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$SERVE_BENCH" prepare "$DATA/adult.csv" "$work/cairn" 2>"$work/prepare.log"
setsid "$CAIRN_BIN" endpoint-serve "$work/cairn/config.json" 2>"$work/cairn.log" &
server=$!
wait_for "test -s '$work/cairn/state.json'" 60 "cairn endpoint-serve"
port=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["port"])' "$work/cairn/state.json")
key=$(cat "$work/cairn/key")
cairn_csv=$(measure "http://127.0.0.1:$port/invocations" "$work/cairn/row.csv" text/csv "$key")
cairn_json=$(measure "http://127.0.0.1:$port/invocations" "$work/cairn/row.json" application/json "$key")
stop_server
"$SERVE_BENCH" inproc "$work/cairn" | sed 's/^/  /'

mkdir -p "$work/mlflow"
"$VENV/bin/python" scripts/bench/serve_mlflow_peer.py "$DATA/adult.csv" "$work/mlflow" "$ROW" 2>"$work/peer.log"
mport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# As many uvicorn workers as cores, as Cairn's endpoint has runtime threads (mlflow's own default is 1).
PATH="$VENV/bin:$PATH" setsid "$VENV/bin/mlflow" models serve -m "$work/mlflow/model" --env-manager local -h 127.0.0.1 -p "$mport" \
  --workers "$(nproc)" >"$work/mlflow.log" 2>&1 &
server=$!
wait_for "curl -fs http://127.0.0.1:$mport/ping" 180 "mlflow models serve"
mlflow_json=$(measure "http://127.0.0.1:$mport/invocations" "$work/mlflow/row.json" application/json "")
stop_server
echo "  load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

show "cairn endpoint-serve, CSV row (GBM, 100 trees)" "$cairn_csv"
show "cairn endpoint-serve, JSON dataframe_split" "$cairn_json"
show "mlflow models serve, JSON dataframe_split (LightGBM)" "$mlflow_json"
awk -v c="$(get "$cairn_json" rps)" -v cc="$(get "$cairn_csv" rps)" -v m="$(get "$mlflow_json" rps)" \
  -v cp="$(get "$cairn_json" p99_us)" -v mp="$(get "$mlflow_json" p99_us)" 'BEGIN {
    printf "  throughput: Cairn %.1fx MLflow (JSON), %.1fx (Cairn CSV); p99 %.1fx lower (JSON)\n", c / m, cc / m, mp / cp
    ok = (cp <= 2000 && c >= 5000) ? "met" : "not met"
    printf "  target p99 <= 2 ms at >= 5,000 req/s: %s; >= 10x MLflow: %s\n", ok, (c / m >= 10 ? "met" : "not met")
  }'
