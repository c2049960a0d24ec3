"""Bulk transfers at disk speed. Downloads: stdlib ``http.client`` reading into reused 1 MiB buffers; writing and
hashing each run on their own thread (both release the GIL), so the socket waits for neither.

Uploads: ``socket.sendfile`` straight from the file. Measured on loopback here: httpx streams ~0.5 GB/s
down and ~0.22 GB/s up; these paths ~1.1 GB/s down (~0.8 GB/s with sha256) and ~0.45 GB/s up (hub-bound).
Used by ``client.transfer``; everything else in the client stays on httpx.
"""

from __future__ import annotations

import http.client
import json
import queue
import ssl
import threading
import urllib.parse
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from edgeplane._kit import files
from edgeplane.client import errors

BUFFER = 1024 * 1024
DEPTH = 8
WRITEBACK = 16 * 1024 * 1024
UPLOAD_STEP = 8 * 1024 * 1024


class Hasher(Protocol):
    def update(self, data: bytes | memoryview, /) -> None: ...


def connect(base_url: str, timeout: float) -> tuple[http.client.HTTPConnection, str]:
    u = urllib.parse.urlsplit(base_url)
    port = u.port or (443 if u.scheme == "https" else 80)
    host = u.hostname or "127.0.0.1"
    conn: http.client.HTTPConnection
    if u.scheme == "https":
        conn = http.client.HTTPSConnection(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
    return conn, u.path.rstrip("/")


def download(
    base_url: str,
    path: str,
    headers: Mapping[str, str],
    out: BinaryIO,
    hasher: Hasher,
    *,
    offset: int = 0,
    timeout: float = 60.0,
    on_bytes: Callable[[int], None] | None = None,
) -> int:
    """GET ``path`` from ``offset`` into ``out`` (positioned at ``offset``), feeding ``hasher``; returns bytes."""
    conn, prefix = connect(base_url, timeout)
    try:
        hdrs = dict(headers) | ({"Range": f"bytes={offset}-"} if offset else {})
        conn.request("GET", prefix + path, headers=hdrs)
        resp = conn.getresponse()
        if resp.status not in (200, 206):
            _raise(resp)
        if offset and resp.status != 206:
            raise errors.ClientError("the hub ignored the Range request", hint="retry; the file will restart")
        return _pump(resp, out, hasher, on_bytes)
    except (OSError, http.client.HTTPException) as e:
        raise errors.HubUnreachable(base_url, e) from e
    finally:
        conn.close()


def upload(
    base_url: str,
    path: str,
    headers: Mapping[str, str],
    file: Path,
    offset: int,
    count: int,
    *,
    timeout: float = 300.0,
    on_bytes: Callable[[int], None] | None = None,
    throttle: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """PUT bytes ``[offset, offset+count)`` of ``file`` with ``socket.sendfile`` (zero-copy on plain HTTP;
    a send loop under TLS), in steps so progress and rate limits apply; returns the JSON answer."""
    conn, prefix = connect(base_url, timeout)
    try:
        conn.putrequest("PUT", prefix + path, skip_accept_encoding=True)
        for k, v in {**headers, "Content-Length": str(count)}.items():
            conn.putheader(k, v)
        conn.endheaders()
        assert conn.sock is not None
        with file.open("rb") as f:
            sent, end = offset, offset + count
            while sent < end:
                step = min(UPLOAD_STEP, end - sent)
                if throttle is not None:
                    throttle(step)
                n = conn.sock.sendfile(f, sent, step)
                if not n:
                    break
                sent += n
                if on_bytes is not None:
                    on_bytes(n)
        resp = conn.getresponse()
        if resp.status >= 300:
            _raise(resp)
        answer: dict[str, Any] = json.loads(resp.read())
        return answer
    except (OSError, http.client.HTTPException) as e:
        raise errors.HubUnreachable(base_url, e) from e
    finally:
        conn.close()


def _raise(resp: http.client.HTTPResponse) -> None:
    raw = resp.read(64 * 1024)
    try:
        body = json.loads(raw)
    except ValueError:
        body = {"error": "http-error", "detail": f"HTTP {resp.status}: {raw[:200]!r}"}
    raise errors.HubError(resp.status, body if isinstance(body, dict) else {"detail": str(body)})


def _pump(resp: http.client.HTTPResponse, out: BinaryIO, hasher: Hasher, on_bytes: Callable[[int], None] | None) -> int:
    """Read on this thread; write and hash on two more, in order. A buffer is reused once both released it."""
    free: queue.Queue[bytearray] = queue.Queue()
    to_write: queue.Queue[tuple[bytearray, int] | None] = queue.Queue()
    to_hash: queue.Queue[tuple[bytearray, int] | None] = queue.Queue()
    written: queue.Queue[None] = queue.Queue()
    for _ in range(DEPTH):
        free.put(bytearray(BUFFER))
    failure: list[BaseException] = []
    workers = [
        threading.Thread(target=_write, args=(to_write, written, out, failure), daemon=True),
        threading.Thread(target=_hash, args=(to_hash, written, free, hasher, failure), daemon=True),
    ]
    for w in workers:
        w.start()
    total = 0
    try:
        while not failure:
            buf = free.get()
            n = resp.readinto(buf)
            if not n:
                free.put(buf)
                break
            to_write.put((buf, n))
            to_hash.put((buf, n))
            total += n
            if on_bytes is not None:
                on_bytes(n)
    finally:
        to_write.put(None)
        to_hash.put(None)
        for w in workers:
            w.join()
    if failure:
        raise failure[0]
    return total


def _write(
    todo: queue.Queue[tuple[bytearray, int] | None],
    written: queue.Queue[None],
    out: BinaryIO,
    failure: list[BaseException],
) -> None:
    """Write each buffer, then tell the hasher it may recycle it; after a failure, only keep that promise."""
    flushed: int | None = None
    while (item := todo.get()) is not None:
        buf, n = item
        if not failure:
            try:
                flushed = out.tell() if flushed is None else flushed
                out.write(memoryview(buf)[:n])
                if out.tell() - flushed >= WRITEBACK:  # let the disk work while the network delivers the rest
                    out.flush()
                    files.start_writeback(out.fileno(), flushed, out.tell() - flushed)
                    flushed = out.tell()
            except BaseException as e:  # disk full, I/O error: stop the reader, re-raise there
                failure.append(e)
        written.put(None)


def _hash(
    todo: queue.Queue[tuple[bytearray, int] | None],
    written: queue.Queue[None],
    free: queue.Queue[bytearray],
    hasher: Hasher,
    failure: list[BaseException],
) -> None:
    while (item := todo.get()) is not None:
        buf, n = item
        if not failure:
            try:
                hasher.update(memoryview(buf)[:n])
            except BaseException as e:
                failure.append(e)
        written.get()  # the writer handles buffers in the same order: wait until it is done with this one
        free.put(buf)
