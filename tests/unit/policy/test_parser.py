"""Parsing: OH's valid and invalid constraint strings, error positions, and fuzzing (only PolicyError)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edgeplane._kit.errors import InvalidInput
from edgeplane.policy import compiler, errors, parser, syntax

OH_VALID = [
    "iame2edev == true && cpu == 3 || memory <= 32",
    'iame2edev == "true"',
    'hello == "world"',
    "hello in \"'hi world', 'test'\"",
    'eggs == "truck load" AND certification in "USDA, Organic"',
    "version == 1.1.1 OR USDA == true",
    "version in [1.1.1,INFINITY) OR cert == USDA",
    "でんしゃのりば == 京都",
    "火车站 == 上海",
    "車號 == 漢54321",
    "estación_de_tren = Nochistlán",
    "기차역== 서울시",
    "version==1.1.1 AND USDA == true",
    "version>1 OR version<1 OR version>=0 AND version<=0 OR USDA==true OR USDA=false",
    "version=1.1.1 AND xyz!=abc",
    "version> 1 OR version <1 OR version >=0 AND version<= 0 OR USDA ==true OR USDA= false",
    "version =1.1.1 AND xyz !=123",
    "(version> 1 OR version <1 OR version >=0) AND (version<= 0 OR (USDA ==true OR USDA= false))",
    "num => 5 OR num =< 22 OR num==10.32 OR num =6",
    "(version> 1 OR version <1 OR version >=0) AND  ( version<= 0 OR (  USDA ==true OR USDA= false  ) )",
    " (version =1.1.1 AND xyz !=123) ",
    "cpu < 4 && intValue >= 3 || inininintValue == \"ininint\" && inVersion in [0.0.0,1.4.3]",
    'color == gray || (colour ="grey" && countryin"england,australia,canada")',
    '(species == t-rex && ((feathers =hopefully && scales=maybe || (talonsin"sharp,very sharp" || teeth =1.3.8))))',
    "((versionin[1.3.1,3.1.2) && server=false) || (os!=windows && foo !=bar) )",
    "openhorizon.arch == amd64 and openhorizon.memory >= 1024",
    "",
    "   ",
]


@pytest.mark.parametrize("source", OH_VALID)
def test_oh_valid_constraints_parse(source: str) -> None:
    parser.parse(source)


OH_INVALID = [
    # (source, position of the error, fragment of what was expected)
    ('eggs == "truck load" || certification == "USDA, Organic"', 41, "'in'"),
    ("hello == \"'hi world', 'test'\"", 9, "'in'"),
    ("iame2edev < true && cpu == 3 || memory <= 32", 12, "a number"),
    ("hello > world", 8, "a number"),
    ("eggs == truck load && certification == USDA", 14, "AND, &&, OR, ||"),
    ("version == 1.1.1 abcdefg USDA == true", 17, "AND, &&, OR, ||"),
    ("(version == 1.1.1 && USDA == true", 0, "')'"),
    ("version == 1.1.1)", 16, "the end"),
    ("a == [1.0.0,2.0.0)", 5, "'in'"),
    ("a != \"x,y\"", 5, "'in'"),
    ("a in [2.0.0,1.0.0)", 5, "low bound"),
    ("a in [1.0.0,2.0.0", 5, "']' or ')'"),
    ('a == "open', 5, 'a closing "'),
    ("a ==", 4, "a value"),
    ("a b", 2, "==, =, !="),
    ("== b", 0, "a property name"),
    ("a == b AND", 10, "a property name"),
    ("()", 1, "a property name"),
    ("a == b && (c == d", 10, "')'"),
    ("a in [x,2.0)", 5, "a version"),
]


@pytest.mark.parametrize(("source", "position", "expected"), OH_INVALID)
def test_invalid_constraints_name_position_and_expectation(source: str, position: int, expected: str) -> None:
    with pytest.raises(errors.PolicyError) as info:
        parser.parse(source)
    err = info.value
    assert err.position == position, err
    assert expected in err.expected
    assert err.source == source
    assert isinstance(err, InvalidInput) and err.code == "invalid-constraint"
    assert str(position) in err.detail


def test_and_binds_tighter_than_or() -> None:
    expr = parser.parse("a == 1 || b == 2 && c == 3")
    assert isinstance(expr, syntax.AnyOf)
    assert isinstance(expr.items[1], syntax.AllOf)


def test_glued_in_splits_name() -> None:
    expr = parser.parse('locationin"British Columbia,Alberta"')
    assert isinstance(expr, syntax.Term)
    assert (expr.name, expr.op, expr.value.items) == ("location", "in", ("British Columbia", "Alberta"))


def test_equals_alias_and_aliases_normalised() -> None:
    for source, op in [("a = 1", "=="), ("a => 1", ">="), ("a =< 1", "<="), ("a IN \"x\"", "in")]:
        expr = parser.parse(source)
        assert isinstance(expr, syntax.Term) and expr.op == op


def test_escaped_quote_in_value() -> None:
    expr = parser.parse(r'a == "say \"hi\""')
    assert isinstance(expr, syntax.Term) and expr.value.text == 'say "hi"'


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    with pytest.raises(errors.PolicyError, match="nested too deeply"):
        parser.parse("(" * 500 + "a == 1" + ")" * 500)


def test_compile_names_the_failing_list_item() -> None:
    with pytest.raises(errors.PolicyError) as info:
        compiler.compile_constraints(["a == 1", "b >"])
    assert info.value.field == "constraints[1]"


@pytest.mark.parametrize("bad", [5, {"a": 1}, [1], ["ok == 1", None]])
def test_compile_rejects_non_string_lists(bad: object) -> None:
    with pytest.raises(errors.PolicyError):
        compiler.compile_constraints(bad)


_ALPHABET = st.sampled_from(
    [*'ab =!<>()[]",.&|\'', "AND", "OR", "in", "INFINITY", "1.0", "2", "&&", "||", "true", "é", "\\", "\n"]
)


@settings(max_examples=2000, deadline=None)
@given(st.lists(_ALPHABET, max_size=30).map("".join))
def test_fuzz_tokens_only_policy_error(source: str) -> None:
    try:
        parser.parse(source)
    except errors.PolicyError:
        pass


@settings(max_examples=1000, deadline=None)
@given(st.text(max_size=60))
def test_fuzz_any_text_only_policy_error(source: str) -> None:
    try:
        compiler.compile_constraints([source])
    except errors.PolicyError:
        pass


@settings(max_examples=500, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=4), c, max_size=3),
                    max_leaves=8))
def test_fuzz_any_json_only_policy_error(doc: object) -> None:
    try:
        compiler.compile_constraints(doc)
    except errors.PolicyError:
        pass
