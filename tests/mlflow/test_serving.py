"""A Cairn endpoint spoken to by the clients users already have: boto3's SageMaker runtime client, MLflow's
own serialization of a DataFrame for its scoring protocol, and Triton's client for KServe's Open Inference
Protocol v2. A model is trained, registered, approved and deployed through Cairn's API; every protocol's
answer is compared with `cairn predict` on the same rows (the studio's predict route is the same path)."""

import io
import json
import os
import tempfile
import time

import boto3
import numpy as np
import pandas as pd
import pytest
import tritonclient.http as triton
from botocore import UNSIGNED
from botocore.config import Config

ROWS = """age,workclass,fnlwgt,education,education-num,marital-status,occupation,relationship,race,sex,capital-gain,capital-loss,hours-per-week,native-country
39,State-gov,77516,Bachelors,13,Never-married,Adm-clerical,Not-in-family,White,Male,2174,0,40,United-States
,Martian,83311,Bachelors,13,Married-civ-spouse,Exec-managerial,Husband,White,Male,0,0,,Atlantis
52,Self-emp-inc,287927,HS-grad,9,Married-civ-spouse,Exec-managerial,Wife,White,Female,15024,0,40,United-States
"""


def wait(what, fetch, done, timeout=300):
    end = time.time() + timeout
    while True:
        v = fetch()
        if done(v):
            return v
        assert time.time() < end, f"timed out waiting for {what}: {v}"
        time.sleep(0.2)


@pytest.fixture(scope="module")
def endpoint(cairn):
    """A gbm on 2,000 rows of adult.csv, registered, approved and served as `income-live`."""
    data = os.path.join(os.path.dirname(__file__), "../../../shared/data/adult.csv")
    tmp = tempfile.mkdtemp()
    sample = os.path.join(tmp, "adult-sample.csv")
    with open(data) as f, open(sample, "w") as out:
        for i, line in enumerate(f):
            if i > 2000:
                break
            out.write(line)
    pid = cairn.pid
    task = cairn.post(f"/api/projects/{pid}/imports", {"path": sample, "options": {}})
    wait("the import", lambda: cairn.get(f"/api/tasks/{task['task_id']}"), lambda t: t["state"] != "running")
    ds = [d for d in cairn.get(f"/api/projects/{pid}/datasets") if d["name"] == "adult-sample"][0]
    started = cairn.post(f"/api/projects/{pid}/train", {"dataset": ds["id"], "target": "class", "model": "gbm", "seed": 2})
    job = wait("the training", lambda: cairn.get(f"/api/projects/{pid}/jobs/{started['job_id']}"), lambda j: j["state"] not in ("queued", "running"))
    assert job["state"] == "succeeded", job
    cairn.post(f"/api/projects/{pid}/models", {"run_id": started["run_id"], "model": "income-served"})
    cairn.post(f"/api/projects/{pid}/models/income-served/versions/1/approval", {"status": "Approved", "reason": "for the protocol tests"})
    info = cairn.post(
        f"/api/projects/{pid}/endpoints",
        {"name": "income-live", "variants": [{"model": "income-served@1", "weight": 1}], "capture": {"percent": 100}},
    )
    assert info["status"] == "running", info
    # What `cairn predict` gives for these rows: the run's predict path, read back as CSV.
    rows = os.path.join(tmp, "rows.csv")
    with open(rows, "w") as f:
        f.write(ROWS)
    expected = predict_with_cli(started["run_id"], rows)
    yield info, expected
    r = cairn.http.delete(f"{cairn.base}/api/projects/{pid}/endpoints/income-live")
    assert r.status_code == 200, r.text


def predict_with_cli(run_id, rows):
    """`cairn predict` on the project the server has open (the CLI reads the same SQLite file)."""
    import subprocess

    binary = os.environ.get("CAIRN_BIN") or os.path.expanduser("~/.cache/cairn/target/release/cairn")
    project = os.environ["CAIRN_TEST_PROJECT"]
    out = subprocess.run([binary, "predict", project, run_id, rows], check=True, capture_output=True, text=True).stdout
    return pd.read_csv(io.StringIO(out), float_precision="round_trip")["proba_>50K"].tolist()


