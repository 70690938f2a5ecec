"""Case notes (contacts) as plain data, and the rules for a valid one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from casedesk.domain.clock import as_utc
from casedesk.domain.enums import ContactType
from casedesk.domain.validation import (
    MAX_LONG_TEXT,
    MAX_SHORT_TEXT,
    Validator,
    check_range,
    check_text,
)

MAX_DURATION_MINUTES = 24 * 60
FUTURE_TOLERANCE = timedelta(hours=12)  # a note may be typed ahead for a visit later today

# Automatic locking: clinical record systems close a note for editing a set time after it was
# written (72 hours is a common default); after that a correction is an amendment.
DEFAULT_AUTO_LOCK_HOURS = 72
MIN_AUTO_LOCK_HOURS = 1
MAX_AUTO_LOCK_HOURS = 30 * 24
MAX_ERROR_REASON = 500


@dataclass(frozen=True)
class NoteInput:
    """What the note form or the CLI supplies."""

    client_id: str
    body: str
    contact_type: ContactType = ContactType.ADMIN
    occurred_at: datetime | None = None
    duration_minutes: int | None = None
    location: str = ""
    goal_ids: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class CleanNote:
    """A validated note, ready to store."""

    body: str
    contact_type: ContactType
    occurred_at: datetime
    duration_minutes: int | None
    location: str


def validate_note(data: NoteInput, now: datetime) -> CleanNote:
    """Check and clean a note.

    Raises:
        ValidationError: naming every field that needs attention.
    """
    v = Validator()
    body = check_text(v, "body", data.body, required=True, max_length=MAX_LONG_TEXT)
    location = check_text(v, "location", data.location, max_length=MAX_SHORT_TEXT)
    duration = check_range(v, "duration_minutes", data.duration_minutes, 0, MAX_DURATION_MINUTES)
    occurred = as_utc(data.occurred_at) if data.occurred_at else as_utc(now)
    if occurred > as_utc(now) + FUTURE_TOLERANCE:
        v.add("occurred_at", "A contact can't be recorded for a future date.")
    try:
        contact_type = ContactType(data.contact_type)
    except ValueError:
        v.add("contact_type", "Please choose the kind of contact.")
        contact_type = ContactType.ADMIN
    v.raise_if_any()
    return CleanNote(body, contact_type, occurred, duration, location)


def check_auto_lock_hours(hours: int) -> int:
    """Validate the worker's auto-lock period.

    Raises:
        ValidationError: outside 1 hour to 30 days.
    """
    v = Validator()
    check_range(v, "auto_lock_hours", hours, MIN_AUTO_LOCK_HOURS, MAX_AUTO_LOCK_HOURS)
    v.raise_if_any()
    return hours


def auto_lock_time(created_at: datetime, hours: int) -> datetime:
    """When a note written at ``created_at`` locks itself (``hours`` after it was recorded).

    The clock starts when the note was *recorded*, not when the contact happened: a note typed
    today about last week's visit still gets the full period to be checked and corrected.
    """
    return as_utc(created_at) + timedelta(hours=hours)


def effective_lock_time(
    locked_at: datetime | None, created_at: datetime, hours: int, now: datetime
) -> datetime | None:
    """When the note was locked, by hand or automatically (None while it can still be edited).

    A note counts as locked from ``created_at + hours`` even before the sweep has stored the
    lock, so the rule holds on a device that was off, and at read time as at write time.
    """
    if locked_at is not None:
        return as_utc(locked_at)
    due = auto_lock_time(created_at, hours)
    return due if as_utc(now) >= due else None


def auto_lock_message(hours: int) -> str:
    """The plain reason an edit to an automatically locked note is refused."""
    period = f"{hours} hours" if hours != 1 else "1 hour"
    return f"This note is locked after {period}; add an amendment instead."


def check_error_reason(reason: str) -> str:
    """The reason a note was entered in error: required, one short paragraph.

    Raises:
        ValidationError: missing or too long.
    """
    v = Validator()
    text = check_text(v, "reason", reason, required=True, max_length=MAX_ERROR_REASON)
    v.raise_if_any()
    return text
