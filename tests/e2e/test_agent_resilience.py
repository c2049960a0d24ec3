"""End to end, real processes: the agent survives kill -9 mid-download and a hub that goes away.

* kill -9 at random points of a ~200 MB download, three times: every restart resumes from exactly the
  bytes already on disk (the agent logs where each fetch starts), and no partial or corrupt version is
  ever activated; the final files match their sha256.
* hub stopped: the workload keeps running and the ESS keeps serving the last good model; a change made
  while the agent could not reach the hub is converged to once it can.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
from tests.e2e import procs

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(600)]
BIG = 200 * 1024 * 1024
CHUNK = 1024 * 1024
SLEEPER = {"name": "holder", "version": "1.0.0", "kind": "device", "device": {"command": ["sleep", "100000"]}}


def publish(hub: procs.HubProcess, workload: dict[str, object], model: str, version: str, *, create: bool) -> None:
    body = {"name": f"{model}-mp", "model": model, "version": version, "services": [{"name": workload["name"]}]}
    with procs.admin(hub) as c:
        if create:
            procs.call(c, "POST", "/workloads", workload)
            procs.call(c, "POST", "/deployment-policies", {"name": "dp", "workload": {"name": workload["name"]}})
            procs.call(c, "POST", "/model-policies", body)
        else:
            procs.call(c, "PUT", f"/model-policies/{model}-mp", body)


def fetch_offsets(log: Path, digest: str) -> list[int]:
    return [int(m) for m in re.findall(rf"fetching blob {digest} from byte (\d+)", log.read_text())]


def size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def test_kill_9_during_a_large_download_always_resumes_and_never_activates_a_partial_model(tmp_path: Path) -> None:
    digest = procs.make_model(tmp_path / "big.onnx", BIG)
    rate = {"EDGEPLANE_AGENT_FETCH__MAX_BYTES_PER_S": str(25 * 1024 * 1024),
            "EDGEPLANE_AGENT_FETCH__CHUNK_BYTES": str(CHUNK)}
    rng = random.Random(os.urandom(8))
    with procs.hub(tmp_path / "hub") as hub:
        procs.push_model(hub, tmp_path / "big.onnx", "big", "1.0.0")
        publish(hub, SLEEPER, "big", "1.0.0", create=True)
        token = procs.registration_token(hub)
        data = tmp_path / "a"
        partial = data / "blobs" / "partial" / digest
        models = data / "models" / "default" / "big"
        resumed_from: list[int] = []
        targets = sorted(rng.uniform(0.1, 0.9) * BIG for _ in range(3))
        for i, target in enumerate(targets):
            agent = procs.start_agent(data, hub.url, token, name="cam-1", env=rate)
            procs.wait_for(lambda n=i + 1: len(fetch_offsets(agent.log, digest)) >= n, log=agent.log,
                           what="the download to start")
            seen = procs.wait_for(lambda t=target: size(partial) >= t and size(partial), log=agent.log,
                                  proc=agent.proc, what=f"{target / BIG:.0%} of the download")
            os.kill(agent.proc.pid, signal.SIGKILL)
            agent.proc.wait()
            kept = size(partial)
            assert kept >= seen, "bytes on disk went backwards"
            assert not models.exists(), "a version became visible before its download completed"
            if i > 0:
                assert fetch_offsets(agent.log, digest)[-1] > 0, "a restart did not resume"
            resumed_from.append(kept)
        agent = procs.start_agent(data, hub.url, token, name="cam-1", env=rate)
        try:
            procs.wait_for(lambda: models.joinpath("current").exists(), timeout=120, log=agent.log,
                           what="the model to become active")
            offsets = fetch_offsets(agent.log, digest)
            assert len(offsets) == len(targets) + 1
            assert offsets[0] == 0 and all(o > 0 for o in offsets[1:])
            # Each restart fetched from exactly the bytes that survived the kill: nothing durable re-fetched.
            assert offsets[1:] == resumed_from
            installed = models / "current" / "big.onnx"
            h = hashlib.sha256()
            with installed.open("rb") as f:
                while block := f.read(CHUNK * 8):
                    h.update(block)
            assert h.hexdigest() == digest and installed.stat().st_size == BIG
            assert not partial.exists()
        finally:
            procs.stop(agent.proc)


def ess_get(agent: procs.AgentProcess, tail: str) -> tuple[int, bytes]:
    creds = json.loads((agent.workload_dir("reader") / "auth.json").read_text())
    out = subprocess.run(["curl", "-sS", "--unix-socket", str(agent.data_dir / "ess.sock"), "--cacert",
                          str(agent.data_dir / "ess" / "ca.pem"), "-u", f"{creds['id']}:{creds['token']}",
                          "-w", "\n%{http_code}", f"https://localhost/api/v1/objects/{tail}"],
                         capture_output=True, timeout=30, check=True)
    body, _, code = out.stdout.rpartition(b"\n")
    return int(code), body


def test_hub_away_workload_and_ess_keep_serving_then_converge_to_a_change_made_meanwhile(tmp_path: Path) -> None:
    v1, v2 = os.urandom(100_000), os.urandom(120_000)
    (tmp_path / "v1.onnx").write_bytes(v1)
    (tmp_path / "v2.onnx").write_bytes(v2)
    reader = {**SLEEPER, "name": "reader"}
    port = procs.free_port()
    hub_dir = tmp_path / "hub"
    with procs.hub(hub_dir, port=port) as hub:
        procs.push_model(hub, tmp_path / "v1.onnx", "det", "1.0.0")
        publish(hub, reader, "det", "1.0.0", create=True)
        token = procs.registration_token(hub)
        agent = procs.start_agent(tmp_path / "a", hub.url, token, name="cam-1")
        try:
            procs.wait_for(lambda: (agent.workload_dir("reader") / "pid").exists()
                           and ess_get(agent, "model/det/data") == (200, v1), log=agent.log, what="det 1.0.0 served")
        except BaseException:
            procs.stop(agent.proc)
            raise
    try:
        pid_file = agent.workload_dir("reader") / "pid"
        workload_pid = int(pid_file.read_text())

        # The hub is gone (the context above stopped it). Meanwhile an admin changes the model policy on
        # a hub process the agent cannot reach (same database, another port), then that one stops too.
        with procs.hub(hub_dir) as elsewhere:
            procs.push_model(elsewhere, tmp_path / "v2.onnx", "det", "2.0.0")
            publish(elsewhere, reader, "det", "2.0.0", create=False)
        time.sleep(6)  # several failed polls with backoff (capped at 2 s in these tests)
        assert agent.proc.poll() is None
        assert int(pid_file.read_text()) == workload_pid
        os.kill(workload_pid, 0)  # still running, never restarted
        assert ess_get(agent, "model/det/data") == (200, v1)
        code, body = ess_get(agent, "model?received=true")
        assert code == 200 and json.loads(body)[0]["version"] == "1.0.0"
        assert "desired-state poll failed" in agent.log.read_text()

        with procs.hub(hub_dir, port=port) as back:
            procs.wait_for(lambda: ess_get(agent, "model/det/data") == (200, v2), log=agent.log,
                           what="the agent to converge to det 2.0.0")
            code, body = ess_get(agent, "model/det")
            assert code == 200 and json.loads(body)["version"] == "2.0.0"

            def state() -> str:
                with procs.admin(back) as c:
                    entries = procs.call(c, "GET", f"/nodes/{agent.node_id}/status")
                return {e["key"]: e["state"] for e in entries}.get("default/det@2.0.0", "")

            procs.wait_for(lambda: state() == "active", log=agent.log, what="the hub to hear det 2.0.0 is active")
            assert "works again" in agent.log.read_text()
    finally:
        procs.stop(agent.proc)
