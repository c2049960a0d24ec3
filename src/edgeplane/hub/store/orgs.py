"""Orgs and users."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from edgeplane._kit.clock import utcnow
from edgeplane.hub.store import errors
from edgeplane.hub.store.tables import OrgRow, UserRow
from edgeplane.schemas import auth


def get(session: Session, name: str) -> OrgRow:
    row = find(session, name)
    if row is None:
        raise errors.OrgNotFound(f"org {name!r} does not exist", field="org", hint="list orgs with GET /api/v1/orgs")
    return row


def find(session: Session, name: str) -> OrgRow | None:
    return session.scalar(select(OrgRow).where(OrgRow.name == name))


def create(session: Session, body: auth.OrgCreate) -> OrgRow:
    if find(session, body.name) is not None:
        raise errors.AlreadyExists(f"org {body.name!r} already exists", field="name")
    row = OrgRow(name=body.name, description=body.description, created_at=utcnow())
    session.add(row)
    session.flush()
    return row


def list_all(session: Session) -> list[OrgRow]:
    return list(session.scalars(select(OrgRow).order_by(OrgRow.name)))


def to_wire(row: OrgRow) -> auth.Org:
    return auth.Org(name=row.name, description=row.description, created_at=row.created_at)


def create_user(session: Session, org: OrgRow, body: auth.UserCreate) -> UserRow:
    if find_user(session, org, body.name) is not None:
        raise errors.AlreadyExists(f"user {body.name!r} already exists in org {org.name!r}", field="name")
    row = UserRow(org_id=org.id, name=body.name, role=body.role, created_at=utcnow())
    session.add(row)
    session.flush()
    return row


def find_user(session: Session, org: OrgRow, name: str) -> UserRow | None:
    return session.scalar(select(UserRow).where(UserRow.org_id == org.id, UserRow.name == name))


def list_users(session: Session, org: OrgRow) -> list[UserRow]:
    return list(session.scalars(select(UserRow).where(UserRow.org_id == org.id).order_by(UserRow.name)))


def user_to_wire(row: UserRow, org: OrgRow) -> auth.User:
    return auth.User(name=row.name, org=org.name, role=row.role, created_at=row.created_at)
