"""The BlobStore Protocol every artifact backend implements.

A blob is immutable and named by the sha256 of its bytes. Writes go through a :class:`BlobWriter`
that can resume a partial write (possibly started by another process) and only publishes the blob,
atomically, once its digest is verified. Readers never see partial blobs.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Protocol

from edgeplane._kit.ids import Digest


class BlobWriter(Protocol):
    """An exclusive, resumable write of one blob. Use as a context manager."""

    @property
    def offset(self) -> int:
        """Bytes already durably stored for this blob; the next write must start here."""
        ...

    def write(self, data: bytes) -> None: ...
    def write_parts(self, parts: Sequence[bytes]) -> None:
        """Append ``parts`` in order (one call, no joined copy)."""
        ...

    def commit(self) -> None:
        """Verify size and digest, then publish atomically. Raises DigestMismatch (and discards the
        partial bytes) when they do not match."""
        ...

    def __enter__(self) -> BlobWriter: ...
    def __exit__(self, *exc: object) -> None: ...


class BlobStore(Protocol):
    def has(self, digest: Digest) -> bool: ...
    def size(self, digest: Digest) -> int:
        """Size of a committed blob; raises BlobNotFound."""
        ...

    def local_path(self, digest: Digest) -> Path | None:
        """A filesystem path of the committed blob when the backend has one (zero-copy serving)."""
        ...

    def read(self, digest: Digest, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """Bytes ``[start, end)`` of a committed blob, in chunks."""
        ...

    def received(self, digest: Digest) -> int:
        """Bytes of a partial write held for this blob (its full size when committed)."""
        ...

    def writer(self, digest: Digest, size: int) -> BlobWriter:
        """Open (or resume) the write of a blob of ``size`` bytes; raises UploadBusy if another writer
        holds it."""
        ...

    def delete(self, digest: Digest) -> None: ...
