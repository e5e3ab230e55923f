"""`cairn automl` beside FLAML and LightGBM's defaults, measured in the same run on the same split.

usage: automl_peer.py CAIRN_BIN DATA_DIR [--peers-only] [--tasks adult,diabetic,diabetic_los]

DATA_DIR holds adult.csv and diabetic_data.csv. Three tasks:
  adult         target `class`, ROC AUC of ">50K"
  diabetic      target readmitted_30 = "yes" when readmitted == "<30" (it replaces readmitted), ROC AUC of "yes"
  diabetic_los  target time_in_hospital (regression, every other column kept), RMSE

For each task ONE 80/20 split is made (sklearn `train_test_split(random_state=0)`, stratified on the target
for classification) and written to train.csv and test.csv, the rows as they are in the source file. Cairn
imports train.csv and runs `cairn automl --budget 10s` and `--budget 60s` (`--seed 0 --json`), then
`cairn predict` on test.csv with the parent run; its wall times are the automl command's. The peers read
the same two files with Cairn's null markers, leave out encounter_id and patient_nbr (Cairn's defaults
leave identifiers out by themselves), make non-numeric columns pandas categoricals and use 2 threads:
LightGBM's defaults (LGBMClassifier / LGBMRegressor), and FLAML's `AutoML().fit(time_budget=B, n_jobs=2,
seed=0, metric=roc_auc|rmse)` for each B of $AUTOML_FLAML_BUDGETS (default "10,30,60,120"; 10 and 60 are
always run), one at a time; FLAML's time is its fit call's wall time. Everything is scored on test.csv.
The smallest budget at which FLAML's test score matches Cairn's 60 s score is reported.

Exits 0 whichever side wins (a benchmark, not a test); non-zero when a command fails. `--peers-only`
measures the peers alone (no Cairn binary needed).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
import pandas as pd

# FLAML's learners run through joblib, whose workers (threads and processes) warn about scikit-learn's
# `delayed` on every fit; the benchmark's output is the table.
os.environ.setdefault("PYTHONWARNINGS", "ignore")
warnings.simplefilter("ignore")

SEED = 0
THREADS = 2
CAIRN_BUDGETS = (10, 60)
# Cairn's default null markers (`cairn import --help`); the peers read the split files with the same ones.
NULLS = ["", "NA", "N/A", "NULL", "null", "NaN", "?"]
IDENTIFIERS = ["encounter_id", "patient_nbr"]

TASKS = {
    "adult": dict(file="adult.csv", target="class", kind="classification", positive=">50K", drops=[],
                  derive=None),
    "diabetic": dict(file="diabetic_data.csv", target="readmitted_30", kind="classification", positive="yes",
                     drops=IDENTIFIERS, derive=("readmitted", "<30")),
    "diabetic_los": dict(file="diabetic_data.csv", target="time_in_hospital", kind="regression", positive=None,
                         drops=IDENTIFIERS, derive=None),
}


def fail(msg):
    sys.exit(f"automl_peer.py: {msg}")


def budgets_from_env():
    raw = os.environ.get("AUTOML_FLAML_BUDGETS", "10,30,60,120")
    try:
        budgets = {int(float(b)) for b in raw.split(",") if b.strip()}
    except ValueError:
        fail(f"AUTOML_FLAML_BUDGETS must be seconds separated by commas, not {raw!r}")
    return sorted(budgets | set(CAIRN_BUDGETS))


# ---------------------------------------------------------------- the split


def make_split(data_dir, task, tmp):
    """train.csv and test.csv in tmp: the source rows as text (nothing re-formatted), the derived target
    replacing its source column."""
    raw = pd.read_csv(os.path.join(data_dir, task["file"]), dtype=str, keep_default_na=False)
    if task["derive"]:
        source, value = task["derive"]
        made = np.where(raw[source] == value, "yes", "no")
        raw.insert(raw.columns.get_loc(source), task["target"], made)
        raw = raw.drop(columns=[source])
    from sklearn.model_selection import train_test_split

    strat = raw[task["target"]] if task["kind"] == "classification" else None
    train, test = train_test_split(raw, test_size=0.2, random_state=SEED, stratify=strat)
    paths = os.path.join(tmp, "train.csv"), os.path.join(tmp, "test.csv")
    train.to_csv(paths[0], index=False)
    test.to_csv(paths[1], index=False)
    return paths, len(train), len(test)


def read_peer(path, task):
    frame = pd.read_csv(path, na_values=NULLS, keep_default_na=False)
    return frame.drop(columns=[c for c in task["drops"] if c in frame.columns])


def peer_tables(train_csv, test_csv, task):
    train, test = read_peer(train_csv, task), read_peer(test_csv, task)
    target = task["target"]
    if task["kind"] == "classification":
        y = (train[target].astype(str) == task["positive"]).astype(int)
        y_test = (test[target].astype(str) == task["positive"]).astype(int).to_numpy()
    else:
        y, y_test = train[target].astype(float), test[target].astype(float).to_numpy()
    x, x_test = train.drop(columns=[target]), test.drop(columns=[target])
    for col in x.columns:
        if not pd.api.types.is_numeric_dtype(x[col]):
            x[col] = x[col].astype(str).where(x[col].notna()).astype("category")
            x_test[col] = pd.Categorical(x_test[col].astype(str).where(x_test[col].notna()),
                                         categories=x[col].cat.categories)
    return x, y, x_test, y_test


# ---------------------------------------------------------------- scores


def score(task, truth, pred):
    if task["kind"] == "classification":
        from sklearn.metrics import roc_auc_score

        return float(roc_auc_score(truth, pred))
    return float(np.sqrt(np.mean((np.asarray(truth, float) - np.asarray(pred, float)) ** 2)))


def metric_name(task):
    return "ROC AUC" if task["kind"] == "classification" else "RMSE"


def at_least(task, a, b):
    """Whether score a is at least as good as score b."""
    return a >= b if task["kind"] == "classification" else a <= b


def diff_text(task, cairn, peer):
    d = cairn - peer
    if d == 0:
        word = "same"
    else:
        word = "better" if at_least(task, cairn, peer) else "worse"
    return f"{d:+.4f} ({word})"


# ---------------------------------------------------------------- peers


def lightgbm_peer(task, x, y, x_test, y_test):
    import lightgbm as lgb

    cls = lgb.LGBMClassifier if task["kind"] == "classification" else lgb.LGBMRegressor
    model = cls(n_jobs=THREADS, verbose=-1)
    t = time.perf_counter()
    model.fit(x, y)
    wall = time.perf_counter() - t
    pred = model.predict_proba(x_test)[:, list(model.classes_).index(1)] if task["kind"] == "classification" \
        else model.predict(x_test)
    return dict(score=score(task, y_test, pred), seconds=wall)


def flaml_peer(task, x, y, x_test, y_test, budget, workdir):
    from flaml import AutoML

    automl = AutoML()
    cwd = os.getcwd()
    os.chdir(workdir)  # anything FLAML writes lands in the temp dir
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t = time.perf_counter()
            automl.fit(x, y, task=task["kind"], time_budget=budget, n_jobs=THREADS, seed=SEED,
                       metric="roc_auc" if task["kind"] == "classification" else "rmse", verbose=0)
            wall = time.perf_counter() - t
            if task["kind"] == "classification":
                pred = automl.predict_proba(x_test)[:, list(automl.classes_).index(1)]
            else:
                pred = automl.predict(x_test)
    finally:
        os.chdir(cwd)
    return dict(score=score(task, y_test, pred), seconds=wall, pick=automl.best_estimator,
                val=1 - automl.best_loss if task["kind"] == "classification" else automl.best_loss)


# ---------------------------------------------------------------- cairn


def run(cmd, env, what):
    t = time.perf_counter()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if out.returncode != 0:
        fail(f"{what} failed (exit {out.returncode}): {' '.join(cmd)}\n{out.stderr[-4000:]}{out.stdout[-2000:]}")
    return out, wall


def parse_json(stdout, what):
    """The JSON object on stdout; tolerant of lines printed around it."""
    text = stdout.strip()
    try:
        value = json.loads(text)
        if isinstance(value, dict):
            return value
    except ValueError:
        pass
    decoder, found, i = json.JSONDecoder(), None, text.find("{")
    while i != -1:
        try:
            value, end = decoder.raw_decode(text, i)
            if isinstance(value, dict) and "run_id" in value:
                found = value
            i = text.find("{", end)
        except ValueError:
            i = text.find("{", i + 1)
    if found is None:
        fail(f"{what} printed no JSON object with a run_id on stdout:\n{stdout[-2000:]}")
    return found


def proba_column(columns, positive):
    """The predicted file's probability column of the positive class."""
    aliases = {"yes": ["yes", "true", "1", "1.0"], ">50K": [">50K"]}.get(positive, [positive])
    for name in aliases:
        for col in columns:
            if col.lower() == f"proba_{name}".lower():
                return col
    fail(f"no proba_{positive} column in cairn predict's output: {list(columns)}")


