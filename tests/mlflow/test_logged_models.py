"""MLflow 3's logged models: create, upload files, finalize, search, tags, params, metrics logged on a
model, run outputs, and registering a version from a model (by id and through its run)."""

import json
import os

import mlflow
import pytest
from mlflow.entities import LoggedModelOutput
from mlflow.exceptions import MlflowException

from conftest import unique


def model_dir(tmp_path, name="m") -> str:
    d = tmp_path / name
    d.mkdir()
    (d / "MLmodel").write_text("artifact_path: model\nflavors: {}\nmodel_uuid: abc\n")
    (d / "model.bin").write_bytes(b"\x07" * 64)
    return str(d)


def test_logged_model_lifecycle(experiment, client, tmp_path):
    with mlflow.start_run() as run:
        model = mlflow.initialize_logged_model(name="clf", model_type="classifier", params={"depth": "4"}, tags={"team": "ml"})
        assert model.status == "PENDING" and model.source_run_id == run.info.run_id
        assert model.artifact_location == f"mlflow-artifacts:/{experiment}/models/{model.model_id}/artifacts"
        client.log_model_artifacts(model.model_id, model_dir(tmp_path))
        ready = client.finalize_logged_model(model.model_id, "READY")
        assert ready.status == "READY"
        mlflow.log_metric("auc", 0.93, model_id=model.model_id)
        client.log_outputs(run.info.run_id, [LoggedModelOutput(model.model_id, step=3)])

    got = client.get_logged_model(model.model_id)
    assert (got.name, got.model_type, got.experiment_id) == ("clf", "classifier", experiment)
    assert got.params == {"depth": "4"} and got.tags["team"] == "ml"
    assert [(m.key, m.value, m.run_id) for m in got.metrics] == [("auc", 0.93, run.info.run_id)]
    outputs = client.get_run(run.info.run_id).outputs.model_outputs
    assert [(o.model_id, o.step) for o in outputs] == [(model.model_id, 3)]

    files = mlflow.artifacts.download_artifacts(f"models:/{model.model_id}", dst_path=str(tmp_path / "dl"))
    assert open(os.path.join(files, "model.bin"), "rb").read() == b"\x07" * 64

    client.set_logged_model_tags(model.model_id, {"stage": "candidate"})
    client.delete_logged_model_tag(model.model_id, "team")
    client.log_model_params(model.model_id, {"lr": "0.1"})
    got = client.get_logged_model(model.model_id)
    assert got.tags["stage"] == "candidate" and "team" not in got.tags
    assert got.params == {"depth": "4", "lr": "0.1"}

    client.delete_logged_model(model.model_id)
    with pytest.raises(MlflowException) as e:
        client.get_logged_model(model.model_id)
    assert e.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_search_logged_models(experiment, client):
    ids = {}
    with mlflow.start_run():
        for i, kind in enumerate(["tree", "tree", "linear"]):
            m = mlflow.initialize_logged_model(name=f"model-{i}", model_type=kind, params={"i": str(i)})
            mlflow.log_metric("rmse", 1.0 - i * 0.1, model_id=m.model_id)
            ids[i] = m.model_id
    found = mlflow.search_logged_models(experiment_ids=[experiment], filter_string="model_type = 'tree'", output_format="list")
    assert sorted(m.name for m in found) == ["model-0", "model-1"]
    ranked = mlflow.search_logged_models(
        experiment_ids=[experiment], filter_string="metrics.rmse < 0.95", order_by=[{"field_name": "metrics.rmse", "ascending": True}], output_format="list"
    )
    assert [m.name for m in ranked] == ["model-2", "model-1"]
    assert [m.model_id for m in client.search_logged_models([experiment], filter_string="params.i = '0'")] == [ids[0]]
    assert [m.model_id for m in client.search_logged_models([experiment], filter_string="name LIKE 'model-%'", max_results=2)] == [ids[2], ids[1]]
    with pytest.raises(MlflowException) as e:
        client.search_logged_models([experiment], filter_string="colour = 'red'")
    assert e.value.error_code == "INVALID_PARAMETER_VALUE"


def test_register_logged_model(experiment, client, tmp_path):
    name = unique("logged")
    with mlflow.start_run() as run:
        model = mlflow.initialize_logged_model(name="net")
        client.log_model_artifacts(model.model_id, model_dir(tmp_path))
        client.finalize_logged_model(model.model_id, "READY")
        client.log_outputs(run.info.run_id, [LoggedModelOutput(model.model_id, step=0)])
    # (The client's ModelVersion does not read model_id from the wire, with MLflow's server either.)
    v1 = mlflow.register_model(f"models:/{model.model_id}", name)
    assert v1.source == f"models:/{model.model_id}" and v1.status == "READY"
    # Through the run: its files are the logged model's, found by name.
    v2 = mlflow.register_model(f"runs:/{run.info.run_id}/net", name)
    assert v2.version == "2" and v2.source == f"models:/{model.model_id}"
    got = client.get_logged_model(model.model_id)
    # The server records each version on the model, and the client appends it again (as with MLflow).
    entries = json.loads(got.tags["mlflow.modelVersions"])
    assert {"name": name, "version": "1"} in entries and {"name": name, "version": "2"} in entries
    files = mlflow.artifacts.download_artifacts(f"models:/{name}/2", dst_path=str(tmp_path / "v2"))
    assert open(os.path.join(files, "model.bin"), "rb").read() == b"\x07" * 64


class Doubler(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input: list[int], params=None) -> list[int]:
        return [2 * x for x in model_input]


def test_pyfunc_log_model_register_and_load(experiment, client, cairn):
    """The path most scripts take: a flavor's log_model, registered in the same call, loaded back."""
    name = unique("doubler")
    with mlflow.start_run() as run:
        info = mlflow.pyfunc.log_model(name="doubler", python_model=Doubler(), pip_requirements=["mlflow"], registered_model_name=name)
    assert str(info.registered_model_version) == "1"
    model = client.get_logged_model(info.model_id)
    assert model.status == "READY" and model.source_run_id == run.info.run_id
    version = client.get_model_version(name, "1")
    assert version.source == f"models:/{info.model_id}" and version.status == "READY"
    loaded = mlflow.pyfunc.load_model(f"models:/{name}/1")
    assert loaded.predict([1, 2, 3]) == [2, 4, 6]
    assert mlflow.pyfunc.load_model(f"runs:/{run.info.run_id}/doubler").predict([5]) == [10]
    outputs = client.get_run(run.info.run_id).outputs.model_outputs
    assert [o.model_id for o in outputs] == [info.model_id]
    # Cairn's view of the run sees it as a finished run of this experiment.
    assert cairn.run(run.info.run_id)["info"]["status"] == "FINISHED"
