"""The syntax tree every constraint compiles to: :class:`Term` leaves under :class:`AllOf` / :class:`AnyOf`.

Both constraint strings (``parser``) and Kubernetes label selectors (``selectors``) produce this form, so
evaluation, explanation and the placement engine's index only know one shape. Terms are frozen and
hashable: equal terms in different policies are evaluated once by the engine.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

from edgeplane.policy import versions

Op = Literal["==", "!=", "<", ">", "<=", ">=", "in", "sel-in", "sel-notin", "exists", "absent"]
"""``sel-*``, ``exists`` and ``absent`` come from label selectors only and compare text exactly."""
LiteralKind = Literal["number", "bool", "string", "range"]


@dataclasses.dataclass(frozen=True, slots=True)
class Operand:
    """The right-hand side of a term, pre-digested once for every type it may be compared with."""

    kind: LiteralKind
    text: str
    quoted: bool = False
    number: float | None = None
    items: tuple[str, ...] = ()
    version: versions.Version | None = None
    range: versions.VersionRange | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Term:
    """``name op value``; ``position`` and ``source`` locate it for explain and error messages."""

    name: str
    op: Op
    value: Operand
    position: int = dataclasses.field(default=0, compare=False)
    source: str = dataclasses.field(default="", compare=False)

    def __str__(self) -> str:
        if self.op in ("exists", "absent"):
            return f"{self.name} {self.op}"
        shown = f'"{self.value.text}"' if self.value.quoted else self.value.text
        return f"{self.name} {self.op} {shown}"


@dataclasses.dataclass(frozen=True, slots=True)
class AllOf:
    """Every item holds (AND). ``AllOf(())`` is true."""

    items: tuple[Expr, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class AnyOf:
    """At least one item holds (OR). ``AnyOf(())`` is false."""

    items: tuple[Expr, ...]


Expr = Term | AllOf | AnyOf
TRUE = AllOf(())


def terms_of(expr: Expr) -> list[Term]:
    """Every term, in source order, duplicates kept."""
    out: list[Term] = []
    stack: list[Expr] = [expr]
    while stack:
        e = stack.pop()
        if isinstance(e, Term):
            out.append(e)
        else:
            stack.extend(reversed(e.items))
    return out
