"""Client rules: validation of a whole record, display names, ages, the duplicate warning."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from casedesk.domain.clients import (
    ClientInput,
    age_on,
    display_name,
    likely_same_person,
    name_key,
    validate_client,
)
from casedesk.domain.enums import ClientStatus, Intensity
from casedesk.domain.validation import ValidationError

TODAY = date(2026, 11, 22)
# A name in any script: at least one letter, optionally followed by letters and combining marks
# (a string of combining marks alone is not a name, and validation rightly refuses it).
letters = st.builds(
    str.__add__,
    st.characters(categories=("Lu", "Ll", "Lo")),
    st.text(st.characters(categories=("Lu", "Ll", "Lo", "Mn")), max_size=39),
)


def test_minimal_client() -> None:
    cleaned, identifiers = validate_client(ClientInput("  Ada ", "Lovelace"), TODAY)
    assert cleaned["given_name"] == "Ada" and cleaned["family_name"] == "Lovelace"
    assert cleaned["preferred_language"] == "en"
    assert cleaned["intensity"] is Intensity.MODERATE
    assert cleaned["status"] is ClientStatus.ACTIVE
    assert cleaned["date_of_birth"] is None and identifiers == ()


def test_every_problem_is_reported_at_once() -> None:
    data = ClientInput(
        "",
        "\n",
        date_of_birth="2030-01-01",
        email="not an email",
        identifiers=(("Agency ref", " "),),
    )
    with pytest.raises(ValidationError) as caught:
        validate_client(data, TODAY)
    assert set(caught.value.errors) == {
        "given_name",
        "family_name",
        "date_of_birth",
        "email",
        "identifier_0",
    }


@given(given_name=letters, family=letters, born=st.dates(date(1900, 1, 1), TODAY))
def test_any_script_round_trips(given_name: str, family: str, born: date) -> None:
    assume(given_name.strip() and family.strip())
    cleaned, _ = validate_client(ClientInput(given_name, family, date_of_birth=born), TODAY)
    assert cleaned["date_of_birth"] == born
    assert cleaned["given_name"]


def test_identifiers_are_cleaned() -> None:
    _, identifiers = validate_client(
        ClientInput("Ada", "Lovelace", identifiers=((" NHS ", " 943 476 5919 "),)), TODAY
    )
    assert identifiers == (("NHS", "943 476 5919"),)


@given(st.text(max_size=60), st.text(max_size=60), st.text(max_size=60))
def test_display_name_prefers_the_preferred_name(given_name: str, family: str, pref: str) -> None:
    shown = display_name(given_name, family, pref)
    assert shown == shown.strip()
    first = pref.strip() or given_name.strip()
    assert shown.startswith(first)


@given(st.dates(), st.dates())
def test_age_is_whole_years_and_never_negative_after_birth(born: date, today: date) -> None:
    age = age_on(born, today)
    assert age is not None
    if today >= born:
        assert age >= 0
        assert date(born.year, 1, 1).year + age <= today.year


def test_age_birthday_boundary_and_leap_day() -> None:
    assert age_on(date(2000, 11, 23), TODAY) == 25
    assert age_on(date(2000, 11, 22), TODAY) == 26
    assert age_on(date(2004, 2, 29), date(2026, 2, 28)) == 21
    assert age_on(date(2004, 2, 29), date(2026, 3, 1)) == 22
    assert age_on(None, TODAY) is None


def test_name_key_ignores_case_accents_and_spacing() -> None:
    assert name_key("  José   MARÍA ") == name_key("jose maria")
    assert name_key("Nguyễn") == name_key("nguyen")


@given(letters, letters, letters, letters, st.dates())
def test_duplicate_rule_is_symmetric(a: str, b: str, c: str, d: str, born: date) -> None:
    assert likely_same_person(a, b, born, c, d, born) == likely_same_person(c, d, born, a, b, born)


def test_duplicate_rule_examples() -> None:
    born = date(1980, 2, 3)
    assert likely_same_person("Jo", "Smith", born, "Joanne", "SMITH", born)
    assert likely_same_person("Zoë", "Ngata", born, "zoe", "ngata", born)
    assert not likely_same_person("Jo", "Smith", born, "Joanne", "Smith", date(1980, 2, 4))
    assert not likely_same_person("Liz", "Smith", born, "Elizabeth", "Smith", born)
    assert not likely_same_person("Jo", "Smith", None, "Jo", "Smith", None)
