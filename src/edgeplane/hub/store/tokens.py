"""Secrets: API tokens, node credentials and registration tokens. Only sha256(secret) is stored.

A token reads ``ep<kind letter>_<id>_<secret>``: the id finds the row, the secret is compared in
constant time against the stored hash. Secrets are 256 random bits, so a plain sha256 is enough.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from edgeplane._kit.clock import utcnow
from edgeplane.hub.store.tables import TokenRow

KIND_PREFIX = {"api": "epa", "node": "epn", "registration": "epr"}


@dataclass(frozen=True)
class Issued:
    row: TokenRow
    secret: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(
    session: Session,
    *,
    org_id: int,
    kind: str,
    role: str | None = None,
    user_id: int | None = None,
    node_id: str | None = None,
    description: str = "",
    uses_left: int | None = None,
    expires_at: datetime | None = None,
) -> Issued:
    token_id = secrets.token_hex(8)
    secret = secrets.token_hex(32)
    row = TokenRow(
        id=token_id,
        org_id=org_id,
        kind=kind,
        secret_hash=_hash(secret),
        role=role,
        user_id=user_id,
        node_id=node_id,
        description=description,
        uses_left=uses_left,
        expires_at=expires_at,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return Issued(row=row, secret=f"{KIND_PREFIX[kind]}_{token_id}_{secret}")


def resolve(session: Session, presented: str) -> TokenRow | None:
    """The live token row for a presented secret, or None (unknown, wrong secret, expired)."""
    parts = presented.split("_")
    if len(parts) != 3 or parts[0] not in KIND_PREFIX.values():
        return None
    row = session.get(TokenRow, parts[1])
    if row is None or KIND_PREFIX.get(row.kind) != parts[0]:
        return None
    if not hmac.compare_digest(row.secret_hash, _hash(parts[2])):
        return None
    if row.expires_at is not None and row.expires_at < utcnow():
        return None
    return row


def list_for_org(session: Session, org_id: int, kind: str = "api") -> list[TokenRow]:
    q = select(TokenRow).where(TokenRow.org_id == org_id, TokenRow.kind == kind).order_by(TokenRow.created_at)
    return list(session.scalars(q))


def revoke(session: Session, org_id: int, token_id: str) -> bool:
    result = session.execute(delete(TokenRow).where(TokenRow.org_id == org_id, TokenRow.id == token_id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def revoke_node(session: Session, node_id: str) -> None:
    session.execute(delete(TokenRow).where(TokenRow.node_id == node_id))
