"""The one exception the policy language raises: :class:`PolicyError`.

Every parse or validation failure (constraint syntax, an operator that does not fit its value, a property
whose value does not fit its type, a malformed label selector) is a ``PolicyError`` carrying where it
happened (``position`` in ``source``), the offending ``text`` and what was ``expected``. Callers (hub API,
CLI) map it like any other :class:`edgeplane._kit.errors.InvalidInput`: HTTP 422, exit code 2.
"""

from __future__ import annotations

from typing import ClassVar

from edgeplane._kit.errors import InvalidInput


class PolicyError(InvalidInput):
    """A constraint, property or selector that cannot be understood."""

    code: ClassVar[str] = "invalid-constraint"

    def __init__(
        self,
        detail: str,
        *,
        source: str = "",
        position: int = 0,
        text: str = "",
        expected: str = "",
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        message = detail
        if source:
            message = f"{detail} at position {position} in {source!r}"
        if expected:
            message = f"{message}; expected {expected}"
        super().__init__(message, field=field, hint=hint or _hint(expected))
        self.source = source
        self.position = position
        self.text = text
        self.expected = expected

    def at_field(self, field: str) -> PolicyError:
        """The same error, naming the document ``field`` it came from (e.g. ``constraints[2]``)."""
        self.field = field
        return self


def _hint(expected: str) -> str | None:
    if not expected:
        return None
    return f"write {expected} here; see docs/policy.md for the constraint language"
