"""Constraint lists -> :class:`Predicate`: parse once, evaluate many times.

A constraint list (OH: a JSON array of strings, ANDed) compiles to one predicate holding the combined tree
and its distinct terms. ``Predicate.evaluate(props)`` answers for one property set; the placement engine
instead reads ``expr``/``terms`` to evaluate each distinct term once per distinct property value over the
whole fleet. Called by ``matching``, the CLI and the placement engine.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from edgeplane.policy import errors, parser, properties, syntax, terms


@dataclasses.dataclass(frozen=True, slots=True)
class Predicate:
    """A compiled constraint list. ``sources`` are the original strings, for display."""

    expr: syntax.Expr
    sources: tuple[str, ...] = ()

    @property
    def terms(self) -> tuple[syntax.Term, ...]:
        """Distinct terms in source order."""
        return tuple(dict.fromkeys(syntax.terms_of(self.expr)))

    @property
    def always(self) -> bool:
        """True when there is nothing to check (no constraints)."""
        return self.expr == syntax.TRUE

    def evaluate(self, props: Mapping[str, properties.Value]) -> bool:
        return evaluate(self.expr, props)


ALWAYS = Predicate(expr=syntax.TRUE)


def evaluate(expr: syntax.Expr, props: Mapping[str, properties.Value]) -> bool:
    if isinstance(expr, syntax.Term):
        return terms.check(expr, props.get(expr.name)) == terms.HELD
    if isinstance(expr, syntax.AllOf):
        return all(evaluate(e, props) for e in expr.items)
    return any(evaluate(e, props) for e in expr.items)


def compile_constraints(constraints: object, *, field: str = "constraints") -> Predicate:
    """A list of constraint strings (ANDed) -> a predicate. A lone string is accepted as a one-item list.

    Raises only :class:`errors.PolicyError`, naming ``field[i]`` of the failing string.
    """
    if constraints is None:
        return ALWAYS
    items = [constraints] if isinstance(constraints, str) else constraints
    if not isinstance(items, list | tuple):
        raise errors.PolicyError(
            "constraints must be a list of strings", text=type(constraints).__name__, expected="a JSON array"
        ).at_field(field)
    exprs: list[syntax.Expr] = []
    for i, source in enumerate(items):
        if not isinstance(source, str):
            raise errors.PolicyError(
                "a constraint must be a string", text=repr(source)[:40], expected="a string"
            ).at_field(f"{field}[{i}]")
        try:
            expr = parser.parse(source)
        except errors.PolicyError as e:
            raise e.at_field(f"{field}[{i}]") from None
        if expr != syntax.TRUE:
            exprs.append(expr)
    return Predicate(expr=combine(exprs), sources=tuple(str(s) for s in items))


def combine(exprs: Iterable[syntax.Expr]) -> syntax.Expr:
    """AND several trees into one, flattening nested ANDs; one tree stays itself."""
    flat: list[syntax.Expr] = []
    for e in exprs:
        flat.extend(e.items if isinstance(e, syntax.AllOf) else (e,))
    return flat[0] if len(flat) == 1 else syntax.AllOf(tuple(flat))


def both(a: Predicate, b: Predicate) -> Predicate:
    """``a AND b`` (e.g. a deployment policy's constraints with its workload's)."""
    if a.always:
        return b
    if b.always:
        return a
    return Predicate(expr=combine([a.expr, b.expr]), sources=a.sources + b.sources)
