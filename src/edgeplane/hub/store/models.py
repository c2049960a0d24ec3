"""Model registry rows: models, immutable versions and their file manifests.

A version is created ``pending`` with its manifest; it becomes ``ready`` (visible) only through
:func:`commit`, which the API calls after checking that every blob is stored and verified.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from edgeplane._kit.clock import utcnow
from edgeplane.hub.store import errors
from edgeplane.hub.store.tables import FileRow, ModelRow, OrgRow, VersionRow
from edgeplane.schemas import models as wire


def get(session: Session, org: OrgRow, name: str) -> ModelRow:
    row = find(session, org, name)
    if row is None:
        raise errors.ModelNotFound(
            f"model {name!r} does not exist in org {org.name!r}",
            field="model",
            hint="create it first, or check the name with `edgeplane model list`",
        )
    return row


def find(session: Session, org: OrgRow, name: str) -> ModelRow | None:
    return session.scalar(select(ModelRow).where(ModelRow.org_id == org.id, ModelRow.name == name))


def create(session: Session, org: OrgRow, body: wire.ModelCreate) -> ModelRow:
    if find(session, org, body.name) is not None:
        raise errors.AlreadyExists(f"model {body.name!r} already exists", field="name")
    row = ModelRow(org_id=org.id, name=body.name, description=body.description, created_at=utcnow())
    session.add(row)
    session.flush()
    return row


def list_models(session: Session, org: OrgRow) -> list[ModelRow]:
    return list(session.scalars(select(ModelRow).where(ModelRow.org_id == org.id).order_by(ModelRow.name)))


def delete_model(session: Session, model: ModelRow) -> list[str]:
    """Delete a model and all its versions; returns the digests that may now be unreferenced."""
    digests = list(session.scalars(select(FileRow.sha256).join(VersionRow).where(VersionRow.model_id == model.id)))
    session.delete(model)
    session.flush()
    return digests


def ready_versions(session: Session, model: ModelRow) -> list[str]:
    q = select(VersionRow.version).where(VersionRow.model_id == model.id, VersionRow.state == "ready")
    return list(session.scalars(q.order_by(VersionRow.created_at)))


def list_versions(session: Session, model: ModelRow, *, include_pending: bool = False) -> list[VersionRow]:
    q = select(VersionRow).where(VersionRow.model_id == model.id)
    if not include_pending:
        q = q.where(VersionRow.state == "ready")
    return list(session.scalars(q.order_by(VersionRow.created_at, VersionRow.id)))


def find_version(session: Session, model: ModelRow, version: str) -> VersionRow | None:
    q = select(VersionRow).where(VersionRow.model_id == model.id, VersionRow.version == version)
    return session.scalar(q)


def get_version(session: Session, model: ModelRow, version: str, *, include_pending: bool = False) -> VersionRow:
    row = find_version(session, model, version)
    if row is None or (row.state != "ready" and not include_pending):
        raise errors.VersionNotFound(
            f"version {version!r} of model {model.name!r} does not exist",
            field="version",
            hint="list versions with `edgeplane model show NAME`",
        )
    return row


def files(session: Session, version: VersionRow) -> list[FileRow]:
    return list(session.scalars(select(FileRow).where(FileRow.version_id == version.id).order_by(FileRow.path)))


def file_entries(session: Session, version: VersionRow) -> list[wire.FileEntry]:
    """The version's manifest in wire form, ordered by path."""
    return [wire.FileEntry(path=f.path, size=f.size, sha256=f.sha256) for f in files(session, version)]


def _same_manifest(session: Session, row: VersionRow, body: wire.VersionCreate) -> bool:
    have = {(f.path, f.size, f.sha256) for f in files(session, row)}
    want = {(f.path, f.size, f.sha256) for f in body.files}
    return have == want and row.framework == body.framework


def create_version(session: Session, model: ModelRow, body: wire.VersionCreate) -> tuple[VersionRow, bool]:
    """Create a pending version; returns (row, created). Re-sending the identical manifest of a pending
    version resumes it (idempotent); anything else on an existing version is a conflict."""
    existing = find_version(session, model, body.version)
    if existing is not None:
        if existing.state == "pending" and _same_manifest(session, existing, body):
            return existing, False
        raise errors.VersionExists(
            f"version {body.version!r} of model {model.name!r} already exists ({existing.state})",
            field="version",
            hint="versions are immutable: push under a new version",
        )
    row = VersionRow(
        model_id=model.id,
        version=body.version,
        framework=body.framework,
        task=body.task,
        labels=dict(body.labels),
        metrics=dict(body.metrics),
        state="pending",
        size=sum(f.size for f in body.files),
        created_at=utcnow(),
        committed_at=None,
    )
    session.add(row)
    session.flush()
    session.add_all(FileRow(version_id=row.id, path=f.path, size=f.size, sha256=f.sha256) for f in body.files)
    session.flush()
    return row, True


def commit(session: Session, version: VersionRow) -> None:
    version.state = "ready"
    version.committed_at = utcnow()
    session.flush()


def delete_version(session: Session, version: VersionRow) -> list[str]:
    digests = [f.sha256 for f in files(session, version)]
    session.execute(delete(FileRow).where(FileRow.version_id == version.id))
    session.delete(version)
    session.flush()
    return digests


def expected_size(session: Session, org: OrgRow, digest: str) -> int | None:
    """Size of ``digest`` as some version manifest of ``org`` declares it; None if the org has none."""
    q = (
        select(FileRow.size)
        .join(VersionRow, FileRow.version_id == VersionRow.id)
        .join(ModelRow, VersionRow.model_id == ModelRow.id)
        .where(ModelRow.org_id == org.id, FileRow.sha256 == digest)
        .limit(1)
    )
    return session.scalar(q)


def referenced(session: Session, digest: str) -> bool:
    n = session.scalar(select(func.count()).select_from(FileRow).where(FileRow.sha256 == digest))
    return bool(n)


def to_wire(session: Session, org: OrgRow, model: ModelRow, row: VersionRow) -> wire.ModelVersion:
    return wire.ModelVersion(
        org=org.name,
        model=model.name,
        version=row.version,
        framework=row.framework,
        task=row.task,
        labels=row.labels,
        metrics=row.metrics,
        state=row.state,
        files=file_entries(session, row),
        size=row.size,
        created_at=row.created_at,
        committed_at=row.committed_at,
    )


def model_to_wire(session: Session, org: OrgRow, row: ModelRow) -> wire.Model:
    return wire.Model(
        org=org.name,
        name=row.name,
        description=row.description,
        created_at=row.created_at,
        versions=ready_versions(session, row),
    )
