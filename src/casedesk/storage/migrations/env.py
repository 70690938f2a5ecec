"""Alembic environment: always runs on a connection handed in by casedesk (already keyed)."""

from __future__ import annotations

from alembic import context

from casedesk.storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - migrations only ever run through casedesk
    raise RuntimeError("casedesk migrations run on an open vault connection, not from the CLI")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite needs move-and-copy for most ALTERs
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
