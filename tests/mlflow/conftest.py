"""Fixtures for the MLflow client tests: they run against a live `cairn serve` (started by run.sh) with
MLFLOW_TRACKING_URI and MLFLOW_TRACKING_TOKEN set, and read results back through mlflow and through
Cairn's own API (the `cairn` fixture)."""

import os
import uuid

import mlflow
import pytest
import requests


class Cairn:
    """Cairn's own HTTP API (what the studio's UI uses), with the same token."""

    def __init__(self, base: str, token: str):
        self.base = base.rstrip("/")
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        info = self.get("/api/info")
        self.pid = info["initial_project"]
        assert self.pid, f"cairn serve was started without a project: {info}"

    def get(self, path: str, **params):
        r = self.http.get(self.base + path, params=params)
        assert r.status_code == 200, f"GET {path}: {r.status_code} {r.text}"
        return r.json()

    def post(self, path: str, body):
        r = self.http.post(self.base + path, json=body)
        assert r.status_code == 200, f"POST {path}: {r.status_code} {r.text}"
        return r.json()

    def run(self, run_id: str):
        return self.get(f"/api/projects/{self.pid}/runs/{run_id}")

    def runs(self, experiment_ids, filter="", order_by=()):
        body = {"experiment_ids": list(experiment_ids), "filter": filter, "order_by": list(order_by)}
        return self.post(f"/api/projects/{self.pid}/runs/search", body)["runs"]

    def artifacts(self, run_id: str):
        return self.get(f"/api/projects/{self.pid}/runs/{run_id}/artifacts")

    def artifact(self, run_id: str, path: str) -> bytes:
        r = self.http.get(f"{self.base}/api/projects/{self.pid}/runs/{run_id}/artifacts/{path}")
        assert r.status_code == 200, f"artifact {path}: {r.status_code} {r.text}"
        return r.content

    def metric(self, run_id: str, key: str):
        return self.get(f"/api/projects/{self.pid}/runs/{run_id}/metric", key=key)

    def experiments(self):
        return self.post(f"/api/projects/{self.pid}/experiments/search", {"view_type": "ALL"})["experiments"]


@pytest.fixture(scope="session")
def tracking_uri() -> str:
    uri = os.environ.get("MLFLOW_TRACKING_URI", "")
    assert uri.startswith("http://"), "run these tests through tests/mlflow/run.sh (it starts cairn serve)"
    return uri


@pytest.fixture(scope="session")
def token() -> str:
    return os.environ["MLFLOW_TRACKING_TOKEN"]


@pytest.fixture(scope="session")
def cairn(tracking_uri, token) -> Cairn:
    return Cairn(tracking_uri, token)


@pytest.fixture
def client() -> mlflow.MlflowClient:
    return mlflow.MlflowClient()


@pytest.fixture
def experiment(request) -> str:
    """A fresh experiment per test, set as the active one; its id."""
    name = f"{request.node.name}-{uuid.uuid4().hex[:8]}"
    exp = mlflow.set_experiment(name)
    yield exp.experiment_id
    while mlflow.active_run():
        mlflow.end_run()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"
