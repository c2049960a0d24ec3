"""Workload versions (immutable once published)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from edgeplane._kit.clock import utcnow
from edgeplane._kit.errors import NotFound
from edgeplane.hub.store import errors
from edgeplane.hub.store.tables import OrgRow, WorkloadRow
from edgeplane.schemas import workloads as wire


def create(session: Session, org: OrgRow, body: wire.WorkloadCreate) -> WorkloadRow:
    if find(session, org, body.name, body.version) is not None:
        raise errors.VersionExists(
            f"workload {body.name} version {body.version} already exists",
            field="version",
            hint="workload versions are immutable: publish a new version",
        )
    row = WorkloadRow(
        org_id=org.id,
        name=body.name,
        version=body.version,
        kind=body.kind,
        doc=body.model_dump(mode="json"),
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def find(session: Session, org: OrgRow, name: str, version: str) -> WorkloadRow | None:
    q = select(WorkloadRow).where(
        WorkloadRow.org_id == org.id, WorkloadRow.name == name, WorkloadRow.version == version
    )
    return session.scalar(q)


def get(session: Session, org: OrgRow, name: str, version: str) -> WorkloadRow:
    row = find(session, org, name, version)
    if row is None:
        raise NotFound(
            f"workload {name} version {version} does not exist",
            field="version",
            hint="list versions with `edgeplane workload list`",
        )
    return row


def versions(session: Session, org: OrgRow, name: str) -> list[WorkloadRow]:
    q = select(WorkloadRow).where(WorkloadRow.org_id == org.id, WorkloadRow.name == name)
    return list(session.scalars(q.order_by(WorkloadRow.created_at, WorkloadRow.id)))


def list_all(session: Session, org: OrgRow | None = None) -> list[WorkloadRow]:
    q = select(WorkloadRow)
    if org is not None:
        q = q.where(WorkloadRow.org_id == org.id)
    return list(session.scalars(q.order_by(WorkloadRow.name, WorkloadRow.created_at)))


def to_wire(row: WorkloadRow, org_name: str) -> wire.Workload:
    return wire.Workload.model_validate({**row.doc, "org": org_name, "created_at": row.created_at})
