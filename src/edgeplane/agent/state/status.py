"""Status deltas for the hub: the latest entry per (kind, key), each change numbered by a sequence.

The sync loop calls :func:`pending` to get what changed since the last report it delivered, sends it,
then :func:`mark_reported` with the sequence it got. A crash between the two re-sends, never loses.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping

from edgeplane.agent.state import db as statedb
from edgeplane.schemas.desired import ObjectState, StatusEntry


def put(db: statedb.StateDb, kind: str, key: str, state: ObjectState, detail: str = "",
        bytes_done: int | None = None, metrics: Mapping[str, float] | None = None) -> None:
    """Record the state of one object; a no-op when nothing changed (so no delta is produced)."""
    numbers = json.dumps(dict(sorted((metrics or {}).items())), separators=(",", ":"))
    with db.tx() as c:
        row = c.execute("SELECT state, detail, bytes_done, metrics FROM status WHERE kind = ? AND key = ?",
                        (kind, key)).fetchone()
        if row is not None and tuple(row) == (state, detail[:2048], bytes_done, numbers):
            return
        seq = _next_seq(c)
        c.execute("INSERT OR REPLACE INTO status (kind, key, state, detail, bytes_done, seq, metrics) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?)", (kind, key, state, detail[:2048], bytes_done, seq, numbers))


def states(db: statedb.StateDb, kind: str) -> dict[str, str]:
    """The last recorded state of every object of ``kind``, by key."""
    return {r["key"]: r["state"] for r in db.query("SELECT key, state FROM status WHERE kind = ?", (kind,))}


def _next_seq(c: sqlite3.Connection) -> int:
    row = c.execute("SELECT value FROM meta WHERE key = 'status_seq'").fetchone()
    seq = (int(row["value"]) if row else 0) + 1
    c.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('status_seq', ?)", (str(seq),))
    return seq


def pending(db: statedb.StateDb, limit: int = 500) -> tuple[list[StatusEntry], int]:
    """Entries changed since the last delivered report, and the sequence to pass to mark_reported."""
    done = reported(db)
    rows = db.query("SELECT * FROM status WHERE seq > ? ORDER BY seq LIMIT ?", (done, limit))
    entries = [StatusEntry(kind=r["kind"], key=r["key"], state=r["state"], detail=r["detail"],
                           bytes_done=r["bytes_done"], metrics=json.loads(r["metrics"])) for r in rows]
    return entries, (rows[-1]["seq"] if rows else done)


def reported(db: statedb.StateDb) -> int:
    rows = db.query("SELECT value FROM meta WHERE key = 'status_reported'")
    return int(rows[0]["value"]) if rows else 0


def mark_reported(db: statedb.StateDb, seq: int) -> None:
    with db.tx() as c:
        c.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('status_reported', ?)", (str(seq),))


def forget(db: statedb.StateDb, kind: str, key: str) -> None:
    """Drop an entry after it was reported ``removed``; the hub keeps the last state it saw."""
    with db.tx() as c:
        c.execute("DELETE FROM status WHERE kind = ? AND key = ?", (kind, key))
