"""Node status: the latest entry per (node, kind, key), written from the agents' deltas."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from edgeplane._kit.clock import utcnow
from edgeplane.hub.store.tables import StatusRow
from edgeplane.schemas import desired as wire


def apply(session: Session, node_id: str, report: wire.StatusReport) -> None:
    now = utcnow()
    for e in report.entries:
        row = session.get(StatusRow, (node_id, e.kind, e.key))
        if row is None:
            row = StatusRow(node_id=node_id, kind=e.kind, key=e.key, metrics={})
            session.add(row)
        row.state, row.detail, row.bytes_done = e.state, e.detail, e.bytes_done
        row.metrics, row.generation, row.updated_at = dict(e.metrics), report.generation, now
    session.flush()


def for_node(session: Session, node_id: str) -> list[StatusRow]:
    q = select(StatusRow).where(StatusRow.node_id == node_id).order_by(StatusRow.kind, StatusRow.key)
    return list(session.scalars(q))


def states_of(session: Session, kind: str, key: str, node_ids: list[str]) -> dict[str, int]:
    """How many of ``node_ids`` report each state for (kind, key)."""
    if not node_ids:
        return {}
    q = (
        select(StatusRow.state, func.count())
        .where(StatusRow.kind == kind, StatusRow.key == key, StatusRow.node_id.in_(node_ids))
        .group_by(StatusRow.state)
    )
    return {state: n for state, n in session.execute(q)}


def to_wire(row: StatusRow) -> wire.StatusEntry:
    return wire.StatusEntry(
        kind=row.kind, key=row.key, state=row.state, detail=row.detail, bytes_done=row.bytes_done, metrics=row.metrics
    )
