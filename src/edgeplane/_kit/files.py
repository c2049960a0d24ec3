"""Small durable-file helpers shared by hub, agent and client: secrets written 0600 atomically, directory fsync,
and the writeback hint that lets bulk writes reach the disk while they are still arriving."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path

_SYNC_FILE_RANGE_WRITE = 2  # <linux/fs.h>: start writeback of dirty pages in the range, do not wait


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by its owner only, atomically: a temp file created 0600 (never
    wider, not even for a moment), fsynced, then renamed over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(path)


def fsync_dir(path: Path) -> None:
    """Make a rename or a new entry in ``path`` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@functools.cache
def _sync_file_range() -> Callable[[int, int, int, int], int] | None:
    """libc's ``sync_file_range`` on Linux (looked up once), else None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.sync_file_range
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


def start_writeback(fd: int, offset: int, length: int) -> None:
    """Start the kernel writing a file's freshly written range to disk, without waiting, so that a final
    ``fsync`` finds little left to do and the disk works while the caller produces the rest.

    Linux: ``sync_file_range(SYNC_FILE_RANGE_WRITE)``, which only queues the I/O; the pages stay cached.
    Elsewhere (or where libc lacks it): ``posix_fadvise(DONTNEED)`` where available, else nothing. A
    throughput hint, never a durability guarantee: callers still fsync before they rely on the bytes."""
    if length <= 0:
        return
    sfr = _sync_file_range()
    if sfr is not None and sfr(fd, offset, length, _SYNC_FILE_RANGE_WRITE) == 0:
        return
    if hasattr(os, "posix_fadvise"):
        os.posix_fadvise(fd, offset, length, os.POSIX_FADV_DONTNEED)
