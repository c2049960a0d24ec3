"""JSON for the infer hot path: orjson (~8x faster on a 64-float request here), with the stdlib's
leniency kept where orjson is strict.

orjson refuses ``NaN``/``Infinity`` literals and integers past 64 bits, which Python clients send; those
bodies are parsed again with ``json``, so they behave as before. On output orjson would turn a non-finite
float into ``null``; callers say when floats are not all finite, and ``json`` writes ``NaN`` instead.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


def loads(raw: bytes | memoryview) -> Any:
    """Parse JSON; raises ``ValueError`` (with the stdlib's message) when it is not valid JSON."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return json.loads(bytes(raw))


def dumps(doc: Any, *, finite: bool = True) -> bytes:
    """Compact JSON bytes; pass ``finite=False`` when a float in ``doc`` may be NaN or infinite."""
    if finite:
        return orjson.dumps(doc)
    return json.dumps(doc, separators=(",", ":")).encode()
