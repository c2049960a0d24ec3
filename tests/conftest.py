"""Shared fixtures: every test gets its own temp dir and its own database (SQLite or PostgreSQL)."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

PG_ENV = "EDGEPLANE_TEST_POSTGRES_URL"
PG_DEFAULT = "postgresql://edgeplane:edgeplane@127.0.0.1:5432/edgeplane"


def _pg_admin_url() -> str:
    return os.environ.get(PG_ENV, PG_DEFAULT)


def _pg_reachable(url: str) -> str | None:
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=2):
            return None
    except Exception as e:  # any failure means: no server for these tests
        return f"{type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}"


@pytest.fixture(scope="session")
def pg_server() -> str:
    url = _pg_admin_url()
    why = _pg_reachable(url)
    if why is not None and os.environ.get("EDGEPLANE_REQUIRE_POSTGRES"):
        pytest.fail(f"EDGEPLANE_REQUIRE_POSTGRES is set but PostgreSQL is not reachable at {url}: {why}")
    if why is not None:
        pytest.skip(f"PostgreSQL not reachable at {url} ({why}); set {PG_ENV} or run .ci/run to test on PostgreSQL")
    return url


@pytest.fixture
def pg_database(pg_server: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    import psycopg

    name = f"ept_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = pg_server.rpartition("/")
    yield f"{base}/{name}"
    _drop_database(psycopg, pg_server, name)


def _drop_database(psycopg: Any, server: str, name: str) -> None:
    """Drop a test database, riding out the autovacuum worker that may briefly hold it.

    ``WITH (FORCE)`` must terminate every backend on the database, and a non-superuser may not terminate an
    autovacuum worker (``InsufficientPrivilege``); a plain DROP fails while any backend remains
    (``ObjectInUse``). Both are transient: retry for a few seconds, then let the last error surface.
    """
    transient = (psycopg.errors.InsufficientPrivilege, psycopg.errors.ObjectInUse)
    deadline = time.monotonic() + 5
    while True:
        try:
            with psycopg.connect(server, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except transient:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """Run the test on SQLite and again on PostgreSQL ('' means the embedded SQLite default)."""
    if request.param == "sqlite":
        return ""
    return str(request.getfixturevalue("pg_database"))
