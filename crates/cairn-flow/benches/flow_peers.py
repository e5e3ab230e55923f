"""Peers of examples/flow_bench.rs, timed in the same run: the flow's exported polars script and the same
ten steps hand-written in pandas (statistics from the rows the flow fits on). Prints NAME SECONDS.
The exported script is also timed on polars' default (in-memory) engine.
Usage: flow_peers.py diabetic SCRIPT OUT_DIR CSV N  |  flow_peers.py large SCRIPT OUT_DIR CSV LOOKUP N"""
import runpy
import sys
import time

import numpy as np
import pandas as pd

mode, script, out_dir = sys.argv[1], sys.argv[2], sys.argv[3]
csv = sys.argv[4]
lookup = sys.argv[5] if mode == "large" else None
runs = int(sys.argv[-1])


def best(n, f):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def polars_script(path):
    sys.argv = [path, out_dir + "/python.parquet"]
    runpy.run_path(path, run_name="__main__")


# The exported script collects on the streaming engine, as Cairn's runs do; a script written by hand
# would more likely call the default collect(), so that one is timed too.
in_memory = script[:-3] + "_in_memory.py"
with open(script) as f, open(in_memory, "w") as g:
    g.write(f.read().replace('.collect(engine="streaming")', ".collect()"))


def pandas_flow():
    if csv.endswith(".parquet"):
        df = pd.read_parquet(csv)
    else:
        df = pd.read_csv(csv, na_values=["?"], keep_default_na=False, low_memory=False)
    # The split first (as Cairn's flows keep it), stratified on the source column readmitted_30 is made from.
    rng = np.random.default_rng(42)
    key = pd.Series(rng.random(len(df)), index=df.index)
    rank = key.groupby(df["readmitted"]).rank(method="first")
    size = df.groupby("readmitted")["readmitted"].transform("size")
    df["split"] = np.where(rank <= (size * 0.2).round(), "test", "train")
    df = df.drop(columns=["weight", "payer_code"])
    df = df[df["gender"] != "Unknown/Invalid"]
    df["readmitted_30"] = df["readmitted"] == "<30"
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
    # Written out as the flow's output is (pyarrow), so both do the same work.
    df.to_parquet(out_dir + "/pandas.parquet")
    return df


def pandas_large():
    df = pd.read_csv(csv, keep_default_na=False, na_values=[""], low_memory=False)
    groups = pd.read_csv(lookup, keep_default_na=False, na_values=[""])
    df = df[df["n"] >= 5]
    df["x"] = df["x"].fillna(df["x"].mean())
    df["city"] = df["city"].fillna(df["city"].mode().iloc[0])
    df["big"] = df["n"] > 50
    df = df.merge(groups, on="grp", how="left")
    for v in sorted(df["flag"].dropna().unique()):
        df[f"flag_{v}"] = (df["flag"] == v).astype("uint8")
    df = df.drop(columns=["flag"])
    df["x"] = (df["x"] - df["x"].mean()) / df["x"].std()
    df["city"] = df["city"].map(df["city"].value_counts(normalize=True)).fillna(0.0)
    df["score"] = df["x"] * df["weight"] + df["n"]
    out = df.groupby(["region", "big"], as_index=False).agg(
        score_mean=("score", "mean"), n_sum=("n", "sum"), city_mean=("city", "mean"), id_count=("id", "count")
    )
    out.to_parquet(out_dir + "/pandas.parquet")
    return out


print("python-polars(exported)", best(runs, lambda: polars_script(script)))
print("python-polars(collect())", best(runs, lambda: polars_script(in_memory)))
print("pandas(hand-written)", best(min(runs, 3), pandas_flow if mode == "diabetic" else pandas_large))
