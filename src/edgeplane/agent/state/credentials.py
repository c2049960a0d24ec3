"""Per-workload ESS credentials: ``id`` is ``<org>/<workload>``, ``token`` 64 hex characters."""

from __future__ import annotations

import hmac
import secrets

from edgeplane.agent.state import db as statedb


def ensure(db: statedb.StateDb, workload: str, version: str) -> str:
    """The workload's token, created on first use; kept across restarts and version updates."""
    with db.tx() as c:
        row = c.execute("SELECT token FROM credentials WHERE workload = ?", (workload,)).fetchone()
        if row is not None:
            c.execute("UPDATE credentials SET version = ? WHERE workload = ?", (version, workload))
            return str(row["token"])
        token = secrets.token_hex(32)
        c.execute("INSERT INTO credentials (workload, token, version) VALUES (?, ?, ?)",
                  (workload, token, version))
        return token


def check(db: statedb.StateDb, workload: str, token: str) -> bool:
    """True when ``token`` is the workload's token (constant-time compare)."""
    rows = db.query("SELECT token FROM credentials WHERE workload = ?", (workload,))
    if not rows:
        hmac.compare_digest(token, "0" * 64)  # same work either way
        return False
    return hmac.compare_digest(token.encode(), str(rows[0]["token"]).encode())


def remove(db: statedb.StateDb, workload: str) -> None:
    with db.tx() as c:
        c.execute("DELETE FROM credentials WHERE workload = ?", (workload,))


def workloads(db: statedb.StateDb) -> set[str]:
    return {str(r["workload"]) for r in db.query("SELECT workload FROM credentials")}


def version(db: statedb.StateDb, workload: str) -> str:
    rows = db.query("SELECT version FROM credentials WHERE workload = ?", (workload,))
    return str(rows[0]["version"]) if rows else ""
