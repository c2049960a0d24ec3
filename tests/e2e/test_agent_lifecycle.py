"""End to end: ``edgeplane agent unregister`` stops a running agent and its workloads, deletes the node at
the hub with the node's own credential, and removes local state; a second run finds nothing to do."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
from tests.e2e import procs

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return not Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z")


def test_unregister_stops_everything_and_deletes_the_node(tmp_path: Path) -> None:
    with procs.hub(tmp_path / "hub") as hub:
        with procs.admin(hub) as c:
            procs.call(c, "POST", "/workloads", {"name": "holder", "version": "1.0.0", "kind": "device",
                                                 "device": {"command": ["sleep", "100000"]}})
            procs.call(c, "POST", "/deployment-policies", {"name": "dp", "workload": {"name": "holder"}})
        agent = procs.start_agent(tmp_path / "a", hub.url, procs.registration_token(hub), name="cam-1")
        try:
            pid_file = agent.workload_dir("holder") / "pid"
            workload_pid = int(procs.wait_for(lambda: pid_file.exists() and pid_file.read_text(), log=agent.log,
                                              what="the workload to start"))
            node_id = agent.node_id
            done = procs.cli(["agent", "unregister", "--data-dir", str(agent.data_dir)], hub.env())
            assert done.returncode == 0, done.stderr
            assert "hub: deleted" in done.stdout
            assert agent.proc.wait(timeout=30) == 0
            assert not alive(workload_pid)
            assert not agent.data_dir.exists()
            r = httpx.get(f"{hub.url}/api/v1/orgs/default/nodes/{node_id}",
                          headers={"Authorization": f"Bearer {hub.token}"})
            assert r.status_code == 404
            again = procs.cli(["agent", "unregister", "--data-dir", str(agent.data_dir)], hub.env())
            assert again.returncode == 0 and "nothing to remove" in again.stdout
        finally:
            procs.stop(agent.proc)
