"""Who is calling: bearer tokens resolved to an org-scoped principal with a role (or a node)."""

from __future__ import annotations

import asyncio
import hashlib
import time
from dataclasses import dataclass

from fastapi import Depends
from starlette.requests import Request

from edgeplane._kit.errors import Forbidden, Unauthorized
from edgeplane.hub import deps
from edgeplane.hub.store import tokens
from edgeplane.hub.store.tables import OrgRow, UserRow
from edgeplane.schemas.auth import ROLE_RANK


@dataclass(frozen=True)
class Principal:
    org: str
    org_id: int
    kind: str  # "api" | "node"
    role: str | None
    user: str | None
    node_id: str | None
    token_id: str

    def require(self, org: str, role: str) -> None:
        """Raise 403 unless this principal acts in ``org`` with at least ``role``."""
        self.require_org(org)
        if self.kind != "api" or ROLE_RANK[self.role or "viewer"] < ROLE_RANK[role]:
            raise Forbidden(
                f"this needs the {role} role in org {org!r}; the token has {self.role or 'a node credential'}",
                field="Authorization",
                hint=f"use a token created with `edgeplane token create --role {role}`",
            )

    def require_org(self, org: str) -> None:
        if org != self.org:
            raise Forbidden(
                f"the token belongs to org {self.org!r}, not {org!r}",
                field="org",
                hint="use a token of that org, or check the org in the URL",
            )

    def require_node_or(self, org: str, node_id: str, role: str) -> None:
        """The node itself, or a user with at least ``role`` in ``org``."""
        if self.kind == "node":
            self.require_node(org, node_id)
        else:
            self.require(org, role)

    def require_node(self, org: str, node_id: str) -> None:
        self.require_org(org)
        if self.kind != "node" or self.node_id != node_id:
            raise Forbidden(
                "only the node itself may do this",
                field="Authorization",
                hint="call with the node's credential",
            )


def bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthorized(
            "missing bearer token",
            field="Authorization",
            hint="send 'Authorization: Bearer <token>' (set EDGEPLANE_TOKEN for the CLI)",
        )
    return value.strip()


class TokenCache:
    """Resolved tokens, kept ``ttl`` seconds, keyed by a hash of the secret: the agents' hot paths then
    authenticate without a database round-trip. Revocations in this process clear it at once."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._entries: dict[str, tuple[Principal, float]] = {}

    def get(self, secret: str) -> Principal | None:
        hit = self._entries.get(_key(secret))
        if hit is None or hit[1] < time.monotonic():
            return None
        return hit[0]

    def put(self, secret: str, who: Principal) -> None:
        if self.ttl > 0:
            if len(self._entries) > 200_000:
                self._entries.clear()
            self._entries[_key(secret)] = (who, time.monotonic() + self.ttl)

    def clear(self) -> None:
        self._entries.clear()


def _key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def principal(request: Request, hub: deps.Hub = Depends(deps.hub)) -> Principal:
    """FastAPI dependency: authenticate the caller (cached; see :class:`TokenCache`)."""
    secret = bearer(request)
    who = hub.tokens.get(secret)
    if who is None:
        who = await asyncio.to_thread(_resolve, hub, secret)
        hub.tokens.put(secret, who)
    return who


def _resolve(hub: deps.Hub, secret: str) -> Principal:
    with hub.db.begin() as s:
        row = tokens.resolve(s, secret)
        if row is None or row.kind == "registration":
            raise Unauthorized(
                "unknown, revoked or expired token",
                field="Authorization",
                hint="create a new token with `edgeplane token create`",
            )
        org = s.get(OrgRow, row.org_id)
        user = s.get(UserRow, row.user_id) if row.user_id is not None else None
        assert org is not None
        return Principal(
            org=org.name,
            org_id=org.id,
            kind=row.kind,
            role=row.role,
            user=user.name if user else None,
            node_id=row.node_id,
            token_id=row.id,
        )
