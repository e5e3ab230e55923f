"""Runs through the fluent API and the client: params, metrics with steps, tags, nested runs, log_batch,
experiments by name, metric history, lifecycle; each value read back through mlflow and Cairn's API."""

import math
import time

import mlflow
import pytest
from mlflow.entities import Metric, Param, RunStatus, RunTag, ViewType
from mlflow.exceptions import MlflowException

from conftest import unique


def test_run_with_params_metrics_and_tags(experiment, client, cairn):
    with mlflow.start_run(run_name="baseline") as run:
        mlflow.log_param("lr", 0.01)
        mlflow.log_params({"model": "gbm", "depth": 6})
        for step in range(5):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
        mlflow.log_metrics({"auc": 0.91, "f1": 0.8})
        mlflow.set_tag("team", "ml")
        mlflow.set_tags({"stage": "dev", "owner": "ana"})
    run_id = run.info.run_id

    got = client.get_run(run_id)
    assert got.info.run_name == "baseline"
    assert got.info.status == "FINISHED"
    assert got.info.experiment_id == experiment
    assert got.info.end_time >= got.info.start_time
    assert got.info.artifact_uri == f"mlflow-artifacts:/{experiment}/{run_id}/artifacts"
    assert got.data.params == {"lr": "0.01", "model": "gbm", "depth": "6"}
    assert got.data.metrics == {"loss": 0.2, "auc": 0.91, "f1": 0.8}
    for key, value in {"team": "ml", "stage": "dev", "owner": "ana", "mlflow.runName": "baseline"}.items():
        assert got.data.tags[key] == value
    assert got.data.tags["mlflow.source.type"] == "LOCAL"

    # The same run through Cairn's own API, as the experiment browser shows it.
    mine = cairn.run(run_id)
    assert mine["info"]["run_name"] == "baseline"
    assert mine["info"]["status"] == "FINISHED"
    assert {p["key"]: p["value"] for p in mine["data"]["params"]} == got.data.params
    assert {m["key"]: m["value"] for m in mine["data"]["metrics"]} == got.data.metrics
    assert {t["key"]: t["value"] for t in mine["data"]["tags"]}["team"] == "ml"
    assert [r["info"]["run_id"] for r in cairn.runs([experiment])] == [run_id]
    assert [e["name"] for e in cairn.experiments() if e["experiment_id"] == experiment] == [mlflow.get_experiment(experiment).name]


def test_metric_history_with_steps(experiment, client, cairn):
    with mlflow.start_run() as run:
        for step in range(0, 50, 5):
            mlflow.log_metric("val_loss", 10.0 - step / 10, step=step)
        mlflow.log_metric("odd", float("nan"), step=1)
        mlflow.log_metric("odd", float("inf"), step=2)
    history = client.get_metric_history(run.info.run_id, "val_loss")
    assert [m.step for m in history] == list(range(0, 50, 5))
    assert [m.value for m in history] == [10.0 - s / 10 for s in range(0, 50, 5)]
    assert all(m.timestamp > 0 for m in history)
    odd = client.get_metric_history(run.info.run_id, "odd")
    assert math.isnan(odd[0].value) and odd[1].value == math.inf
    assert client.get_run(run.info.run_id).data.metrics["val_loss"] == 10.0 - 45 / 10

    series = cairn.metric(run.info.run_id, "val_loss")
    assert [p["step"] for p in series["points"]] == list(range(0, 50, 5))
    assert series["total_points"] == 10


def test_nested_runs(experiment, client, cairn):
    with mlflow.start_run(run_name="parent") as parent:
        with mlflow.start_run(run_name="child-a", nested=True) as a:
            mlflow.log_metric("score", 1)
        with mlflow.start_run(run_name="child-b", nested=True) as b:
            mlflow.log_metric("score", 2)
    for child in (a, b):
        assert client.get_run(child.info.run_id).data.tags["mlflow.parentRunId"] == parent.info.run_id
    children = mlflow.search_runs(
        experiment_ids=[experiment],
        filter_string=f"tags.mlflow.parentRunId = '{parent.info.run_id}'",
        order_by=["metrics.score DESC"],
        output_format="list",
    )
    assert [r.info.run_name for r in children] == ["child-b", "child-a"]
    assert len(cairn.runs([experiment])) == 3


def test_log_batch(experiment, client, cairn):
    run = client.create_run(experiment, run_name="batch")
    now = int(time.time() * 1000)
    metrics = [Metric("m", float(i), now + i, i) for i in range(2500)]
    params = [Param(f"p{i}", str(i)) for i in range(150)]
    tags = [RunTag(f"t{i}", f"v{i}") for i in range(120)]
    # The client splits what exceeds MLflow's limits (1000 metrics, 100 params, 100 tags) into batches.
    client.log_batch(run.info.run_id, metrics=metrics, params=params, tags=tags)
    client.set_terminated(run.info.run_id)
    got = client.get_run(run.info.run_id)
    assert len(got.data.params) == 150 and got.data.params["p149"] == "149"
    assert got.data.tags["t119"] == "v119"
    assert got.data.metrics["m"] == 2499.0
    assert got.info.status == "FINISHED"
    history = client.get_metric_history(run.info.run_id, "m")
    assert len(history) == 2500 and [m.step for m in history[:3]] == [0, 1, 2]
    assert len(cairn.run(run.info.run_id)["data"]["params"]) == 150


