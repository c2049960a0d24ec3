"""End to end: a real hub process, the real CLI, a ~100 MB model, an upload killed half-way."""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from tests.e2e import procs

pytestmark = pytest.mark.e2e
SIZE = 100 * 1024 * 1024


def uploaded_bytes(url: str) -> float:
    text = httpx.get(f"{url}/metrics").text
    m = re.search(r"^edgeplane_hub_upload_bytes_total (\S+)$", text, re.M)
    return float(m.group(1)) if m else 0.0


def test_push_killed_half_way_resumes_and_pulls_back_identical(tmp_path: Path) -> None:
    model = tmp_path / "big.onnx"
    digest = procs.make_model(model, SIZE)
    with procs.hub(tmp_path / "hub") as hub:
        env = hub.env()
        push = [
            *procs.EDGEPLANE,
            "model",
            "push",
            str(model),
            "--name",
            "big",
            "--version",
            "1.0.0",
            "--framework",
            "onnx",
            "--metric",
            "accuracy=0.91",
            "--limit-rate",
            "40",
        ]
        first = subprocess.Popen(push, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        partial = hub.data_dir / "artifacts" / "partial" / digest
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (not partial.exists() or partial.stat().st_size < SIZE // 3):
            time.sleep(0.02)
        first.send_signal(signal.SIGKILL)
        first.wait()
        time.sleep(0.5)  # let the hub notice the cut and write out what it received
        status = httpx.get(
            f"{hub.url}/api/v1/orgs/default/blobs/{digest}/upload", headers={"Authorization": f"Bearer {hub.token}"}
        ).json()
        assert 0 < status["received"] < SIZE and not status["complete"]
        # the version is not visible while incomplete
        listed = procs.cli(["model", "list", "--json"], env)
        assert '"versions": []' in listed.stdout

        second = procs.cli(push[len(procs.EDGEPLANE) : -2], env)
        assert second.returncode == 0, second.stderr
        assert "pushed big:1.0.0" in second.stdout
        # the second run sent only what was missing: no more than one extra buffer was re-sent overall
        assert uploaded_bytes(hub.url) <= SIZE + 2 * 1024 * 1024

        out = tmp_path / "pulled"
        pulled = procs.cli(["model", "pull", "big", "1.0.0", "--dest", str(out)], env)
        assert pulled.returncode == 0, pulled.stderr
        got = hashlib.sha256((out / "big.onnx").read_bytes()).hexdigest()
        assert got == digest
        # a file torn in place (say by a power cut after a --no-fsync pull) is re-verified and fetched again
        with (out / "big.onnx").open("r+b") as f:
            f.seek(SIZE // 2)
            f.write(b"\0" * 4096)
        again = procs.cli(["model", "pull", "big", "1.0.0", "--dest", str(out), "--no-fsync"], env)
        assert again.returncode == 0, again.stderr
        assert hashlib.sha256((out / "big.onnx").read_bytes()).hexdigest() == digest
        shown = procs.cli(["model", "show", "big", "1.0.0", "--json"], env)
        assert '"accuracy": 0.91' in shown.stdout and '"state": "ready"' in shown.stdout


def test_cli_errors_are_one_line_with_hint_and_exit_code(tmp_path: Path) -> None:
    model = tmp_path / "m.bin"
    model.write_bytes(b"abc")
    with procs.hub(tmp_path / "hub") as hub:
        env = hub.env()
        ok = procs.cli(["model", "push", str(model), "--name", "m", "--version", "1"], env)
        assert ok.returncode == 0, ok.stderr
        again = procs.cli(["model", "push", str(model), "--name", "m", "--version", "1"], env)
        assert again.returncode == 1
        assert "already exists" in again.stderr and "hint:" in again.stderr
        bad = procs.cli(["model", "push", str(model), "--name", "Bad Name", "--version", "1"], env)
        assert bad.returncode == 2 and "hint:" in bad.stderr
        metric = procs.cli(["model", "push", str(model), "--name", "m", "--version", "2", "--metric", "acc=high"], env)
        assert metric.returncode == 2 and "--metric" in metric.stderr
        viewer = procs.cli(["token", "create", "--role", "viewer"], env).stdout.strip()
        denied = procs.cli(["model", "push", str(model), "--name", "m", "--version", "3"], hub.env(viewer))
        assert denied.returncode == 1 and "publisher" in denied.stderr
        nohub = procs.cli(["model", "list"], {**env, "EDGEPLANE_HUB": f"http://127.0.0.1:{procs.free_port()}"})
        assert nohub.returncode == 1 and "cannot reach the hub" in nohub.stderr
    assert os.stat(hub.data_dir / "admin-token").st_mode & 0o777 == 0o600


@pytest.mark.postgres
def test_upload_started_on_one_hub_is_resumed_on_another(tmp_path: Path, pg_database: str) -> None:
    data = os.urandom(8 * 1024 * 1024)
    digest = hashlib.sha256(data).hexdigest()
    shared = tmp_path / "artifacts"
    with (
        procs.hub(tmp_path / "a", database_url=pg_database, artifacts=shared) as a,
        procs.hub(tmp_path / "b", database_url=pg_database, artifacts=shared) as b,
    ):
        token = a.token if (a.data_dir / "admin-token").exists() else b.token
        h = {"Authorization": f"Bearer {token}"}
        org = "/api/v1/orgs/default"
        body = {"version": "1", "files": [{"path": "w.bin", "size": len(data), "sha256": digest}]}
        assert httpx.post(f"{a.url}{org}/models/shared/versions", json=body, headers=h).status_code == 201
        half = len(data) // 2
        r = httpx.put(
            f"{a.url}{org}/blobs/{digest}",
            content=data[:half],
            headers={**h, "Content-Range": f"bytes 0-{half - 1}/{len(data)}"},
        )
        assert r.status_code == 202
        assert httpx.get(f"{b.url}{org}/blobs/{digest}/upload", headers=h).json()["received"] == half
        r = httpx.put(
            f"{b.url}{org}/blobs/{digest}",
            content=data[half:],
            headers={**h, "Content-Range": f"bytes {half}-{len(data) - 1}/{len(data)}"},
        )
        assert r.status_code == 201
        assert httpx.post(f"{b.url}{org}/models/shared/versions/1/commit", headers=h).json()["state"] == "ready"
        assert httpx.get(f"{a.url}{org}/models/shared", headers=h).json()["versions"] == ["1"]
        assert httpx.get(f"{a.url}{org}/blobs/{digest}", headers=h).content == data
