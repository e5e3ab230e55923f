"""The model registry: register a run's model, versions, aliases, tags, stages, search, rename, delete,
and downloading a version's files by number and by alias."""

import os

import mlflow
import pytest
from mlflow.exceptions import MlflowException

from conftest import unique

# Every version carries its approval status as a tag (Cairn's registry; never stored as a tag).
PENDING = {"cairn.approval_status": "PendingManualApproval"}

MLMODEL = """artifact_path: model
flavors:
  python_function:
    loader_module: my_model
    python_version: 3.11.7
mlflow_version: 3.17.2
model_uuid: 0123456789abcdef
utc_time_created: '2025-01-01 00:00:00.000000'
"""


def log_model_files(tmp_path, weights: bytes) -> str:
    """A run with an MLmodel folder under `model`; its id."""
    model = tmp_path / f"model-{weights[:1].hex()}"
    model.mkdir()
    (model / "MLmodel").write_text(MLMODEL)
    (model / "weights.bin").write_bytes(weights)
    with mlflow.start_run() as run:
        mlflow.log_metric("auc", 0.9)
        mlflow.log_artifacts(str(model), artifact_path="model")
    return run.info.run_id


def test_register_versions_and_aliases(experiment, client, tmp_path):
    name = unique("churn")
    first = log_model_files(tmp_path, b"\x01" * 100)
    second = log_model_files(tmp_path, b"\x02" * 100)

    v1 = mlflow.register_model(f"runs:/{first}/model", name)
    assert (v1.name, v1.version, v1.status, v1.run_id) == (name, "1", "READY", first)
    assert v1.source == f"mlflow-artifacts:/{experiment}/{first}/artifacts/model"
    v2 = mlflow.register_model(f"runs:/{second}/model", name, tags={"candidate": "yes"})
    assert v2.version == "2" and v2.tags == {"candidate": "yes", **PENDING}

    client.set_registered_model_alias(name, "champion", "1")
    client.set_registered_model_alias(name, "challenger", "2")
    assert client.get_model_version_by_alias(name, "champion").run_id == first
    model = client.get_registered_model(name)
    assert model.aliases == {"champion": "1", "challenger": "2"}
    assert [v.version for v in model.latest_versions] == ["2"]
    assert client.get_model_version(name, "2").aliases == ["challenger"]
    client.set_registered_model_alias(name, "champion", "2")  # moves
    assert client.get_registered_model(name).aliases == {"champion": "2", "challenger": "2"}
    client.delete_registered_model_alias(name, "challenger")
    assert client.get_registered_model(name).aliases == {"champion": "2"}
    with pytest.raises(MlflowException) as e:
        client.get_model_version_by_alias(name, "challenger")
    assert e.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(MlflowException) as e:
        client.set_registered_model_alias(name, "latest", "1")
    assert e.value.error_code == "INVALID_PARAMETER_VALUE"

    # A version's files, by number and by alias.
    one = mlflow.artifacts.download_artifacts(f"models:/{name}/1", dst_path=str(tmp_path / "v1"))
    assert open(os.path.join(one, "weights.bin"), "rb").read() == b"\x01" * 100
    champ = mlflow.artifacts.download_artifacts(f"models:/{name}@champion", dst_path=str(tmp_path / "champ"))
    assert open(os.path.join(champ, "weights.bin"), "rb").read() == b"\x02" * 100
    assert client.get_model_version_download_uri(name, "1") == v1.source


def test_versions_tags_stages_and_search(experiment, client, tmp_path):
    name = unique("fraud")
    run_ids = [log_model_files(tmp_path, bytes([i]) * 10) for i in range(3)]
    created = client.create_registered_model(name, tags={"team": "risk"}, description="fraud scores")
    assert created.description == "fraud scores" and created.tags == {"team": "risk"}
    for r in run_ids:
        client.create_model_version(name, f"runs:/{r}/model", run_id=r)

    client.update_registered_model(name, description="fraud scores v2")
    client.update_model_version(name, "1", description="first try")
    client.set_registered_model_tag(name, "tier", "gold")
    client.delete_registered_model_tag(name, "team")
    client.set_model_version_tag(name, "3", "validated", "true")
    model = client.get_registered_model(name)
    assert model.description == "fraud scores v2" and model.tags == {"tier": "gold"}
    assert client.get_model_version(name, "1").description == "first try"
    assert client.get_model_version(name, "3").tags == {"validated": "true", **PENDING}
    client.delete_model_version_tag(name, "3", "validated")
    assert client.get_model_version(name, "3").tags == PENDING

    with pytest.warns(FutureWarning):
        client.transition_model_version_stage(name, "1", "Production")
    with pytest.warns(FutureWarning):
        moved = client.transition_model_version_stage(name, "2", "production", archive_existing_versions=True)
    assert moved.current_stage == "Production"
    assert client.get_model_version(name, "1").current_stage == "Archived"
    with pytest.warns(FutureWarning):
        latest = client.get_latest_versions(name, stages=["Production", "None"])
    assert [(v.version, v.current_stage) for v in latest] == [("2", "Production"), ("3", "None")]

    found = client.search_model_versions(f"name = '{name}'")
    assert sorted(v.version for v in found) == ["1", "2", "3"]
    assert [v.version for v in client.search_model_versions(f"run_id = '{run_ids[1]}'")] == ["2"]
    picked = client.search_model_versions(f"name = '{name}' and run_id IN ('{run_ids[0]}', '{run_ids[2]}')", order_by=["version_number ASC"])
    assert [v.version for v in picked] == ["1", "3"]
    assert [m.name for m in client.search_registered_models(f"name LIKE '{name[:-4]}%'")] == [name]
    assert [m.name for m in client.search_registered_models(f"name = '{name}' and tags.tier = 'gold'")] == [name]
    assert client.search_registered_models(f"name ILIKE '{name.upper()}'")[0].name == name

    client.delete_model_version(name, "3")
    with pytest.raises(MlflowException) as e:
        client.get_model_version(name, "3")
    assert e.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    # A deleted version's number is never given again.
    assert client.create_model_version(name, f"runs:/{run_ids[2]}/model", run_id=run_ids[2]).version == "4"

    renamed = unique("fraud-renamed")
    client.rename_registered_model(name, renamed)
    assert [v.name for v in client.search_model_versions(f"name = '{renamed}'")] == [renamed] * 3
    with pytest.raises(MlflowException) as e:
        client.get_registered_model(name)
    assert e.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    client.delete_registered_model(renamed)
    assert client.search_registered_models(f"name = '{renamed}'") == []


def test_registry_errors(client):
    name = unique("dup")
    client.create_registered_model(name)
    with pytest.raises(MlflowException) as e:
        client.create_registered_model(name)
    assert e.value.error_code == "RESOURCE_ALREADY_EXISTS"
    # register_model tolerates an existing model and adds a version.
    assert mlflow.register_model("mlflow-artifacts:/0/somewhere/model", name).version == "1"
    with pytest.raises(MlflowException) as e:
        client.create_registered_model("a/b")
    assert e.value.error_code == "INVALID_PARAMETER_VALUE"
    with pytest.raises(MlflowException) as e:
        client.get_model_version(name, "9")
    assert e.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(MlflowException) as e:
        client.search_registered_models("name = 'x' or name = 'y'")
    assert e.value.error_code == "INVALID_PARAMETER_VALUE"
