"""Case note rules: required text, very long text, contact time and type, duration."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casedesk.domain.enums import ContactType
from casedesk.domain.notes import FUTURE_TOLERANCE, MAX_DURATION_MINUTES, NoteInput, validate_note
from casedesk.domain.validation import MAX_LONG_TEXT, ValidationError

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def test_defaults() -> None:
    clean = validate_note(NoteInput("client", "  Phoned about rent.  "), NOW)
    assert clean.body == "Phoned about rent."
    assert clean.occurred_at == NOW and clean.contact_type is ContactType.ADMIN
    assert clean.duration_minutes is None and clean.location == ""


@given(st.text(min_size=1, max_size=2000))
def test_any_text_is_either_kept_or_refused_plainly(body: str) -> None:
    try:
        clean = validate_note(NoteInput("client", body), NOW)
    except ValidationError as exc:
        assert exc.errors == {"body": "This is required."}
        return
    assert clean.body and clean.body == clean.body.strip()


def test_very_long_notes() -> None:
    long_body = "Notes from a long family meeting. " * 3000
    clean = validate_note(NoteInput("c", long_body[:MAX_LONG_TEXT]), NOW)
    assert len(clean.body) == len(long_body[:MAX_LONG_TEXT].strip())
    with pytest.raises(ValidationError, match="too long"):
        validate_note(NoteInput("c", "x" * (MAX_LONG_TEXT + 1)), NOW)
    with pytest.raises(ValidationError, match="too long"):
        validate_note(NoteInput("c", "y" * 150_000), NOW)


@given(st.timedeltas(min_value=timedelta(days=-3650), max_value=timedelta(days=30)))
def test_contact_time_may_be_past_or_slightly_ahead(offset: timedelta) -> None:
    data = NoteInput("c", "visit", occurred_at=NOW + offset)
    if offset > FUTURE_TOLERANCE:
        with pytest.raises(ValidationError, match="future"):
            validate_note(data, NOW)
    else:
        assert validate_note(data, NOW).occurred_at == NOW + offset


def test_times_are_normalised_to_utc() -> None:
    plus10 = timezone(timedelta(hours=10))
    local = datetime(2026, 11, 22, 15, 0, tzinfo=plus10)
    assert validate_note(NoteInput("c", "x", occurred_at=local), NOW).occurred_at == datetime(
        2026, 11, 22, 5, 0, tzinfo=UTC
    )
    naive = datetime(2026, 11, 21, 8, 0)
    assert validate_note(NoteInput("c", "x", occurred_at=naive), NOW).occurred_at.tzinfo == UTC


@given(st.integers(min_value=-100, max_value=2 * MAX_DURATION_MINUTES))
def test_duration_range(minutes: int) -> None:
    data = NoteInput("c", "x", duration_minutes=minutes)
    if 0 <= minutes <= MAX_DURATION_MINUTES:
        assert validate_note(data, NOW).duration_minutes == minutes
    else:
        with pytest.raises(ValidationError, match="from 0 to"):
            validate_note(data, NOW)


def test_contact_type_by_value_and_unknown() -> None:
    assert validate_note(NoteInput("c", "x", contact_type="phone"), NOW).contact_type is (
        ContactType.PHONE
    )
    with pytest.raises(ValidationError, match="kind of contact"):
        validate_note(NoteInput("c", "x", contact_type="telepathy"), NOW)  # type: ignore[arg-type]
