"""LightGBM peer of crates/cairn-ml/examples/gbm_bench.rs: fit on TRAIN, score ROC AUC on TEST.

usage: lightgbm_peer.py TRAIN TEST TARGET [RUNS]
prints JSON {"fit_s": median fit seconds, "auc": test ROC AUC, "version": LightGBM's version}

The positive class is the training target's minority class (as Cairn picks it). Text columns become
pandas categoricals with the training categories, which LightGBM splits natively. The fit time covers
building the Dataset (binning) and 100 boosting rounds with LightGBM's default parameters.
"""
import json
import statistics
import sys
import time

import lightgbm as lgb
import pandas as pd


def read(path):
    # Cairn's default null markers; empty fields are missing in both.
    return pd.read_csv(path, na_values=["?", "NA", "N/A", "NULL", "null", "NaN"], keep_default_na=True)


def roc_auc(truth, score):
    """Rank-sum AUC; tied scores share their mean rank."""
    ranks = pd.Series(score).rank(method="average").to_numpy()
    pos = int(truth.sum())
    neg = len(truth) - pos
    return float((ranks[truth.astype(bool)].sum() - pos * (pos + 1) / 2) / (pos * neg))


def main():
    train_path, test_path, target = sys.argv[1:4]
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    train, test = read(train_path), read(test_path)
    positive = train[target].value_counts().idxmin()
    y = (train[target] == positive).astype(int).to_numpy()
    truth = (test[target] == positive).astype(int).to_numpy()
    x, x_test = train.drop(columns=[target]), test.drop(columns=[target])
    for col in x.columns:
        if x[col].dtype == object:
            x[col] = x[col].astype("category")
            x_test[col] = pd.Categorical(x_test[col], categories=x[col].cat.categories)
    params = {"objective": "binary", "verbose": -1, "seed": 42}
    times, model = [], None
    for _ in range(runs):
        start = time.perf_counter()
        model = lgb.train(params, lgb.Dataset(x, y), num_boost_round=100)
        times.append(time.perf_counter() - start)
    auc = roc_auc(truth, model.predict(x_test))
    print(json.dumps({"fit_s": statistics.median(times), "auc": auc, "version": lgb.__version__}))


if __name__ == "__main__":
    main()
