"""The hub's SQL schema (SQLAlchemy 2 declarative). Only ``hub.store`` imports this."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Dialect, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class OrgRow(Base):
    __tablename__ = "orgs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(63), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]


class UserRow(Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("org_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(63))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]


class TokenRow(Base):
    """API tokens (kind ``api``), node credentials (``node``) and registration tokens (``registration``).
    Only a sha256 of the secret is stored."""

    __tablename__ = "tokens"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    secret_hash: Mapped[str] = mapped_column(String(64))
    role: Mapped[str | None] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    node_id: Mapped[str | None] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text, default="")
    uses_left: Mapped[int | None] = mapped_column(Integer)
    expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class ModelRow(Base):
    __tablename__ = "models"
    __table_args__ = (UniqueConstraint("org_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(63))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]


class VersionRow(Base):
    __tablename__ = "model_versions"
    __table_args__ = (UniqueConstraint("model_id", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"))
    version: Mapped[str] = mapped_column(String(63))
    framework: Mapped[str] = mapped_column(String(32))
    task: Mapped[str] = mapped_column(String(128), default="")
    labels: Mapped[dict[str, Any]]
    metrics: Mapped[dict[str, Any]]
    state: Mapped[str] = mapped_column(String(16))
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    committed_at: Mapped[datetime | None]


class FileRow(Base):
    __tablename__ = "version_files"
    __table_args__ = (Index("ix_version_files_sha256", "sha256"),)
    version_id: Mapped[int] = mapped_column(ForeignKey("model_versions.id", ondelete="CASCADE"), primary_key=True)
    path: Mapped[str] = mapped_column(String(1024), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))


class NodeRow(Base):
    __tablename__ = "nodes"
    __table_args__ = (UniqueConstraint("org_id", "name"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(63))
    kind: Mapped[str] = mapped_column(String(16))
    policy: Mapped[dict[str, Any]]
    builtin: Mapped[list[Any]]
    agent_version: Mapped[str] = mapped_column(String(64), default="")
    registered_at: Mapped[datetime]
    last_seen: Mapped[datetime | None]


class WorkloadRow(Base):
    """One immutable workload version; ``doc`` is the WorkloadCreate body."""

    __tablename__ = "workloads"
    __table_args__ = (UniqueConstraint("org_id", "name", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(63))
    version: Mapped[str] = mapped_column(String(63))
    kind: Mapped[str] = mapped_column(String(16))
    doc: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


class PolicyRow(Base):
    """Deployment policies, model policies and endpoints (``kind``); ``doc`` is the validated body."""

    __tablename__ = "policies"
    __table_args__ = (UniqueConstraint("org_id", "kind", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(63))
    doc: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class DesiredRow(Base):
    """A node's desired state. ``generation`` grows whenever ``content_hash`` changes; ``seq`` is the
    placement epoch that last wrote it (replicas poll ``seq`` to wake long-polls)."""

    __tablename__ = "desired_states"
    node_id: Mapped[str] = mapped_column(ForeignKey("nodes.id", ondelete="CASCADE"), primary_key=True)
    generation: Mapped[int] = mapped_column(BigInteger)
    content_hash: Mapped[str] = mapped_column(String(64))
    doc: Mapped[dict[str, Any]]
    seq: Mapped[int] = mapped_column(BigInteger, index=True)
    updated_at: Mapped[datetime]


class StatusRow(Base):
    """The latest state a node reported for one object (kind, key)."""

    __tablename__ = "node_status"
    node_id: Mapped[str] = mapped_column(ForeignKey("nodes.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(512), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(Text, default="")
    bytes_done: Mapped[int | None] = mapped_column(BigInteger)
    metrics: Mapped[dict[str, Any]]
    generation: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime]


class CounterRow(Base):
    """Named monotonic counters; ``placement`` is the epoch every placement-relevant write bumps."""

    __tablename__ = "counters"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)
