"""Storage operations the sync engine needs: rows as JSON payloads and back, outbox groups.

Remote changes are applied with ``session.info[SYNC_APPLY] = True`` so the change-tracking hook
does not echo them back into the outbox.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Date, delete, exists, func, inspect, select
from sqlalchemy.orm import Session

from casedesk.storage.models import SYNCED_TABLES, LocalMeta, OutboxOp, Synced, SyncRowMeta
from casedesk.storage.outbox import REMOTE_MARK, SYNC_APPLY, to_json_value
from casedesk.storage.types import UtcDateTime

BLOB = "blob"
ABSENT = "casedesk.sync.absent"  # session.info: keys preload() found missing (skip the SELECT)
PENDING = "casedesk.sync.pending"  # session.info: (table, row id) with pending outbox ops
LOADED = "casedesk.sync.loaded"  # session.info: (table, row id) keys preload() looked at
KEEP = "casedesk.sync.keep"  # session.info: strong references to preloaded objects
ROWS_LOADED = "casedesk.sync.rows_loaded"  # session.info: keys whose rows preload() loaded
NEW_METAS = "casedesk.sync.new_metas"  # session.info: metas row_meta() added, by key
_CHUNK = 400


def _get(session: Session, model: type[Any], ident: Any) -> Any:
    """``session.get`` that trusts :func:`preload`: a key it found missing costs no query."""
    absent: set[Any] | None = session.info.get(ABSENT)
    if absent is not None and (model, ident) in absent:
        return None
    return session.get(model, ident)


def _present(session: Session, model: type[Any], ident: Any) -> None:
    absent: set[Any] | None = session.info.get(ABSENT)
    if absent is not None:
        absent.discard((model, ident))


def preload(session: Session, keys: Iterable[tuple[str, str]], *, rows: bool = True) -> None:
    """Load the sync metadata, pending-op flags and (optionally) rows of many rows at once.

    Applying a pulled page or recording a push answer touches each row several times; one
    ``SELECT ... WHERE id IN (...)`` per table and chunk fills the identity map, and what was
    not found is remembered so later lookups cost nothing. Rows created afterwards are taken
    off the missing list by the functions that create them. ``rows=False`` loads only the
    metadata and pending flags (recording push answers needs no row); a later call with
    ``rows=True`` adds the rows.
    """
    keys = list(keys)
    metas_todo = _not_yet(session, LOADED, keys)
    rows_todo = _not_yet(session, ROWS_LOADED, keys) if rows else {}
    absent: set[Any] = session.info.setdefault(ABSENT, set())
    pending: set[tuple[str, str]] = session.info.setdefault(PENDING, set())
    keep: list[Any] = session.info.setdefault(KEEP, [])  # the identity map is weak
    for table, ids in metas_todo.items():
        for chunk in _chunks(ids):
            _preload_metas(session, table, chunk, absent, pending, keep)
    for table, ids in rows_todo.items():
        model = SYNCED_TABLES.get(table)
        if model is None:  # a table from a newer device: nothing to preload
            continue
        for chunk in _chunks(ids):
            found = list(session.scalars(select(model).where(model.id.in_(chunk))))
            keep.extend(found)
            have = {row.id for row in found}
            absent.update((model, i) for i in chunk if i not in have)


def _not_yet(session: Session, marker: str, keys: list[tuple[str, str]]) -> dict[str, list[str]]:
    done: set[tuple[str, str]] = session.info.setdefault(marker, set())
    todo: dict[str, list[str]] = {}
    for key in keys:
        if key not in done:
            done.add(key)
            todo.setdefault(key[0], []).append(key[1])
    return todo


def _chunks(ids: list[str]) -> Iterable[list[str]]:
    return (ids[start : start + _CHUNK] for start in range(0, len(ids), _CHUNK))


def _preload_metas(
    session: Session,
    table: str,
    chunk: list[str],
    absent: set[Any],
    pending: set[tuple[str, str]],
    keep: list[Any],
) -> None:
    metas = list(
        session.scalars(
            select(SyncRowMeta).where(
                SyncRowMeta.table_name == table, SyncRowMeta.row_id.in_(chunk)
            )
        )
    )
    keep.extend(metas)
    found_meta = {m.row_id for m in metas}
    absent.update((SyncRowMeta, (table, i)) for i in chunk if i not in found_meta)
    waiting = session.scalars(
        select(OutboxOp.row_id).where(
            OutboxOp.table_name == table, OutboxOp.row_id.in_(chunk), OutboxOp.state == "pending"
        )
    )
    pending.update((table, i) for i in waiting)


def forget_preload(session: Session) -> None:
    """Drop what :func:`preload` remembered (before reusing the session for other work)."""
    for key in (ABSENT, PENDING, LOADED, ROWS_LOADED, KEEP, NEW_METAS):
        session.info.pop(key, None)


def model_for(table: str) -> type[Synced]:
    """The synced model class for a table name.

    Raises:
        KeyError: not a synced table.
    """
    return SYNCED_TABLES[table]


@cache
def blob_columns(model: type[Synced]) -> list[str]:
    """Columns synced as separate encrypted blobs, not inside the row payload."""
    return [a.key for a in inspect(model).column_attrs if a.columns[0].info.get("sync") == BLOB]


@cache
def _payload_columns(model: type[Synced]) -> list[str]:
    return [
        a.key
        for a in inspect(model).column_attrs
        if a.columns[0].info.get("sync") != BLOB and a.key not in ("row_version", "hlc")
    ]


@cache
def _converters(model: type[Synced]) -> dict[str, Any]:
    """Per column, the parser for its JSON form (only dates and datetimes need one)."""
    out: dict[str, Any] = {}
    for column in inspect(model).columns:
        if isinstance(column.type, UtcDateTime):
            out[column.key] = datetime.fromisoformat
        elif isinstance(column.type, Date):
            out[column.key] = date.fromisoformat
    return out


def row_payload(session: Session, table: str, row_id: str) -> dict[str, Any] | None:
    """The row's synced values as JSON-safe data (None when the row does not exist)."""
    model = model_for(table)
    row = _get(session, model, row_id)
    if row is None:
        return None
    return {name: to_json_value(getattr(row, name)) for name in _payload_columns(model)}


