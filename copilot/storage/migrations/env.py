"""Alembic environment: migrates the connection ``Database.migrate`` passes in (never reads a URL)."""

from __future__ import annotations

from alembic import context

from copilot.storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # `alembic` run by hand: Verity migrates through `verity db upgrade`
    raise SystemExit("run migrations with `verity db upgrade`")

# render_as_batch: SQLite alters a table by copying it, which batch mode does for us
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
