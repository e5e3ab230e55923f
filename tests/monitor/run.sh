#!/usr/bin/env bash
# cairn-monitor's drift values against the real evidently (pinned, in its own venv made once; offline once made):
# compare.py writes seeded drifted tables, runs evidently's DataDriftPreset and the drift_json example on them and
# asserts the same test and value per column to 1e-9, the drift share, PSI, and deequ's distances by hand.
set -euo pipefail
cd "$(dirname "$0")"
: "${CARGO_TARGET_DIR:=$HOME/.cache/cairn/target}"
BIN="${CAIRN_MONITOR_DRIFT_BIN:-$CARGO_TARGET_DIR/release/examples/drift_json}"
VENV="${CAIRN_MONITOR_VENV:-$HOME/.cache/cairn/venv-monitor}"
# evidently 0.7.23 does not import under pandas 3; pyarrow writes the Parquet files both sides read.
PINS=("evidently==0.7.23" "pandas==2.3.3" "pyarrow==26.0.1")
if ! "$VENV/bin/python" -c "import evidently, pandas, pyarrow; assert evidently.__version__ == '0.7.23' and pandas.__version__ == '2.3.3'" 2>/dev/null; then
  echo "==> creating the monitor test venv in $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "${PINS[@]}"
fi
[[ -x "$BIN" ]] || { echo "no $BIN: build first (cargo build --release --workspace --all-targets)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$VENV/bin/python" compare.py "$BIN" "$tmp"