def row_payloads(
    session: Session, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], dict[str, Any]]:
    """``row_payload`` for many rows, read with plain column SELECTs (no ORM objects).

    Building a push for thousands of rows spends most of its time creating ORM instances it
    only reads from; a column SELECT per table and chunk gives the same values.
    """
    by_table: dict[str, list[str]] = {}
    for table, row_id in keys:
        by_table.setdefault(table, []).append(row_id)
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for table, ids in by_table.items():
        model = model_for(table)
        names = _payload_columns(model)
        columns = [model.__table__.c[inspect(model).attrs[n].columns[0].key] for n in names]
        for chunk in _chunks(ids):
            query = select(*columns).where(model.__table__.c.id.in_(chunk))
            for row in session.execute(query):
                values = {
                    name: to_json_value(value) for name, value in zip(names, row, strict=True)
                }
                out[(table, values["id"])] = values
    return out


def blob_value(session: Session, table: str, row_id: str, column: str) -> bytes | None:
    """Raw bytes of a blob column."""
    row = _get(session, model_for(table), row_id)
    return None if row is None else getattr(row, column)


def _from_json(model: type[Synced], name: str, value: Any) -> Any:
    if value is None:
        return None
    convert = _converters(model).get(name)
    return value if convert is None else convert(value)


def value_from_json(table: str, name: str, value: Any) -> Any:
    """A JSON payload value converted to what the column holds (dates, datetimes)."""
    return _from_json(model_for(table), name, value)


def apply_payload(
    session: Session,
    table: str,
    row_id: str,
    values: dict[str, Any],
    *,
    stamp: str,
    blobs: dict[str, bytes] | None = None,
) -> None:
    """Insert or update a row from remote values, without writing outbox rows.

    Args:
        session: a unit of work flagged with ``SYNC_APPLY``.
        table: synced table.
        row_id: row id.
        values: JSON values by column (unknown columns are ignored: a newer device may send more).
        stamp: the HLC to record as the row's last change.
        blobs: decrypted blob columns, if any.
    """
    assert session.info.get(SYNC_APPLY), "remote changes must be applied in sync-apply mode"
    model = model_for(table)
    columns = set(_payload_columns(model))
    row = _get(session, model, row_id)
    if row is None:
        row = model(id=row_id)
        session.add(row)
        _present(session, model, row_id)
    for name, value in values.items():
        if name in columns and name != "id":
            setattr(row, name, _from_json(model, name, value))
    for name, data in (blobs or {}).items():
        setattr(row, name, data)
    row.hlc = max(row.hlc or "", stamp)
    row.row_version = (row.row_version or 0) + 1
    row.__dict__[REMOTE_MARK] = True  # written from remote: the outbox hook must not echo it


