"""Download a model version's files into the local content-addressed blob store, resumably.

Who calls it: :mod:`edgeplane.agent.delivery`, once per model version that is desired but not installed.
Each file is a blob named by its sha256. A blob already committed is skipped (a file shared by two
versions is fetched once); a partial blob resumes from its stored length. Bytes are written and fsynced
``chunk_bytes`` at a time, so a kill -9 or power cut costs at most one chunk of re-fetching. The store
verifies size and sha256 before it publishes a blob; nothing here ever exposes partial bytes.

Deliberately left out: materialising and activating (``materialising``), retry timing (the caller's loop).
"""

from __future__ import annotations

import contextlib
import errno
from collections.abc import AsyncIterator, Callable
from typing import Protocol

import anyio
import anyio.to_thread

from edgeplane._kit.errors import Error
from edgeplane._kit.ids import Digest
from edgeplane.agent import errors
from edgeplane.artifacts import errors as artifact_errors
from edgeplane.artifacts import fs
from edgeplane.schemas.desired import DesiredModel
from edgeplane.schemas.models import FileEntry

Progress = Callable[[int], None]
"""Called with the number of new bytes durably stored."""

_PERMANENT_SOURCE_STATUS = frozenset({401, 403, 404, 410, 416, 422})


class BlobSource(Protocol):
    """Where blobs come from. The hub client implements it with HTTP ``Range: bytes=<offset>-``.

    ``open`` returns the bytes of blob ``digest`` from ``offset`` to its end, in chunks of any size.
    Raise an :class:`edgeplane._kit.errors.Error` whose ``status`` is 401/403/404/410/416/422 for a blob
    that will never come; anything else (including a stream that simply stops) counts as temporary.
    """

    def open(self, digest: Digest, offset: int) -> AsyncIterator[bytes]: ...


async def fetch_model(model: DesiredModel, *, store: fs.FsBlobStore, source: BlobSource, chunk_bytes: int,
                      parallel_files: int, progress: Progress) -> None:
    """Make every file of ``model`` a committed, verified blob in ``store``. Raises an AgentError."""
    failures: list[errors.AgentError] = []
    limiter = anyio.CapacityLimiter(parallel_files)

    async def one(entry: FileEntry) -> None:
        async with limiter:
            try:
                await fetch_file(entry, store=store, source=source, chunk_bytes=chunk_bytes,
                                 progress=progress)
            except errors.AgentError as e:
                failures.append(e)

    async with anyio.create_task_group() as tg:
        for entry in _unique(model.files):
            tg.start_soon(one, entry)
    if failures:  # a permanent failure says more than a cut connection
        raise next((f for f in failures if not f.temporary), failures[0])


def _unique(files: list[FileEntry]) -> list[FileEntry]:
    """One entry per digest: two paths with the same bytes are one blob."""
    seen: dict[str, FileEntry] = {}
    for f in files:
        seen.setdefault(f.sha256, f)
    return list(seen.values())


def total_bytes(model: DesiredModel) -> int:
    """Bytes to download for ``model``, counting shared blobs once."""
    return sum(f.size for f in _unique(model.files))


def stored_bytes(model: DesiredModel, store: fs.FsBlobStore) -> int:
    """Bytes of ``model`` already held locally (committed or partial), counting shared blobs once."""
    return sum(min(store.received(Digest(f.sha256)), f.size) for f in _unique(model.files))


async def fetch_file(entry: FileEntry, *, store: fs.FsBlobStore, source: BlobSource, chunk_bytes: int,
                     progress: Progress) -> None:
    digest = Digest(entry.sha256)
    if store.has(digest):
        return
    try:
        with store.writer(digest, entry.size) as writer:
            await _pump(writer, store, source, digest, entry.size, chunk_bytes, progress)
            await anyio.to_thread.run_sync(writer.commit)
    except artifact_errors.UploadBusy as e:
        raise errors.BusyError(f"blob {digest} is being written by another process") from e
    except artifact_errors.DigestMismatch as e:
        raise errors.CorruptDownloadError(f"{entry.path}: {e.detail}", field=entry.path) from e
    except OSError as e:
        raise _disk_error(e, entry.path) from e


async def _pump(writer: fs.FsBlobWriter, store: fs.FsBlobStore, source: BlobSource, digest: Digest,
                size: int, chunk_bytes: int, progress: Progress) -> None:
    """Copy the source into the writer from its offset, writing and fsyncing a chunk at a time."""
    buffer = bytearray()
    stream = source.open(digest, writer.offset)
    try:
        while (piece := await _next_piece(stream, digest)) is not None:
            if writer.offset + len(buffer) + len(piece) > size:
                store.delete(digest)  # the source cannot be trusted: start over next time
                raise errors.CorruptDownloadError(f"blob {digest} sent more than its {size} bytes")
            buffer += piece
            if len(buffer) >= chunk_bytes:
                await _write(writer, bytes(buffer), progress)
                buffer.clear()
    except errors.SourceError:  # the bytes we have are good: keep them for the resume
        await _write(writer, bytes(buffer), progress)
        raise
    finally:
        await _aclose(stream)
    await _write(writer, bytes(buffer), progress)
    if writer.offset != size:
        raise errors.SourceError(f"blob {digest}: source ended at byte {writer.offset} of {size}")


async def _next_piece(stream: AsyncIterator[bytes], digest: Digest) -> bytes | None:
    """The next piece from the source, None at its end; source failures become agent errors."""
    try:
        return await anext(stream)
    except StopAsyncIteration:
        return None
    except errors.AgentError:
        raise
    except Error as e:
        permanent = e.status in _PERMANENT_SOURCE_STATUS
        cls = errors.SourceRejectedError if permanent else errors.SourceError
        raise cls(f"blob {digest}: {e.detail}") from e
    except Exception as e:  # network, protocol
        raise errors.SourceError(f"blob {digest}: download broke off: {e!r}") from e


async def _write(writer: fs.FsBlobWriter, data: bytes, progress: Progress) -> None:
    if not data:
        return

    def write_and_sync() -> None:
        writer.write(data)
        writer.flush()

    await anyio.to_thread.run_sync(write_and_sync)
    progress(len(data))


async def _aclose(stream: AsyncIterator[bytes]) -> None:
    aclose = getattr(stream, "aclose", None)
    if aclose is not None:
        with contextlib.suppress(Exception):
            await aclose()


def _disk_error(e: OSError, what: str) -> errors.AgentError:
    if e.errno in (errno.ENOSPC, errno.EDQUOT):
        return errors.DiskFullError(f"no space left on device while storing {what}",
                                    hint="free disk space; the previous version stays active")
    return errors.TemporaryError(f"storing {what}: {e.strerror or e}")
