"""Test doubles for the agent: an in-process BlobSource and model manifests built from bytes."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator

from edgeplane._kit.ids import Digest
from edgeplane.schemas.desired import DesiredModel
from edgeplane.schemas.models import FileEntry


class FakeSource:
    """An in-process BlobSource: serves registered blobs, records every (digest, offset) asked for and
    every byte sent; ``break_after`` cuts the stream after that many bytes (once)."""

    def __init__(self, piece: int = 4096) -> None:
        self.blobs: dict[str, bytes] = {}
        self.piece = piece
        self.opens: list[tuple[str, int]] = []
        self.sent = 0
        self.break_after: int | None = None

    def add(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        self.blobs[digest] = data
        return digest

    async def open(self, digest: Digest, offset: int) -> AsyncIterator[bytes]:
        self.opens.append((digest, offset))
        data = self.blobs[digest]
        pos = offset
        while pos < len(data):
            if self.break_after is not None and self.sent >= self.break_after:
                self.break_after = None
                raise ConnectionResetError("network cut")
            piece = data[pos:pos + self.piece]
            pos += len(piece)
            self.sent += len(piece)
            yield piece


def make_model(source: FakeSource, files: dict[str, bytes], *, name: str = "det",
               version: str = "1.0.0") -> DesiredModel:
    entries = [FileEntry(path=p, size=len(b), sha256=source.add(b)) for p, b in files.items()]
    return DesiredModel(org="acme", name=name, version=version, framework="onnx", files=entries)
