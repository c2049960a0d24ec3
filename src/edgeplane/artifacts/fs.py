"""Filesystem blob store: ``<root>/sha256/ab/<digest>`` plus ``<root>/partial/<digest>``.

Writes append to the partial file under an exclusive ``flock`` (so two processes, e.g. two hub replicas
on one shared directory, never interleave), are fsynced on every :meth:`FsBlobWriter.flush` and at
commit, and are published by ``rename`` after the sha256 is verified. A crash at any point leaves
either the previous state or a partial file that a later writer resumes from its length.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from edgeplane._kit import files
from edgeplane._kit.ids import Digest
from edgeplane.artifacts.digests import BackgroundHash, hash_prefix
from edgeplane.artifacts.errors import BlobNotFound, DigestMismatch, SizeMismatch, UploadBusy

READ_CHUNK = 256 * 1024
WRITEBACK_STEP = 16 * 1024 * 1024  # start writeback every 16 MiB so commit's fsync finds little left to do
IOV_MAX = 1024


class FsBlobStore:
    """Content-addressed blobs on a local (or shared) filesystem."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "sha256").mkdir(parents=True, exist_ok=True)
        (root / "partial").mkdir(parents=True, exist_ok=True)

    def _final(self, digest: Digest) -> Path:
        return self.root / "sha256" / digest[:2] / digest

    def _partial(self, digest: Digest) -> Path:
        return self.root / "partial" / digest

    def has(self, digest: Digest) -> bool:
        return self._final(digest).is_file()

    def size(self, digest: Digest) -> int:
        try:
            return self._final(digest).stat().st_size
        except FileNotFoundError as e:
            raise BlobNotFound(f"blob {digest} is not stored", field="digest") from e

    def local_path(self, digest: Digest) -> Path | None:
        path = self._final(digest)
        return path if path.is_file() else None

    def read(self, digest: Digest, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        path = self._final(digest)
        try:
            f = path.open("rb")
        except FileNotFoundError as e:
            raise BlobNotFound(f"blob {digest} is not stored", field="digest") from e
        return _chunks(f, start, end)

    def received(self, digest: Digest) -> int:
        if self.has(digest):
            return self.size(digest)
        try:
            return self._partial(digest).stat().st_size
        except FileNotFoundError:
            return 0

    def writer(self, digest: Digest, size: int) -> FsBlobWriter:
        return FsBlobWriter(self, digest, size)

    def delete(self, digest: Digest) -> None:
        for path in (self._final(digest), self._partial(digest)):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def iter_digests(self) -> Iterator[Digest]:
        for sub in (self.root / "sha256").iterdir():
            for blob in sub.iterdir():
                yield Digest(blob.name)


def _write_all(fd: int, parts: Sequence[bytes]) -> None:
    """``writev`` until every byte is written (a regular file may take less than asked, and at most
    IOV_MAX buffers go per call)."""
    views = [memoryview(p) for p in parts if p]
    while views:
        n = os.writev(fd, views[:IOV_MAX])
        while n:
            if n >= len(views[0]):
                n -= len(views.pop(0))
            else:
                views[0], n = views[0][n:], 0


def _chunks(f: BinaryIO, start: int, end: int | None) -> Iterator[bytes]:
    with f:
        f.seek(start)
        remaining = None if end is None else end - start
        while remaining is None or remaining > 0:
            want = READ_CHUNK if remaining is None else min(READ_CHUNK, remaining)
            buf = f.read(want)
            if not buf:
                return
            if remaining is not None:
                remaining -= len(buf)
            yield buf


class FsBlobWriter:
    """Exclusive resumable writer of one blob; see :class:`edgeplane.artifacts.base.BlobWriter`."""

    def __init__(self, store: FsBlobStore, digest: Digest, size: int) -> None:
        self._store, self.digest, self.size = store, digest, size
        self._fd = -1
        self._hash: BackgroundHash | None = None
        self._offset = 0
        self._written_back = 0
        self.committed = store.has(digest)

    @property
    def offset(self) -> int:
        return self.size if self.committed else self._offset

    def __enter__(self) -> FsBlobWriter:
        if self.committed:
            return self
        path = self._store._partial(self.digest)
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            os.close(self._fd)
            self._fd = -1
            raise UploadBusy(
                f"another upload of blob {self.digest} is in progress",
                field="digest",
                hint="wait for it to finish, or retry in a few seconds",
            ) from e
        self._offset = self._written_back = os.fstat(self._fd).st_size
        if self._offset > self.size:  # stale garbage: a partial can never exceed the blob
            os.ftruncate(self._fd, 0)
            self._offset = 0
        return self

    def write(self, data: bytes) -> None:
        self.write_parts([data])

    def write_parts(self, parts: Sequence[bytes]) -> None:
        """Append ``parts`` in order with ``writev``: no joined copy of them is made."""
        total = sum(len(p) for p in parts)
        if self._offset + total > self.size:
            raise SizeMismatch(
                f"blob {self.digest} is {self.size} bytes; this write would end at {self._offset + total}",
                field="Content-Range",
                hint="send exactly the bytes of the file the manifest describes",
            )
        _write_all(self._fd, parts)
        self._running_hash().update_parts(parts)
        self._offset += total
        if self._offset - self._written_back >= WRITEBACK_STEP:
            # The disk starts on these pages now, while the network delivers the rest. They stay cached (clean,
            # so reclaimable): a blob just uploaded is usually about to be served to a fleet.
            files.start_writeback(self._fd, self._written_back, self._offset - self._written_back)
            self._written_back = self._offset

    def _running_hash(self) -> BackgroundHash:
        """The sha256 of the bytes so far, rebuilt from the partial file once per writer."""
        if self._hash is None:
            self._hash = BackgroundHash(hash_prefix(self._store._partial(self.digest), self._offset))
        return self._hash

    def flush(self) -> None:
        if self._fd >= 0:
            os.fsync(self._fd)

    def commit(self) -> None:
        if self.committed:
            return
        if self._offset != self.size:
            raise SizeMismatch(
                f"blob {self.digest} has {self._offset} of {self.size} bytes",
                field="Content-Range",
                hint=f"upload the remaining bytes from offset {self._offset}",
            )
        actual = self._running_hash().hexdigest()
        if actual != self.digest:
            os.ftruncate(self._fd, 0)
            self._offset, self._hash = 0, None
            raise DigestMismatch(
                f"bytes hash to sha256 {actual}, not {self.digest}",
                field="sha256",
                hint="the file changed or was corrupted in transit; upload it again",
            )
        os.fsync(self._fd)
        final = self._store._final(self.digest)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.rename(self._store._partial(self.digest), final)
        files.fsync_dir(final.parent)
        self.committed = True

    def __exit__(self, *exc: object) -> None:
        if self._hash is not None:
            self._hash.close()
        if self._fd >= 0:
            with contextlib.suppress(OSError):
                os.fsync(self._fd)
            os.close(self._fd)  # closing releases the flock
            self._fd = -1
