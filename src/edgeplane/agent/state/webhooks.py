"""Webhooks workloads registered through ESS ``PUT /objects/{type}``, kept across agent restarts."""

from __future__ import annotations

from edgeplane.agent.state import db as statedb


def register(db: statedb.StateDb, workload: str, object_type: str, url: str) -> None:
    with db.tx() as c:
        c.execute("INSERT OR IGNORE INTO webhooks (workload, object_type, url) VALUES (?, ?, ?)",
                  (workload, object_type, url))


def unregister(db: statedb.StateDb, workload: str, object_type: str, url: str) -> None:
    with db.tx() as c:
        c.execute("DELETE FROM webhooks WHERE workload = ? AND object_type = ? AND url = ?",
                  (workload, object_type, url))


def urls(db: statedb.StateDb, workload: str, object_type: str) -> list[str]:
    rows = db.query("SELECT url FROM webhooks WHERE workload = ? AND object_type = ? ORDER BY url",
                    (workload, object_type))
    return [str(r["url"]) for r in rows]


def drop_workload(db: statedb.StateDb, workload: str) -> None:
    with db.tx() as c:
        c.execute("DELETE FROM webhooks WHERE workload = ?", (workload,))
