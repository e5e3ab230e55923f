"""Drift values of cairn-monitor against evidently 0.7.23 (DataDriftPreset) on seeded drifted tables.

For each case: writes reference and current Parquet files, runs evidently's preset over the non-text columns,
runs the Rust side (the drift_json example, in memory, column by column and through a stored baseline), and
asserts the same test and the same value to 1e-9 per column, the same drifted count and share; PSI on request
the same way; the text column gets evidently's text test name; deequ's linf_simple / linf_robust match a hand
computation. Usage: compare.py DRIFT_JSON_BINARY WORKDIR
"""
import json
import math
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")
from evidently import Report  # noqa: E402
from evidently.core.datasets import infer_column_type  # noqa: E402
from evidently.legacy.calculations.stattests.registry import get_stattest  # noqa: E402
from evidently.legacy.core import ColumnType  # noqa: E402
from evidently.presets import DataDriftPreset  # noqa: E402

BIN, WORK = sys.argv[1], sys.argv[2]
NAMES = {
    "K-S p_value": "ks",
    "Wasserstein distance (normed)": "wasserstein",
    "chi-square p_value": "chisquare",
    "Z-test p_value": "z",
    "Jensen-Shannon distance": "jensenshannon",
    "PSI": "psi",
}
WORDS = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma".split()


def table(rng, n, shift):
    """A table with every kind of column; `shift` moves some of them."""
    num_c = rng.normal(0, 1, n)
    num_c[rng.random(n) < 0.05] = np.nan
    num_c[0] = np.inf
    cat_blank = rng.choice(["a", "b", "c", None], n, p=[0.4, 0.3, 0.2, 0.1])
    cats200 = [f"c{i}" for i in range(200 + (15 if shift else 0))]
    return pd.DataFrame(
        {
            "num_a": rng.normal(0, 1, n),
            "num_b": rng.normal(0.4 * shift, 1 + 0.3 * shift, n),
            "num_c": num_c,
            "num_round": np.round(rng.exponential(2 + shift, n), 1),
            "int_many": rng.integers(0, 50 + 10 * shift, n),
            "int_low": rng.choice([0, 1, 2, 3], n, p=[0.4, 0.3, 0.2, 0.1] if not shift else [0.25, 0.25, 0.25, 0.25]),
            "int_bin": rng.choice([0, 1], n, p=[0.7, 0.3] if not shift else [0.6, 0.4]),
            "float_low": rng.choice([0.5, 1.5, 2.5], n),
            "float_two": rng.choice([-1.0, 1.0], n, p=[0.5, 0.5] if not shift else [0.4, 0.6]),
            "cat2": rng.choice(["yes", "no"], n, p=[0.5, 0.5] if not shift else [0.45, 0.55]),
            "cat5": rng.choice(list("vwxyz"), n),
            "cat200": rng.choice(cats200, n),
            "cat_blank": cat_blank,
            "text": [" ".join(rng.choice(WORDS, 6)) + f" {i}" for i in range(n)],
        }
    )


def rust(ref_path, cur_path, *flags):
    out = subprocess.run([BIN, ref_path, cur_path, *flags], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def evidently_values(ref, cur, columns, method=None):
    snap = Report([DataDriftPreset(columns=columns, method=method)]).run(current_data=cur, reference_data=ref)
    values, share = {}, None
    for m in snap.dict()["metrics"]:
        cfg = m["config"]
        if cfg["type"].endswith("ValueDrift"):
            values[cfg["column"]] = (NAMES.get(cfg["method"], cfg["method"]), m["value"])
        elif cfg["type"].endswith("DriftedColumnsCount"):
            share = (m["value"]["count"], m["value"]["share"])
    return values, share


def hand_linf(a, b):
    """deequ's linf over exact samples: numbers by CDF, categories by relative frequency."""
    a, b = a.replace([np.inf, -np.inf], np.nan).dropna(), b.replace([np.inf, -np.inf], np.nan).dropna()
    n, m = len(a), len(b)
    if pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b):
        xs = np.union1d(a.to_numpy(float), b.to_numpy(float))
        fa = np.searchsorted(np.sort(a.to_numpy(float)), xs, side="right") / n
        fb = np.searchsorted(np.sort(b.to_numpy(float)), xs, side="right") / m
        simple = float(np.max(np.abs(fa - fb)))
    else:
        pa, pb = a.value_counts() / n, b.value_counts() / m
        keys = set(pa.index) | set(pb.index)
        simple = max(abs(pa.get(k, 0.0) - pb.get(k, 0.0)) for k in keys)
    return simple, max(0.0, simple - 1.8 * math.sqrt((n + m) / (n * m)))


