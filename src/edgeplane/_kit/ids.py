"""Identifier types and the name rules shared by every boundary.

``NewType`` keeps two kinds of string from being swapped by accident; the patterns here are the single
place where what a name may look like is decided.
"""

from __future__ import annotations

import re
from typing import NewType

from edgeplane._kit.errors import InvalidInput

OrgName = NewType("OrgName", str)
NodeId = NewType("NodeId", str)
Digest = NewType("Digest", str)  # lowercase hex sha256, 64 chars
Generation = NewType("Generation", int)

NAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,62}$"
"""Names of orgs, models, workloads, policies, nodes: lowercase, digits, `.`, `_`, `-`, 1-63 chars."""
VERSION_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,62}$"
DIGEST_PATTERN = r"^[0-9a-f]{64}$"

_NAME = re.compile(NAME_PATTERN)
_DIGEST = re.compile(DIGEST_PATTERN)

NAME_HINT = "use 1-63 characters: lowercase letters, digits, '.', '_' or '-', starting with a letter or digit"


def check_name(value: str, *, field: str) -> str:
    """Return ``value`` if it is a valid name, else raise :class:`InvalidInput` naming ``field``."""
    if not _NAME.match(value):
        raise InvalidInput(f"{value!r} is not a valid name", field=field, hint=NAME_HINT)
    return value


def check_digest(value: str, *, field: str = "digest") -> Digest:
    if not _DIGEST.match(value):
        raise InvalidInput(f"{value!r} is not a sha256 digest", field=field, hint="give 64 lowercase hex characters")
    return Digest(value)
