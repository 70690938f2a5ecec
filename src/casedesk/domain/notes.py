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
