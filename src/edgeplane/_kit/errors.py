"""The root of every error edgeplane raises on purpose.

Each boundary (policy, store, artifacts, client, cli, hub API) has its own subtree. An error carries a
stable kebab-case ``code``, the HTTP ``status`` the hub API answers with, the CLI ``exit_code``, and
optionally the offending ``field`` and a ``hint`` that tells the user what to do next.
"""

from __future__ import annotations

from typing import Any, ClassVar


class Error(Exception):
    """Root of all edgeplane errors."""

    code: ClassVar[str] = "error"
    status: ClassVar[int] = 500
    exit_code: int = 1

    def __init__(self, detail: str, *, field: str | None = None, hint: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.hint = hint

    def to_dict(self) -> dict[str, Any]:
        """The JSON error body every edgeplane HTTP surface answers with."""
        body: dict[str, Any] = {"error": self.code, "detail": self.detail}
        if self.field is not None:
            body["field"] = self.field
        if self.hint is not None:
            body["hint"] = self.hint
        return body

    def __str__(self) -> str:
        where = f" ({self.field})" if self.field else ""
        return f"{self.detail}{where}"


class InvalidInput(Error):
    """Input that fails validation at a boundary."""

    code = "invalid-input"
    status = 422
    exit_code = 2


class NotFound(Error):
    code = "not-found"
    status = 404


class Conflict(Error):
    code = "conflict"
    status = 409


class Unauthorized(Error):
    code = "unauthorized"
    status = 401


class Forbidden(Error):
    code = "forbidden"
    status = 403


class Unavailable(Error):
    """A dependency (database, hub, disk) cannot serve now; retrying later may succeed."""

    code = "unavailable"
    status = 503
