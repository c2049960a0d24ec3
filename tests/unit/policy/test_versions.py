"""OSGi-style versions and ranges."""

from __future__ import annotations

import pytest

from edgeplane.policy import errors, versions


@pytest.mark.parametrize(
    ("text", "inside", "outside"),
    [
        ("[1.0.0,2.0.0)", ["1.0.0", "1.9.9"], ["2.0.0", "0.9"]),
        ("(1.2,INFINITY)", ["1.2.1", "100"], ["1.2.0", "1.1"]),
        ("1.2", ["1.2.0", "3"], ["1.1.9"]),
        ("[1.0,1.0]", ["1.0.0"], ["1.0.1"]),
        ("[ 1.0 , 2.0 ]", ["2.0"], ["2.0.1"]),
    ],
)
def test_ranges(text: str, inside: list[str], outside: list[str]) -> None:
    rng = versions.parse_range(text)
    assert all(versions.parse_version(v) in rng for v in inside)
    assert not any(versions.parse_version(v) in rng for v in outside)


@pytest.mark.parametrize("text", ["", "x", "[1.0", "[1.0,2.0,3.0)", "[2.0,1.0)", "[1.0,1.0)", "[a,2)", "[1,b)"])
def test_bad_ranges(text: str) -> None:
    with pytest.raises(errors.PolicyError):
        versions.parse_range(text)


def test_version_normalisation() -> None:
    assert versions.parse_version("1.2") == (1, 2, 0)
    assert versions.parse_version("1.2.3.4") is None
    assert str(versions.parse_range("[1,2)")) == "[1.0.0,2.0.0)"
