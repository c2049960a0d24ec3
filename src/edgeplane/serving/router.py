"""Traffic routing for one endpoint: weighted A/B choice, sticky keys, shadow sampling.

A ``Route`` is an immutable snapshot; the server swaps whole snapshots, so a request that picked a version
keeps it even if the config changes while it runs. ``/versions/{v}`` calls bypass ``pick``.
"""

from __future__ import annotations

import bisect
import hashlib
import hmac
import random
from collections.abc import Mapping
from dataclasses import dataclass, field

from edgeplane.serving import errors
from edgeplane.serving import versions as model_versions


@dataclass(frozen=True)
class Route:
    name: str
    versions: Mapping[str, model_versions.Version]  # every loaded version, addressable by /versions/{v}
    weights: Mapping[str, int]  # versions in the split (weight > 0), all loaded
    shadow: model_versions.Version | None = None
    shadow_fraction: float = 0.0
    sticky_header: str | None = None
    api_keys: frozenset[str] = frozenset()
    _names: tuple[str, ...] = field(init=False, repr=False)
    _totals: tuple[int, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        names = sorted(v for v, w in self.weights.items() if w > 0 and v in self.versions)
        totals, acc = [], 0
        for v in names:
            acc += self.weights[v]
            totals.append(acc)
        object.__setattr__(self, "_names", tuple(names))
        object.__setattr__(self, "_totals", tuple(totals))

    @property
    def ready(self) -> bool:
        return bool(self._totals)

    @property
    def primary(self) -> model_versions.Version | None:
        """The version with the largest weight: it answers metadata calls without a version."""
        if not self.ready:
            return None
        return self.versions[max(self._names, key=lambda v: (self.weights[v], v))]

    def pick(self, rng: random.Random, sticky_key: str | None = None) -> model_versions.Version:
        names, totals = self._names, self._totals
        if not totals:
            raise errors.ModelUnavailable(f"model {self.name!r} has no version in service")
        if len(names) == 1:
            return self.versions[names[0]]
        point = _sticky_point(sticky_key) if sticky_key is not None else rng.random()
        return self.versions[names[bisect.bisect_right(totals, point * totals[-1])]]

    def version(self, version: str) -> model_versions.Version:
        found = self.versions.get(version)
        if found is None:
            raise errors.ModelNotFound(f"model {self.name!r} has no version {version!r}")
        return found

    def wants_shadow(self, rng: random.Random) -> model_versions.Version | None:
        if self.shadow is None or self.shadow_fraction <= 0:
            return None
        return self.shadow if rng.random() < self.shadow_fraction else None

    def authorize(self, key: str | None) -> None:
        if not self.api_keys:
            return
        if key is None or not any(hmac.compare_digest(key, k) for k in self.api_keys):
            raise errors.Unauthorized(f"model {self.name!r} needs a valid API key")


def _sticky_point(key: str) -> float:
    """A stable point in [0, 1) for ``key``: the same key always lands on the same version."""
    digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64
