"""sha256 helpers. Hashing large buffers releases the GIL, so it overlaps well with I/O threads."""

from __future__ import annotations

import base64
import hashlib
import queue
import threading
from collections.abc import Sequence
from pathlib import Path

from edgeplane._kit.ids import Digest

CHUNK = 1024 * 1024
INLINE = 256 * 1024  # below this, hashing on the caller's thread is cheaper than handing it over


def sha256_file(path: Path, *, limit: int | None = None) -> Digest:
    """Digest of the file (or of its first ``limit`` bytes)."""
    return Digest(hash_prefix(path, limit).hexdigest())


def hash_prefix(path: Path, limit: int | None = None) -> hashlib._Hash:
    """A running sha256 over the first ``limit`` bytes of ``path`` (all of it when None)."""
    h = hashlib.sha256()
    remaining = limit if limit is not None else -1
    with path.open("rb") as f:
        while remaining != 0:
            want = CHUNK if remaining < 0 else min(CHUNK, remaining)
            buf = f.read(want)
            if not buf:
                break
            h.update(buf)
            if remaining > 0:
                remaining -= len(buf)
    return h


def digest_header(hexdigest: str) -> str:
    """RFC 3230 ``Digest`` header value for a hex sha256."""
    return "sha-256=" + base64.b64encode(bytes.fromhex(hexdigest)).decode()


class BackgroundHash:
    """A running sha256 fed on its own thread, in order, so hashing (~1 GB/s) overlaps the caller's disk
    and network I/O instead of adding to it. At most ``depth`` buffers wait; ``update`` blocks beyond that.
    Callers must not mutate a buffer after passing it (``bytes`` are safe). Small inputs are hashed
    inline until the first large one starts the thread."""

    def __init__(self, h: hashlib._Hash | None = None, *, depth: int = 4) -> None:
        self._h = h if h is not None else hashlib.sha256()
        self._queue: queue.Queue[Sequence[bytes] | None] = queue.Queue(maxsize=depth)
        self._thread: threading.Thread | None = None

    def update(self, data: bytes) -> None:
        self.update_parts([data])

    def update_parts(self, parts: Sequence[bytes]) -> None:
        """Feed ``parts`` in order, as one queue entry."""
        if self._thread is None:
            if sum(len(p) for p in parts) < INLINE:
                for p in parts:
                    self._h.update(p)
                return
            self._thread = threading.Thread(target=self._run, name="sha256", daemon=True)
            self._thread.start()
        self._queue.put(parts)

    def _run(self) -> None:
        while (parts := self._queue.get()) is not None:
            for p in parts:
                self._h.update(p)

    def hexdigest(self) -> str:
        """The digest of everything passed so far (waits for the queue to drain)."""
        self.close()
        return self._h.hexdigest()

    def close(self) -> None:
        """Drain the queue and stop the thread; later updates start a new one."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
