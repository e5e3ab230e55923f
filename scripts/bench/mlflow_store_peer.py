"""The peer for Cairn's tracking-store benchmark: MLflow's own SQLite tracking store (SqlAlchemyStore),
doing what `cairn-store/examples/tracking_bench.rs` does, on the same data.

usage: mlflow_store_peer.py WORKDIR RUNS BATCHES REPEATS

Prints one JSON object. The data is made by the same arithmetic as the Rust side (see `run_values` and
`batch_points`), so both stores hold the same runs and the same first search results.
"""
import json
import statistics
import sys
import time

import mlflow
from mlflow.entities import Metric, ViewType
from mlflow.store.tracking.dbmodels.models import SqlLatestMetric, SqlMetric, SqlParam, SqlRun, SqlTag
from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

MODELS = ["gbm", "rf", "lr", "svm", "knn"]
LRS = ["0.1", "0.01", "0.001"]
TEAMS = ["ml", "data", "ops", "research"]
T0 = 1_700_000_000_000
SEARCH = ("metrics.auc > 0.5", ["metrics.loss ASC"], 1000)
PAGE = ("metrics.auc > 0.5 and params.model = 'gbm'", ["metrics.loss ASC"], 100)


def run_values(i):
    return {
        "run_id": f"{i:032x}",
        "name": f"run-{i}",
        "start": T0 + i * 1000,
        "metrics": {
            "auc": ((i * 7919) % 10007) / 10007.0,
            "loss": ((i * 104729) % 10009) / 10009.0,
            "acc": ((i * 31337) % 9973) / 9973.0,
        },
        "params": {"model": MODELS[i % 5], "lr": LRS[i % 3], "depth": str(3 + i % 8)},
        "tags": {"team": TEAMS[i % 4], "mlflow.source.type": "LOCAL"},
    }


def batch_points(b, per_batch):
    """Batch b: 10 keys x (per_batch / 10) steps."""
    steps = per_batch // 10
    out = []
    for j in range(steps):
        step = b * steps + j
        for k in range(10):
            out.append(Metric(f"m{k}", ((b * 1000 + j * 10 + k) % 997) / 997.0, T0 + step, step))
    return out


def median_ms(fn, repeats):
    times = []
    result = None
    for _ in range(repeats):
        t = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t) * 1e3)
    return statistics.median(times), result


def bulk_insert(store, experiment_id, n):
    """The runs straight into MLflow's tables in one transaction (its API would take one per run)."""
    runs, metrics, latest, params, tags = [], [], [], [], []
    for i in range(n):
        v = run_values(i)
        rid = v["run_id"]
        runs.append({
            "run_uuid": rid, "name": v["name"], "source_type": "LOCAL", "source_name": "", "entry_point_name": "",
            "user_id": "bench", "status": "FINISHED", "start_time": v["start"], "end_time": v["start"] + 500,
            "deleted_time": None, "source_version": "", "lifecycle_stage": "active",
            "artifact_uri": f"/tmp/artifacts/{rid}", "experiment_id": int(experiment_id),
        })
        for k, val in v["metrics"].items():
            row = {"run_uuid": rid, "key": k, "value": val, "timestamp": v["start"], "step": 0, "is_nan": False}
            metrics.append(row)
            latest.append(dict(row))
        for k, val in v["params"].items():
            params.append({"run_uuid": rid, "key": k, "value": val})
        for k, val in list(v["tags"].items()) + [("mlflow.runName", v["name"])]:
            tags.append({"run_uuid": rid, "key": k, "value": val})
    with store.engine.begin() as conn:
        conn.execute(SqlRun.__table__.insert(), runs)
        conn.execute(SqlMetric.__table__.insert(), metrics)
        conn.execute(SqlLatestMetric.__table__.insert(), latest)
        conn.execute(SqlParam.__table__.insert(), params)
        conn.execute(SqlTag.__table__.insert(), tags)


def main():
    workdir, n_runs, batches, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    per_batch = 1000
    store = SqlAlchemyStore(f"sqlite:///{workdir}/mlflow.db", f"{workdir}/artifacts")
    out = {"mlflow": mlflow.__version__}

    # log_batch throughput: the same 1000-point batches into one run.
    run_id = store.create_run("0", "bench", T0, [], "logbench").info.run_id
    t = time.perf_counter()
    for b in range(batches):
        store.log_batch(run_id, batch_points(b, per_batch), [], [])
    out["log_batch_points"] = batches * per_batch
    out["log_batch_s"] = time.perf_counter() - t

    # One point per call, as mlflow.log_metric sends them.
    times = []
    for i in range(200):
        t = time.perf_counter()
        store.log_metric(run_id, Metric("single", float(i), T0 + i, i))
        times.append((time.perf_counter() - t) * 1e3)
    out["log_metric_ms"] = statistics.median(times)

    out["history_ms"], hist = median_ms(lambda: store.get_metric_history(run_id, "m0"), repeats)
    out["history_points"] = len(hist)

    experiment_id = store.create_experiment("search-bench")
    t = time.perf_counter()
    bulk_insert(store, experiment_id, n_runs)
    out["bulk_insert_s"] = time.perf_counter() - t

    for name, (flt, order, max_results) in [("search", SEARCH), ("page", PAGE)]:
        def search():
            return store.search_runs([experiment_id], flt, ViewType.ACTIVE_ONLY, max_results, order, None)
        ms, runs = median_ms(search, repeats)
        out[f"{name}_ms"] = ms
        out[f"{name}_returned"] = len(runs)
        out[f"{name}_first"] = [r.info.run_id for r in runs[:5]]
        token = runs.token
        if name == "page" and token:
            ms2, runs2 = median_ms(
                lambda: store.search_runs([experiment_id], flt, ViewType.ACTIVE_ONLY, max_results, order, token), repeats
            )
            out["page2_ms"] = ms2
            out["page2_first"] = [r.info.run_id for r in runs2[:5]]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
