"""Delivery state of each model version on this node: pending, downloading, verified, active, failed.

A row keeps the version's manifest (a ``DesiredModel``) so the agent can finish, serve or remove a
version even after it left the desired state. Every change is mirrored into ``status`` for the hub.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from edgeplane.agent.state import db as statedb
from edgeplane.agent.state import status
from edgeplane.schemas.desired import DesiredModel, ObjectState


@dataclass(frozen=True)
class VersionRow:
    model: DesiredModel
    state: ObjectState
    reason: str
    temporary: bool
    bytes_done: int
    bytes_total: int


def _row(r: sqlite3.Row) -> VersionRow:
    return VersionRow(model=DesiredModel.model_validate_json(r["manifest"]), state=r["state"],
                      reason=r["reason"], temporary=bool(r["temporary"]), bytes_done=r["bytes_done"],
                      bytes_total=r["bytes_total"])


def ensure(db: statedb.StateDb, model: DesiredModel) -> VersionRow:
    """The version's row, created ``pending`` the first time it is desired."""
    total = sum(f.size for f in model.files)
    with db.tx() as c:
        c.execute("INSERT OR IGNORE INTO versions (key, org, name, version, manifest, state, bytes_total) "
                  "VALUES (?, ?, ?, ?, ?, 'pending', ?)",
                  (model.key, model.org, model.name, model.version, model.model_dump_json(), total))
    found = get(db, model.key)
    assert found is not None
    return found


def get(db: statedb.StateDb, key: str) -> VersionRow | None:
    rows = db.query("SELECT * FROM versions WHERE key = ?", (key,))
    return _row(rows[0]) if rows else None


def all_rows(db: statedb.StateDb) -> list[VersionRow]:
    return [_row(r) for r in db.query("SELECT * FROM versions ORDER BY key")]


def set_state(db: statedb.StateDb, key: str, state: ObjectState, *, reason: str = "",
              temporary: bool = False, bytes_done: int | None = None) -> None:
    with db.tx() as c:
        if bytes_done is None:
            c.execute("UPDATE versions SET state = ?, reason = ?, temporary = ? WHERE key = ?",
                      (state, reason, int(temporary), key))
        else:
            c.execute("UPDATE versions SET state = ?, reason = ?, temporary = ?, bytes_done = ? "
                      "WHERE key = ?", (state, reason, int(temporary), bytes_done, key))
    shown = None if state in ("active", "removed", "pending") else bytes_done
    status.put(db, "model", key, state, reason, shown)


def delete(db: statedb.StateDb, key: str) -> None:
    with db.tx() as c:
        c.execute("DELETE FROM versions WHERE key = ?", (key,))
    status.put(db, "model", key, "removed")
