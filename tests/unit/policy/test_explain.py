"""Explain: term by term, held/failed and why, agreeing with evaluation."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from edgeplane.policy import compiler, explain, properties, terms


def test_each_reason_is_reported() -> None:
    pred = compiler.compile_constraints(["site == a", "gpu == true", "memory > 4", "arch == arm64"])
    props = properties.from_values({"site": "a", "memory": "8GB", "arch": "amd64"})
    account = explain.explain(pred, props, owner="policy p", subject="node n")
    assert not account.held
    assert [(t.term, t.reason) for t in account.terms] == [
        ("site == a", terms.HELD),
        ("gpu == true", terms.MISSING),
        ("memory > 4", terms.MISMATCH),
        ("arch == arm64", terms.VALUE),
    ]
    lines = account.lines()
    assert lines[0] == "policy p constraints do not hold on node n properties"
    assert "property 'gpu' is missing" in lines[2]
    assert "type mismatch" in lines[3] and "'8GB' (untyped string)" in lines[3]
    assert "arch is 'amd64'" in lines[4]


def test_or_holds_while_a_term_fails() -> None:
    pred = compiler.compile_constraints(["a == 1 || b == 2"])
    account = explain.explain(pred, properties.from_values({"b": 2}))
    assert account.held
    assert [t.held for t in account.terms] == [False, True]


def test_no_constraints() -> None:
    account = explain.explain(compiler.ALWAYS, {})
    assert account.held and account.lines() == ["policy constraints hold on node properties (no constraints)"]


_NAMES = st.sampled_from(["a", "b", "c"])
_VALUES = st.one_of(st.booleans(), st.integers(-3, 3), st.sampled_from(["x", "y", "1.0", "x,y", "2"]))
_TERMS = st.builds(
    lambda n, op, v: f"{n} {op} {v}",
    _NAMES,
    st.sampled_from(["==", "!=", "<", ">=", "in"]),
    st.sampled_from(["1", "2", "x", "true", '"x,y"', "[1.0,2.0)", "1.0"]),
)


@settings(max_examples=800, deadline=None)
@given(st.lists(st.lists(_TERMS, min_size=1, max_size=3).map(" || ".join), max_size=3),
       st.dictionaries(_NAMES, _VALUES))
def test_explain_agrees_with_evaluate(constraints: list[str], values: dict[str, object]) -> None:
    try:
        pred = compiler.compile_constraints(constraints)
    except Exception as e:  # only the policy error is allowed
        assert type(e).__name__ == "PolicyError"
        return
    props = properties.from_values(values)
    account = explain.explain(pred, props)
    assert account.held == pred.evaluate(props)
    assert len(account.terms) == len(pred.terms)
