"""End to end, real processes: an endpoint applied at the hub is served by the agent's inference server.

Two scikit-learn versions (trained here) are pushed; an endpoint with a 90/10 split is applied with the
CLI; the agent delivers both versions and serves them on its V2 port. The observed split of 400 calls is
within 5 sigma of 10%; ``set-traffic 1=0 2=100`` moves every answer to v2 while a concurrent client sees no
failed request; the hub shows the endpoint versions' status with metrics; deleting the endpoint unloads
the model (404) and removes its files.
"""

from __future__ import annotations

import json
import math
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.e2e import procs

from edgeplane.cli.demo import samples

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

ROW = {"inputs": [{"name": "input", "shape": [1, 4], "datatype": "FP32", "data": [0.5, -1.0, 0.25, 2.0]}]}


def infer(client: httpx.Client) -> tuple[int, str]:
    r = client.post("/v2/models/scorer/infer", json=ROW)
    return r.status_code, (r.json().get("model_version", "") if r.status_code == 200 else r.text)


def endpoint_status(hub: procs.HubProcess, node_id: str) -> dict[str, dict[str, Any]]:
    with procs.admin(hub) as c:
        entries = procs.call(c, "GET", f"/nodes/{node_id}/status")
    return {e["key"]: e for e in entries if e["kind"] == "endpoint"}


class Caller(threading.Thread):
    """Calls the endpoint in a loop until stopped; counts answers per version and every failure."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.stop = url, threading.Event()
        self.answers: dict[str, int] = {}
        self.failures: list[str] = []

    def run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=10) as client:
            while not self.stop.is_set():
                try:
                    code, body = infer(client)
                except httpx.TransportError as e:
                    self.failures.append(repr(e))
                    continue
                if code == 200:
                    self.answers[body] = self.answers.get(body, 0) + 1
                else:
                    self.failures.append(f"{code} {body}")


def test_endpoint_split_hot_swap_status_and_removal(tmp_path: Path) -> None:
    with procs.hub(tmp_path / "hub") as hub:
        env = hub.env()
        for version, seed in (("1", 1), ("2", 2)):
            samples.train_classifier(tmp_path / f"scorer-{version}", seed=seed)
            done = procs.cli(["model", "push", str(tmp_path / f"scorer-{version}"), "--name", "scorer",
                              "--version", version, "--framework", "sklearn"], env)
            assert done.returncode == 0, done.stderr
        port = procs.free_port()
        props = tmp_path / "props.json"
        props.write_text(json.dumps({"properties": [{"name": "role", "value": "inference"}]}))
        serving = {"EDGEPLANE_AGENT_SERVING__STATS_INTERVAL_S": "1"}
        with procs.agent(tmp_path / "agent", hub.url, procs.registration_token(hub), name="edge-1",
                         properties=props, env=serving, extra=["--serving-port", str(port)]) as agent:
            spec = tmp_path / "endpoint.json"
            spec.write_text(json.dumps({"name": "scorer", "model": "scorer", "traffic": {"1": 90, "2": 10},
                                        "constraints": ["role == inference"]}))
            done = procs.cli(["endpoint", "apply", "-f", str(spec)], env)
            assert done.returncode == 0, done.stderr
            url = f"http://127.0.0.1:{port}"
            with httpx.Client(base_url=url, timeout=10) as client:
                procs.wait_for(lambda: _ready(client, "1") and _ready(client, "2"), proc=agent.proc, log=agent.log,
                               what="both versions served")
                answers = [infer(client) for _ in range(400)]
                assert {code for code, _ in answers} == {200}
                v2 = sum(1 for _, version in answers if version == "2")
                assert {version for _, version in answers} == {"1", "2"}
                sigma = math.sqrt(400 * 0.1 * 0.9)
                assert abs(v2 - 40) <= 5 * sigma, f"v2 answered {v2}/400, expected ~40"

                caller = Caller(url)
                caller.start()
                done = procs.cli(["endpoint", "set-traffic", "scorer", "1=0", "2=100"], env)
                assert done.returncode == 0, done.stderr
                procs.wait_for(lambda: all(infer(client)[1] == "2" for _ in range(30)), proc=agent.proc,
                               log=agent.log, what="all traffic on v2")
                assert all(infer(client) == (200, "2") for _ in range(100))
                caller.stop.set()
                caller.join(timeout=30)
                assert caller.failures == [] and caller.answers.get("2", 0) > 0, caller.failures[:5]

                shown = procs.wait_for(lambda: _served(hub, agent.node_id), proc=agent.proc, log=agent.log,
                                       what="endpoint status with requests at the hub")
                assert shown["scorer@2"]["metrics"]["loaded"] == 1 and "p99_ms" in shown["scorer@2"]["metrics"]
                table = procs.cli(["node", "show", "edge-1"], env)
                assert table.returncode == 0 and "scorer@2" in table.stdout and "requests=" in table.stdout

                with procs.admin(hub) as c:
                    procs.call(c, "DELETE", "/endpoints/scorer")
                procs.wait_for(lambda: client.get("/v2/models/scorer/ready").status_code == 404, proc=agent.proc,
                               log=agent.log, what="endpoint unloaded")
                models = agent.data_dir / "models" / "default" / "scorer"
                procs.wait_for(lambda: not models.exists(), proc=agent.proc, log=agent.log, what="files removed")
                procs.wait_for(lambda: {e["state"] for e in endpoint_status(hub, agent.node_id).values()}
                               == {"removed"}, what="hub shows the endpoint versions removed")


def _ready(client: httpx.Client, version: str) -> bool:
    try:
        return client.get(f"/v2/models/scorer/versions/{version}/ready").status_code == 200
    except httpx.TransportError:
        return False


def _served(hub: procs.HubProcess, node_id: str) -> dict[str, dict[str, Any]] | None:
    found = endpoint_status(hub, node_id)
    ok = all(found.get(k, {}).get("state") == "active" for k in ("scorer@1", "scorer@2"))
    return found if ok and found["scorer@2"]["metrics"].get("requests", 0) > 0 else None
