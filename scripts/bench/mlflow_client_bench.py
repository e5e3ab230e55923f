"""The MLflow client against two servers on this machine: `cairn serve` and `mlflow server` with a SQLite
backend store (MLflow's own proxied artifacts). The same logging script runs against each, in its own
process, and each phase's wall time is printed with the ratio MLflow / Cairn, measured in the same run.

usage: mlflow_client_bench.py CAIRN_BINARY [RUNS]

Phases (the issue's workload):
  one run   1 run: 100 params, 10 metrics x 1,000 steps via log_batch, 20 artifacts (64 KB each)
  runs      RUNS runs (default 1,000), each with 2 params, 2 metrics and a tag
  search    a filtered, ordered search over those runs (every page)

Servers are started fresh (empty stores) and stopped at the end; their start-up is not timed.
"""
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

PHASES = ["one run", "runs", "search"]
SEARCH = ("metrics.acc > 0.5 and params.model = 'gbm' and tags.team LIKE 'vis%'", ["metrics.acc DESC"])


def workload(runs: int, workdir: str) -> dict:
    """Runs in the child process, against MLFLOW_TRACKING_URI; returns seconds per phase and checks."""
    import mlflow
    from mlflow.entities import Metric, Param

    client = mlflow.MlflowClient()
    mlflow.set_experiment("bench")
    files = []
    for i in range(20):
        path = os.path.join(workdir, f"artifact-{i:02d}.bin")
        with open(path, "wb") as f:
            f.write(random.Random(i).randbytes(64 * 1024))
        files.append(path)
    times = {}

    t = time.perf_counter()
    with mlflow.start_run(run_name="big") as run:
        client.log_batch(run.info.run_id, params=[Param(f"p{i:03d}", str(i)) for i in range(100)])
        now = int(time.time() * 1000)
        metrics = [Metric(f"m{k}", float(s) / (k + 1), now + s, s) for k in range(10) for s in range(1000)]
        client.log_batch(run.info.run_id, metrics=metrics)
        for path in files:
            mlflow.log_artifact(path, artifact_path="files")
    times["one run"] = time.perf_counter() - t
    got = client.get_run(run.info.run_id)
    assert len(got.data.params) == 100 and len(got.data.metrics) == 10
    assert len(client.get_metric_history(run.info.run_id, "m3")) == 1000
    assert len(client.list_artifacts(run.info.run_id, "files")) == 20

    t = time.perf_counter()
    for i in range(runs):
        with mlflow.start_run(run_name=f"run-{i}"):
            mlflow.log_params({"model": ["gbm", "rf", "lr"][i % 3], "i": i})
            mlflow.log_metrics({"acc": (i * 7919 % 1000) / 1000, "loss": (i * 104729 % 1000) / 1000})
            mlflow.set_tag("team", ["vision", "nlp"][i % 2])
    times["runs"] = time.perf_counter() - t

    t = time.perf_counter()
    found = mlflow.search_runs(filter_string=SEARCH[0], order_by=SEARCH[1], output_format="list")
    times["search"] = time.perf_counter() - t
    expected = sum(1 for i in range(runs) if i % 3 == 0 and i % 2 == 0 and (i * 7919 % 1000) / 1000 > 0.5)
    assert len(found) == expected, (len(found), expected)
    return {"times": times, "found": len(found)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, headers: dict, seconds: float, proc: subprocess.Popen, log: str):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit(f"the server exited with {proc.returncode}:\n{open(log).read()[-3000:]}")
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit(f"{url} did not answer within {seconds} s:\n{open(log).read()[-3000:]}")


def stop(proc: subprocess.Popen):
    if proc.poll() is None:
        # mlflow server runs uvicorn workers in its process group; stop the whole group.
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def measure(name: str, env: dict, runs: int, workdir: str) -> dict:
    child_env = {**os.environ, **env, "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}
    out = subprocess.run(
        [sys.executable, __file__, "--client", str(runs), workdir],
        env=child_env, capture_output=True, text=True, check=False,
    )
    if out.returncode != 0:
        sys.exit(f"the workload failed against {name}:\n{out.stdout[-2000:]}\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "--client":
        print(json.dumps(workload(int(sys.argv[2]), sys.argv[3])))
        return
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    cairn_bin, runs = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    tmp = tempfile.mkdtemp(prefix="cairn-mlflow-bench-")
    procs = []
    try:
        mlflow_bin = os.path.join(os.path.dirname(sys.executable), "mlflow")
        port = free_port()
        mlog = os.path.join(tmp, "mlflow.log")
        mlflow_proc = subprocess.Popen(
            [mlflow_bin, "server", "--backend-store-uri", f"sqlite:///{tmp}/mlflow.db",
             "--artifacts-destination", f"{tmp}/mlartifacts", "--host", "127.0.0.1", "--port", str(port)],
            stdout=open(mlog, "w"), stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"},
        )
        procs.append(mlflow_proc)

        token = os.urandom(16).hex()
        clog = os.path.join(tmp, "cairn.log")
        cenv = {**os.environ, "CAIRN_CONFIG_DIR": os.path.join(tmp, "cairn-config")}
        subprocess.run([cairn_bin, "new", os.path.join(tmp, "cairn-project")], env=cenv, check=True, capture_output=True)
        cairn_proc = subprocess.Popen(
            [cairn_bin, "serve", os.path.join(tmp, "cairn-project"), "--port", "0", "--token", token],
            stdout=open(clog, "w"), stderr=subprocess.STDOUT, start_new_session=True, env=cenv,
        )
        procs.append(cairn_proc)
        cairn_url = None
        for _ in range(300):
            text = open(clog).read()
            if "export MLFLOW_TRACKING_URI=" in text:
                cairn_url = text.split("export MLFLOW_TRACKING_URI=")[1].split()[0]
                break
            time.sleep(0.1)
        if not cairn_url:
            sys.exit(f"cairn serve printed no MLflow URI:\n{open(clog).read()}")
        wait_http(f"{cairn_url}/health", {"Authorization": f"Bearer {token}"}, 30, cairn_proc, clog)
        mlflow_url = f"http://127.0.0.1:{port}"
        wait_http(f"{mlflow_url}/health", {}, 180, mlflow_proc, mlog)

        os.makedirs(os.path.join(tmp, "files-c"))
        os.makedirs(os.path.join(tmp, "files-m"))
        cairn = measure("cairn serve", {"MLFLOW_TRACKING_URI": cairn_url, "MLFLOW_TRACKING_TOKEN": token}, runs, os.path.join(tmp, "files-c"))
        peer = measure("mlflow server", {"MLFLOW_TRACKING_URI": mlflow_url}, runs, os.path.join(tmp, "files-m"))
    finally:
        for p in procs:
            stop(p)
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"MLflow client ({runs} runs), cairn serve vs mlflow server --backend-store-uri sqlite (same machine, same client):")
    print(f"  {'phase':<10} {'cairn':>9} {'mlflow':>9} {'ratio':>7}")
    for phase in PHASES:
        c, m = cairn["times"][phase], peer["times"][phase]
        print(f"  {phase:<10} {c:>8.2f}s {m:>8.2f}s {m / c:>6.1f}x")
    c, m = sum(cairn["times"].values()), sum(peer["times"].values())
    print(f"  {'total':<10} {c:>8.2f}s {m:>8.2f}s {m / c:>6.1f}x   (search found {cairn['found']} runs on both)")


if __name__ == "__main__":
    main()
