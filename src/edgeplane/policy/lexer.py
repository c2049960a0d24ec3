"""A position-keeping scanner for constraint strings.

The language is context sensitive (a ``(`` opens a group where a term is expected but a version range
after ``in``), so instead of a token stream the parser asks the scanner for the token it expects next:
``name()``, ``operator()``, ``value()``, ``connective()``. Every failure is a
:class:`edgeplane.policy.errors.PolicyError` with the position and the text found there.
"""

from __future__ import annotations

import re

from edgeplane.policy import errors

_OPERATORS = ("==", "!=", "<=", ">=", "=>", "=<", "=", "<", ">")
_ALIASES = {"=": "==", "=>": ">=", "=<": "<="}
_NAME_STOP = frozenset('()"[]=!<>')
_VALUE_STOP = frozenset('()"')
_WORD_END = re.compile(r"[\s(\"\[]")


class Scanner:
    """Walks ``source`` left to right; ``pos`` is the index of the next unread character."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.pos = 0

    def fail(self, detail: str, expected: str, *, at: int | None = None, text: str | None = None) -> errors.PolicyError:
        where = self.pos if at is None else at
        found = text if text is not None else self.source[where : where + 20]
        return errors.PolicyError(
            f"{detail}, found {found!r}" if found else f"{detail}, found the end",
            source=self.source, position=where, text=found, expected=expected,
        )

    def skip_space(self) -> None:
        while self.pos < len(self.source) and self.source[self.pos].isspace():
            self.pos += 1

    def at_end(self) -> bool:
        self.skip_space()
        return self.pos >= len(self.source)

    def peek(self) -> str:
        self.skip_space()
        return self.source[self.pos] if self.pos < len(self.source) else ""

    def take(self, text: str) -> None:
        self.skip_space()
        self.pos += len(text)

    def _logical_at(self, i: int) -> bool:
        return self.source.startswith(("&&", "||"), i)

    def name(self) -> tuple[str, int]:
        """A property name: anything up to space, an operator character, a paren, a quote or && / ||."""
        self.skip_space()
        start = i = self.pos
        while i < len(self.source):
            ch = self.source[i]
            if ch.isspace() or ch in _NAME_STOP or self._logical_at(i):
                break
            i += 1
        if i == start:
            raise self.fail("expected a property name", "a property name")
        self.pos = i
        return self.source[start:i], start

    def operator(self) -> str | None:
        """One of == = != < > <= >= in (and the OH-tolerated => =<), normalised; ``None`` if absent."""
        self.skip_space()
        for op in _OPERATORS:
            if self.source.startswith(op, self.pos):
                self.pos += len(op)
                return _ALIASES.get(op, op)
        word = self.source[self.pos : self.pos + 2]
        if word.lower() == "in" and _WORD_END.match(self.source, self.pos + 2):
            self.pos += 2
            return "in"
        return None

    def value(self) -> tuple[str, bool, int]:
        """The value after an operator: ``(text, quoted, start)``; ranges keep their brackets."""
        self.skip_space()
        start = self.pos
        if start >= len(self.source):
            raise self.fail("expected a value", "a value (quote it if it has spaces)")
        ch = self.source[start]
        if ch == '"':
            return self._quoted(start), True, start
        if ch in "[(":
            return self._range(start), False, start
        i = start
        while i < len(self.source):
            c = self.source[i]
            if c.isspace() or c in _VALUE_STOP or self._logical_at(i):
                break
            i += 1
        if i == start:
            raise self.fail("expected a value", "a value (quote it if it has spaces)")
        self.pos = i
        return self.source[start:i], False, start

    def _quoted(self, start: int) -> str:
        out: list[str] = []
        i = start + 1
        while i < len(self.source):
            c = self.source[i]
            if c == "\\" and i + 1 < len(self.source) and self.source[i + 1] in '"\\':
                out.append(self.source[i + 1])
                i += 2
                continue
            if c == '"':
                self.pos = i + 1
                return "".join(out)
            out.append(c)
            i += 1
        raise self.fail("unterminated quoted value", 'a closing "', at=start)

    def _range(self, start: int) -> str:
        i = start + 1
        while i < len(self.source) and self.source[i] not in "])":
            i += 1
        if i >= len(self.source):
            raise self.fail("unterminated version range", "']' or ')' closing the range", at=start)
        self.pos = i + 1
        return self.source[start : i + 1]

    def connective(self) -> str | None:
        """``"and"`` / ``"or"`` for AND && OR || (any case), ``None`` if none is here."""
        self.skip_space()
        if self.source.startswith("&&", self.pos):
            self.pos += 2
            return "and"
        if self.source.startswith("||", self.pos):
            self.pos += 2
            return "or"
        for word in ("and", "or"):
            end = self.pos + len(word)
            if self.source[self.pos : end].lower() == word and (
                end >= len(self.source) or self.source[end].isspace() or self.source[end] in '("'
            ):
                self.pos = end
                return word
        return None
