"""The fleet, indexed: each node has a slot (a bit position); each property name maps its distinct values to
the set of nodes holding them.

A term is evaluated once per distinct value of its property (not once per node) and the node sets of the
values where it holds are ORed; term results are cached until a node changes that property. Node
constraints are grouped by expression, so the backward direction costs one evaluation per distinct node
constraint list. Called by ``engine`` only; knows nothing about policies.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

from edgeplane.hub.placement import bits
from edgeplane.policy import compiler, matching, properties, syntax, terms

ARCH = "openhorizon.arch"


@dataclasses.dataclass(frozen=True, slots=True)
class Entry:
    id: str
    org: str
    kind: str
    side: matching.Side

    @property
    def props(self) -> Mapping[str, properties.Value]:
        return self.side.properties


def arch_term(arch: str) -> syntax.Term:
    """``openhorizon.arch`` equals ``arch`` exactly (text)."""
    lit = syntax.Operand(kind="string", text=arch, quoted=True, items=(arch,))
    return syntax.Term(name=ARCH, op="sel-in", value=lit, source=f"workload arch {arch}")


class Fleet:
    def __init__(self) -> None:
        self.slot_of: dict[str, int] = {}
        self.entries: list[Entry | None] = []
        self._all = bits.SlotSet()
        self._free: list[int] = []
        self._index: dict[str, dict[properties.Value, bits.SlotSet]] = {}
        self._tags: dict[tuple[str, str], bits.SlotSet] = {}
        self._groups: dict[syntax.Expr, tuple[compiler.Predicate, bits.SlotSet]] = {}
        self._cache: dict[syntax.Term, int] = {}
        self._cached_by_name: dict[str, set[syntax.Term]] = {}

    @property
    def alive(self) -> int:
        return self._all.mask()

    def get(self, node_id: str) -> Entry | None:
        slot = self.slot_of.get(node_id)
        return None if slot is None else self.entries[slot]

    def put(self, entry: Entry) -> tuple[int, Entry | None]:
        """Add or replace a node; returns its slot and the previous entry."""
        slot = self.slot_of.get(entry.id)
        old = None
        if slot is None:
            slot = self._free.pop() if self._free else len(self.entries)
            if slot == len(self.entries):
                self.entries.append(None)
            self.slot_of[entry.id] = slot
            self._all.add(slot)
            self._forget_negative()
        else:
            old = self.entries[slot]
            assert old is not None
            self._unindex(slot, old, keep=entry)
        self.entries[slot] = entry
        self._index_entry(slot, entry, old)
        return slot, old

    def drop(self, node_id: str) -> tuple[int, Entry] | None:
        slot = self.slot_of.pop(node_id, None)
        if slot is None:
            return None
        old = self.entries[slot]
        assert old is not None
        self._unindex(slot, old, keep=None)
        self.entries[slot] = None
        self._free.append(slot)
        self._all.discard(slot)
        self._forget_negative()
        return slot, old

    def _index_entry(self, slot: int, entry: Entry, old: Entry | None) -> None:
        for name, value in entry.props.items():
            if old is not None and old.props.get(name) == value:
                continue
            table = self._index.setdefault(name, {})
            found = table.get(value)
            if found is None:
                found = table[value] = bits.SlotSet()
            found.add(slot)
            self._forget(name)
        for tag in (("org", entry.org), ("kind", entry.kind)):
            self._tags.setdefault(tag, bits.SlotSet()).add(slot)
        expr = entry.side.constraints.expr
        group = self._groups.get(expr)
        if group is None:
            group = self._groups[expr] = (entry.side.constraints, bits.SlotSet())
        group[1].add(slot)

    def _unindex(self, slot: int, old: Entry, keep: Entry | None) -> None:
        for name, value in old.props.items():
            if keep is not None and keep.props.get(name) == value:
                continue
            table = self._index[name]
            table[value].discard(slot)
            if not table[value]:
                del table[value]
            self._forget(name)
        for tag in (("org", old.org), ("kind", old.kind)):
            self._tags[tag].discard(slot)
        expr = old.side.constraints.expr
        group = self._groups[expr][1]
        group.discard(slot)
        if not group:
            del self._groups[expr]

    def _forget(self, name: str) -> None:
        for term in self._cached_by_name.pop(name, ()):
            self._cache.pop(term, None)

    def _forget_negative(self) -> None:
        """Terms that hold on a missing property depend on which nodes exist at all."""
        for term in [t for t in self._cache if t.op in ("sel-notin", "absent")]:
            del self._cache[term]

    def tag(self, kind: str, value: str) -> int:
        """Nodes of an org (``tag("org", o)``) or a kind (``tag("kind", "device")``)."""
        found = self._tags.get((kind, value))
        return found.mask() if found is not None else 0

    def term_mask(self, term: syntax.Term) -> int:
        mask = self._cache.get(term)
        if mask is not None:
            return mask
        mask = 0
        loose: set[int] = set()
        values = self._index.get(term.name, {})
        for value, nodes in values.items():
            if terms.check(term, value) != terms.HELD:
                continue
            if len(nodes) < 64:
                loose |= nodes.slots  # small sets: one mask at the end instead of one each
            else:
                mask |= nodes.mask()
        mask |= bits.from_slots(loose)
        if terms.check(term, None) == terms.HELD:
            present: set[int] = set()
            for nodes in values.values():
                present |= nodes.slots
            mask |= self.alive & ~bits.from_slots(present)
        self._cache[term] = mask
        self._cached_by_name.setdefault(term.name, set()).add(term)
        return mask

    def expr_mask(self, expr: syntax.Expr) -> int:
        if isinstance(expr, syntax.Term):
            return self.term_mask(expr)
        if isinstance(expr, syntax.AllOf):
            mask = self.alive
            for item in expr.items:
                if not mask:
                    break
                mask &= self.expr_mask(item)
            return mask
        mask = 0
        for item in expr.items:
            mask |= self.expr_mask(item)
        return mask

    def groups_where(self, accepts: Callable[[compiler.Predicate], bool]) -> int:
        """Nodes whose own constraints ``accepts`` (called once per distinct constraint list)."""
        mask = 0
        for pred, nodes in self._groups.values():
            if accepts(pred):
                mask |= nodes.mask()
        return mask
