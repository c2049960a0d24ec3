"""A node's Kubernetes-style labels, derived from its policy properties (the hub has no separate labels).

A property becomes a label when its name and value are a valid Kubernetes label key and value
(``region=eu``, ``tier=gold``); built-in ``openhorizon.*`` properties are left out; booleans are written
``true``/``false``. Used by the renderer's callers (the CLI and the hub's repo keeper).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from edgeplane.schemas.policy import Property

KEY = re.compile(r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
                 r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
"""A valid Kubernetes label key (optional DNS-subdomain prefix and ``/``, then a name of at most 63)."""
VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$")
"""A valid Kubernetes label value (empty, or at most 63 characters)."""


def from_properties(properties: Iterable[Property]) -> dict[str, str]:
    out = {}
    for p in properties:
        value = str(p.value).lower() if isinstance(p.value, bool) else str(p.value)
        if not p.name.startswith("openhorizon.") and KEY.match(p.name) and VALUE.match(value):
            out[p.name] = value
    return dict(sorted(out.items()))