# ----------------------------------------------------------------------------- outbox


@dataclass
class PendingRow:
    """All pending outbox operations for one row, coalesced into one push."""

    table: str
    row_id: str
    seqs: list[int] = field(default_factory=list)
    op_id: str = ""
    inserted: bool = False
    changed: set[str] = field(default_factory=set)
    hlc_by_field: dict[str, str] = field(default_factory=dict)
    last_hlc: str = ""


def pending_rows(session: Session, limit: int = 2000) -> list[PendingRow]:
    """Pending outbox operations grouped by row, in the order rows were first changed."""
    ops = session.scalars(
        select(OutboxOp).where(OutboxOp.state == "pending").order_by(OutboxOp.seq).limit(limit)
    )
    groups: dict[tuple[str, str], PendingRow] = {}
    for op in ops:
        group = groups.setdefault((op.table_name, op.row_id), PendingRow(op.table_name, op.row_id))
        group.seqs.append(op.seq)
        group.op_id = op.op_id  # the newest op names the push: stable across retries
        group.last_hlc = max(group.last_hlc, op.hlc)
        if op.kind == "insert" or op.fields is None:
            group.inserted = True
            continue
        for name in op.fields:
            group.changed.add(name)
            group.hlc_by_field[name] = max(group.hlc_by_field.get(name, ""), op.hlc)
    return list(groups.values())


PENDING_COUNT_CAP = 100_000


def pending_count(session: Session, cap: int = PENDING_COUNT_CAP) -> int:
    """How many local changes wait to be pushed (counting stops at ``cap``).

    Runs on every status refresh, so it reads at most ``cap`` index entries and nothing else;
    a freshly generated 5,000-client vault has over 600,000 waiting changes.
    """
    waiting = select(OutboxOp.seq).where(OutboxOp.state == "pending").limit(cap).subquery()
    return int(session.scalar(select(func.count()).select_from(waiting)) or 0)


def has_pending(session: Session) -> bool:
    """Whether any local change waits to be pushed."""
    return bool(session.scalar(select(exists().where(OutboxOp.state == "pending"))))


def pending_fields(session: Session, table: str, row_id: str) -> tuple[set[str], dict[str, str]]:
    """Fields changed locally and not yet accepted by the hub, with their newest HLCs.

    An unpushed insert counts as every field changed.
    """
    changed: set[str] = set()
    hlcs: dict[str, str] = {}
    loaded: set[tuple[str, str]] = session.info.get(LOADED, set())
    if (table, row_id) in loaded and (table, row_id) not in session.info.get(PENDING, set()):
        return changed, hlcs
    ops = session.scalars(
        select(OutboxOp).where(
            OutboxOp.table_name == table, OutboxOp.row_id == row_id, OutboxOp.state == "pending"
        )
    )
    for op in ops:
        names: Iterable[str] = op.fields or _payload_columns(model_for(table))
        for name in names:
            changed.add(name)
            hlcs[name] = max(hlcs.get(name, ""), op.hlc)
    return changed, hlcs


def acknowledge(session: Session, seqs: list[int]) -> None:
    """Remove outbox operations the hub has accepted."""
    if seqs:
        session.execute(delete(OutboxOp).where(OutboxOp.seq.in_(seqs)))


def discard_pending(session: Session, table: str, row_id: str) -> None:
    """Drop a row's pending outbox operations (the hub already holds exactly this record)."""
    session.execute(
        delete(OutboxOp).where(
            OutboxOp.table_name == table, OutboxOp.row_id == row_id, OutboxOp.state == "pending"
        )
    )


def reject(session: Session, seqs: list[int], reason: str) -> None:
    """Mark operations the hub refused for good (kept for the worker to see)."""
    for op in session.scalars(select(OutboxOp).where(OutboxOp.seq.in_(seqs))):
        op.state = "rejected"
        op.error = reason


