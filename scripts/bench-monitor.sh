#!/usr/bin/env bash
# Model Monitor drift beside evidently 0.7.23, measured in the same run on the same Parquet files:
#  1. the default drift report (DataDriftPreset) on MONITOR_ROWS (default 1M) rows x 50 columns (25 numeric, 25
#     categorical with 5-200 categories, a quarter of them shifted) against a reference of the same size: wall time
#     and peak memory of each (reading the files included), the ratio, and whether every value agrees to 1e-9;
#  2. a 100k-row window against a stored baseline of that reference (time to read the baseline, time to test);
#  3. MONITOR_LARGE_ROWS (default 10M) rows x 50 against a reference of the same size, column by column, and its
#     peak memory against the 2 GB target (cairn only; MONITOR_LARGE_ROWS=0 skips it).
# Installs what it needs (tests/monitor's venv); `--build` builds first.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-env.sh
[[ "${1:-}" == --build ]] && bench_build
ROWS="${MONITOR_ROWS:-1000000}"
LARGE="${MONITOR_LARGE_ROWS:-10000000}"
VENV="${CAIRN_MONITOR_VENV:-$HOME/.cache/cairn/venv-monitor}"
"$VENV/bin/python" -c "import evidently, pyarrow" 2>/dev/null \
  || { python3 -m venv "$VENV"; "$VENV/bin/pip" install -q "evidently==0.7.23" "pandas==2.3.3" "pyarrow==26.0.1"; }
[[ -x /usr/bin/time ]] || { echo "GNU time is needed for peak memory: apt-get install time" >&2; exit 1; }
DATA="$HOME/.cache/cairn/bench/monitor"
mkdir -p "$DATA"
gen() { # rows seed shift out
  [[ -f "$4" ]] || "$VENV/bin/python" scripts/bench/monitor_tables.py "$1" "$2" "$3" "$4"
}
gen "$ROWS" 1 0 "$DATA/ref_$ROWS.parquet"
gen "$ROWS" 2 1 "$DATA/cur_$ROWS.parquet"
gen 100000 3 1 "$DATA/window_100000.parquet"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
echo "==> drift report, $ROWS rows x 50 columns vs a $ROWS-row reference; $BENCH_BUILD"
/usr/bin/time -f "%e %M" -o "$WORK/cairn.time" "$REL/examples/drift_json" "$DATA/ref_$ROWS.parquet" "$DATA/cur_$ROWS.parquet" >"$WORK/cairn.json"
/usr/bin/time -f "%e %M" -o "$WORK/ev.time" "$VENV/bin/python" scripts/bench/monitor_evidently.py \
  "$DATA/ref_$ROWS.parquet" "$DATA/cur_$ROWS.parquet" >"$WORK/ev.json"
"$REL/examples/baseline_window" "$DATA/ref_$ROWS.parquet" "$DATA/window_100000.parquet" "$WORK/baseline" >"$WORK/window.json"
"$VENV/bin/python" - "$WORK" <<'PY'
import json, sys
w = sys.argv[1]
cs, ckb = open(f"{w}/cairn.time").read().split()
es, ekb = open(f"{w}/ev.time").read().split()
cairn = {c["column"]: c for c in json.load(open(f"{w}/cairn.json"))["report"]["columns"]}
ev = json.load(open(f"{w}/ev.json"))
diff = max(abs(cairn[c]["score"] - v) for c, (t, v) in ev["values"].items())
same = all(cairn[c]["test"] == t for c, (t, v) in ev["values"].items()) and diff <= 1e-9
drifted = sum(c["drifted"] for c in cairn.values())
print(f"  cairn      {float(cs):7.1f} s  peak {int(ckb) / 1024:6.0f} MB  ({drifted} of {len(cairn)} columns drifted)")
print(f"  evidently  {float(es):7.1f} s  peak {int(ekb) / 1024:6.0f} MB  ({ev['count']:.0f} drifted, share {ev['share']:.2f}; "
      f"of which report {ev['report_s']:.1f} s)")
r = float(es) / float(cs)
print(f"  ratio      {r:7.1f}x evidently's time   (target >= 10x: {'met' if r >= 10 else 'NOT met'}); "
      f"values {'equal' if same else 'DIFFER'} (largest difference {diff:.2g})")
win = json.load(open(f"{w}/window.json"))
print(f"  100k-row window vs stored baseline: {win['drift_ms']:.0f} ms (target < 200 ms: "
      f"{'met' if win['drift_ms'] < 200 else 'NOT met'}); reading the baseline {win['read_ms']:.0f} ms, making it {win['make_ms'] / 1000:.1f} s")
PY
if [[ "$LARGE" != 0 ]]; then
  gen "$LARGE" 4 0 "$DATA/ref_$LARGE.parquet"
  gen "$LARGE" 5 1 "$DATA/cur_$LARGE.parquet"
  /usr/bin/time -f "%e %M" -o "$WORK/large.time" "$REL/examples/drift_json" "$DATA/ref_$LARGE.parquet" "$DATA/cur_$LARGE.parquet" --lazy >/dev/null
  read -r ls lkb <"$WORK/large.time"
  echo "  $LARGE rows x 50 vs $LARGE (column by column): $ls s, peak $((lkb / 1024)) MB (target <= 2048 MB: $([[ $lkb -le 2097152 ]] && echo met || echo NOT met))"
fi
