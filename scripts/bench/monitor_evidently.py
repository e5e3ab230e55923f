"""evidently 0.7.23's DataDriftPreset over two Parquet files (for scripts/bench-monitor.sh); prints each column's
test and value and the drifted count as JSON. Usage: monitor_evidently.py REFERENCE CURRENT"""
import json
import sys
import time
import warnings

import pandas as pd

warnings.filterwarnings("ignore")
from evidently import Report  # noqa: E402
from evidently.presets import DataDriftPreset  # noqa: E402

NAMES = {"K-S p_value": "ks", "Wasserstein distance (normed)": "wasserstein", "chi-square p_value": "chisquare",
         "Z-test p_value": "z", "Jensen-Shannon distance": "jensenshannon", "PSI": "psi"}
ref, cur = pd.read_parquet(sys.argv[1]), pd.read_parquet(sys.argv[2])
t = time.time()
snap = Report([DataDriftPreset()]).run(current_data=cur, reference_data=ref)
report_s = time.time() - t
out = {"values": {}, "report_s": report_s}
for m in snap.dict()["metrics"]:
    cfg = m["config"]
    if cfg["type"].endswith("ValueDrift"):
        out["values"][cfg["column"]] = (NAMES.get(cfg["method"], cfg["method"]), m["value"])
    elif cfg["type"].endswith("DriftedColumnsCount"):
        out["count"], out["share"] = m["value"]["count"], m["value"]["share"]
print(json.dumps(out))
