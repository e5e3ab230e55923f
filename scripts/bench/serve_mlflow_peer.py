"""The peer of scripts/bench-serve.sh: LightGBM with 100 trees fitted on adult.csv (every row, its text
columns as categorical codes), saved as an MLflow model with a signature for `mlflow models serve`,
and a one-row request body in MLflow's dataframe_split format (the same held-out row Cairn is sent).

Usage: serve_mlflow_peer.py ADULT_CSV OUT_DIR ROW
"""

import json
import pathlib
import sys

import lightgbm as lgb
import mlflow.lightgbm
import pandas as pd
from mlflow.models import infer_signature

adult, out, row = sys.argv[1], pathlib.Path(sys.argv[2]), int(sys.argv[3])
df = pd.read_csv(adult, na_values=["?"])
y = (df.pop("class") == ">50K").astype(int)
text = [c for c in df.columns if df[c].dtype == object]
for c in text:
    df[c] = df[c].astype("category").cat.codes.astype("int64")
model = lgb.LGBMClassifier(n_estimators=100, verbose=-1).fit(df, y, categorical_feature=text)
assert model.booster_.num_trees() == 100
mlflow.lightgbm.save_model(model, str(out / "model"), signature=infer_signature(df, model.predict(df)))
one = df.iloc[[row]]
body = {"dataframe_split": {"columns": list(one.columns), "data": one.values.tolist()}}
(out / "row.json").write_text(json.dumps(body))
