"""Engine, sessions and migrations. SQLite (WAL) by default, PostgreSQL by URL; the same code serves both."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from edgeplane.hub.settings import HubSettings

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass(frozen=True)
class Database:
    engine: Engine
    sessions: sessionmaker[Session]

    @contextmanager
    def begin(self) -> Iterator[Session]:
        """A session in a transaction: committed on success, rolled back on error."""
        with self.sessions.begin() as session:
            yield session

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"


def connect(settings: HubSettings) -> Database:
    url = settings.database_url()
    kwargs: dict[str, Any] = {"echo": settings.store.echo, "future": True}
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        kwargs.update(pool_size=settings.store.pool_size, max_overflow=settings.store.pool_size, pool_pre_ping=True)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return Database(engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def migrate(db: Database) -> None:
    """Bring the schema to the newest revision. Concurrent hub starts on PostgreSQL serialise on an
    advisory lock so two replicas never run the same migration at once."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(84807480)"))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
