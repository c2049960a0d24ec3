"""Persisted desired state per node, the placement epoch, and what a node may download."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from edgeplane._kit.clock import utcnow
from edgeplane.hub.store.tables import CounterRow, DesiredRow
from edgeplane.schemas import desired as wire

EPOCH = "placement"


def epoch(session: Session) -> int:
    row = session.get(CounterRow, EPOCH)
    return row.value if row is not None else 0


def bump_epoch(session: Session) -> int:
    """Increment the placement epoch (row-locked on PostgreSQL, so concurrent writers serialise)."""
    row = session.get(CounterRow, EPOCH, with_for_update=True)
    if row is None:
        row = CounterRow(name=EPOCH, value=0)
        session.add(row)
    row.value += 1
    session.flush()
    return row.value


def lock_epoch(session: Session) -> int:
    """Take the placement write lock for this transaction and return the current epoch."""
    row = session.get(CounterRow, EPOCH, with_for_update=True)
    if row is None:
        return 0
    if session.bind is not None and session.bind.dialect.name == "sqlite":
        session.execute(update(CounterRow).where(CounterRow.name == EPOCH).values(value=row.value))
    return row.value


def get(session: Session, node_id: str) -> DesiredRow | None:
    return session.get(DesiredRow, node_id)


def rows_for(session: Session, node_ids: list[str]) -> dict[str, DesiredRow]:
    """The desired rows of many nodes, in as few queries as the IN-list limit allows."""
    out: dict[str, DesiredRow] = {}
    for i in range(0, len(node_ids), 500):
        chunk = node_ids[i : i + 500]
        out.update((r.node_id, r) for r in session.scalars(select(DesiredRow).where(DesiredRow.node_id.in_(chunk))))
    return out


def save(
    session: Session, doc: wire.DesiredState, content_hash: str, seq: int, row: DesiredRow | None = None
) -> dict[str, Any]:
    """Store ``doc`` for its node (``row``: its current row, if the caller already loaded it); the
    generation grows only when the content changed. Returns the stored document."""
    row = row if row is not None else session.get(DesiredRow, doc.node_id)
    now = utcnow()
    if row is None:
        row = DesiredRow(node_id=doc.node_id, generation=1, content_hash=content_hash, doc={}, seq=seq, updated_at=now)
        session.add(row)
    elif row.content_hash == content_hash:
        return row.doc
    else:
        row.generation += 1
    stamped = doc.model_copy(update={"generation": row.generation, "computed_at": now})
    row.doc, row.content_hash, row.seq, row.updated_at = stamped.model_dump(mode="json"), content_hash, seq, now
    return row.doc


def changed_since(session: Session, seq: int) -> list[tuple[str, int, int]]:
    """(node id, seq, generation) of every desired row written after epoch ``seq``."""
    q = select(DesiredRow.node_id, DesiredRow.seq, DesiredRow.generation).where(DesiredRow.seq > seq)
    return [(n, s, g) for n, s, g in session.execute(q)]


def to_wire(row: DesiredRow) -> wire.DesiredState:
    return wire.DesiredState.model_validate(row.doc)


def nodes_wanting(session: Session, key_of: str) -> list[str]:
    """Node ids whose desired doc mentions model ``org/name@version`` (a scan; fine for status views)."""
    out = []
    for node_id, doc in session.execute(select(DesiredRow.node_id, DesiredRow.doc)):
        state = wire.DesiredState.model_validate(doc)
        keys = {m.key for w in state.workloads for m in w.models} | {m.key for e in state.endpoints for m in e.versions}
        if key_of in keys:
            out.append(node_id)
    return out