def enqueue_full_row(session: Session, table: str, row_id: str, stamp: str) -> None:
    """Queue a whole row for pushing again (after a hub restore lost it)."""
    session.add(OutboxOp(table_name=table, row_id=row_id, kind="insert", fields=None, hlc=stamp))
    known: set[tuple[str, str]] | None = session.info.get(PENDING)
    if known is not None:
        known.add((table, row_id))


def enqueue_fields(
    session: Session, table: str, row_id: str, values: dict[str, Any], stamps: dict[str, str]
) -> None:
    """Queue changed fields for pushing, each under the HLC of the edit it carries.

    For edits this device passes on from elsewhere (an offline bundle): they keep the time
    and device they were made on, so an older copy of the same edit arriving later is seen
    for what it is (``domain.merge``), and the hub gets the edit's own HLC.

    Args:
        session: the unit of work that wrote the values (in sync-apply mode).
        table: synced table.
        row_id: row id.
        values: JSON values by column.
        stamps: HLC per column (every column of ``values``).
    """
    by_stamp: dict[str, dict[str, Any]] = {}
    for name, value in values.items():
        by_stamp.setdefault(stamps[name], {})[name] = value
    for stamp, fields in sorted(by_stamp.items()):
        deleting = fields.get("deleted_at") is not None
        session.add(
            OutboxOp(
                table_name=table,
                row_id=row_id,
                kind="delete" if deleting else "update",
                fields=fields,
                hlc=stamp,
            )
        )
    known: set[tuple[str, str]] | None = session.info.get(PENDING)
    if known is not None:
        known.add((table, row_id))


# ----------------------------------------------------------------------------- metadata


def row_meta(session: Session, table: str, row_id: str) -> SyncRowMeta:
    """The row's sync metadata (a fresh, unsaved one when the hub never saw the row)."""
    meta = find_meta(session, table, row_id)
    if meta is None:
        meta = SyncRowMeta(table_name=table, row_id=row_id, hub_version=0, field_hlc={})
        session.add(meta)
        _present(session, SyncRowMeta, (table, row_id))
        session.info.setdefault(NEW_METAS, {})[(table, row_id)] = meta
    return meta


def find_meta(session: Session, table: str, row_id: str) -> SyncRowMeta | None:
    """The row's sync metadata, or None (no row is created).

    A meta added in this unit of work and not flushed yet is found too: ``session.get``
    does not see pending objects, and recording push answers runs without autoflush, so
    asking twice for a row new to this device made two metas and the flush failed.
    """
    key = (table, row_id)
    added: SyncRowMeta | None = session.info.get(NEW_METAS, {}).get(key)
    if added is not None and added in session:  # not undone by a rolled-back savepoint
        return added
    meta: SyncRowMeta | None = _get(session, SyncRowMeta, key)
    return meta


def get_setting(session: Session, key: str) -> str | None:
    """A device-local sync setting."""
    meta = session.get(LocalMeta, key)
    return None if meta is None else meta.value


def set_setting(session: Session, key: str, value: str | None) -> None:
    """Store or clear a device-local sync setting."""
    meta = session.get(LocalMeta, key)
    if value is None:
        if meta is not None:
            session.delete(meta)
    elif meta is None:
        session.add(LocalMeta(key=key, value=value))
    else:
        meta.value = value


def live_row_count(session: Session) -> int:
    """Live rows across synced tables (for the mass-deletion fail-safe)."""
    total = 0
    for model in SYNCED_TABLES.values():
        table = model.__table__
        query = select(func.count()).select_from(table).where(table.c.deleted_at.is_(None))
        total += int(session.scalar(query) or 0)
    return total


def is_live(session: Session, table: str, row_id: str) -> bool:
    """Whether a row exists here and is not a tombstone."""
    row = _get(session, model_for(table), row_id)
    return row is not None and row.deleted_at is None


def all_row_versions(session: Session, table: str) -> list[tuple[str, int]]:
    """(row id, hub version) for every row of a table this device has synced."""
    rows = session.execute(
        select(SyncRowMeta.row_id, SyncRowMeta.hub_version).where(SyncRowMeta.table_name == table)
    )
    return [(r.row_id, r.hub_version) for r in rows]


def local_row_ids(session: Session, table: str) -> list[str]:
    """Every row id of a synced table held here (tombstones included)."""
    model = model_for(table)
    return list(session.scalars(select(model.id)))
