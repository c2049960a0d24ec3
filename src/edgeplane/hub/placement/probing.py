"""One node against every rule, fast: the rules' forward predicates compiled to bitmasks over their terms.

Every distinct term gets a bit. A node's held terms are one int: the OR, over its properties, of the terms
that hold for that (property, value), cached per value, because a fleet repeats values. A rule's predicate
then reads as "all of these bits" (its top-level terms), "one of these bits" per top-level OR of terms, and
anything deeper evaluated bit by bit. Rules are grouped under their anchor (``engine._anchor``: a required
part held by the fewest nodes), so a group whose anchor fails for the node costs one AND. Term semantics
are ``edgeplane.policy.terms.check``, as everywhere. Built by ``engine`` when rules have changed; org, node
kind, arch and the node's own constraints stay with the caller.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping

from edgeplane.hub.placement import rules
from edgeplane.policy import properties, syntax, terms

CACHE_LIMIT = 200_000
"""Cached (property, value) entries before the cache starts over (unique values, e.g. serial numbers, only
cost memory)."""


@dataclasses.dataclass(frozen=True, slots=True)
class Form:
    rule: rules.Rule
    need: int
    """Terms that must all hold."""
    clauses: tuple[int, ...]
    """For each: at least one of these terms holds."""
    rest: tuple[syntax.Expr, ...]
    """Deeper parts, evaluated term by term."""


class Probe:
    def __init__(self, all_rules: Iterable[rules.Rule], anchor_of: Mapping[int, syntax.Expr | None]) -> None:
        self._bit: dict[syntax.Term, int] = {}
        self._by_name: dict[str, list[tuple[syntax.Term, int]]] = {}
        self._values: dict[tuple[str, properties.Value], int] = {}
        self._groups: dict[str, dict[int, list[Form]]] = {}
        for rule in all_rules:
            form = self._form(rule)
            gate = self._gate(anchor_of.get(rule.id))
            self._groups.setdefault(rule.org, {}).setdefault(gate, []).append(form)
        self._on_missing = 0
        self._of_name: dict[str, int] = {}
        for name, found in self._by_name.items():
            for term, bit in found:
                self._of_name[name] = self._of_name.get(name, 0) | bit
                if terms.check(term, None) == terms.HELD:
                    self._on_missing |= bit

    def _term(self, term: syntax.Term) -> int:
        bit = self._bit.get(term)
        if bit is None:
            bit = self._bit[term] = 1 << len(self._bit)
            self._by_name.setdefault(term.name, []).append((term, bit))
        return bit

    def _clause(self, expr: syntax.Expr) -> int | None:
        """The bits of an OR of terms (or one term); ``None`` for anything else."""
        if isinstance(expr, syntax.Term):
            return self._term(expr)
        if isinstance(expr, syntax.AnyOf) and all(isinstance(e, syntax.Term) for e in expr.items):
            mask = 0
            for e in expr.items:
                assert isinstance(e, syntax.Term)
                mask |= self._term(e)
            return mask
        return None

    def _form(self, rule: rules.Rule) -> Form:
        expr = rule.forward.expr
        need, clauses, rest = 0, [], []
        for item in expr.items if isinstance(expr, syntax.AllOf) else (expr,):
            mask = self._clause(item)
            if mask is None:
                rest.append(item)
                for t in syntax.terms_of(item):
                    self._term(t)
            elif isinstance(item, syntax.Term):
                need |= mask
            else:
                clauses.append(mask)
        return Form(rule=rule, need=need, clauses=tuple(clauses), rest=tuple(rest))

    def _gate(self, anchor: syntax.Expr | None) -> int:
        """Bits one of which must hold for the group to be worth looking at; 0 for no gate."""
        mask = self._clause(anchor) if anchor is not None else None
        return mask or 0

    def held(self, props: Mapping[str, properties.Value]) -> int:
        """The bits of every term that holds for a node with ``props``."""
        held = self._on_missing
        for name, value in props.items():
            found = self._by_name.get(name)
            if found is None:
                continue
            if held:
                held &= ~self._of_name[name]
            bits = self._values.get((name, value))
            if bits is None:
                if len(self._values) >= CACHE_LIMIT:
                    self._values.clear()
                bits = 0
                for term, bit in found:
                    if terms.check(term, value) == terms.HELD:
                        bits |= bit
                self._values[(name, value)] = bits
            held |= bits
        return held

    def candidates(self, org: str, props: Mapping[str, properties.Value]) -> Iterator[rules.Rule]:
        """The rules of ``org`` whose forward predicate holds for ``props``."""
        held = self.held(props)
        for gate, forms in self._groups.get(org, {}).items():
            if gate and not held & gate:
                continue
            for f in forms:
                if held & f.need != f.need:
                    continue
                if f.clauses and not all(held & c for c in f.clauses):
                    continue
                if f.rest and not all(self._holds(e, held) for e in f.rest):
                    continue
                yield f.rule

    def _holds(self, expr: syntax.Expr, held: int) -> bool:
        if isinstance(expr, syntax.Term):
            return bool(held & self._bit[expr])
        if isinstance(expr, syntax.AllOf):
            return all(self._holds(e, held) for e in expr.items)
        return any(self._holds(e, held) for e in expr.items)
