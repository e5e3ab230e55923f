#!/usr/bin/env bash
# The benchmarks (the shipped release build; CAIRN_BENCH_FAST=1 for the wheel-like build), each printing ratios against a peer measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-env.sh
[[ "${1:-}" == --build ]] && bench_build
echo "==> measuring the release build in $REL ($BENCH_BUILD)"
VENV="$HOME/.cache/cairn/venv-bench"
if [[ ! -x "$VENV/bin/python" ]]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -c "import pandas" 2>/dev/null || "$VENV/bin/pip" install -q "pandas==2.3.3"
export CAIRN_BENCH_PYTHON="$VENV/bin/python"
DATA="$(cd ../shared/data && pwd)"

"$REL/cairn-bench" import-profile "$DATA/diabetic_data.csv" 5
"$REL/cairn-bench" import-profile "$DATA/adult.csv" 5
# The same import inside the studio a user opens (`cairn serve`, driven over HTTP as the UI does).
"$VENV/bin/python" scripts/bench/studio_import.py "$REL/cairn" "$REL/cairn-bench" "$DATA/diabetic_data.csv" 5
"$REL/cairn-bench" large "${LARGE_ROWS:-10000000}"

demo=$(mktemp -d)
trap 'rm -rf "$demo"' EXIT
CAIRN_CONFIG_DIR="$demo/cfg" "$REL/cairn" demo "$demo/demo" >/dev/null
CAIRN_CONFIG_DIR="$demo/cfg" xvfb-run -a -s "-screen 0 1360x860x24" "$REL/cairn-bench" startup "$REL/cairn-desktop" "$demo/demo"

# cairn-ml: the default GBM on adult and diabetic_data (80/20 stratified, the same split on both sides)
# beside LightGBM's defaults. Needs the release examples built (scripts/bench.sh --build, or make bench).
"$VENV/bin/python" -c "import lightgbm" 2>/dev/null || "$VENV/bin/pip" install -q "lightgbm==4.7.0"
"$REL/examples/gbm_bench" "$DATA" 3

# cairn-flow: a 10-step flow on diabetic_data.csv beside its exported Python polars script and pandas.
"$VENV/bin/python" -c "import polars" 2>/dev/null || "$VENV/bin/pip" install -q "polars==1.44.2"
# The pandas peer writes its output as Parquet, which pandas does through pyarrow.
"$VENV/bin/python" -c "import pyarrow" 2>/dev/null || "$VENV/bin/pip" install -q "pyarrow==21.0.0"
"$REL/examples/flow_bench" "$DATA/diabetic_data.csv" "$VENV/bin/python"

# cairn-flow: the wrangling page's preview refresh after editing one step, on a 10M-row synthetic table.
"$REL/examples/preview_bench" "${LARGE_ROWS:-10000000}"

# cairn-store: the tracking store beside MLflow's own SQLite store (SqlAlchemyStore), then alone at 100k runs.
"$VENV/bin/python" -c "import mlflow" 2>/dev/null || "$VENV/bin/pip" install -q "mlflow==3.17.2"
"$REL/examples/tracking_bench" 100000 100 7 10000

# cairn-server: the real mlflow client logging into `cairn serve` and into `mlflow server --backend-store-uri
# sqlite` (one run with 100 params, 10 metrics x 1,000 steps and 20 artifacts; 1,000 runs; a filtered search).
"$VENV/bin/python" scripts/bench/mlflow_client_bench.py "$REL/cairn" "${MLFLOW_BENCH_RUNS:-1000}"

# cairn-insights: the insights report on diabetic_data.csv (readmitted = <30) beside the same analysis
# written by hand in pandas + scikit-learn + LightGBM (crates/cairn-insights/benches/insights_peer.py).
"$VENV/bin/python" -c "import sklearn" 2>/dev/null || "$VENV/bin/pip" install -q "scikit-learn==1.9.1"
"$REL/examples/insights_bench" "$DATA/diabetic_data.csv" 3

# cairn automl: `cairn automl --budget 10s/60s` beside FLAML (time_budget 10, 30, 60, 120 s; $AUTOML_FLAML_BUDGETS)
# and LightGBM's defaults on adult, diabetic_data (readmitted = <30) and diabetic_data's time_in_hospital
# (regression), one 80/20 split per task for all sides, 2 threads for the peers; ~17 min on 2 cores.
# The script gives each task's cairn calls their own CAIRN_CONFIG_DIR in its temp dir.
# FLAML 2.8's automl extra needs xgboost < 3 (its Linux wheel brings nvidia-nccl-cu12, unused on CPU).
"$VENV/bin/python" -c "import flaml, xgboost" 2>/dev/null || "$VENV/bin/pip" install -q "flaml[automl]==2.8.0" \
  "xgboost==2.1.4" "scikit-learn==1.9.1" "lightgbm==4.7.0" "pandas==2.3.3"
"$VENV/bin/python" scripts/bench/automl_peer.py "$REL/cairn" "$DATA"

# cairn-serve: single-row requests to an endpoint (GBM, 100 trees) under wrk, beside `mlflow models serve`
# with a LightGBM model of 100 trees on the same data (installs wrk from Debian and the peers in the venv).
CAIRN_BIN="$REL/cairn" scripts/bench-serve.sh
# Batch transform of the 10M-row synthetic file beside `mlflow models predict`.
CAIRN_BIN="$REL/cairn" scripts/bench-batch.sh
# Model Monitor: the default drift report on 1M x 50 beside evidently 0.7.23 on the same tables, a window
# against a stored baseline, and 10M x 50 column by column (installs evidently in its own venv).
scripts/bench-monitor.sh
