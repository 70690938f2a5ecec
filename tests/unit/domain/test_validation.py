"""Field validation: any Unicode is welcome, only what is truly wrong is refused (properties)."""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casedesk.domain.validation import (
    BIDI_CONTROLS,
    MAX_LONG_TEXT,
    MAX_NAME_LENGTH,
    OLDEST_BIRTH_YEAR,
    ValidationError,
    Validator,
    check_birth_date,
    check_date,
    check_name,
    check_range,
    check_text,
    clean_text,
    parse_date,
)

TODAY = date(2026, 11, 22)

# Names in any script: letters, marks (combining accents), numbers, symbols (emoji) and the
# spaces, hyphens and apostrophes names use. Controls are added separately.
name_chars = st.characters(
    categories=("Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Nd", "So", "Sk", "Pd", "Zs"),
    include_characters="'’.",
)


def _has_letter_like(text: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LSN" for ch in text)


@given(st.text())
def test_clean_text_never_keeps_controls_and_is_normalised(value: str) -> None:
    cleaned = clean_text(value, max_length=50)
    assert all(ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs") for ch in cleaned)
    assert cleaned == cleaned.strip()
    assert unicodedata.is_normalized("NFC", cleaned) or len(cleaned) == 51
    assert len(cleaned) <= 51  # one over the limit, so the caller can say "too long"


@given(st.one_of(st.none(), st.text()))
def test_check_name_never_raises_and_reports_through_the_validator(value: str | None) -> None:
    v = Validator()
    result = check_name(v, "given_name", value, required=True)
    assert len(result) <= MAX_NAME_LENGTH
    if not v.errors:
        assert result and "\n" not in result and _has_letter_like(result)


@given(st.text(name_chars, min_size=1, max_size=MAX_NAME_LENGTH))
def test_real_names_in_any_script_are_accepted_as_typed(value: str) -> None:
    expected = unicodedata.normalize("NFC", value).strip()
    v = Validator()
    result = check_name(v, "family_name", value, required=True)
    if expected and _has_letter_like(expected) and len(expected) <= MAX_NAME_LENGTH:
        assert v.errors == {}
        assert result == expected


@pytest.mark.parametrize(
    "name",
    [
        "Zoë",
        "محمد العلي",
        "עִברִית",
        "Nguyễn Thị Thảo",
        "李小龙",
        "Te Āwhina",
        "O'Brien-Ngata",
        "Mary 🌻",
        "e\u0301mile",
        "Ἀλέξανδρος",
        "Σωκράτης",
        "ⵜⴰⵎⴰⵣⵉⵖⵜ",
    ],
)
def test_examples_from_many_scripts(name: str) -> None:
    v = Validator()
    assert check_name(v, "given_name", name, required=True) == unicodedata.normalize("NFC", name)
    assert v.errors == {}


@given(st.text(st.characters(categories=("Cc", "Zs")), max_size=20))
def test_blank_or_control_only_names_are_required_errors(value: str) -> None:
    v = Validator()
    assert check_name(v, "given_name", value, required=True) == ""
    assert v.errors == {"given_name": "This is required."}
    optional = Validator()
    check_name(optional, "preferred_name", value, required=False)
    assert optional.errors == {}


def test_name_refusals() -> None:
    cases = {
        "---": "letters are needed",
        "Ann\nMarie": "line break",
        "A" * (MAX_NAME_LENGTH + 1): "under 200",
    }
    for value, message in cases.items():
        v = Validator()
        check_name(v, "given_name", value, required=True)
        assert message in v.errors["given_name"]
    controls = Validator()
    assert check_name(controls, "given_name", "A\x00n\x1bn\u200b", required=True) == "Ann\u200b"


@given(st.integers(min_value=0, max_value=3 * MAX_LONG_TEXT // 2), st.booleans())
def test_long_text_limit_is_exact(length: int, required: bool) -> None:
    v = Validator()
    result = check_text(v, "body", "x" * length, required=required, max_length=MAX_LONG_TEXT)
    assert len(result) == min(length, MAX_LONG_TEXT)
    if length > MAX_LONG_TEXT:
        assert "too long" in v.errors["body"]
    elif length == 0 and required:
        assert v.errors == {"body": "This is required."}
    else:
        assert v.errors == {}


def test_very_long_unicode_text_is_kept_whole() -> None:
    text = ("Kōrero 🌿 عربى\n" * 10_000)[:MAX_LONG_TEXT].strip()
    v = Validator()
    assert check_text(v, "body", text, max_length=MAX_LONG_TEXT) == text
    assert v.errors == {}


@given(st.text())
def test_parse_date_accepts_only_real_dates(value: str) -> None:
    try:
        parsed = parse_date(value)
    except ValueError as exc:
        assert "YYYY-MM-DD" in str(exc)
        return
    assert parsed is None or isinstance(parsed, date)
    if parsed is None:
        assert value.strip() == ""


@given(st.dates())
def test_parse_date_round_trips_iso_dates(day: date) -> None:
    assert parse_date(day.isoformat()) == day
    assert parse_date(f"  {day.isoformat()}\n") == day
    assert parse_date(day) == day


@pytest.mark.parametrize("value", ["2023-02-29", "2026-13-01", "2026-00-10", "31/12/2020", "1e3"])
def test_impossible_dates_are_refused(value: str) -> None:
    with pytest.raises(ValueError, match="real date"):
        parse_date(value)


@given(st.dates())
def test_birth_dates(day: date) -> None:
    v = Validator()
    result = check_birth_date(v, "date_of_birth", day.isoformat(), TODAY)
    assert result == day
    if day > TODAY:
        assert "future" in v.errors["date_of_birth"]
    elif day.year < OLDEST_BIRTH_YEAR:
        assert "1900" in v.errors["date_of_birth"]
    else:
        assert v.errors == {}


@given(st.text())
def test_birth_date_from_any_text_never_raises(value: str) -> None:
    v = Validator()
    check_birth_date(v, "date_of_birth", value, TODAY)
    assert set(v.errors) <= {"date_of_birth"}


def test_required_date_and_ranges() -> None:
    v = Validator()
    assert check_date(v, "due_on", "", required=True) is None
    assert v.errors == {"due_on": "This is required."}
    assert check_date(Validator(), "due_on", TODAY + timedelta(days=3)) == TODAY + timedelta(3)
    ranges = Validator()
    assert check_range(ranges, "score", 11, 1, 10) == 11
    assert check_range(ranges, "other", None, 1, 10, required=True) is None
    assert set(ranges.errors) == {"score", "other"}


def test_validation_error_lists_every_field() -> None:
    v = Validator()
    v.add("a", "first")
    v.add("a", "second")  # the first message for a field wins
    v.add("b", "other")
    with pytest.raises(ValidationError) as caught:
        v.raise_if_any()
    assert caught.value.errors == {"a": "first", "b": "other"}
    Validator().raise_if_any()  # no errors: no exception


@pytest.mark.parametrize("control", list(BIDI_CONTROLS))
def test_names_lose_bidi_controls(control: str) -> None:
    v = Validator()
    assert check_name(v, "family_name", f"{control}Smith{control} Jones", required=True) == (
        "Smith Jones"
    )
    assert v.errors == {}
    assert check_name(v, "given_name", f" {control} ", required=True) == ""
    assert v.errors == {"given_name": "This is required."}


def test_free_text_keeps_bidi_marks() -> None:
    text = "\u05e9\u05dc\u05d5\u05dd \u200f(2)"
    assert check_text(Validator(), "body", text, max_length=100) == text
