"""One agent per data dir: an ``flock`` on ``<data_dir>/agent.pid`` that also records the agent's pid.

Who calls it: :mod:`edgeplane.agent.running` (holds the lock for the agent's life) and
:mod:`edgeplane.agent.unregistering` (finds a running agent, asks it to stop, waits until it has). The
kernel drops the lock when the process dies, kill -9 included, so a stale pid file never blocks a start.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from edgeplane._kit.errors import Conflict

FILE_NAME = "agent.pid"


@contextlib.contextmanager
def hold(data_dir: Path) -> Iterator[None]:
    """Hold the data dir's lock (raise Conflict if another agent holds it) and record our pid."""
    fd = os.open(data_dir / FILE_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            raise Conflict(f"another agent (pid {_read(fd) or '?'}) runs on {data_dir}", field="--data-dir",
                           hint="stop it first, or give this one its own --data-dir") from e
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
        os.ftruncate(fd, 0)
    finally:
        os.close(fd)


def running_pid(data_dir: Path) -> int | None:
    """The pid of the agent holding ``data_dir``'s lock, None when no agent runs there."""
    try:
        fd = os.open(data_dir / FILE_NAME, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read(fd)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _read(fd: int) -> int | None:
    text = os.pread(fd, 32, 0).decode(errors="replace").strip()
    return int(text) if text.isdigit() else None
