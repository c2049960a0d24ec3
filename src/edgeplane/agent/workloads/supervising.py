"""Supervise one device workload process: start, capture logs, restart on exit with backoff, stop.

One :class:`Supervisor` per workload, run as a task by :mod:`edgeplane.agent.workloads.process`. The
child runs in its own session (process group) so stop signals reach what it spawned too. Its pid is kept
in ``<workload dir>/pid`` so an agent restarted after a crash kills the orphan before starting anew.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path

import anyio
import anyio.abc

from edgeplane.agent.settings import RunnerSettings
from edgeplane.agent.workloads import env, logs
from edgeplane.schemas.desired import ObjectState

OnState = Callable[[ObjectState, str], None]


class Supervisor:
    def __init__(self, *, argv: list[str], environ: dict[str, str], workdir: Path, cwd: Path, log_dir: Path,
                 settings: RunnerSettings, on_state: OnState) -> None:
        self.argv, self.environ, self.workdir, self.cwd = argv, environ, workdir, cwd
        self.log_dir, self.settings, self.on_state = log_dir, settings, on_state
        self._stop = anyio.Event()
        self._done = anyio.Event()
        self.starts = 0

    async def run(self) -> None:
        """Keep the workload running until :meth:`stop`."""
        backoff = self.settings.backoff_initial_s
        out = logs.RotatingFile(self.log_dir / "stdout.log", max_bytes=self.settings.log_max_bytes,
                                backups=self.settings.log_backups)
        err = logs.RotatingFile(self.log_dir / "stderr.log", max_bytes=self.settings.log_max_bytes,
                                backups=self.settings.log_backups)
        try:
            kill_orphan(self.workdir / "pid", self.environ[env.MARKER])
            while not self._stop.is_set():
                started = anyio.current_time()
                detail = await self._run_once(out, err)
                if self._stop.is_set():
                    break
                if anyio.current_time() - started >= self.settings.backoff_reset_s:
                    backoff = self.settings.backoff_initial_s
                self.on_state("failed", f"{detail}; restarting")
                with anyio.move_on_after(random.uniform(0, backoff)):  # full jitter
                    await self._stop.wait()
                backoff = min(backoff * 2 or self.settings.backoff_initial_s, self.settings.backoff_max_s)
        finally:
            out.close()
            err.close()
            self.on_state("stopped", "")
            self._done.set()

    async def _run_once(self, out: logs.RotatingFile, err: logs.RotatingFile) -> str:
        try:
            proc = await anyio.open_process(self.argv, cwd=self.cwd, env=self.environ, start_new_session=True,
                                            stdin=subprocess.DEVNULL)
        except OSError as e:
            return f"cannot start {self.argv[0]}: {e.strerror or e}"
        self.starts += 1
        (self.workdir / "pid").write_text(str(proc.pid))
        self.on_state("running", f"pid {proc.pid}")
        async with anyio.create_task_group() as tg:
            tg.start_soon(_pump, proc.stdout, out)
            tg.start_soon(_pump, proc.stderr, err)
            tg.start_soon(self._stop_when_asked, proc)
            code = await proc.wait()
            tg.cancel_scope.cancel()
        await proc.aclose()
        (self.workdir / "pid").unlink(missing_ok=True)
        return f"exited with code {code}" if code >= 0 else f"killed by signal {-code}"

    async def _stop_when_asked(self, proc: anyio.abc.Process) -> None:
        await self._stop.wait()
        with anyio.CancelScope(shield=True):
            _signal_group(proc.pid, signal.SIGTERM)
            with anyio.move_on_after(self.settings.stop_grace_s):
                await proc.wait()
                return
            _signal_group(proc.pid, signal.SIGKILL)

    async def stop(self) -> None:
        """SIGTERM, then SIGKILL after the grace period; returns once the workload is gone."""
        self._stop.set()
        await self._done.wait()


async def _pump(stream: anyio.abc.ByteReceiveStream | None, sink: logs.RotatingFile) -> None:
    if stream is None:
        return
    with contextlib.suppress(anyio.EndOfStream, anyio.BrokenResourceError, anyio.ClosedResourceError):
        async for chunk in stream:
            sink.write(chunk)


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def kill_orphan(pid_file: Path, marker: str) -> None:
    """Kill the process group a previous agent left running, if that pid is still our workload."""
    try:
        pid = int(pid_file.read_text())
        environ = Path(f"/proc/{pid}/environ").read_bytes()
    except (OSError, ValueError):
        return
    if f"{env.MARKER}={marker}".encode() in environ.split(b"\0"):
        _signal_group(pid, signal.SIGKILL)
    pid_file.unlink(missing_ok=True)