def test_params_are_write_once(experiment, client):
    with mlflow.start_run() as run:
        mlflow.log_param("lr", "0.1")
        mlflow.log_param("lr", "0.1")  # the same value again is fine
        with pytest.raises(MlflowException) as e:
            mlflow.log_param("lr", "0.2")
        assert e.value.error_code == "INVALID_PARAMETER_VALUE"
        assert "lr" in e.value.message
    assert client.get_run(run.info.run_id).data.params == {"lr": "0.1"}


def test_experiments_by_name(client, cairn):
    name = unique("by-name")
    assert mlflow.get_experiment_by_name(name) is None
    exp = mlflow.set_experiment(name)  # creates it
    assert mlflow.set_experiment(name).experiment_id == exp.experiment_id  # finds it
    assert mlflow.get_experiment_by_name(name).experiment_id == exp.experiment_id
    client.set_experiment_tag(exp.experiment_id, "team", "ml")
    renamed = unique("renamed")
    client.rename_experiment(exp.experiment_id, renamed)
    got = client.get_experiment(exp.experiment_id)
    assert got.name == renamed and got.tags["team"] == "ml" and got.lifecycle_stage == "active"
    found = client.search_experiments(filter_string=f"name = '{renamed}' and tags.team = 'ml'")
    assert [e.experiment_id for e in found] == [exp.experiment_id]
    with pytest.raises(MlflowException) as e:
        client.create_experiment(renamed)
    assert e.value.error_code == "RESOURCE_ALREADY_EXISTS"

    with mlflow.start_run(experiment_id=exp.experiment_id) as run:
        pass
    client.delete_experiment(exp.experiment_id)
    assert client.get_experiment(exp.experiment_id).lifecycle_stage == "deleted"
    assert client.get_run(run.info.run_id).info.lifecycle_stage == "deleted"
    deleted = client.search_experiments(view_type=ViewType.DELETED_ONLY, filter_string=f"name = '{renamed}'")
    assert [e.experiment_id for e in deleted] == [exp.experiment_id]
    client.restore_experiment(exp.experiment_id)
    assert client.get_run(run.info.run_id).info.lifecycle_stage == "active"
    assert [e["lifecycle_stage"] for e in cairn.experiments() if e["experiment_id"] == exp.experiment_id] == ["active"]


def test_default_experiment(client):
    default = client.get_experiment("0")
    assert default.name == "Default"
    assert client.get_experiment_by_name("Default").experiment_id == "0"


def test_generated_run_name(experiment, client):
    run = client.create_run(experiment)
    assert run.info.run_name and run.data.tags["mlflow.runName"] == run.info.run_name
    client.update_run(run.info.run_id, name="renamed")
    got = client.get_run(run.info.run_id)
    assert got.info.run_name == "renamed" and got.data.tags["mlflow.runName"] == "renamed"


def test_run_status_delete_restore(experiment, client, cairn):
    run = client.create_run(experiment, run_name="doomed")
    client.set_terminated(run.info.run_id, status=RunStatus.to_string(RunStatus.FAILED))
    assert client.get_run(run.info.run_id).info.status == "FAILED"
    client.delete_run(run.info.run_id)
    assert client.get_run(run.info.run_id).info.lifecycle_stage == "deleted"
    assert client.search_runs([experiment]) == []
    assert [r.info.run_id for r in client.search_runs([experiment], run_view_type=ViewType.DELETED_ONLY)] == [run.info.run_id]
    assert cairn.runs([experiment]) == []
    client.restore_run(run.info.run_id)
    assert [r.info.run_id for r in client.search_runs([experiment])] == [run.info.run_id]
    client.set_tag(run.info.run_id, "gone", "soon")
    client.delete_tag(run.info.run_id, "gone")
    assert "gone" not in client.get_run(run.info.run_id).data.tags


def test_dataset_inputs(experiment, client):
    from mlflow.entities import Dataset, DatasetInput, InputTag

    with mlflow.start_run() as run:
        ds = Dataset(name="adult", digest="abc123", source_type="local", source='{"uri": "/data/adult.csv"}')
        client.log_inputs(run.info.run_id, [DatasetInput(ds, tags=[InputTag("mlflow.data.context", "training")])])
    got = client.get_run(run.info.run_id)
    assert [(d.dataset.name, d.dataset.digest) for d in got.inputs.dataset_inputs] == [("adult", "abc123")]
    assert got.inputs.dataset_inputs[0].tags[0].value == "training"
    for f in ["datasets.name = 'adult'", "datasets.digest IN ('abc123', 'x')", "datasets.context = 'training'"]:
        assert [r.info.run_id for r in client.search_runs([experiment], filter_string=f)] == [run.info.run_id], f
    assert client.search_runs([experiment], filter_string="datasets.name = 'other'") == []