def cairn_side(cairn, task, train_csv, test_csv, tmp, y_test):
    env = dict(os.environ, CAIRN_CONFIG_DIR=os.path.join(tmp, "cairn-config"))
    project = os.path.join(tmp, "project")
    run([cairn, "new", project], env, "cairn new")
    run([cairn, "import", project, train_csv, "--name", "train"], env, "cairn import")
    results = {}
    for budget in CAIRN_BUDGETS:
        cmd = [cairn, "automl", project, "--data", "train", "--target", task["target"], "--budget", f"{budget}s",
               "--seed", str(SEED), "--json"]
        if task["kind"] == "regression":
            cmd += ["--task", "regression"]
        out, wall = run(cmd, env, f"cairn automl --budget {budget}s")
        info = parse_json(out.stdout, "cairn automl")
        pred_csv = os.path.join(tmp, f"pred_{budget}.csv")
        run([cairn, "predict", project, str(info["run_id"]), test_csv, "--out", pred_csv], env, "cairn predict")
        pred = pd.read_csv(pred_csv, keep_default_na=False, na_values=NULLS, low_memory=False)
        if len(pred) != len(y_test):
            fail(f"cairn predict wrote {len(pred)} rows for {len(y_test)} test rows")
        if task["kind"] == "classification":
            values = pred[proba_column(pred.columns, task["positive"])].astype(float)
        else:
            values = pred["prediction"].astype(float)
        board = info.get("leaderboard") or []
        top = board[0] if board and isinstance(board[0], dict) else {}
        pick = str(top.get("model") or top.get("name") or top.get("kind") or "?")
        members = [m for m in info.get("ensemble") or [] if isinstance(m, dict)]
        if len(members) > 1:  # the final model is a weighted ensemble of several trials
            pick = "ensemble of " + ", ".join(f"{m.get('model', '?')} {float(m.get('weight', 0)):.2f}" for m in members)
        results[budget] = dict(score=score(task, y_test, values.to_numpy()), seconds=wall,
                               reported=info.get("seconds"), val=info.get("best_score"),
                               metric=info.get("metric"), pick=pick, candidates=len(board))
    return results


