"""Plain rules: My details (agreeing needs name and phone, lenient checks) and the note lock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casedesk.domain.my_details import (
    MyDetails,
    missing_for_agreeing,
    validate_my_details,
)
from casedesk.domain.notes import auto_lock_message, effective_lock_time
from casedesk.domain.validation import ValidationError

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_agreeing_needs_a_name_and_a_phone_number():
    assert missing_for_agreeing(MyDetails()) == ("name", "phone")
    assert missing_for_agreeing(MyDetails(name="  ", phone="02 5550 1234")) == ("name",)
    assert MyDetails(name="Ana", phone="000").ready_for_agreeing


def test_stored_data_is_read_leniently():
    data = {"name": "Ana", "phone": 5550123, "unknown": "x", "logo_attachment_id": None}
    assert MyDetails.from_data(data) == MyDetails(name="Ana", phone="5550123")
    assert MyDetails.from_data("not a dict") == MyDetails()
    assert MyDetails.from_data(MyDetails(name="Ana").to_data()) == MyDetails(name="Ana")


@pytest.mark.parametrize(
    "phone", ["02 5550 1234", "+61 (2) 5550-1234", "0412.555.012", "988", "5550 1234 ext. 12"]
)
def test_phone_numbers_people_write_pass(phone):
    assert validate_my_details(MyDetails(phone=phone)).phone == phone


@pytest.mark.parametrize("phone", ["ring me", "12", "+", "02 5550 1234 or 02 5550 9999", "1" * 21])
def test_not_a_phone_number_is_refused(phone):
    with pytest.raises(ValidationError) as caught:
        validate_my_details(MyDetails(phone=phone))
    assert set(caught.value.errors) == {"phone"}


@given(
    hours=st.integers(1, 720),
    offset=st.timedeltas(min_value=timedelta(days=-60), max_value=timedelta(days=60)),
)
def test_a_note_counts_as_locked_exactly_from_its_period_on(hours, offset):
    now = T0 + timedelta(hours=hours) + offset
    locked = effective_lock_time(None, T0, hours, now)
    assert (locked is not None) == (offset >= timedelta(0))
    if locked is not None:
        assert locked == T0 + timedelta(hours=hours)
    assert effective_lock_time(T0, T0, hours, now) == T0  # a hand lock always wins


def test_the_refusal_names_the_period():
    assert auto_lock_message(72) == "This note is locked after 72 hours; add an amendment instead."
    assert "after 1 hour;" in auto_lock_message(1)
