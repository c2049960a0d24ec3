"""Versions and OSGi-style version ranges, as Open Horizon uses them for services and constraints.

A version is one to three dot-separated non-negative integers (``1``, ``1.2``, ``1.2.3``); missing parts
are zero, so ``1.2`` == ``1.2.0``. A range is ``[lo,hi)`` / ``(lo,hi]`` / ... with ``INFINITY`` as an open
upper end; a bare version used as a range means "this or later". Called by ``properties`` and ``terms``,
and by the placement engine for workload version ranges. Left out: qualifiers (``1.2.3-beta``).
"""

from __future__ import annotations

import dataclasses
import re

from edgeplane.policy import errors

_VERSION = re.compile(r"^\s*([0-9]{1,9})(?:\.([0-9]{1,9}))?(?:\.([0-9]{1,9}))?\s*$")

Version = tuple[int, int, int]


def parse_version(text: str) -> Version | None:
    """``"1.2"`` -> ``(1, 2, 0)``; ``None`` when ``text`` is not a version."""
    m = _VERSION.match(text)
    if m is None:
        return None
    return (int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0))


def format_version(v: Version) -> str:
    return f"{v[0]}.{v[1]}.{v[2]}"


@dataclasses.dataclass(frozen=True, slots=True)
class VersionRange:
    """``lo`` (inclusive when ``lo_closed``) up to ``hi`` (``None``: no upper bound)."""

    lo: Version
    lo_closed: bool = True
    hi: Version | None = None
    hi_closed: bool = False

    def __contains__(self, v: object) -> bool:
        if not isinstance(v, tuple):
            return False
        if v < self.lo or (v == self.lo and not self.lo_closed):
            return False
        if self.hi is None:
            return True
        return v < self.hi or (v == self.hi and self.hi_closed)

    def __str__(self) -> str:
        hi = "INFINITY" if self.hi is None else format_version(self.hi)
        return f"{'[' if self.lo_closed else '('}{format_version(self.lo)},{hi}{']' if self.hi_closed else ')'}"


ANY = VersionRange(lo=(0, 0, 0))


def parse_range(text: str, *, source: str = "", position: int = 0) -> VersionRange:
    """Parse ``[1.0.0,2.0.0)``, ``(1.2,INFINITY)`` or a bare ``1.2`` ("1.2 or later").

    Raises :class:`errors.PolicyError` naming what was expected; an empty range is an error too.
    """
    src = source or text
    body = text.strip()
    if not body or body[0] not in "[(":
        v = parse_version(body)
        if v is None:
            raise errors.PolicyError(
                "not a version or version range", source=src, position=position, text=text,
                expected="a version like 1.2.3 or a range like [1.0.0,2.0.0)",
            )
        return VersionRange(lo=v)
    if body[-1] not in ")]":
        raise errors.PolicyError(
            "unterminated version range", source=src, position=position, text=text, expected="']' or ')'"
        )
    parts = body[1:-1].split(",")
    if len(parts) != 2:
        raise errors.PolicyError(
            "a version range has exactly two bounds", source=src, position=position, text=text,
            expected="[low,high) with one comma",
        )
    lo = parse_version(parts[0])
    if lo is None:
        raise errors.PolicyError(
            "bad lower bound in version range", source=src, position=position, text=parts[0],
            expected="a version like 1.0.0",
        )
    hi_text = parts[1].strip()
    hi = None if hi_text.upper() == "INFINITY" else parse_version(hi_text)
    if hi is None and hi_text.upper() != "INFINITY":
        raise errors.PolicyError(
            "bad upper bound in version range", source=src, position=position, text=parts[1],
            expected="a version like 2.0.0 or INFINITY",
        )
    rng = VersionRange(lo=lo, lo_closed=body[0] == "[", hi=hi, hi_closed=body[-1] == "]" and hi is not None)
    if hi is not None and (hi < lo or (hi == lo and not (rng.lo_closed and rng.hi_closed))):
        raise errors.PolicyError(
            "version range is empty", source=src, position=position, text=text,
            expected="a low bound below the high bound",
        )
    return rng
