"""Bidirectional matching and the node policy's deployment section."""

from __future__ import annotations

from edgeplane.policy import matching
from edgeplane.schemas import NodePolicy


def test_both_directions_must_hold() -> None:
    node = matching.side("node", [{"name": "site", "value": "a"}], ["purpose == ml"])
    policy = matching.side("policy", [{"name": "purpose", "value": "ml"}], ["site == a"])
    other = matching.side("other", [{"name": "purpose", "value": "web"}], ["site == a"])
    assert matching.matches(policy, node)
    assert not matching.matches(other, node)
    result = matching.explain_match(other, node)
    assert not result.held and result.forward.held and not result.backward.held
    assert result.lines()[0] == "NO MATCH"


def test_deployment_section_merges_into_top_level() -> None:
    policy = NodePolicy.model_validate(
        {
            "properties": [{"name": "site", "value": "a"}, {"name": "tier", "value": "x"}],
            "constraints": ["purpose == ml"],
            "deployment": {"properties": [{"name": "tier", "value": "gold"}], "constraints": ["owner == me"]},
            "management": {"properties": [{"name": "m", "value": 1}], "constraints": ["never == true"]},
        }
    )
    node = matching.node_side("n", policy, builtin=[{"name": "openhorizon.arch", "value": "arm64"}])
    assert {k: v.text for k, v in node.properties.items()} == {"site": "a", "tier": "gold", "openhorizon.arch": "arm64"}
    ok = matching.side("p", [{"name": "purpose", "value": "ml"}, {"name": "owner", "value": "me"}], ["tier == gold"])
    half = matching.side("q", [{"name": "purpose", "value": "ml"}], ["tier == gold"])
    assert matching.matches(ok, node)
    assert not matching.matches(half, node)


def test_merge_sides_unites_properties_and_ands_constraints() -> None:
    a = matching.side("a", [{"name": "x", "value": 1}], ["n == 1"])
    b = matching.side("b", [{"name": "y", "value": 2}], ["m == 2"])
    both = matching.merge("ab", a, b)
    assert set(both.properties) == {"x", "y"}
    assert len(both.constraints.terms) == 2
