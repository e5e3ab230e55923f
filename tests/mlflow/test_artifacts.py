"""Artifacts through MLflow's artifact proxy: files, folders, text and dicts, listing, downloads, deletes
and multipart uploads; the same files through Cairn's API (they live in the run's folder)."""

import json
import os

import mlflow
import pytest
from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository


@pytest.fixture
def files(tmp_path):
    (tmp_path / "report.txt").write_text("accuracy 0.91\n")
    plots = tmp_path / "plots"
    (plots / "curves").mkdir(parents=True)
    (plots / "roc.csv").write_text("fpr,tpr\n0,0\n1,1\n")
    (plots / "curves" / "loss.json").write_text(json.dumps({"loss": [3, 2, 1]}))
    (plots / "weights.bin").write_bytes(bytes(range(256)) * 40)
    return tmp_path


def test_files_and_folders(experiment, client, cairn, files, tmp_path):
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(files / "report.txt"))
        mlflow.log_artifact(str(files / "report.txt"), artifact_path="copies")
        mlflow.log_artifacts(str(files / "plots"), artifact_path="plots")
        mlflow.log_text("hello, world", "notes/hello.txt")
        mlflow.log_dict({"a": 1, "b": [1, 2]}, "config.json")
    run_id = run.info.run_id

    assert [(f.path, f.is_dir) for f in client.list_artifacts(run_id)] == [
        ("config.json", False), ("copies", True), ("notes", True), ("plots", True), ("report.txt", False)]
    plots = client.list_artifacts(run_id, "plots")
    assert [f.path for f in plots] == ["plots/curves", "plots/roc.csv", "plots/weights.bin"]
    assert [f.file_size for f in plots if f.path == "plots/weights.bin"] == [10240]
    assert [f.path for f in client.list_artifacts(run_id, "plots/curves")] == ["plots/curves/loss.json"]

    out = tmp_path / "out"
    out.mkdir()
    local = mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path="plots", dst_path=str(out))
    assert sorted(os.listdir(local)) == ["curves", "roc.csv", "weights.bin"]
    assert open(os.path.join(local, "weights.bin"), "rb").read() == bytes(range(256)) * 40
    assert json.load(open(os.path.join(local, "curves", "loss.json"))) == {"loss": [3, 2, 1]}
    assert mlflow.artifacts.load_text(f"runs:/{run_id}/notes/hello.txt") == "hello, world"
    assert mlflow.artifacts.load_dict(f"runs:/{run_id}/config.json") == {"a": 1, "b": [1, 2]}
    whole = mlflow.artifacts.download_artifacts(run_id=run_id, dst_path=str(tmp_path / "all"))
    assert open(os.path.join(whole, "copies", "report.txt")).read() == "accuracy 0.91\n"

    # Cairn's own listing sees the same files in the run's folder, and serves them.
    mine = {a["path"]: a for a in cairn.artifacts(run_id)}
    for path in ["report.txt", "copies/report.txt", "plots/roc.csv", "plots/curves/loss.json", "notes/hello.txt", "config.json"]:
        assert path in mine and not mine[path]["is_dir"], path
    assert mine["plots/weights.bin"]["size"] == 10240
    assert cairn.artifact(run_id, "plots/roc.csv") == b"fpr,tpr\n0,0\n1,1\n"


def test_delete_artifacts(experiment, client, files):
    with mlflow.start_run() as run:
        mlflow.log_artifacts(str(files / "plots"), artifact_path="plots")
        mlflow.log_artifact(str(files / "report.txt"))
    repo = get_artifact_repository(client.get_run(run.info.run_id).info.artifact_uri)
    repo.delete_artifacts("report.txt")
    repo.delete_artifacts("plots/curves")
    assert [f.path for f in client.list_artifacts(run.info.run_id)] == ["plots"]
    assert [f.path for f in client.list_artifacts(run.info.run_id, "plots")] == ["plots/roc.csv", "plots/weights.bin"]


def test_multipart_upload(experiment, client, cairn, tmp_path, monkeypatch):
    # Forced on, with small parts, so a 100 KB file goes up in 7 parts through the multipart endpoints.
    monkeypatch.setenv("MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD", "true")
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE", "1000")
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE", str(16 * 1024))
    data = os.urandom(100_000)
    big = tmp_path / "big.bin"
    big.write_bytes(data)
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(big), artifact_path="blobs")
    assert [(f.path, f.file_size) for f in client.list_artifacts(run.info.run_id, "blobs")] == [("blobs/big.bin", 100_000)]
    local = mlflow.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path="blobs/big.bin", dst_path=str(tmp_path / "d"))
    assert open(local, "rb").read() == data
    assert cairn.artifact(run.info.run_id, "blobs/big.bin") == data


def test_artifact_paths_cannot_escape(experiment, client, tracking_uri, token):
    import requests

    run = client.create_run(experiment)
    base = f"{tracking_uri}/api/2.0/mlflow-artifacts/artifacts"
    auth = {"Authorization": f"Bearer {token}"}
    for path in [f"{experiment}/{run.info.run_id}/artifacts/../../../../../etc/passwd", "%2e%2e/%2e%2e/x"]:
        r = requests.put(f"{base}/{path}", data=b"x", headers=auth)
        assert r.status_code in (400, 404), (path, r.status_code, r.text)
    r = requests.get(f"{base}/{experiment}/{run.info.run_id}/artifacts/missing.txt", headers=auth)
    assert r.status_code == 404 and r.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"


def test_experiment_with_its_own_artifact_location(client, cairn, files):
    from conftest import unique

    exp = client.create_experiment(unique("located"), artifact_location="mlflow-artifacts:/team-area")
    assert client.get_experiment(exp).artifact_location == "mlflow-artifacts:/team-area"
    with mlflow.start_run(experiment_id=exp) as run:
        mlflow.log_artifact(str(files / "report.txt"), artifact_path="out")
    uri = client.get_run(run.info.run_id).info.artifact_uri
    assert uri == f"mlflow-artifacts:/team-area/{run.info.run_id}/artifacts"
    assert [f.path for f in client.list_artifacts(run.info.run_id, "out")] == ["out/report.txt"]
    assert [a["path"] for a in cairn.artifacts(run.info.run_id)] == ["out", "out/report.txt"]
    assert cairn.artifact(run.info.run_id, "out/report.txt") == b"accuracy 0.91\n"
