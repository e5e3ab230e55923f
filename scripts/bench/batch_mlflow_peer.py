"""MLflow peer of `cairn batch-predict` (scripts/bench-batch.sh): `mlflow models predict` on a file.

usage: batch_mlflow_peer.py SAMPLE_CSV FULL_CSV WORKDIR TARGET FEATURES
prints JSON {"seconds", "rows", "max_rss_mb", "trees", "versions"}

Fits on SAMPLE_CSV what Cairn's side fits: 100 boosted trees (LightGBM's defaults otherwise) for TARGET
from FEATURES (comma-separated; text columns ordinal-encoded, unknown and missing categories -1), as a
scikit-learn pipeline saved as an MLflow model whose pyfunc answers class probabilities (Cairn writes
its label and probabilities). Then times `mlflow models predict` over FULL_CSV in a process of its own
(`--env-manager local`, this venv), output to a file, and reports the child's peak memory.
"""
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import lightgbm as lgb
import mlflow
import mlflow.sklearn
import pandas as pd
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder

# Cairn's default missing markers; empty fields are missing on both sides.
NA = ["?", "NA", "N/A", "NULL", "null", "NaN"]


def main():
    sample, full, workdir, target, features = sys.argv[1:6]
    features = features.split(",")
    work = Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    train = pd.read_csv(sample, na_values=NA, keep_default_na=True)
    text = [c for c in features if train[c].dtype == object]
    numbers = [c for c in features if c not in text]
    encode = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-1)
    pipe = Pipeline(
        [
            ("columns", ColumnTransformer([("text", encode, text), ("numbers", "passthrough", numbers)], remainder="drop")),
            ("gbm", lgb.LGBMClassifier(n_estimators=100, verbose=-1, random_state=42)),
        ]
    )
    pipe.fit(train[features], train[target].astype(str))
    model_dir = work / "model"
    if model_dir.exists():
        import shutil

        shutil.rmtree(model_dir)
    # MLflow 3 saves scikit-learn models with skops, which loads only the types it is told to trust.
    trusted = ["collections.OrderedDict", "lightgbm.basic.Booster", "lightgbm.sklearn.LGBMClassifier"]
    mlflow.sklearn.save_model(pipe, str(model_dir), pyfunc_predict_fn="predict_proba", skops_trusted_types=trusted)
    out = work / "predictions.json"
    cmd = ["mlflow", "models", "predict", "-m", str(model_dir), "-i", full, "-t", "csv", "-o", str(out), "--env-manager", "local"]
    start = time.perf_counter()
    subprocess.run([str(Path(sys.executable).parent / cmd[0]), *cmd[1:]], check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    with open(full, "rb") as f:
        rows = sum(1 for _ in f) - 1
    versions = {"mlflow": mlflow.__version__, "lightgbm": lgb.__version__, "scikit-learn": sklearn.__version__, "pandas": pd.__version__}
    trees = pipe.named_steps["gbm"].booster_.num_trees()
    print(json.dumps({"seconds": seconds, "rows": rows, "max_rss_mb": rss_mb, "trees": trees, "versions": versions}))


if __name__ == "__main__":
    main()
