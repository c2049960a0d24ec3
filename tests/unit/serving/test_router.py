"""Traffic splits: observed shares within statistical bounds, stickiness, pinned versions, shadow sampling."""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import Any, cast

import pytest

from edgeplane.serving import errors, router, versions


def fake_version(name: str) -> versions.Version:
    return versions.Version("ep", name, cast(Any, None), cast(Any, None), cast(Any, None))


def route(weights: dict[str, int], **kw: Any) -> router.Route:
    return router.Route(name="ep", versions={v: fake_version(v) for v in weights}, weights=weights, **kw)


@pytest.mark.parametrize("weights", [{"1": 90, "2": 10}, {"a": 50, "b": 30, "c": 20}, {"x": 1, "y": 999}])
def test_observed_shares_are_within_five_sigma(weights: dict[str, int]) -> None:
    rng = random.Random(42)
    r = route(weights)
    n = 20_000
    counts = dict.fromkeys(weights, 0)
    for _ in range(n):
        counts[r.pick(rng).version] += 1
    total = sum(weights.values())
    for v, w in weights.items():
        p = w / total
        sigma = math.sqrt(n * p * (1 - p))
        assert abs(counts[v] - n * p) <= 5 * sigma + 1, (v, counts)


def test_zero_weight_versions_get_no_traffic_but_stay_addressable() -> None:
    r = route({"1": 100, "2": 0})
    rng = random.Random(0)
    assert {r.pick(rng).version for _ in range(500)} == {"1"}
    assert r.version("2").version == "2"
    with pytest.raises(errors.ModelNotFound):
        r.version("3")


def test_sticky_keys_always_land_on_the_same_version_and_still_split() -> None:
    r = route({"1": 50, "2": 50})
    rng = random.Random(0)
    seen = {}
    for i in range(2000):
        key = f"user-{i % 200}"
        got = r.pick(rng, key).version
        assert seen.setdefault(key, got) == got
    shares = sum(1 for v in seen.values() if v == "1") / len(seen)
    assert 0.35 < shares < 0.65


def test_shadow_gets_its_percentage() -> None:
    r = router.Route(
        name="ep",
        versions={"1": fake_version("1"), "s": fake_version("s")},
        weights={"1": 1},
        shadow=fake_version("s"),
        shadow_fraction=0.25,
    )
    rng = random.Random(7)
    hits = sum(r.wants_shadow(rng) is not None for _ in range(10_000))
    assert abs(hits - 2500) <= 5 * math.sqrt(10_000 * 0.25 * 0.75)


def test_no_version_in_service_is_unavailable(tmp_path: Path) -> None:
    r = route({"1": 0})
    assert not r.ready
    with pytest.raises(errors.ModelUnavailable):
        r.pick(random.Random(0))
