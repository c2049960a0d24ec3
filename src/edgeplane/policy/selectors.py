"""Kubernetes label selectors -> the same predicate form as constraint strings.

``matchLabels: {k: v}`` becomes ``k`` In ``[v]``; ``matchExpressions`` entries use In, NotIn, Exists and
DoesNotExist with Kubernetes meaning (NotIn and DoesNotExist hold when the label is absent; values compare
as exact text, a property of any type compared by its text form). Everything is ANDed; an empty selector
matches everything. Called by the placement engine and the API for OCM/Argo-style placements.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from edgeplane.policy import compiler, errors, syntax

_OPS: dict[str, syntax.Op] = {"In": "sel-in", "NotIn": "sel-notin", "Exists": "exists", "DoesNotExist": "absent"}


def _fail(detail: str, expected: str, field: str, text: object = "") -> errors.PolicyError:
    return errors.PolicyError(detail, text=str(text)[:40], expected=expected).at_field(field)


def _term(key: object, op: syntax.Op, values: tuple[str, ...], field: str) -> syntax.Term:
    if not isinstance(key, str) or not key:
        raise _fail("a selector key must be a non-empty string", "a label key", field, key)
    lit = syntax.Operand(kind="string", text=",".join(values), quoted=True, items=values)
    return syntax.Term(name=key, op=op, value=lit, source=f"selector {field}")


def _expression(entry: object, field: str) -> syntax.Term:
    if not isinstance(entry, Mapping):
        raise _fail("a matchExpressions entry must be an object", "{key, operator, values}", field, entry)
    op = _OPS.get(str(entry.get("operator")))
    if op is None:
        raise _fail("unknown selector operator", "In, NotIn, Exists or DoesNotExist", field, entry.get("operator"))
    values = entry.get("values") or []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise _fail("selector values must be a list of strings", "a list of strings", f"{field}.values", values)
    if op in ("sel-in", "sel-notin") and not values:
        raise _fail("In and NotIn need at least one value", "a non-empty values list", f"{field}.values")
    if op in ("exists", "absent") and values:
        raise _fail("Exists and DoesNotExist take no values", "no values", f"{field}.values", values)
    return _term(entry.get("key"), op, tuple(values), field)


def compile_selector(selector: Any, *, field: str = "selector") -> compiler.Predicate:
    """``{"matchLabels": {...}, "matchExpressions": [...]}`` -> a predicate. Raises ``errors.PolicyError``."""
    if selector is None:
        return compiler.ALWAYS
    if not isinstance(selector, Mapping):
        raise _fail("a label selector must be an object", "{matchLabels, matchExpressions}", field, selector)
    unknown = set(selector) - {"matchLabels", "matchExpressions"}
    if unknown:
        raise _fail("unknown selector field", "matchLabels or matchExpressions", field, sorted(map(str, unknown)))
    labels = selector.get("matchLabels") or {}
    exprs = selector.get("matchExpressions") or []
    if not isinstance(labels, Mapping) or not isinstance(exprs, list):
        raise _fail("matchLabels must be an object and matchExpressions a list", "those shapes", field)
    out: list[syntax.Expr] = []
    for key, value in labels.items():
        if not isinstance(value, str):
            raise _fail("a matchLabels value must be a string", "a string", f"{field}.matchLabels.{key}", value)
        out.append(_term(key, "sel-in", (value,), f"{field}.matchLabels.{key}"))
    out.extend(_expression(e, f"{field}.matchExpressions[{i}]") for i, e in enumerate(exprs))
    return compiler.Predicate(expr=compiler.combine(out) if out else syntax.TRUE)
