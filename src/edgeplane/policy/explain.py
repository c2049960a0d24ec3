"""Term-by-term accounts of why a predicate does or does not hold for a property set.

``explain(predicate, props)`` lists every term with held/failed and the reason (missing property, type
mismatch, value), using the same ``terms.check`` and ``compiler.evaluate`` as matching, so an account can
never disagree with a decision. ``matching.explain`` builds the two-way account; the CLI and the
placement engine's ``explain`` render it. Left out: suggestions of what would make it hold.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from edgeplane.policy import compiler, properties, syntax, terms


@dataclasses.dataclass(frozen=True, slots=True)
class TermResult:
    term: str
    held: bool
    reason: terms.Reason
    message: str
    source: str = ""
    position: int = 0


@dataclasses.dataclass(frozen=True, slots=True)
class Account:
    """One direction: do ``constraints`` (of ``owner``) hold on the properties of ``subject``?"""

    held: bool
    owner: str
    subject: str
    terms: tuple[TermResult, ...]

    def lines(self) -> list[str]:
        verdict = "hold" if self.held else "do not hold"
        head = f"{self.owner} constraints {verdict} on {self.subject} properties"
        if not self.terms:
            return [f"{head} (no constraints)"]
        return [head] + [f"  {'held  ' if t.held else 'FAILED'} {t.message}" for t in self.terms]


def _describe(value: properties.Value) -> str:
    kind = "untyped string" if value.untyped else value.kind
    return f"{value.text!r} ({kind})"


def message(term: syntax.Term, value: properties.Value | None, reason: terms.Reason) -> str:
    """One readable line: the term, then what was found."""
    shown = str(term)
    if reason == terms.MISSING:
        return f"{shown}: property {term.name!r} is missing"
    assert value is not None or term.op == "absent"
    found = _describe(value) if value is not None else "absent"
    if reason == terms.MISMATCH:
        return f"{shown}: type mismatch, {term.name} is {found}; {term.op} cannot compare it with {term.value.text!r}"
    if reason == terms.VALUE:
        return f"{shown}: {term.name} is {found}"
    return f"{shown}: {term.name} is {found}"


def explain(
    predicate: compiler.Predicate, props: Mapping[str, properties.Value], *, owner: str = "policy",
    subject: str = "node",
) -> Account:
    results = []
    for term in predicate.terms:
        value = props.get(term.name)
        reason = terms.check(term, value)
        results.append(
            TermResult(
                term=str(term), held=reason == terms.HELD, reason=reason, message=message(term, value, reason),
                source=term.source, position=term.position,
            )
        )
    return Account(held=predicate.evaluate(props), owner=owner, subject=subject, terms=tuple(results))
