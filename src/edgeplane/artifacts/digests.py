"""sha256 helpers. Hashing large buffers releases the GIL, so it overlaps well with I/O threads."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from edgeplane._kit.ids import Digest

CHUNK = 1024 * 1024


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
