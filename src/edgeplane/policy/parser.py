"""Constraint strings -> syntax trees (``syntax.Expr``), with validation of each term's operator and value.

Grammar (AND binds tighter than OR; connectives are ``AND``/``&&``/``OR``/``||``, any case)::

    expr    := and_ ( OR and_ )*
    and_    := primary ( AND primary )*
    primary := "(" expr ")" | name op value

Called by ``compiler``; everything here raises only :class:`edgeplane.policy.errors.PolicyError`.
Left out: ``NOT`` (OH has none either).
"""

from __future__ import annotations

import functools
import re
import typing

from edgeplane.policy import errors, lexer, properties, syntax, versions

MAX_DEPTH = 64
MAX_LENGTH = 65_536
_NUMBER = re.compile(r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")


@functools.lru_cache(maxsize=16_384)
def parse(source: str) -> syntax.Expr:
    """One constraint string -> its tree. An empty (or all-space) string is true. Memoised: trees are
    immutable and fleets repeat the same constraint strings."""
    if len(source) > MAX_LENGTH:
        raise errors.PolicyError(
            "constraint is too long", text=source[:20], expected=f"at most {MAX_LENGTH} characters"
        )
    scan = lexer.Scanner(source)
    if scan.at_end():
        return syntax.TRUE
    expr = _or(scan, 0)
    if not scan.at_end():
        if scan.peek() == ")":
            raise scan.fail("unmatched ')'", "AND, &&, OR, || or the end")
        raise scan.fail(
            "expected a connective", "one of AND, &&, OR, || or the end",
        )
    return expr


def _or(scan: lexer.Scanner, depth: int) -> syntax.Expr:
    items = [_and(scan, depth)]
    while True:
        mark = scan.pos
        word = scan.connective()
        if word == "or":
            items.append(_and(scan, depth))
            continue
        scan.pos = mark
        break
    return items[0] if len(items) == 1 else syntax.AnyOf(tuple(items))


def _and(scan: lexer.Scanner, depth: int) -> syntax.Expr:
    items = [_primary(scan, depth)]
    while True:
        mark = scan.pos
        if scan.connective() == "and":
            items.append(_primary(scan, depth))
            continue
        scan.pos = mark
        break
    return items[0] if len(items) == 1 else syntax.AllOf(tuple(items))


def _primary(scan: lexer.Scanner, depth: int) -> syntax.Expr:
    if scan.peek() == "(":
        if depth >= MAX_DEPTH:
            raise scan.fail("parentheses nested too deeply", f"at most {MAX_DEPTH} levels")
        open_at = scan.pos
        scan.take("(")
        inner = _or(scan, depth + 1)
        if scan.peek() != ")":
            if scan.at_end():
                raise scan.fail("unmatched '('", "')'", at=open_at, text="(")
            raise scan.fail("expected a connective or ')'", "one of AND, &&, OR, || or ')'")
        scan.take(")")
        return inner
    return _term(scan)


def _term(scan: lexer.Scanner) -> syntax.Term:
    name, start = scan.name()
    op = scan.operator()
    if op is None:
        name, op = _glued_in(scan, name)
    text, quoted, value_at = scan.value()
    value = _literal(scan, op, text, quoted, value_at)
    _check_fit(scan, op, value, value_at)
    return syntax.Term(name=name, op=typing.cast(syntax.Op, op), value=value, position=start, source=scan.source)


def _glued_in(scan: lexer.Scanner, name: str) -> tuple[str, str]:
    """OH accepts ``countryin"a,b"`` and ``versionin[1,2)``: ``in`` glued to the name before a quote or
    bracket. Accept it for compatibility, but only in exactly that shape."""
    nxt = scan.source[scan.pos : scan.pos + 1]
    if len(name) > 2 and name[-2:].lower() == "in" and nxt in ('"', "[", "("):
        return name[:-2], "in"
    raise scan.fail(
        f"expected an operator after {name!r}", "one of ==, =, !=, <, >, <=, >=, in",
    )


def _literal(scan: lexer.Scanner, op: str, text: str, quoted: bool, at: int) -> syntax.Operand:
    stripped = text.strip()
    if stripped[:1] in ("[", "(") and (not quoted or op == "in"):
        rng = versions.parse_range(stripped, source=scan.source, position=at)
        return syntax.Operand(kind="range", text=stripped, quoted=quoted, range=rng)
    items = properties.split_list(text)
    version = versions.parse_version(stripped)
    rng_or_none = versions.VersionRange(lo=version) if version is not None else None
    if not quoted and _NUMBER.match(stripped):
        return syntax.Operand(
            kind="number", text=stripped, number=float(stripped), items=items, version=version, range=rng_or_none
        )
    if stripped.lower() in ("true", "false"):
        return syntax.Operand(
            kind="bool", text=stripped.lower(), quoted=quoted, items=(stripped.lower(),)
        )
    return syntax.Operand(
        kind="string", text=text if quoted else stripped, quoted=quoted, items=items, version=version,
        range=rng_or_none,
    )


def _check_fit(scan: lexer.Scanner, op: str, value: syntax.Operand, at: int) -> None:
    """Reject operator/value pairs that can never make sense, as OH's validation does."""
    if op in ("<", ">", "<=", ">=") and value.kind != "number":
        raise scan.fail(
            f"operator {op} compares numbers only", "a number", at=at, text=value.text,
        )
    if op in ("==", "!="):
        if value.kind == "range":
            raise scan.fail(f"operator {op} cannot take a version range", "'in' for a range", at=at, text=value.text)
        if "," in value.text:
            raise scan.fail(
                f"operator {op} cannot take a list of values", "'in' for a list, or a single value",
                at=at, text=value.text,
            )
