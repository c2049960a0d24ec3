"""The download pump: bytes land in order, the hash covers them, and a disk error stops it cleanly."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest

from edgeplane.client import bulk

DATA = os.urandom(bulk.BUFFER * (bulk.DEPTH + 3) + 12345)  # more buffers than the pool holds


class Body:
    """Stands in for an http.client response: ``readinto`` in short, uneven reads."""

    def __init__(self, data: bytes) -> None:
        self._io = io.BytesIO(data)
        self.reads = 0

    def readinto(self, buf: bytearray) -> int:
        self.reads += 1
        return self._io.readinto(memoryview(buf)[: 700_000 if self.reads % 2 else len(buf)])


def test_pump_writes_and_hashes_every_byte_in_order(tmp_path: Path) -> None:
    h = hashlib.sha256()
    seen: list[int] = []
    with (tmp_path / "out").open("wb") as out:
        n = bulk._pump(Body(DATA), out, h, seen.append)  # type: ignore[arg-type]
    assert n == len(DATA) == sum(seen)
    assert (tmp_path / "out").read_bytes() == DATA
    assert h.hexdigest() == hashlib.sha256(DATA).hexdigest()


def test_pump_appends_after_an_existing_prefix(tmp_path: Path) -> None:
    path = tmp_path / "out"
    path.write_bytes(DATA[:1000])
    h = hashlib.sha256(DATA[:1000])
    with path.open("ab") as out:
        bulk._pump(Body(DATA[1000:]), out, h, None)  # type: ignore[arg-type]
    assert path.read_bytes() == DATA
    assert h.hexdigest() == hashlib.sha256(DATA).hexdigest()


class FullDisk(io.RawIOBase):
    def __init__(self, room: int) -> None:
        self.room = room

    def fileno(self) -> int:
        raise OSError("no descriptor")

    def tell(self) -> int:
        return 0

    def writable(self) -> bool:
        return True

    def write(self, b: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        if len(b) > self.room:
            raise OSError(28, "No space left on device")
        self.room -= len(b)
        return len(b)


def test_a_disk_error_stops_the_reader_and_is_raised(tmp_path: Path) -> None:
    body = Body(DATA)
    with pytest.raises(OSError, match="No space left"):
        bulk._pump(body, FullDisk(3 * bulk.BUFFER), hashlib.sha256(), None)  # type: ignore[arg-type]
    assert body.reads < len(DATA) // 700_000  # it stopped early instead of draining the body