MAX_DIFF = [0.0, 0]


def close(a, b):
    if a is None or b is None:
        return a is b
    if math.isnan(a) and math.isnan(b):
        return True
    MAX_DIFF[0], MAX_DIFF[1] = max(MAX_DIFF[0], abs(a - b)), MAX_DIFF[1] + 1
    return abs(a - b) <= 1e-9


failures = []
CASES = [("small-ref", 800, 900, 1), ("small-ref-same-size", 600, 600, 1), ("small-ref-large-cur", 700, 15000, 1),
         ("large-ref", 5000, 4000, 1), ("large-ref-no-drift", 3000, 3000, 0)]
for name, n_ref, n_cur, shift in CASES:
    rng = np.random.default_rng(abs(hash(name)) % 2**32 if False else n_ref * 7 + n_cur)
    ref, cur = table(rng, n_ref, 0), table(rng, n_cur, shift)
    ref_path, cur_path = f"{WORK}/{name}-ref.parquet", f"{WORK}/{name}-cur.parquet"
    ref.to_parquet(ref_path, index=False)
    cur.to_parquet(cur_path, index=False)
    cols = [c for c in ref.columns if c != "text"]
    ev, (ev_count, ev_share) = evidently_values(ref, cur, cols)
    for mode in ([], ["--lazy"], ["--baseline"]):
        out = rust(ref_path, cur_path, *mode, "--linf")
        rep = {c["column"]: c for c in out["report"]["columns"]}
        for col, (test, value) in ev.items():
            got = rep[col]
            if got["test"] != test or not close(got["score"], value):
                failures.append(f"{name}{mode} {col}: evidently {test} {value!r}, cairn {got['test']} {got['score']!r}")
        drifted = sum(1 for c in cols if rep[c]["drifted"])
        if drifted != ev_count or not close(drifted / len(cols), ev_share):
            failures.append(f"{name}{mode}: evidently drifted {ev_count} (share {ev_share}), cairn {drifted}")
        # The text column: evidently's type and test name.
        t = rep["text"]
        kind = infer_column_type(cur["text"])
        want = get_stattest(ref["text"].dropna(), cur["text"].dropna(), ColumnType.Text, None).name
        if kind != ColumnType.Text or t["kind"] != "text" or t["test"] != want:
            failures.append(f"{name}{mode} text: evidently {kind} {want}, cairn {t['kind']} {t['test']}")
    # deequ's distances against a hand computation.
    for col, (simple, robust) in out["linf"].items():
        hs, hr = hand_linf(ref[col], cur[col])
        if not (close(simple, hs) and close(robust, hr)):
            failures.append(f"{name} linf {col}: hand {hs!r}/{hr!r}, cairn {simple!r}/{robust!r}")
    print(f"{name}: ref {n_ref} rows, cur {n_cur}: {len(ev)} columns compared, evidently drifted {ev_count} "
          f"(share {ev_share:.3f}); tests " + ", ".join(sorted({t for t, _ in ev.values()})))

# PSI on request (Sturges bins for numbers with > 20 reference values, per value otherwise).
name = "large-ref"
ref, cur = pd.read_parquet(f"{WORK}/{name}-ref.parquet"), pd.read_parquet(f"{WORK}/{name}-cur.parquet")
cols = [c for c in ref.columns if c != "text"]
ev, (ev_count, _) = evidently_values(ref, cur, cols, method="psi")
out = rust(f"{WORK}/{name}-ref.parquet", f"{WORK}/{name}-cur.parquet", "--method", "psi")
rep = {c["column"]: c for c in out["report"]["columns"]}
for col, (test, value) in ev.items():
    if rep[col]["test"] != test or not close(rep[col]["score"], value):
        failures.append(f"psi {col}: evidently {test} {value!r}, cairn {rep[col]['test']} {rep[col]['score']!r}")
print(f"psi: {len(ev)} columns compared, evidently drifted {ev_count}")

if failures:
    print("FAILED:\n  " + "\n  ".join(failures))
    sys.exit(1)
print(f"all values equal to 1e-9 ({MAX_DIFF[1]} values compared, largest difference {MAX_DIFF[0]:.3g})")
