"""The peer for Cairn's import + profile benchmark: pandas read_csv + describe() + value_counts().

Prints one JSON line: {"median_s": ..., "runs": [...]}. Same null markers as Cairn's defaults.
"""
import json
import statistics
import sys
import time

import pandas as pd

NULLS = ["", "NA", "N/A", "NULL", "null", "NaN", "?"]


def once(path):
    t = time.perf_counter()
    df = pd.read_csv(path, na_values=NULLS, keep_default_na=False, low_memory=False)
    df.describe(include="all")
    for c in df.columns:
        df[c].value_counts()
    return time.perf_counter() - t


def main():
    path, runs = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5
    times = [once(path) for _ in range(runs)]
    print(json.dumps({"median_s": statistics.median(times), "runs": times}))


if __name__ == "__main__":
    main()
