"""Counts per table, for `casedesk stats` and diagnostics."""

from __future__ import annotations

from sqlalchemy import func, select

from casedesk.storage.engine import Database
from casedesk.storage.models import Base, Synced


def table_counts(db: Database) -> dict[str, int]:
    """Rows per table (live rows only for synced tables; tombstones are counted separately)."""
    counts: dict[str, int] = {}
    with db.read() as session:
        for mapper in Base.registry.mappers:
            model = mapper.class_
            table = model.__table__
            query = select(func.count()).select_from(table)
            if issubclass(model, Synced):
                query = query.where(table.c.deleted_at.is_(None))
            counts[table.name] = int(session.scalar(query) or 0)
    return dict(sorted(counts.items()))
