"""The wire itself, as MLflow's server answers it: the token, error bodies and statuses, MLflow's batch
limits, int64 values as strings, repeated query keys, the UI's /ajax-api prefix and server-info."""

import time

import mlflow
import pytest
import requests
from mlflow.exceptions import MlflowException


@pytest.fixture
def api(tracking_uri, token):
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {token}"

    def call(method, path, prefix="/api/2.0/mlflow", **kw):
        r = s.request(method, f"{tracking_uri}{prefix}{path}", **kw)
        return r.status_code, r.json()

    return call


def test_token_is_required(tracking_uri, monkeypatch):
    for path in ["/api/2.0/mlflow/experiments/get?experiment_id=0", "/ajax-api/2.0/mlflow/experiments/get?experiment_id=0",
                 "/api/2.0/mlflow-artifacts/artifacts", "/api/3.0/mlflow/server-info", "/health"]:
        for headers in [{}, {"Authorization": "Bearer wrong"}]:
            r = requests.get(tracking_uri + path, headers=headers)
            assert r.status_code == 401, path
            assert r.json()["error_code"] == "UNAUTHENTICATED"
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", "wrong")
    with pytest.raises(MlflowException) as e:
        mlflow.MlflowClient().get_experiment("0")
    assert e.value.error_code == "UNAUTHENTICATED"


def test_errors_are_mlflows(api, client, experiment):
    status, body = api("GET", "/runs/get", params={"run_id": "0" * 32})
    assert status == 404 and body["error_code"] == "RESOURCE_DOES_NOT_EXIST" and "0" * 32 in body["message"]
    status, body = api("GET", "/experiments/get-by-name", params={"experiment_name": "no such experiment"})
    assert status == 404 and body["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    status, body = api("POST", "/experiments/create", json={})
    assert status == 400 and body["error_code"] == "INVALID_PARAMETER_VALUE" and "'name'" in body["message"]
    status, body = api("POST", "/runs/log-metric", json={"run_id": "0" * 32, "key": "k", "value": 1})
    assert status == 400 and "'timestamp'" in body["message"]
    status, body = api("POST", "/runs/search", json={"experiment_ids": [experiment], "max_results": 50001})
    assert status == 400 and body["error_code"] == "INVALID_PARAMETER_VALUE"
    status, body = api("POST", "/runs/search", json={"experiment_ids": [experiment], "filter": "metrics.a > 1 or metrics.b < 2"})
    assert status == 400 and "OR" in body["message"]
    status, body = api("POST", "/runs/create", data="{not json")
    assert status == 400 and body["error_code"] == "INVALID_PARAMETER_VALUE"
    status, body = api("GET", "/no/such/endpoint")
    assert status == 404 and body["error_code"] == "ENDPOINT_NOT_FOUND"

    run = client.create_run(experiment)
    client.delete_run(run.info.run_id)
    with pytest.raises(MlflowException) as e:
        client.log_metric(run.info.run_id, "k", 1.0)
    assert e.value.error_code == "INVALID_PARAMETER_VALUE"


def test_batch_limits(api, client, experiment):
    run_id = client.create_run(experiment).info.run_id
    now = int(time.time() * 1000)
    metric = lambda i: {"key": "m", "value": i, "timestamp": now, "step": i}  # noqa: E731
    too_many = [
        {"metrics": [metric(i) for i in range(1001)]},
        {"params": [{"key": f"p{i}", "value": "v"} for i in range(101)]},
        {"tags": [{"key": f"t{i}", "value": "v"} for i in range(101)]},
        {"metrics": [metric(i) for i in range(901)], "params": [{"key": f"p{i}", "value": "v"} for i in range(100)]},
    ]
    for body in too_many:
        status, err = api("POST", "/runs/log-batch", json={"run_id": run_id, **body})
        assert status == 400 and err["error_code"] == "INVALID_PARAMETER_VALUE", err
    assert client.get_run(run_id).data.metrics == {}  # nothing of a refused batch is kept
    status, _ = api("POST", "/runs/log-batch", json={"run_id": run_id, "metrics": [metric(i) for i in range(1000)]})
    assert status == 200
    status, err = api("POST", "/runs/log-batch", json={"run_id": run_id, "params": [{"key": "bad key!", "value": "v"}]})
    assert status == 400 and "bad key!" in err["message"]


def test_wire_formats(api, client, experiment):
    # int64 values as strings, and a run found by the deprecated run_uuid.
    status, body = api("POST", "/runs/create", json={"experiment_id": experiment, "start_time": "1700000000000", "run_name": "strings"})
    assert status == 200 and body["run"]["info"]["start_time"] == 1700000000000
    run_id = body["run"]["info"]["run_id"]
    status, _ = api("POST", "/runs/log-metric", json={"run_uuid": run_id, "key": "k", "value": "NaN", "timestamp": "5", "step": "2"})
    assert status == 200
    status, body = api("GET", "/metrics/get-history", params={"run_uuid": run_id, "metric_key": "k"})
    assert body["metrics"] == [{"key": "k", "value": "NaN", "timestamp": 5, "step": 2}]
    # Repeated query keys are lists; the /ajax-api prefix serves the same API.
    other = client.create_run(experiment).info.run_id
    client.log_metric(other, "k", 1.0, step=3)
    status, body = api("GET", "/metrics/get-history-bulk-interval", prefix="/ajax-api/2.0/mlflow",
                       params=[("run_ids", run_id), ("run_ids", other), ("metric_key", "k")])
    assert status == 200 and sorted((m["run_id"], m["step"]) for m in body["metrics"]) == sorted([(run_id, 2), (other, 3)])
    status, body = api("GET", "/runs/search", params=[("experiment_ids", experiment), ("order_by", "attributes.run_name DESC")])
    assert status == 200 and len(body["runs"]) == 2
    status, info = api("GET", "/server-info", prefix="/api/3.0/mlflow")
    assert status == 200 and info["workspaces_enabled"] is False


def test_bulk_interval_samples_steps(client, experiment, api):
    run = client.create_run(experiment)
    from mlflow.entities import Metric

    client.log_batch(run.info.run_id, metrics=[Metric("loss", 1.0 / (s + 1), 1000 + s, s) for s in range(1000)])
    status, body = api("GET", "/metrics/get-history-bulk-interval", params={"run_ids": run.info.run_id, "metric_key": "loss", "max_results": 50})
    steps = [m["step"] for m in body["metrics"]]
    assert status == 200 and len(steps) <= 51 and steps[0] == 0 and steps[-1] == 999 and steps == sorted(steps)
    status, body = api("GET", "/metrics/get-history-bulk-interval",
                       params={"run_ids": run.info.run_id, "metric_key": "loss", "start_step": 10, "end_step": 20})
    assert [m["step"] for m in body["metrics"]] == list(range(10, 21))
