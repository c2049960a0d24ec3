"""Open the agent database: WAL, full fsync, one connection guarded by a lock.

The agent is one process with one event loop; every statement is short, so a single connection (used
from the loop and, rarely, from worker threads) is simpler and faster than a pool.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS versions (
    key TEXT PRIMARY KEY, org TEXT NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL,
    manifest TEXT NOT NULL, state TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '',
    temporary INTEGER NOT NULL DEFAULT 0, bytes_done INTEGER NOT NULL DEFAULT 0,
    bytes_total INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS routes (
    workload TEXT NOT NULL, object_type TEXT NOT NULL, object_id TEXT NOT NULL,
    model_key TEXT NOT NULL, version TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
    ack TEXT NOT NULL DEFAULT '', instance INTEGER NOT NULL, changed_at TEXT NOT NULL,
    PRIMARY KEY (workload, object_type, object_id));
CREATE TABLE IF NOT EXISTS credentials (
    workload TEXT PRIMARY KEY, token TEXT NOT NULL, version TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS webhooks (
    workload TEXT NOT NULL, object_type TEXT NOT NULL, url TEXT NOT NULL,
    PRIMARY KEY (workload, object_type, url));
CREATE TABLE IF NOT EXISTS status (
    kind TEXT NOT NULL, key TEXT NOT NULL, state TEXT NOT NULL, detail TEXT NOT NULL,
    bytes_done INTEGER, seq INTEGER NOT NULL, metrics TEXT NOT NULL DEFAULT '{}', PRIMARY KEY (kind, key));
"""
# Columns added after a release: (table, column, definition), added to databases made before them.
ADDED = [("status", "metrics", "TEXT NOT NULL DEFAULT '{}'")]


class StateDb:
    """The agent's SQLite database. ``with db.tx() as c:`` runs statements in one transaction."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute("PRAGMA busy_timeout=5000")
        self._conn.executescript(SCHEMA)
        for table, column, definition in ADDED:
            if column not in {r["name"] for r in self._conn.execute(f"PRAGMA table_info({table})")}:
                self._conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")
        path.chmod(0o600)

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def query(self, sql: str, params: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def close(self) -> None:
        with self._lock:
            self._conn.close()