# ---------------------------------------------------------------- the report


def needed_budget(task, flaml, target):
    for budget in sorted(flaml):
        if at_least(task, flaml[budget]["score"], target):
            return budget
    return None


def bench(name, task, args, budgets):
    tmp = tempfile.mkdtemp(prefix=f"cairn-automl-{name}-")
    try:
        (train_csv, test_csv), n_train, n_test = make_split(args.data_dir, task, tmp)
        x, y, x_test, y_test = peer_tables(train_csv, test_csv, task)
        what = f"{metric_name(task)}" + (f" of {task['positive']!r}" if task["positive"] else "")
        split = "stratified " if task["kind"] == "classification" else ""
        print(f"AutoML on {task['file']}, target {task['target']} ({task['kind']}, test {what}): {n_train} training "
              f"rows, {n_test} test rows ({split}80/20, random_state {SEED}), {THREADS} threads for the peers",
              flush=True)
        cairn = None if args.peers_only else cairn_side(args.cairn, task, train_csv, test_csv, tmp, y_test)
        lgbm = lightgbm_peer(task, x, y, x_test, y_test)
        flaml = {}
        for budget in budgets:  # one at a time: the machine's cores are the budget's
            flaml[budget] = flaml_peer(task, x, y, x_test, y_test, budget, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    m = metric_name(task)
    if cairn:
        for budget, r in cairn.items():
            val = f"validation {r['metric'] or 'score'} {r['val']:.4f}, " if isinstance(r["val"], (int, float)) else ""
            own = f", its own {r['reported']:.1f} s" if isinstance(r["reported"], (int, float)) else ""
            over = "; OVER BUDGET" if r["seconds"] > 1.2 * budget + 2 else ""
            print(f"  cairn {budget:>3} s   test {m} {r['score']:.4f}   wall {r['seconds']:7.2f} s   "
                  f"({val}{r['candidates']} trial{'' if r['candidates'] == 1 else 's'}, final model {r['pick']}{own}{over})")
    print(f"  lightgbm     test {m} {lgbm['score']:.4f}   wall {lgbm['seconds']:7.2f} s   (defaults, pandas categoricals)")
    for budget, r in flaml.items():
        print(f"  flaml {budget:>3} s   test {m} {r['score']:.4f}   wall {r['seconds']:7.2f} s   (picked {r['pick']}, "
              f"validation {'ROC AUC' if task['kind'] == 'classification' else 'RMSE'} {r['val']:.4f})")
    if cairn:
        c60 = cairn[60]["score"]
        print(f"  cairn 60 s - lightgbm   {diff_text(task, c60, lgbm['score'])}")
        for budget in CAIRN_BUDGETS:
            print(f"  cairn {budget} s - flaml {budget} s   {diff_text(task, cairn[budget]['score'], flaml[budget]['score'])}"
                  f"   wall {cairn[budget]['seconds']:.1f} s vs {flaml[budget]['seconds']:.1f} s")
        need = needed_budget(task, flaml, c60)
        if need is None:
            print(f"  FLAML needs >{max(flaml)} s to match Cairn's 60 s ({m} {c60:.4f})")
        else:
            print(f"  FLAML needs {need} s to match Cairn's 60 s ({m} {c60:.4f}; ratio 60/{need} = {60 / need:.2f}x)")
    return dict(task=name, cairn=cairn, lightgbm=lgbm, flaml=flaml)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("cairn", help="the cairn binary (release)")
    parser.add_argument("data_dir", help="the folder holding adult.csv and diabetic_data.csv")
    parser.add_argument("--peers-only", action="store_true", help="measure LightGBM and FLAML only")
    parser.add_argument("--tasks", default=",".join(TASKS), help=f"comma-separated, of {', '.join(TASKS)}")
    args = parser.parse_args()
    names = [t.strip() for t in args.tasks.split(",") if t.strip()]
    unknown = [t for t in names if t not in TASKS]
    if unknown:
        fail(f"unknown task(s) {unknown}; known: {list(TASKS)}")
    if not args.peers_only:
        probe = subprocess.run([args.cairn, "automl", "--help"], capture_output=True, text=True)
        if probe.returncode != 0:
            fail(f"{args.cairn} has no `automl` command (rebuild it, or pass --peers-only)")
    budgets = budgets_from_env()
    import flaml
    import lightgbm

    print(f"AutoML: cairn automl beside FLAML {flaml.__version__} (budgets {', '.join(f'{b} s' for b in budgets)}) "
          f"and LightGBM {lightgbm.__version__} defaults", flush=True)
    for name in names:
        bench(name, TASKS[name], args, budgets)


if __name__ == "__main__":
    main()
