"""The last desired-state document the agent accepted, kept so a restart (or days offline) resumes it."""

from __future__ import annotations

from edgeplane.agent.state import db as statedb
from edgeplane.schemas.desired import DesiredState


def save(db: statedb.StateDb, desired: DesiredState) -> None:
    with db.tx() as c:
        c.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('desired', ?)",
                  (desired.model_dump_json(),))


def load(db: statedb.StateDb) -> DesiredState | None:
    rows = db.query("SELECT value FROM meta WHERE key = 'desired'")
    return DesiredState.model_validate_json(rows[0]["value"]) if rows else None


def generation(db: statedb.StateDb) -> int:
    """Generation of the last desired state saved; -1 when none (ask the hub for anything)."""
    current = load(db)
    return -1 if current is None else current.generation
