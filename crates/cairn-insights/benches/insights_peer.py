"""The insights report's analysis written by hand in pandas + scikit-learn + LightGBM, as a data scientist
would: the peer of examples/insights_bench.rs. Same steps and settings as Cairn's report on an in-memory
frame: per-column missing/distinct/top share/skewness, duplicate rows (also ignoring the identifiers),
the target readmitted == "<30" and its balance, a held-out one-feature score per feature (5-fold target
mean per value or per 32 quantile bins, ROC AUC), Pearson correlations and VIF, and a 3-fold CV
gradient-boosting baseline (60 rounds, learning rate 0.2, depth 5) plus a final fit for importances.

usage: python insights_peer.py diabetic_data.csv RUNS   (prints lines; the last is "seconds BEST")
"""
import sys
import time

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold


def codes(s: pd.Series) -> np.ndarray:
    if s.dtype.kind in "if" and s.nunique() > 64:
        c = pd.qcut(s, 32, labels=False, duplicates="drop")
    else:
        c = pd.Series(pd.factorize(s)[0], index=s.index).where(s.notna())
    return c.fillna(-1).astype(np.int64).to_numpy()


def oof_auc(c: np.ndarray, y: np.ndarray, fold: np.ndarray, prior: float, m: float = 5.0) -> float:
    pred = np.empty(len(y))
    for f in range(5):
        tr, te = fold != f, fold == f
        stats = pd.DataFrame({"c": c[tr], "y": y[tr]}).groupby("c")["y"].agg(["sum", "count"])
        s = pd.Series(c[te]).map(stats["sum"]).fillna(0).to_numpy()
        n = pd.Series(c[te]).map(stats["count"]).fillna(0).to_numpy()
        pred[te] = (s + m * prior) / (n + m)
    return roc_auc_score(y, pred)


def analyse(df: pd.DataFrame) -> dict:
    out = {}
    n = len(df)
    # Column quality.
    quality = {}
    for col in df.columns:
        s = df[col]
        vc = s.value_counts()
        quality[col] = {
            "missing": float(s.isna().mean()),
            "distinct": int(vc.size),
            "top_share": float(vc.iloc[0] / vc.sum()) if vc.size else None,
            "skew": float(s.skew()) if s.dtype.kind in "if" else None,
        }
    ids = [c for c in df.columns if df[c].dtype.kind in "iO" and quality[c]["distinct"] >= 0.95 * df[c].notna().sum()]
    # The repeated key: by hand, a data scientist names it (Cairn finds it by cardinality and its name).
    ids += [c for c in ("patient_nbr",) if c not in ids]
    out["ids"] = ids
    out["duplicates"] = int(df.duplicated().sum())
    out["duplicates_ignoring_ids"] = int(df.drop(columns=ids).duplicated().sum())
    # Target.
    y = (df["readmitted"] == "<30").to_numpy().astype(np.int64)
    out["positive_rate"] = float(y.mean())
    # Leakage: each feature alone, on held-out folds.
    rng = np.random.default_rng(42)
    fold = rng.integers(0, 5, n)
    prior = y.mean()
    feats = [c for c in df.columns if c != "readmitted"]
    out["leakage"] = sorted(((oof_auc(codes(df[c]), y, fold, prior), c) for c in feats), reverse=True)[:5]
    # Correlations and VIF.
    num = [c for c in df.columns if df[c].dtype.kind in "if" and c not in ids and quality[c]["distinct"] > 1]
    corr = df[num].corr()
    complete = df[num].dropna()
    inv = np.linalg.pinv(complete.corr().to_numpy())
    out["vif_max"] = float(np.max(np.diag(inv)))
    out["top_corr"] = float(corr.where(~np.eye(len(num), dtype=bool)).abs().max().max())
    # Quick model: the features Cairn's model uses, 3-fold CV and a final fit.
    usable = [
        c for c in feats
        if c not in ids and quality[c]["distinct"] > 1 and not (df[c].dtype == object and quality[c]["distinct"] > 50)
    ]
    X = df[usable].copy()
    for c in X.columns:
        if X[c].dtype == object:
            X[c] = X[c].astype("category")
    params = dict(n_estimators=60, learning_rate=0.2, max_depth=5, num_leaves=31, max_bin=63, verbose=-1)
    aucs, first = [], None
    for tr, te in StratifiedKFold(3, shuffle=True, random_state=42).split(X, y):
        m = lgb.LGBMClassifier(**params, importance_type="gain").fit(X.iloc[tr], y[tr])
        aucs.append(roc_auc_score(y[te], m.predict_proba(X.iloc[te])[:, 1]))
        first = first or m
    # Importances from the first fold's model, as Cairn's quick model reports them (no final fit).
    imp = sorted(zip(first.feature_importances_, usable), reverse=True)[:3]
    out["cv_auc"] = float(np.mean(aucs))
    out["top_features"] = [c for _, c in imp]
    return out


def main() -> None:
    path, runs = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3
    df = pd.read_csv(path, na_values=["?"], keep_default_na=True, low_memory=False)
    best, out = float("inf"), None
    for _ in range(runs):
        t = time.perf_counter()
        out = analyse(df)
        best = min(best, time.perf_counter() - t)
    print(f"positive rate {out['positive_rate']:.4f}; identifiers: {', '.join(out['ids'])}")
    print(f"quick model (LightGBM {lgb.__version__}): 3-fold roc_auc {out['cv_auc']:.4f}; top {', '.join(out['top_features'])}")
    print(f"strongest single feature: {out['leakage'][0][1]} {out['leakage'][0][0]:.3f}")
    print(f"seconds {best:.4f}")


if __name__ == "__main__":
    main()
