"""Client errors: the hub's JSON error bodies become typed exceptions carrying code, field and hint."""

from __future__ import annotations

from typing import Any

import httpx

from edgeplane._kit.errors import Error


class ClientError(Error):
    code = "client-error"


class HubError(ClientError):
    """The hub answered with an error. ``code`` is the hub's stable error code."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        detail = str(body.get("detail") or body.get("error") or f"HTTP {status}")
        super().__init__(detail, field=body.get("field"), hint=body.get("hint"))
        self.http_status = status
        self.error_code = str(body.get("error", "http-error"))
        self.body = body
        if self.error_code in ("invalid-input", "malformed-body"):
            self.exit_code = 2  # the caller's input was wrong: a usage error

    @property
    def received(self) -> int | None:
        """For upload-offset-mismatch: where the hub wants the upload to resume (parsed from the hint)."""
        hint = self.hint or ""
        tail = hint.rsplit(" ", 1)[-1]
        return int(tail) if tail.isdigit() else None


class HubUnreachable(ClientError):
    code = "hub-unreachable"
    status = 503

    def __init__(self, url: str, cause: Exception) -> None:
        super().__init__(
            f"cannot reach the hub at {url}: {type(cause).__name__}: {cause}",
            hint="check EDGEPLANE_HUB and that the hub is running (`edgeplane hub serve`)",
        )


class VerifyFailed(ClientError):
    code = "digest-mismatch"

    def __init__(self, path: str, want: str, got: str) -> None:
        super().__init__(
            f"{path}: sha256 is {got}, expected {want}",
            field="sha256",
            hint="the download was corrupted; run the command again to fetch it anew",
        )


def raise_for(response: httpx.Response) -> None:
    if response.is_success:
        return
    try:
        body = response.json()
        if not isinstance(body, dict):
            body = {"detail": str(body)}
    except ValueError:
        body = {"error": "http-error", "detail": f"HTTP {response.status_code}: {response.text[:200]}"}
    raise HubError(response.status_code, body)
