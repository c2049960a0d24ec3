"""Deployment policies, model policies and endpoints, stored as validated documents by kind."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from edgeplane._kit.clock import utcnow
from edgeplane._kit.errors import NotFound
from edgeplane.hub.store.tables import OrgRow, PolicyRow
from edgeplane.schemas import policies as wire

Kind = Literal["deployment", "model", "endpoint"]
AnyPolicy = wire.DeploymentPolicy | wire.ModelPolicy | wire.Endpoint
TYPES: dict[str, type[AnyPolicy]] = {
    "deployment": wire.DeploymentPolicy,
    "model": wire.ModelPolicy,
    "endpoint": wire.Endpoint,
}


def kind_of(p: BaseModel) -> Kind:
    if isinstance(p, wire.DeploymentPolicy):
        return "deployment"
    if isinstance(p, wire.ModelPolicy):
        return "model"
    return "endpoint"


def find(session: Session, org: OrgRow, kind: str, name: str) -> PolicyRow | None:
    q = select(PolicyRow).where(PolicyRow.org_id == org.id, PolicyRow.kind == kind, PolicyRow.name == name)
    return session.scalar(q)


def get(session: Session, org: OrgRow, kind: str, name: str) -> PolicyRow:
    row = find(session, org, kind, name)
    if row is None:
        raise NotFound(
            f"{kind} policy {name!r} does not exist in org {org.name!r}",
            field="name",
            hint="list them with `edgeplane policy list`",
        )
    return row


def put(session: Session, org: OrgRow, policy: AnyPolicy) -> tuple[PolicyRow, bool]:
    """Create or replace; returns (row, created)."""
    kind, now = kind_of(policy), utcnow()
    doc = policy.model_dump(mode="json", exclude_none=True)
    row = find(session, org, kind, policy.name)
    if row is None:
        row = PolicyRow(org_id=org.id, kind=kind, name=policy.name, doc=doc, created_at=now, updated_at=now)
        session.add(row)
        session.flush()
        return row, True
    row.doc, row.updated_at = doc, now
    session.flush()
    return row, False


def delete(session: Session, row: PolicyRow) -> None:
    session.delete(row)
    session.flush()


def list_all(session: Session, org: OrgRow | None = None, kind: str | None = None) -> list[PolicyRow]:
    q = select(PolicyRow)
    if org is not None:
        q = q.where(PolicyRow.org_id == org.id)
    if kind is not None:
        q = q.where(PolicyRow.kind == kind)
    return list(session.scalars(q.order_by(PolicyRow.kind, PolicyRow.name)))


def to_wire(row: PolicyRow) -> AnyPolicy:
    return TYPES[row.kind].model_validate(row.doc)
