"""The device workload runner: files, HZN_* env, restarts on exit, logs, stop with SIGTERM then SIGKILL."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import pytest

from edgeplane.agent import layout as paths
from edgeplane.agent.settings import RunnerSettings
from edgeplane.agent.workloads import env, process
from edgeplane.schemas.desired import DesiredWorkload
from edgeplane.schemas.workloads import DeviceSpec

pytestmark = pytest.mark.anyio

FAST = RunnerSettings(backoff_initial_s=0.01, backoff_max_s=0.05, stop_grace_s=0.5, log_max_bytes=1024,
                      log_backups=2)


def run(command: str, *, files: dict[str, str] | None = None, version: str = "1.0.0") -> process.WorkloadRun:
    wl = DesiredWorkload(org="acme", name="cam", version=version, kind="device",
                         device=DeviceSpec(command=["/bin/sh", "-c", command], env={"MODE": "test"},
                                           files=files or {}))
    return process.WorkloadRun(wl, token="ab" * 32)


async def until(condition: object, what: str) -> None:
    """Poll until ``condition()`` holds; the per-test timeout bounds the wait (no timing assertion)."""
    while not condition():  # type: ignore[operator]
        await anyio.sleep(0.02)


@pytest.fixture
async def runner(tmp_path: Path) -> AsyncIterator[tuple[process.ProcessRunner, paths.Layout, list[tuple[str, str]]]]:
    lay = paths.Layout(tmp_path / "data")
    lay.make()
    node = env.NodeEnv(org="acme", node_id="node-1", arch="amd64", ess_socket=tmp_path / "ess.sock",
                       ca_cert=lay.ca_cert)
    states: list[tuple[str, str]] = []
    async with anyio.create_task_group() as tg:
        r = process.ProcessRunner(layout=lay, settings=FAST, node=node, task_group=tg,
                                  on_state=lambda key, state, detail: states.append((key, state)))
        yield r, lay, states
        await r.aclose()


async def test_restarts_crashing_child_with_hzn_env(runner: tuple[process.ProcessRunner, paths.Layout,
                                                                 list[tuple[str, str]]]) -> None:
    r, lay, states = runner
    script = "env > env.tmp && mv env.tmp env.txt; cat data/greeting.txt; echo oops >&2; exit 3"
    await r.reconcile([run(script, files={"data/greeting.txt": "hello"})])
    await until(lambda: r.running().get("acme/cam", 0) >= 3, "three starts")
    workdir = lay.workload_dir("acme", "cam")
    seen = dict(line.split("=", 1) for line in (workdir / "files" / "env.txt").read_text().splitlines()
                if "=" in line)
    assert seen["HZN_ORGANIZATION"] == "acme" and seen["HZN_NODE_ID"] == "node-1"
    assert seen["HZN_ARCH"] == "amd64" and seen["HZN_ESS_API_PROTOCOL"] == "secure-unix"
    assert seen["HZN_ESS_API_ADDRESS"].endswith("ess.sock") and seen["HZN_ESS_API_PORT"] == "0"
    assert seen["HZN_ESS_CERT"] == str(lay.ca_cert) and seen["MODE"] == "test"
    auth = json.loads(Path(seen["HZN_ESS_AUTH"]).read_text())
    assert auth == {"id": "acme/cam", "token": "ab" * 32, "version": "1.0.0"}
    assert oct(Path(seen["HZN_ESS_AUTH"]).stat().st_mode & 0o777) == "0o600"
    logs = lay.workload_logs("acme", "cam")
    assert "hello" in (logs / "stdout.log").read_text()
    assert "oops" in (logs / "stderr.log").read_text()
    assert ("acme/cam@1.0.0", "failed") in states


async def test_undeploy_stops_with_sigterm_then_sigkill(runner: tuple[process.ProcessRunner, paths.Layout,
                                                                     list[tuple[str, str]]]) -> None:
    r, lay, states = runner
    await r.reconcile([run("trap '' TERM; echo $$ > mypid; while true; do sleep 0.05; done")])
    pid_file = lay.workload_dir("acme", "cam") / "files" / "mypid"
    await until(pid_file.exists, "child started")
    await until(lambda: pid_file.read_text().strip() != "", "pid written")
    pid = int(pid_file.read_text())
    await r.reconcile([])
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert not lay.workload_dir("acme", "cam").exists()
    assert states[-1] == ("acme/cam@1.0.0", "stopped")


async def test_reconcile_is_idempotent_and_restarts_on_new_version(
        runner: tuple[process.ProcessRunner, paths.Layout, list[tuple[str, str]]]) -> None:
    r, _, states = runner
    await r.reconcile([run("sleep 30")])
    await r.reconcile([run("sleep 30")])
    await until(lambda: r.running().get("acme/cam") == 1, "one start")
    await r.reconcile([run("sleep 30", version="2.0.0")])
    await until(lambda: ("acme/cam@2.0.0", "running") in states, "new version running")
    assert ("acme/cam@1.0.0", "stopped") in states
    assert r.running() == {"acme/cam": 1}


async def test_logs_rotate(runner: tuple[process.ProcessRunner, paths.Layout, list[tuple[str, str]]]) -> None:
    r, lay, _ = runner
    line = "x" * 400
    await r.reconcile([run(f"i=0; while [ $i -lt 20 ]; do echo line-$i-{line}; i=$((i+1)); sleep 0.01; done;"
                           " sleep 30")])
    logs = lay.workload_logs("acme", "cam")
    await until(lambda: (logs / "stdout.log.2").exists() and "line-19-" in (logs / "stdout.log").read_text(),
                "rotated")
    assert not (logs / "stdout.log.3").exists()
