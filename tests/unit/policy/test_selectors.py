"""Kubernetes label selectors compile to the same predicate form."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edgeplane.policy import errors, properties, selectors

SELECTOR = {
    "matchLabels": {"site": "a"},
    "matchExpressions": [
        {"key": "tier", "operator": "In", "values": ["gold", "silver"]},
        {"key": "env", "operator": "NotIn", "values": ["dev"]},
        {"key": "gpu", "operator": "Exists"},
        {"key": "retired", "operator": "DoesNotExist"},
    ],
}


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        ({"site": "a", "tier": "gold", "gpu": "true"}, True),
        ({"site": "a", "tier": "gold", "gpu": True, "env": "prod"}, True),
        ({"site": "a", "tier": "gold", "gpu": "1", "env": "dev"}, False),
        ({"site": "a", "tier": "bronze", "gpu": "1"}, False),
        ({"site": "a", "tier": "gold"}, False),
        ({"site": "a", "tier": "gold", "gpu": "1", "retired": "yes"}, False),
        ({"site": "b", "tier": "gold", "gpu": "1"}, False),
    ],
)
def test_selector_semantics(labels: dict[str, object], expected: bool) -> None:
    pred = selectors.compile_selector(SELECTOR)
    assert pred.evaluate(properties.from_values(labels)) is expected


def test_typed_properties_compare_by_text() -> None:
    pred = selectors.compile_selector({"matchLabels": {"cores": "8"}})
    assert pred.evaluate(properties.from_values({"cores": 8}))


def test_empty_selector_matches_everything() -> None:
    assert selectors.compile_selector({}).evaluate({})


@pytest.mark.parametrize(
    "bad",
    [
        [],
        {"matchLabels": {"a": 1}},
        {"matchExpressions": [{"key": "a", "operator": "Gt", "values": ["1"]}]},
        {"matchExpressions": [{"key": "a", "operator": "In", "values": []}]},
        {"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]},
        {"matchExpressions": [{"operator": "Exists"}]},
        {"matchLabel": {}},
    ],
)
def test_bad_selectors(bad: object) -> None:
    with pytest.raises(errors.PolicyError):
        selectors.compile_selector(bad)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.sampled_from(["In", "NotIn", "Exists", "key", "values", "a"]),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(
        st.sampled_from(["matchLabels", "matchExpressions", "key", "operator", "values", "x"]), c, max_size=3),
    max_leaves=10,
)


@settings(max_examples=800, deadline=None)
@given(_JSON)
def test_fuzz_selectors_only_policy_error(doc: object) -> None:
    try:
        selectors.compile_selector(doc)
    except errors.PolicyError:
        pass
