"""A node's Kubernetes-style labels, derived from its policy properties (the hub has no separate labels).

A property becomes a label when its name and value are a valid Kubernetes label key and value
(``region=eu``, ``tier=gold``); built-in ``openhorizon.*`` properties are left out; booleans are written
``true``/``false``. Used by the renderer's callers (the CLI and the hub's repo keeper).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from edgeplane.schemas.policy import Property

_KEY = re.compile(r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
                  r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$")


def from_properties(properties: Iterable[Property]) -> dict[str, str]:
    out = {}
    for p in properties:
        value = str(p.value).lower() if isinstance(p.value, bool) else str(p.value)
        if not p.name.startswith("openhorizon.") and _KEY.match(p.name) and _VALUE.match(value):
            out[p.name] = value
    return dict(sorted(out.items()))
