"""Peers of examples/flow_bench.rs, timed in the same run: the flow's exported polars script and the same
ten steps hand-written in pandas (statistics from the train rows, as the flow does). Prints NAME SECONDS."""
import runpy
import sys
import time

import numpy as np
import pandas as pd

script, csv, out_dir = sys.argv[1], sys.argv[2], sys.argv[3]


def best(n, f):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def polars_script():
    sys.argv = [script, out_dir + "/python.parquet"]
    runpy.run_path(script, run_name="__main__")


def pandas_flow():
    df = pd.read_csv(csv, na_values=["?"], keep_default_na=False, low_memory=False)
    df = df.drop(columns=["weight", "payer_code"])
    df = df[df["gender"] != "Unknown/Invalid"]
    df["readmitted_30"] = df["readmitted"] == "<30"
    rng = np.random.default_rng(42)
    key = pd.Series(rng.random(len(df)), index=df.index)
    rank = key.groupby(df["readmitted_30"]).rank(method="first")
    size = df.groupby("readmitted_30")["readmitted_30"].transform("size")
    df["split"] = np.where(rank <= (size * 0.2).round(), "test", "train")
    train = df[df["split"] == "train"]
    df["race"] = df["race"].fillna(train["race"].mode().iloc[0])
    df["medical_specialty"] = df["medical_specialty"].fillna("Unknown")
    for v in sorted(train["admission_type_id"].dropna().unique()):
        df[f"admission_type_id_{v}"] = (df["admission_type_id"] == v).astype("uint8")
    df = df.drop(columns=["admission_type_id"])
    for c in ["num_lab_procedures", "num_medications"]:
        df[c] = (df[c] - train[c].mean()) / train[c].std()
    edges = train["time_in_hospital"].quantile([0.25, 0.5, 0.75]).unique()
    df["time_in_hospital"] = sum((df["time_in_hospital"] > e).astype("int64") for e in edges)
    freq = train["diag_1"].value_counts(normalize=True)
    df["diag_1"] = df["diag_1"].map(freq).fillna(0.0)
    # Not written out: pandas needs pyarrow for Parquet; leaving the write out favours pandas.
    return df


print("python-polars(exported)", best(5, polars_script))
print("pandas(hand-written)", best(3, pandas_flow))
