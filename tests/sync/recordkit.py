"""A record of any synced table, made on a device the way its own code would store it.

The chaos scenario "two devices each record X before their first exchange" runs for every
table in ``SYNCED_TABLES``, so a table added later is covered without touching the tests.
Rows are built from the model itself: every required column gets a fixed value of its type
(the same on every device, so rows that share an id also share their content), and every
required foreign key gets a parent row built the same way, on the same device. Two kinds of
row are made through the services instead, because that is where their identity comes from:

* built-in reference data (``REFERENCE_PARENTS``): an assessment points at the built-in
  domain set each device registers on its own;
* rows whose natural key is chosen by the service (``SERVICE_RECIPES``): a user's copy of a
  domain set gets the key the worker typed, so two devices can both make ``chaos-set`` v1.

Preferences use their key as the id (``NATURAL_IDS``), so both devices write the same row.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Integer, LargeBinary, select
from sqlalchemy.orm import Session

from casedesk.storage.models import SYNCED_TABLES, Synced
from casedesk.storage.types import EnumText, UtcDateTime

BOOKKEEPING = {"id", "row_version", "created_at", "updated_at", "deleted_at", "hlc"}
NATURAL_IDS = {"preference": "chaos.preference"}
FIXED_DATE = date(2026, 3, 2)
FIXED_TIME = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def _builtin_set(device: Any) -> str:
    return str(device.services.domain_sets.default_set().id)


def _user_set(device: Any) -> str:
    sets = device.services.domain_sets
    return str(sets.copy_set(sets.default_set().id, "chaos-set", "Chaos set").id)


REFERENCE_PARENTS: dict[str, Callable[[Any], str]] = {"domain_set": _builtin_set}
SERVICE_RECIPES: dict[str, Callable[[Any], str]] = {"domain_set": _user_set}


def record_of(device: Any, table: str) -> str:
    """Store one record of ``table`` (and the parents it needs) on ``device``; its id."""
    recipe = SERVICE_RECIPES.get(table)
    if recipe is not None:
        return recipe(device)
    references = {name: make(device) for name, make in REFERENCE_PARENTS.items()}
    with device.db.session() as session:
        return _build(session, SYNCED_TABLES[table], references)


def _build(session: Session, model: type[Synced], references: dict[str, str]) -> str:
    values: dict[str, Any] = {}
    for column in model.__table__.columns:
        if column.key in BOOKKEEPING:
            continue
        parents = [fk.column.table.name for fk in column.foreign_keys]
        if parents:
            if not column.nullable:
                values[column.key] = references.get(parents[0]) or _build(
                    session, SYNCED_TABLES[parents[0]], references
                )
            continue
        if column.nullable or column.default is not None:
            continue
        values[column.key] = _value_for(model.__tablename__, column)
    row = model(**values)
    if model.__tablename__ in NATURAL_IDS:
        row.id = NATURAL_IDS[model.__tablename__]
    session.add(row)
    session.flush()
    return row.id


def _value_for(table: str, column: Any) -> Any:
    kind = column.type
    if isinstance(kind, EnumText):
        return next(iter(kind.enum_cls))
    if isinstance(kind, UtcDateTime):
        return FIXED_TIME
    if isinstance(kind, Date):
        return FIXED_DATE
    if isinstance(kind, Boolean):
        return False
    if isinstance(kind, Integer):
        return 1
    if isinstance(kind, LargeBinary):
        return f"{table} bytes".encode()
    if isinstance(kind, JSON):
        return {"chaos": table}
    return f"{table} {column.key}"


def live_ids(device: Any, table: str) -> set[str]:
    """Ids of the table's live rows on a device."""
    model = SYNCED_TABLES[table]
    with device.db.read() as session:
        return set(session.scalars(select(model.id).where(model.deleted_at.is_(None))))
