"""Alembic environment: runs on the connection the hub hands over (see ``db.migrate``)."""

from __future__ import annotations

from alembic import context

from edgeplane.hub.store.tables import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only used by `alembic revision --autogenerate` by hand
    from sqlalchemy import create_engine

    connection = create_engine(context.config.get_main_option("sqlalchemy.url") or "sqlite://").connect()

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
