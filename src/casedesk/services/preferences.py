"""Synced preferences: small JSON documents every device of the worker shares.

Each is one ``preference`` row whose id is its key; it syncs like any record (per-field merge:
the later change wins and a concurrent one is recorded as a conflict). Device-only facts (the
device's name) live in ``local_meta`` instead, which never syncs.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from casedesk.domain.my_details import MyDetails
from casedesk.domain.notes import DEFAULT_AUTO_LOCK_HOURS, MAX_AUTO_LOCK_HOURS, MIN_AUTO_LOCK_HOURS
from casedesk.storage.models import Preference

PROFILE_KEY = "profile.case_manager"  # My details
NOTE_AUTO_LOCK_KEY = "notes.auto_lock_hours"


def read(session: Session, key: str) -> Any:
    """The stored value, or None when unset (or tombstoned)."""
    row = session.get(Preference, key)
    return None if row is None or row.deleted_at is not None else row.value


def write(session: Session, key: str, value: Any) -> None:
    """Store a value in the current unit of work (synced through the outbox)."""
    row = session.get(Preference, key)
    if row is None:
        session.add(Preference(id=key, value=value))
    elif row.value != value:
        row.value = value


def my_details(session: Session) -> MyDetails:
    """My details as stored (defaults when none were set)."""
    return MyDetails.from_data(read(session, PROFILE_KEY))


def note_auto_lock_hours(session: Session) -> int:
    """Hours after which a note locks itself (a stored value out of range means the default)."""
    value = read(session, NOTE_AUTO_LOCK_KEY)
    valid = isinstance(value, int) and not isinstance(value, bool)
    if valid and MIN_AUTO_LOCK_HOURS <= value <= MAX_AUTO_LOCK_HOURS:
        return int(value)
    return DEFAULT_AUTO_LOCK_HOURS
