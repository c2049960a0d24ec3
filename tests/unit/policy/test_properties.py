"""Typed properties: inference, type checks, and the one error type for bad values."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edgeplane.policy import errors, properties


@pytest.mark.parametrize(
    ("value", "kind", "expected_kind", "untyped"),
    [
        ("string-value", None, "string", True),
        (10, None, "int", False),
        (True, None, "boolean", False),
        (3.4, None, "float", False),
        ("1.2.7", "version", "version", False),
        ("value1,value2", "list of strings", "list of strings", False),
        ("x", "string", "string", False),
        ("12", "int", "int", False),
        ("TRUE", "boolean", "boolean", False),
    ],
)
def test_oh_doc_property_types(value: object, kind: str | None, expected_kind: str, untyped: bool) -> None:
    v = properties.make("p", value, kind)
    assert (v.kind, v.untyped) == (expected_kind, untyped)


@pytest.mark.parametrize(
    ("value", "kind"),
    [("abc", "int"), (1.5, "int"), ("yes", "boolean"), ("1.2.3.4", "version"), (3, "string"),
     (True, "int"), ("x", "colour"), (None, None), ([1], "list of strings"), (float("inf"), "float")],
)
def test_values_that_do_not_fit_their_type(value: object, kind: str | None) -> None:
    with pytest.raises(errors.PolicyError):
        properties.make("p", value, kind)


def test_list_values_are_trimmed_and_unquoted() -> None:
    v = properties.make("p", " a, 'b c' ,,d ", "list of strings")
    assert v.items == ("a", "b c", "d")


def test_parse_names_field_and_rejects_duplicates() -> None:
    with pytest.raises(errors.PolicyError) as info:
        properties.parse([{"name": "a", "value": 1}, {"name": "a", "value": 2}])
    assert info.value.field == "properties[1]"
    with pytest.raises(errors.PolicyError) as info:
        properties.parse([{"name": "a", "value": "x", "type": "int"}], field="builtin")
    assert info.value.field == "builtin[0]"


@settings(max_examples=1000, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {"name": st.one_of(st.text(max_size=5), st.integers(), st.none()),
             "value": st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8),
                                st.lists(st.text(max_size=3), max_size=2)),
             "type": st.one_of(st.none(), st.sampled_from([*properties.KINDS, "x"]), st.integers())},
        ),
        max_size=4,
    )
)
def test_fuzz_properties_only_policy_error(items: list[dict[str, object]]) -> None:
    try:
        properties.parse(items)
    except errors.PolicyError:
        pass
