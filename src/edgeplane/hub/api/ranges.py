"""Parsing ``Content-Range`` for resumable uploads."""

from __future__ import annotations

import re
from dataclasses import dataclass

from edgeplane._kit.errors import InvalidInput

_CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+|\*)$")
HINT = "send 'Content-Range: bytes <first>-<last>/<size>' starting where GET .../upload says"


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # exclusive
    total: int

    @property
    def length(self) -> int:
        return self.end - self.start


def content_range(header: str | None, size: int) -> ByteRange:
    """The range a PUT carries; a missing header means the whole blob."""
    if header is None:
        return ByteRange(0, size, size)
    m = _CONTENT_RANGE.match(header.strip())
    if not m:
        raise InvalidInput(f"malformed Content-Range {header!r}", field="Content-Range", hint=HINT)
    first, last = int(m.group(1)), int(m.group(2))
    total = size if m.group(3) == "*" else int(m.group(3))
    if last < first:
        raise InvalidInput(f"Content-Range {header!r} ends before it starts", field="Content-Range", hint=HINT)
    if total != size:
        raise InvalidInput(
            f"Content-Range total {total} is not the file size {size} the manifest declares",
            field="Content-Range",
            hint=HINT,
        )
    if last >= size:
        raise InvalidInput(
            f"Content-Range {header!r} goes past the end of a {size}-byte blob", field="Content-Range", hint=HINT
        )
    return ByteRange(first, last + 1, total)
