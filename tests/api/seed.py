"""Gives the fuzzer something real to find: through the API itself, the demo project gets a flow, an
experiment, a finished profile task and a small finished training run (with its job, artifacts and a
tag). Then writes schemathesis' configuration: dictionaries of these ids, so the path parameters name
real things most of the time (a random id only ever meets a 404), and the operations whose inputs are
paths on this computer or network addresses held to the temporary folder and a closed loopback port.

Usage: seed.py URL TOKEN TEMPLATE CONFIG_OUT   (standard library only; TEMPLATE is schemathesis.toml)
"""

import json
import sys
import time
import urllib.error
import urllib.request

URL, TOKEN, TEMPLATE, OUT = sys.argv[1:5]


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(URL + path, data=data, method=method)
    req.add_header("Authorization", f"Bearer {TOKEN}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        sys.exit(f"seeding: {method} {path} answered {e.code}: {e.read().decode(errors='replace')}")


def wait(what, done, seconds=120):
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            sys.exit(f"seeding: {what} did not finish in {seconds} s")
        time.sleep(0.2)


pid = call("GET", "/api/info")["initial_project"]
p = f"/api/projects/{pid}"
ds = call("GET", f"{p}/datasets")[0]

task = call("POST", f"{p}/datasets/{ds['id']}/profile")["task_id"]
wait("the profile", lambda: call("GET", f"/api/tasks/{task}")["state"] != "running")
flow = call("POST", f"{p}/flows", {"dataset": ds["id"], "name": "fuzz"})["name"]
call("POST", f"{p}/experiments", {"name": "fuzz"})
spec = {"dataset": ds["id"], "target": "readmitted_30d", "model": "logistic", "experiment": "fuzz", "run_name": "seed"}
started = call("POST", f"{p}/train", spec)
job, run = started["job_id"], started["run_id"]
wait("the training", lambda: call("GET", f"{p}/jobs/{job}")["state"] not in ("queued", "running"))
if call("GET", f"{p}/jobs/{job}")["state"] != "succeeded":
    sys.exit("seeding: the training failed:\n" + call("GET", f"{p}/jobs/{job}/log")["text"])
call("POST", f"{p}/runs/{run}/tags", {"key": "fuzz", "value": "1"})
files = [f["path"] for f in call("GET", f"{p}/runs/{run}/artifacts") if not f["is_dir"]]
sources = call("GET", f"{p}/flows/{flow}")["sources"]
ops = [o["name"] for o in call("GET", "/api/flow-ops")]
# A cluster profile whose address is a closed loopback port: testing it, or running on it, fails at once.
call("POST", "/api/clusters", {"name": "fuzz", "address": "http://127.0.0.1:9"})


def toml(value):
    """A value as TOML (inline tables and arrays)."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {toml(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(toml(v) for v in value) + "]"
    return json.dumps(value)


def toml_list(values):
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


dictionaries = {
    "pid": [pid],
    "did": [ds["id"], ds["name"]],
    "rid": [run],
    "jid": [job],
    "tid": [task],
    "flow": [flow],
    "artifact": files,
    "key": ["fuzz"],
    "column": [c["name"] for c in ds["columns"]],
    "import": [ds["source"]["path"], "data", "no-such-file.csv", ""],
    "on": ["", "local", "fuzz"],
    "csv": ["", "out/fuzz.csv", "fuzz.txt"],
    "ops": ops,
}
# How often a parameter takes a real value rather than a generated one. The project id almost always:
# every other route of a project would otherwise stop at PROJECT_NOT_FOUND.
bindings = {
    "path.pid": ("pid", 0.95),
    "path.did": ("did", 0.7),
    "path.rid": ("rid", 0.7),
    "path.jid": ("jid", 0.7),
    "path.tid": ("tid", 0.7),
    "path.key": ("key", 0.5),
    "path.path": ("artifact", 0.7),
    "query.sort": ("column", 0.5),
    "query.target": ("column", 0.5),
}

lines = ["", "# Written by seed.py for this run.", "[dictionaries]"]
lines += [f"{name} = {{ values = {toml_list(values)} }}" for name, values in dictionaries.items()]
lines += ["", "[parameters]"]
lines += [f'"{key}" = {{ dictionary = "{d}", probability = {prob} }}' for key, (d, prob) in bindings.items()]
# Flows sent to preview or chart (the only bodies with a `flow` or an `x`) read the seeded dataset and
# use known operators at their version, so the steps' parameters (generated) are what gets tested, not
# only the flow's outline.
flow_fields = {
    "body.flow.format": 1,
    "body.flow.sources": sources,
    "body.flow.steps[*].op": {"dictionary": "ops", "probability": 0.9},
    "body.flow.steps[*].version": 1,
    "body.x": {"dictionary": "column", "probability": 0.8},
    "body.y": {"dictionary": "column", "probability": 0.8},
}
lines += [f"{json.dumps(key)} = {toml(value)}" for key, value in flow_fields.items()]
with open(TEMPLATE) as f:
    template = f.read()
with open(OUT, "w") as f:
    f.write(template + "\n".join(lines) + "\n")
print(f"seeded project {pid}: dataset {ds['name']}, flow {flow}, run {run}, job {job}, {len(files)} artifacts")