def test_sagemaker_runtime_client(endpoint):
    info, expected = endpoint
    client = boto3.client(
        "sagemaker-runtime",
        endpoint_url=info["url"],
        region_name="us-east-1",
        config=Config(signature_version=UNSIGNED, retries={"max_attempts": 0}),
    )
    key = info["key"]
    # The endpoint's key travels as a bearer token; SageMaker's own signing is not used on loopback.
    client.meta.events.register("before-send.sagemaker-runtime.*", lambda request, **_: request.headers.__setitem__("Authorization", f"Bearer {key}"))
    r = client.invoke_endpoint(EndpointName="income-live", Body=ROWS.encode(), ContentType="text/csv", Accept="application/json", InferenceId="boto-1")
    assert r["InvokedProductionVariant"] == info["variants"][0]["name"]
    got = [p["proba_>50K"] for p in json.loads(r["Body"].read())["predictions"]]
    assert got == expected
    # Headerless CSV, as SageMaker's built-in algorithms take it: the model's feature order.
    headerless = "\n".join(ROWS.splitlines()[1:]) + "\n"
    r = client.invoke_endpoint(EndpointName="income-live", Body=headerless.encode(), ContentType="text/csv", Accept="text/csv")
    out = pd.read_csv(io.StringIO(r["Body"].read().decode()), float_precision="round_trip")
    assert out["proba_>50K"].tolist() == expected
    with pytest.raises(client.exceptions.ClientError) as bad:
        client.invoke_endpoint(EndpointName="income-live", Body=b"\x00\x01", ContentType="application/x-parquet")
    assert bad.value.response["ResponseMetadata"]["HTTPStatusCode"] == 415


def test_mlflow_scoring_protocol(endpoint):
    import requests
    from mlflow.models.utils import convert_input_example_to_serving_input

    info, expected = endpoint
    frame = pd.read_csv(io.StringIO(ROWS))
    headers = {"Authorization": f"Bearer {info['key']}", "Content-Type": "application/json"}
    # MLflow's own serializer: the body `mlflow models serve` documents (dataframe_split).
    body = convert_input_example_to_serving_input(frame)
    r = requests.post(info["url"] + "/invocations", data=body, headers=headers)
    assert r.status_code == 200, r.text
    assert [p["proba_>50K"] for p in r.json()["predictions"]] == expected
    records = json.dumps({"dataframe_records": json.loads(frame.to_json(orient="records"))})
    r = requests.post(info["url"] + "/invocations", data=records, headers=headers)
    assert [p["proba_>50K"] for p in r.json()["predictions"]] == expected
    # Health checks answer anyone (load balancers, SageMaker's agent); the rest needs the key.
    for path in ("/ping", "/health"):
        assert requests.get(info["url"] + path).status_code == 200
    assert requests.get(info["url"] + "/version").status_code == 401
    assert requests.get(info["url"] + "/version", headers=headers).status_code == 200
    r = requests.post(info["url"] + "/invocations", data=body, headers={**headers, "Authorization": "Bearer wrong"})
    assert r.status_code == 401


def test_kserve_v2_with_triton_client(endpoint):
    info, expected = endpoint
    headers = {"Authorization": f"Bearer {info['key']}"}
    client = triton.InferenceServerClient(url=info["url"].removeprefix("http://"))
    assert client.is_server_live(headers=headers) and client.is_server_ready(headers=headers)
    meta = client.get_model_metadata("income-live", headers=headers)
    names = [i["name"] for i in meta["inputs"]]
    assert "age" in names and "native-country" in names
    frame = pd.read_csv(io.StringIO(ROWS), dtype=str, keep_default_na=False)
    inputs = []
    for i in meta["inputs"]:
        t = triton.InferInput(i["name"], [len(frame), 1], "BYTES")
        t.set_data_from_numpy(frame[i["name"]].to_numpy(dtype=object).reshape(-1, 1), binary_data=False)
        inputs.append(t)
    outputs = [triton.InferRequestedOutput("proba_>50K", binary_data=False)]
    result = client.infer("income-live", inputs, outputs=outputs, headers=headers)
    got = result.as_numpy("proba_>50K").reshape(-1).tolist()
    assert got == expected


def test_the_mlflow_client_cannot_take_a_served_model_away(endpoint, tracking_uri):
    """Deleting or renaming the group a running endpoint serves, or deleting its version, is refused
    through MLflow's registry API as through Cairn's: 409, the endpoint named, the model still there."""
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    client = MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
    for attempt in (
        lambda: client.delete_registered_model("income-served"),
        lambda: client.rename_registered_model("income-served", "income-renamed"),
        lambda: client.delete_model_version("income-served", "1"),
    ):
        with pytest.raises(MlflowException) as e:
            attempt()
        assert e.value.error_code == "RESOURCE_CONFLICT", e.value
        assert "income-live" in str(e.value), e.value
    assert client.get_model_version("income-served", "1").version == "1"
