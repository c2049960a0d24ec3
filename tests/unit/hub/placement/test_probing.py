"""One-node matching through term bitmasks agrees with evaluating each predicate directly (property-based)."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.hub.placement import helpers as h

from edgeplane.hub.placement import probing, rules
from edgeplane.policy import compiler, properties, selectors, syntax

CONSTRAINTS = [
    "site == a", "site in \"a,b\"", "site != b", "gpu == true", "mem >= 4", "mem < 3 || site == c",
    "(site == a && gpu == true) || mem > 6", "zone != x", "labels in \"cam,plc\"", "labels == cam",
    "(site == a || site == b) && (mem >= 2 || gpu == false)", "tier == gold && (zone == x || zone == y)",
]
SELECTORS = [
    {"matchExpressions": [{"key": "zone", "operator": "DoesNotExist"}]},
    {"matchExpressions": [{"key": "site", "operator": "NotIn", "values": ["a"]}]},
    {"matchLabels": {"site": "b"}, "matchExpressions": [{"key": "gpu", "operator": "Exists"}]},
]

props = st.fixed_dictionaries({}, optional={
    "site": st.sampled_from(["a", "b", "c"]), "gpu": st.booleans(), "mem": st.integers(1, 8),
    "zone": st.sampled_from(["x", "y"]), "tier": st.sampled_from(["gold", "tin"]),
    "labels": st.sampled_from(["cam", "plc", "cam,plc", "kiosk"]),
})
predicates = st.one_of(
    st.lists(st.sampled_from(CONSTRAINTS), max_size=3).map(compiler.compile_constraints),
    st.sampled_from(SELECTORS).map(selectors.compile_selector),
)


def _rules(preds: list[compiler.Predicate]) -> list[rules.Rule]:
    c = rules.Compiler()
    workloads = {("acme", "det"): [h.workload("det", "1.0.0")]}
    out = []
    for i, pred in enumerate(preds):
        (rule,) = c.deployment(h.deploy(f"d{i}", "det"), workloads).rules
        out.append(dataclasses.replace(rule, forward=c.intern(pred)))
    return out


@settings(max_examples=200, deadline=None)
@given(st.lists(predicates, min_size=1, max_size=6), st.lists(props, min_size=1, max_size=5),
       st.data())
def test_candidates_are_exactly_the_rules_whose_predicate_holds(
    preds: list[compiler.Predicate], nodes: list[dict[str, object]], data: st.DataObject
) -> None:
    found = _rules(preds)
    anchors: dict[int, syntax.Expr | None] = {}
    for r in found:  # any required part, or none, is a valid anchor
        expr = r.forward.expr
        items = list(expr.items) if isinstance(expr, syntax.AllOf) else [expr]
        anchors[r.id] = data.draw(st.sampled_from([None, *items]))
    probe = probing.Probe(found, anchors)
    for values in nodes:
        node_props = properties.from_values(values)
        want = {r.id for r in found if r.forward.evaluate(node_props)}
        assert {r.id for r in probe.candidates("acme", node_props)} == want
        assert list(probe.candidates("other", node_props)) == []
