"""The ESS objects each workload sees, with that workload's own ack state.

One row per (workload, objectType, objectID): the model version it currently serves, whether it was
undeployed (``deleted``, kept until the workload acks ``deleted``), and the workload's last ack for this
version ('' | received | consumed). A new version or a deletion resets the ack, so the object shows up
again in the workload's list. Acks are per row: one workload's ack never touches another's.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Literal

from edgeplane._kit import clock
from edgeplane.agent.state import db as statedb

Ack = Literal["received", "consumed", "deleted"]
ObjectRef = tuple[str, str]
"""(objectType, objectID)"""


@dataclass(frozen=True)
class Route:
    workload: str
    object_type: str
    object_id: str
    model_key: str
    version: str
    deleted: bool
    ack: str
    instance: int
    changed_at: str


def _route(r: sqlite3.Row) -> Route:
    return Route(workload=r["workload"], object_type=r["object_type"], object_id=r["object_id"],
                 model_key=r["model_key"], version=r["version"], deleted=bool(r["deleted"]), ack=r["ack"],
                 instance=r["instance"], changed_at=r["changed_at"])


def for_workload(db: statedb.StateDb, workload: str) -> dict[ObjectRef, Route]:
    rows = db.query("SELECT * FROM routes WHERE workload = ?", (workload,))
    return {(r["object_type"], r["object_id"]): _route(r) for r in rows}


def sync(db: statedb.StateDb, workload: str, served: dict[ObjectRef, tuple[str, str]]) -> set[str]:
    """Make the workload's rows match ``served`` ((type, id) -> (model key, version)).

    Rows for objects no longer served become ``deleted`` tombstones. Returns the object types that
    changed, for webhooks.
    """
    changed: set[str] = set()
    now = clock.utcnow().isoformat()
    with db.tx() as c:
        current = {(r["object_type"], r["object_id"]): _route(r)
                   for r in c.execute("SELECT * FROM routes WHERE workload = ?", (workload,))}
        for (otype, oid), (key, version) in served.items():
            old = current.get((otype, oid))
            if old is not None and not old.deleted and old.model_key == key:
                continue
            c.execute("INSERT OR REPLACE INTO routes (workload, object_type, object_id, model_key, version,"
                      " deleted, ack, instance, changed_at) VALUES (?, ?, ?, ?, ?, 0, '', ?, ?)",
                      (workload, otype, oid, key, version, _next_instance(c), now))
            changed.add(otype)
        for (otype, oid), old in current.items():
            if (otype, oid) not in served and not old.deleted:
                c.execute("UPDATE routes SET deleted = 1, ack = '', instance = ?, changed_at = ? "
                          "WHERE workload = ? AND object_type = ? AND object_id = ?",
                          (_next_instance(c), now, workload, otype, oid))
                changed.add(otype)
    return changed


def _next_instance(c: sqlite3.Connection) -> int:
    row = c.execute("SELECT value FROM meta WHERE key = 'route_instance'").fetchone()
    value = (int(row["value"]) if row else 0) + 1
    c.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('route_instance', ?)", (str(value),))
    return value


def drop_workload(db: statedb.StateDb, workload: str) -> None:
    """Forget every object of a workload that no longer runs here (nobody is left to ack)."""
    with db.tx() as c:
        c.execute("DELETE FROM routes WHERE workload = ?", (workload,))


def listing(db: statedb.StateDb, workload: str, object_type: str, *, include_received: bool) -> list[Route]:
    """Objects of ``object_type`` the workload has not acknowledged yet (OH ``GET /objects/{type}``)."""
    shown = "received" if include_received else ""  # '' (not acked) is always shown
    rows = db.query("SELECT * FROM routes WHERE workload = ? AND object_type = ? AND ack IN ('', ?) "
                    "ORDER BY object_id", (workload, object_type, shown))
    return [_route(r) for r in rows]


def get(db: statedb.StateDb, workload: str, object_type: str, object_id: str) -> Route | None:
    rows = db.query("SELECT * FROM routes WHERE workload = ? AND object_type = ? AND object_id = ?",
                    (workload, object_type, object_id))
    return _route(rows[0]) if rows else None


def ack(db: statedb.StateDb, workload: str, object_type: str, object_id: str, what: Ack) -> Route | None:
    """Record the workload's ack; a ``deleted`` ack removes the tombstone. None when there is no such
    object for this workload. Raises ValueError when the ack does not fit (``deleted`` on a live object,
    ``received``/``consumed`` on a deleted one)."""
    route = get(db, workload, object_type, object_id)
    if route is None:
        return None
    if (what == "deleted") != route.deleted:
        raise ValueError(f"object is {'deleted' if route.deleted else 'not deleted'}")
    with db.tx() as c:
        if what == "deleted":
            c.execute("DELETE FROM routes WHERE workload = ? AND object_type = ? AND object_id = ?",
                      (workload, object_type, object_id))
        else:
            c.execute("UPDATE routes SET ack = ? WHERE workload = ? AND object_type = ? AND object_id = ?",
                      (what, workload, object_type, object_id))
    return route


def referenced_keys(db: statedb.StateDb) -> set[str]:
    """Model version keys some workload can still see (live or awaiting its ``deleted`` ack)."""
    return {str(r["model_key"]) for r in db.query("SELECT DISTINCT model_key FROM routes")}


def workloads(db: statedb.StateDb) -> set[str]:
    return {str(r["workload"]) for r in db.query("SELECT DISTINCT workload FROM routes")}
