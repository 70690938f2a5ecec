"""Change tracking for sync: row versions, HLC stamps, tombstones and the outbox.

A ``before_flush`` hook sees every change a unit of work makes to a synced table and, in the same
flush (so the same transaction), bumps the row version, stamps the HLC and writes an outbox row.
A failure anywhere rolls back the change and its outbox row together. Hard deletes of synced rows
are refused (deletes are tombstones) and so are changes to immutable records.
"""

from __future__ import annotations

import base64
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from casedesk.domain.clock import utcnow
from casedesk.domain.hlc import Hlc, HybridClock
from casedesk.domain.ids import new_id
from casedesk.storage.errors import ImmutableRecordError
from casedesk.storage.models import LocalMeta, OutboxOp, Synced

CLOCK_KEY = "clock"
SYNC_APPLY = "sync_apply"  # session flag: a unit of work applying remote changes
REMOTE_MARK = "_casedesk_remote"  # set on rows written from remote: no outbox echo
BOOKKEEPING = frozenset({"row_version", "updated_at", "hlc"})
LAST_HLC_META = "last_hlc"


class TombstoneRequired(ImmutableRecordError):
    """Synced rows are never hard-deleted; set ``deleted_at`` instead."""


def to_json_value(value: Any) -> Any:
    """A JSON-safe form of a column value for the outbox."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def _synced_columns(obj: Synced) -> list[str]:
    mapper = inspect(type(obj))
    return [attr.key for attr in mapper.column_attrs if attr.columns[0].info.get("sync") != "blob"]


def _changed_fields(obj: Synced) -> dict[str, Any]:
    state = inspect(obj)
    changed: dict[str, Any] = {}
    for key in _synced_columns(obj):
        history = state.attrs[key].history
        if history.has_changes() and key not in BOOKKEEPING:
            changed[key] = to_json_value(getattr(obj, key))
    return changed


def _record_insert(session: Session, obj: Synced, stamp: str) -> None:
    if obj.id is None:
        obj.id = new_id()
    now = utcnow()
    obj.row_version = 1
    # Preset times are kept: reference data carries fixed ones so every device's copy of it
    # is identical (``domain.reference``).
    obj.created_at = obj.created_at or now
    obj.updated_at = obj.updated_at or now
    obj.hlc = stamp
    # Inserts carry no field copy: the pusher reads the row as it is at push time.
    session.add(
        OutboxOp(table_name=obj.__tablename__, row_id=obj.id, kind="insert", fields=None, hlc=stamp)
    )


def _record_update(session: Session, obj: Synced, stamp: str) -> None:
    changed = _changed_fields(obj)
    if not changed:
        return
    reason = _immutable_reason(obj, set(changed))
    if reason:
        raise ImmutableRecordError(reason)
    deleting = "deleted_at" in changed and obj.deleted_at is not None
    base_version = obj.row_version
    obj.row_version = base_version + 1
    obj.updated_at = utcnow()
    obj.hlc = stamp
    session.add(
        OutboxOp(
            table_name=obj.__tablename__,
            row_id=obj.id,
            kind="delete" if deleting else "update",
            base_version=base_version,
            fields=changed,
            hlc=stamp,
        )
    )


def _immutable_reason(obj: Synced, changed: set[str]) -> str | None:
    # Judge against the values as they were loaded, so "lock and edit in one go" is caught too.
    state = inspect(obj)
    before: dict[str, Any] = {}
    for key in _synced_columns(obj):
        history = state.attrs[key].history
        before[key] = history.deleted[0] if history.deleted else getattr(obj, key)
    return type(obj).immutable_reason(before, changed)


def _next_stamp(session: Session) -> str:
    clock: HybridClock = session.info[CLOCK_KEY]
    return clock.now().encode()


def _persist_clock(session: Session, stamp: str) -> None:
    meta = session.get(LocalMeta, LAST_HLC_META)
    if meta is None:
        session.add(LocalMeta(key=LAST_HLC_META, value=stamp))
    elif meta.value < stamp:
        meta.value = stamp


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    if CLOCK_KEY not in session.info:
        return
    stamp: str | None = None
    for obj in list(session.deleted):
        if isinstance(obj, Synced):
            raise TombstoneRequired(
                f"{obj.__tablename__} rows are never deleted outright; they are marked deleted."
            )
    for obj in list(session.new):
        if isinstance(obj, Synced) and not obj.__dict__.get(REMOTE_MARK):
            stamp = _next_stamp(session)
            _record_insert(session, obj, stamp)
    for obj in list(session.dirty):
        if obj.__dict__.get(REMOTE_MARK) or not isinstance(obj, Synced):
            continue
        if session.is_modified(obj, include_collections=False):
            stamp = _next_stamp(session)
            _record_update(session, obj, stamp)
    if stamp is not None:
        _persist_clock(session, stamp)


def install_change_tracking(session_class: type[Session] = Session) -> None:
    """Register the hook once for all sessions (it only acts when a clock is attached)."""
    if not event.contains(session_class, "before_flush", _before_flush):
        event.listen(session_class, "before_flush", _before_flush)


def load_clock(session: Session, device_id: str) -> HybridClock:
    """The device's clock, resumed from the last persisted stamp so it never runs backwards."""
    meta = session.get(LocalMeta, LAST_HLC_META)
    last = Hlc.decode(meta.value) if meta else None
    return HybridClock(device_id, last)
