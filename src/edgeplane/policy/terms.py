"""What one term means: ``check(term, value)`` says whether ``name op literal`` holds for a property value,
and if not, why (the property is missing, its type cannot be compared that way, or the value differs).

This is the only place the per-type operator table lives; evaluation, explain and the placement engine's
index all call it, so they cannot disagree. The table (OH semantics unless noted in docs/policy.md):

- missing property: false for every operator, ``!=`` included (selector ``NotIn``/``DoesNotExist``: true).
- untyped string (a JSON string without ``type``): ``==`` holds if the value or one of its comma-separated
  elements equals the literal; ``in`` if one element is in the literal's list, or, for a version range, if the
  value is a version inside it.
- string: text equality; ``in`` membership.  list of strings: any element equals / is in the list.
- int, float: numeric ``== != < > <= >=``, ``in`` a list of numbers; no coercion of strings.
- boolean: ``==``/``!=`` against true/false.  version: ``==``/``!=`` exact, ``in`` a range (bare = or later).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Final, Literal

from edgeplane.policy import properties, syntax, versions

Reason = Literal["held", "missing", "type-mismatch", "value"]
HELD: Final = "held"
MISSING: Final = "missing"
MISMATCH: Final = "type-mismatch"
VALUE: Final = "value"

_ORDER: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt, ">": operator.gt, "<=": operator.le, ">=": operator.ge,
}


def check(term: syntax.Term, value: properties.Value | None) -> Reason:
    """Whether ``term`` holds for ``value`` (``None``: the property is missing), and why not."""
    op = term.op
    if op in ("exists", "absent", "sel-in", "sel-notin"):
        return _selector(term, value)
    if value is None:
        return MISSING
    if op == "in":
        return _in(term.value, value)
    equal = _equal(term.value, value) if op in ("==", "!=") else _ordered(op, term.value, value)
    if equal is None:
        return MISMATCH
    if op == "!=":
        equal = not equal
    return HELD if equal else VALUE


def holds(term: syntax.Term, value: properties.Value | None) -> bool:
    return check(term, value) == HELD


def _selector(term: syntax.Term, value: properties.Value | None) -> Reason:
    if term.op == "exists":
        return HELD if value is not None else MISSING
    if term.op == "absent":
        return HELD if value is None else VALUE
    if value is None:
        return HELD if term.op == "sel-notin" else MISSING
    texts = value.items if value.kind == "list of strings" else (value.text,)
    found = any(t in term.value.items for t in texts)
    return HELD if found == (term.op == "sel-in") else VALUE


def _equal(lit: syntax.Operand, value: properties.Value) -> bool | None:
    kind = value.kind
    if kind in ("int", "float"):
        return None if lit.number is None else value.number == lit.number
    if kind == "boolean":
        if lit.kind != "bool":
            return None
        return value.text == lit.text
    if kind == "version":
        return None if lit.version is None else value.version == lit.version
    if kind == "list of strings" or value.untyped:
        return lit.text in value.items or lit.text == value.text
    return value.text == lit.text


def _ordered(op: str, lit: syntax.Operand, value: properties.Value) -> bool | None:
    if value.kind not in ("int", "float") or value.number is None or lit.number is None:
        return None
    return _ORDER[op](value.number, lit.number)


def _in(lit: syntax.Operand, value: properties.Value) -> Reason:
    kind = value.kind
    if kind == "version" or (value.untyped and lit.kind == "range"):
        return _in_range(lit, value)
    if kind in ("int", "float"):
        numbers = [_number(t) for t in lit.items]
        if all(n is None for n in numbers):
            return MISMATCH
        return HELD if value.number in numbers else VALUE
    if kind == "boolean":
        return HELD if value.text in (t.lower() for t in lit.items) else VALUE
    if lit.kind == "range":
        return MISMATCH
    mine = value.items if (kind == "list of strings" or value.untyped) else (value.text,)
    return HELD if any(t in lit.items for t in mine) else VALUE


def _in_range(lit: syntax.Operand, value: properties.Value) -> Reason:
    if value.version is None:
        return MISMATCH
    if lit.range is not None and (lit.kind == "range" or len(lit.items) <= 1):
        return HELD if value.version in lit.range else VALUE
    wanted = [versions.parse_version(t) for t in lit.items]
    if all(w is None for w in wanted):
        return MISMATCH
    return HELD if value.version in wanted else VALUE


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None
