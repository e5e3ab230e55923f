"""Import + profile inside the studio a user opens: `cairn serve` (the binary `make run` builds), driven over
HTTP as the UI drives it — POST the import, then follow the task until it has succeeded. Each run imports into
a fresh project. Printed beside the same import measured in-process (`cairn-bench import-profile`, the
README's figure) on the same build in the same run, as a ratio.

usage: studio_import.py CAIRN_BINARY CAIRN_BENCH_BINARY FILE [RUNS]
"""
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base: str, token: str, method: str, path: str, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read() or b"null")


def one_run(cairn: str, file: str, tmp: str, i: int) -> tuple[float, float]:
    """Seconds from the POST to the task seen succeeded, and the server's own started→ended time."""
    env = dict(os.environ, CAIRN_CONFIG_DIR=os.path.join(tmp, "cfg"))
    project = os.path.join(tmp, f"p{i}")
    subprocess.run([cairn, "new", project], env=env, check=True, stdout=subprocess.DEVNULL)
    port, token = free_port(), "bench-token"
    server = subprocess.Popen([cairn, "serve", project, "--port", str(port), "--token", token], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(400):
            try:
                info = call(base, token, "GET", "/api/info")
                break
            except OSError:
                time.sleep(0.025)
        else:
            raise SystemExit("cairn serve did not answer")
        pid = info["initial_project"]
        t = time.perf_counter()
        tid = call(base, token, "POST", f"/api/projects/{pid}/imports", {"path": file, "options": {}})["task_id"]
        while True:
            task = call(base, token, "GET", f"/api/tasks/{tid}")
            if task["state"] != "running":
                break
            time.sleep(0.002)
        wall = time.perf_counter() - t
        if task["state"] != "succeeded":
            raise SystemExit(f"the import ended {task['state']}: {task.get('error')}")
        return wall, (task["ended_at"] - task["started_at"]) / 1000.0
    finally:
        server.terminate()
        server.wait(timeout=10)


def in_process(bench: str, file: str, runs: int) -> float:
    """`cairn-bench import-profile`'s median over `runs` imports in one process (the README's figure)."""
    # Cairn's figure only: its pandas peer is not needed here (and would run between the studio's runs).
    env = dict(os.environ, CAIRN_BENCH_NO_PEER="1")
    out = subprocess.run([bench, "import-profile", file, str(runs)], capture_output=True, text=True, env=env).stdout
    line = next(l for l in out.splitlines() if l.strip().startswith("cairn "))
    return float(line.split()[1])


def main() -> None:
    cairn, bench, file = sys.argv[1], sys.argv[2], os.path.abspath(sys.argv[3])
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    tmp = tempfile.mkdtemp(prefix="cairn-studio-import-")
    results, first = [], []
    try:
        # Interleaved, so both sides meet the same moments of a noisy machine: the studio's import is the
        # first in its process, so it is also set beside a first import in a fresh in-process run.
        for i in range(runs):
            results.append(one_run(cairn, file, tmp, i))
            first.append(in_process(bench, file, 1))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    wall = statistics.median(r[0] for r in results)
    server = statistics.median(r[1] for r in results)
    warm = in_process(bench, file, runs)
    cold = statistics.median(first)
    print(f"import + profile of {os.path.basename(file)} in the studio (`cairn serve`, over HTTP, {runs} runs, median)")
    print(f"  studio         {wall:8.3f} s   from the POST to the task seen succeeded (server's own task time {server:.3f} s)")
    print(f"  in-process     {warm:8.3f} s   cairn-bench import-profile, the same build (the README's figure)")
    print(f"  ratio          {wall / warm:8.2f}×   (target ≤ 1.5×)")
    print(f"  in-process, first import of a fresh process {cold:.3f} s: the studio's own cost {wall / cold:.2f}×")


if __name__ == "__main__":
    main()
