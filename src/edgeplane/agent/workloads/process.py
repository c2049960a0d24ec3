"""Run device workloads as supervised child processes; ``reconcile`` is level-triggered.

Who calls it: :mod:`edgeplane.agent.converging`, with the device workloads of the current desired state
(and again after every restart: the same call reaches the same result). A workload whose version, spec
or credential changed is stopped and started again; one no longer desired is stopped (SIGTERM, then
SIGKILL after ``stop_grace_s``) and its directory removed. Each workload gets its own dir
``workloads/<org>/<name>/`` (``files/`` is its cwd, ``auth.json`` its ESS credential) and logs under
``logs/<org>/<name>/``. What it does not do: fetch models or serve the ESS.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import anyio
import anyio.abc

from edgeplane.agent import layout as paths
from edgeplane.agent.ess import auth
from edgeplane.agent.settings import RunnerSettings
from edgeplane.agent.workloads import env, supervising
from edgeplane.schemas.desired import DesiredWorkload, ObjectState

OnState = Callable[[str, ObjectState, str], None]
"""Called with (``org/name@version``, state, detail) whenever a workload starts, exits or stops."""


@dataclass(frozen=True)
class WorkloadRun:
    """One device workload to run, with its ESS token."""

    workload: DesiredWorkload
    token: str

    @property
    def id(self) -> str:
        return f"{self.workload.org}/{self.workload.name}"

    @property
    def key(self) -> str:
        return f"{self.id}@{self.workload.version}"


@dataclass
class _Running:
    run: WorkloadRun
    supervisor: supervising.Supervisor


class ProcessRunner:
    """Owns every workload process; needs a task group that outlives it (the agent's)."""

    def __init__(self, *, layout: paths.Layout, settings: RunnerSettings, node: env.NodeEnv,
                 task_group: anyio.abc.TaskGroup, on_state: OnState) -> None:
        self._layout, self._settings, self._node = layout, settings, node
        self._tg, self._on_state = task_group, on_state
        self._running: dict[str, _Running] = {}

    def running(self) -> dict[str, int]:
        """Workload id -> how many times its process was started (for tests and status)."""
        return {wid: r.supervisor.starts for wid, r in self._running.items()}

    async def reconcile(self, runs: Sequence[WorkloadRun]) -> None:
        wanted = {r.id: r for r in runs if r.workload.device is not None}
        for wid in list(self._running):
            if wid not in wanted or wanted[wid] != self._running[wid].run:
                await self._stop(wid, remove=wid not in wanted)
        for wid, run in wanted.items():
            if wid not in self._running:
                self._start(run)

    def _start(self, run: WorkloadRun) -> None:
        wl = run.workload
        assert wl.device is not None
        workdir = self._layout.workload_dir(wl.org, wl.name)
        files = workdir / "files"
        env.write_files(wl, files)
        auth_file = workdir / "auth.json"
        auth.write_auth_file(auth_file, run.id, run.token, wl.version)
        sup = supervising.Supervisor(argv=list(wl.device.command), environ=env.build(wl, self._node, auth_file),
                                     workdir=workdir, cwd=files,
                                     log_dir=self._layout.workload_logs(wl.org, wl.name),
                                     settings=self._settings,
                                     on_state=lambda state, detail: self._on_state(run.key, state, detail))
        self._running[run.id] = _Running(run, sup)
        self._tg.start_soon(sup.run)

    async def _stop(self, wid: str, *, remove: bool) -> None:
        entry = self._running.pop(wid)
        await entry.supervisor.stop()
        if remove:
            wl = entry.run.workload
            shutil.rmtree(self._layout.workload_dir(wl.org, wl.name), ignore_errors=True)

    async def aclose(self) -> None:
        """Stop every workload (agent shutdown or unregister)."""
        with anyio.CancelScope(shield=True):
            for wid in list(self._running):
                await self._stop(wid, remove=False)
