"""Cairn's approval workflow seen through the mlflow client: a version's status is the tag
`cairn.approval_status` (with `cairn.approved_by`, `cairn.approval_reason`); approving through Cairn's
API changes it; setting it through MLflow is a transition with the same checks; an alias set with the
client is in Cairn's history. A run logged with the mlflow client registers in Cairn when its artifacts
hold a `model.cairn` (Cairn serves its own format); a pyfunc flavor is refused, saying so."""

import time

import mlflow
import pytest
from mlflow.exceptions import MlflowException

from conftest import unique
from test_registry import log_model_files


def wait(cairn, path: str, done) -> dict:
    end = time.time() + 300
    while True:
        got = cairn.get(path)
        if done(got):
            return got
        assert time.time() < end, f"{path} did not finish: {got}"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def cairn_model(cairn, tmp_path_factory) -> bytes:
    """The bytes of a model.cairn trained by Cairn on a small synthetic table."""
    folder = tmp_path_factory.mktemp("data")
    csv = folder / "loans.csv"
    rows = ["income,debt,label"] + [f"{i % 97},{(i * 7) % 31},{'yes' if (i % 97) > 2 * ((i * 7) % 31) else 'no'}" for i in range(400)]
    csv.write_text("\n".join(rows) + "\n")
    name = unique("loans")
    task = cairn.post(f"/api/projects/{cairn.pid}/imports", {"path": str(csv), "options": {"name": name}})["task_id"]
    info = wait(cairn, f"/api/tasks/{task}", lambda t: t["state"] != "running")
    assert info["state"] == "succeeded", info
    spec = {"dataset": name, "target": "label", "model": "gbm", "seed": 1, "experiment": "cairn-trained"}
    started = cairn.post(f"/api/projects/{cairn.pid}/train", spec)
    job = wait(cairn, f"/api/projects/{cairn.pid}/jobs/{started['job_id']}", lambda j: j["state"] not in ("queued", "running"))
    assert job["state"] == "succeeded", job
    return cairn.artifact(started["run_id"], "model.cairn")


def tags(client, name: str, version: str) -> dict:
    return {k: v for k, v in client.get_model_version(name, version).tags.items() if k.startswith("cairn.")}


def test_status_tag_approval_aliases_and_history(experiment, client, cairn, cairn_model, tmp_path):
    # A run logged with the mlflow client, holding a Cairn model among its artifacts.
    model_file = tmp_path / "model.cairn"
    model_file.write_bytes(cairn_model)
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(model_file), artifact_path="model")
    name = unique("loans-model")
    # mlflow.register_model wants an MLmodel file (an MLflow flavor); a Cairn model has none, so the
    # version is made from the run's artifact folder.
    client.create_registered_model(name)
    v1 = client.create_model_version(name, f"{run.info.artifact_uri}/model", run_id=run.info.run_id)
    assert tags(client, name, v1.version) == {"cairn.approval_status": "PendingManualApproval"}

    # Approved through Cairn's API: the client sees who and why.
    approve = f"/api/projects/{cairn.pid}/models/{name}/versions/1/approval"
    got = cairn.post(approve, {"status": "Approved", "actor": "qa-lead", "reason": "holdout AUC checked"})
    assert got["approval"]["status"] == "Approved"
    assert tags(client, name, "1") == {
        "cairn.approval_status": "Approved",
        "cairn.approved_by": "qa-lead",
        "cairn.approval_reason": "holdout AUC checked",
    }
    again = cairn.http.post(cairn.base + approve, json={"status": "Approved"})
    assert again.status_code == 409 and again.json()["code"] == "INVALID_TRANSITION", again.text
    assert "version 1" in again.json()["message"] and "already Approved" in again.json()["message"]

    # The same transition through MLflow: the same check, the same history.
    with pytest.raises(MlflowException) as e:
        client.set_model_version_tag(name, "1", "cairn.approval_status", "Approved")
    assert e.value.error_code == "RESOURCE_CONFLICT"
    with pytest.raises(MlflowException) as e:
        client.set_model_version_tag(name, "1", "cairn.approval_status", "Rejected")
    assert e.value.error_code == "INVALID_PARAMETER_VALUE" and "reason" in e.value.message
    client.set_model_version_tag(name, "1", "cairn.approval_reason", "calibration is off")
    client.set_model_version_tag(name, "1", "cairn.approval_status", "Rejected")
    assert tags(client, name, "1")["cairn.approval_status"] == "Rejected"
    with pytest.raises(MlflowException):
        client.set_model_version_tag(name, "1", "cairn.approved_by", "someone else")

    # An alias set with the client is an event in Cairn's history.
    client.set_registered_model_alias(name, "champion", "1")
    history = cairn.get(f"/api/projects/{cairn.pid}/models/{name}/history")
    assert [(e["kind"], e["actor"], e.get("alias"), e["to"]) for e in history] == [
        ("registered", history[0]["actor"], None, v1.source),
        ("status", "qa-lead", None, "Approved"),
        ("status", "mlflow", None, "Rejected"),
        ("alias_set", "mlflow", "champion", "1"),
    ]
    assert history[2]["reason"] == "calibration is off"
    card = cairn.get(f"/api/projects/{cairn.pid}/models/{name}/versions/1")
    assert card["version"]["aliases"] == ["champion"]
    # The run has no params: the target can only come from the model.cairn found behind the version's source.
    assert card["target"] == "label"

    # Cairn registers the same mlflow-logged run itself: its model.cairn is found under `model/`.
    v2 = cairn.post(f"/api/projects/{cairn.pid}/models", {"run_id": run.info.run_id, "model": name})
    assert (v2["version"], v2["source"]) == (2, f"runs:/{run.info.run_id}/model/model.cairn")
    assert tags(client, name, "2") == {"cairn.approval_status": "PendingManualApproval"}
    card = cairn.get(f"/api/projects/{cairn.pid}/models/{name}/versions/2")
    assert (card["target"], sorted(card["features"])) == ("label", ["debt", "income"])


def test_an_mlflow_flavor_is_refused_with_a_hint(experiment, cairn, tmp_path):
    run_id = log_model_files(tmp_path, b"\x07" * 10)
    r = cairn.http.post(f"{cairn.base}/api/projects/{cairn.pid}/models", json={"run_id": run_id, "model": unique("pyfunc")})
    body = r.json()
    assert (r.status_code, body["code"]) == (422, "INVALID_INPUT"), r.text
    assert "python_function" in body["message"] and "Cairn serves its own model format" in body["hint"]
