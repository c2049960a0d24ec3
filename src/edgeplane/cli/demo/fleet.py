"""The demo's edge fleet: agents started as real processes on this machine, and waiting on what they report."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from edgeplane.cli.demo import procs
from edgeplane.client.hub import HubClient

T = TypeVar("T")
# Short retry caps so the demo converges in seconds; production defaults are minutes.
FAST = {
    "EDGEPLANE_AGENT_SYNC__BACKOFF_MAX_S": "2",
    "EDGEPLANE_AGENT_FETCH__RETRY_MAX_S": "2",
    "EDGEPLANE_AGENT_RUNNER__BACKOFF_MAX_S": "2",
    "EDGEPLANE_AGENT_RUNNER__STOP_GRACE_S": "3",
}


@dataclass(frozen=True)
class Agent:
    name: str
    properties: dict[str, object]
    data_dir: Path
    node_id: str

    def workload_dir(self, workload: str, org: str = "default") -> Path:
        return self.data_dir / "workloads" / org / workload


def start(
    stack: ExitStack,
    workdir: Path,
    hub_url: str,
    token: str,
    name: str,
    properties: dict[str, object],
    env: dict[str, str] | None = None,
    extra: list[str] | None = None,
) -> Agent:
    data = workdir / "agents" / name
    data.mkdir(parents=True, exist_ok=True)
    policy = workdir / "agents" / f"{name}.policy.json"
    policy.write_text(json.dumps({"properties": [{"name": k, "value": v} for k, v in properties.items()]}))
    log = workdir / "logs" / f"agent-{name}.log"
    args = [
        "agent",
        "run",
        "--hub",
        hub_url,
        "--registration-token",
        token,
        "--data-dir",
        str(data),
        "--name",
        name,
        "--properties",
        str(policy),
        *(extra or []),
    ]
    proc = procs.spawn(stack, args, log, env={**os.environ, **FAST, **(env or {})})
    node_file = data / "node.json"
    wait(lambda: node_file.exists(), f"agent {name} to register", 60, proc=proc, log=log)
    return Agent(name=name, properties=properties, data_dir=data, node_id=json.loads(node_file.read_text())["node_id"])


def wait(
    check: Callable[[], T | None], what: str, timeout: float, *, proc: object = None, log: Path | None = None
) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and getattr(proc, "poll", lambda: None)() is not None:
            raise procs.DemoError(f"a process exited while waiting for {what}; see {log}")
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise procs.DemoError(f"timed out after {timeout:.0f}s waiting for {what}" + (f"; see {log}" if log else ""))


def model_state(hub: HubClient, agent: Agent, key: str) -> str:
    for e in hub.node_status("default", agent.node_id):
        if e.kind == "model" and e.key == key:
            return e.state
    return "-"


def events(agent: Agent, workload: str) -> list[str]:
    log = agent.workload_dir(workload) / "files" / "events.log"  # the workload runs in its files dir
    return log.read_text().splitlines() if log.exists() else []
