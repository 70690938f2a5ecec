"""Client records as plain data, and the rules for a valid one."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date

from casedesk.domain.enums import ClientStatus, Intensity
from casedesk.domain.validation import (
    MAX_SHORT_TEXT,
    Validator,
    check_birth_date,
    check_name,
    check_text,
)

MAX_CLIENT_NOTES = 20_000


@dataclass(frozen=True)
class ClientInput:
    """What a form or the CLI supplies to create or update a client."""

    given_name: str
    family_name: str
    preferred_name: str = ""
    date_of_birth: date | str | None = None
    pronouns: str = ""
    phone: str = ""
    email: str = ""
    address_line1: str = ""
    address_line2: str = ""
    town: str = ""
    region: str = ""
    postcode: str = ""
    preferred_language: str = "en"
    interpreter_needed: bool = False
    intensity: Intensity = Intensity.MODERATE
    status: ClientStatus = ClientStatus.ACTIVE
    notes: str = ""
    identifiers: tuple[tuple[str, str], ...] = field(default_factory=tuple)


_SHORT_FIELDS = (
    "pronouns",
    "phone",
    "email",
    "address_line1",
    "address_line2",
    "town",
    "region",
    "postcode",
)


def validate_client(
    data: ClientInput, today: date
) -> tuple[dict[str, object], tuple[tuple[str, str], ...]]:
    """Check and clean a client's fields.

    Returns:
        Column name -> cleaned value ready to store, and the cleaned (system, value) identifiers.

    Raises:
        ValidationError: naming every field that needs attention.
    """
    v = Validator()
    cleaned: dict[str, object] = {
        "given_name": check_name(v, "given_name", data.given_name, required=True),
        "family_name": check_name(v, "family_name", data.family_name, required=True),
        "preferred_name": check_name(v, "preferred_name", data.preferred_name, required=False),
        "date_of_birth": check_birth_date(v, "date_of_birth", data.date_of_birth, today),
        "preferred_language": check_text(
            v, "preferred_language", data.preferred_language or "en", max_length=35
        ),
        "interpreter_needed": bool(data.interpreter_needed),
        "intensity": Intensity(data.intensity),
        "status": ClientStatus(data.status),
        "notes": check_text(v, "notes", data.notes, max_length=MAX_CLIENT_NOTES),
    }
    for name in _SHORT_FIELDS:
        cleaned[name] = check_text(v, name, getattr(data, name), max_length=MAX_SHORT_TEXT)
    email = str(cleaned["email"])
    if email and ("@" not in email or " " in email):
        v.add("email", "Please check the email address (it needs an @ and no spaces).")
    identifiers = []
    for index, (system, value) in enumerate(data.identifiers):
        system_text = check_text(v, f"identifier_{index}", system, max_length=100)
        value_text = check_text(v, f"identifier_{index}", value, required=True, max_length=100)
        identifiers.append((system_text, value_text))
    v.raise_if_any()
    return cleaned, tuple(identifiers)


def display_name(given: str, family: str, preferred: str = "") -> str:
    """How a client is addressed in lists: preferred name first when they have one."""
    first = preferred.strip() or given.strip()
    return f"{first} {family.strip()}".strip()


def age_on(born: date | None, today: date) -> int | None:
    """Age in whole years on ``today`` (None when the date of birth is unknown)."""
    if born is None:
        return None
    years = today.year - born.year
    if (today.month, today.day) < (born.month, born.day):
        years -= 1
    return years


def name_key(text: str) -> str:
    """A loose comparison key for names: case-, accent- and spacing-insensitive."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(letters.split())


def likely_same_person(
    a_given: str,
    a_family: str,
    a_born: date | None,
    b_given: str,
    b_family: str,
    b_born: date | None,
) -> bool:
    """Duplicate warning rule: same date of birth and a similar name.

    Similar means the family names match loosely and the given names match loosely or one is a
    prefix of the other ("Liz" / "Elizabeth" are not caught; "Jo" / "Joanne" are).
    """
    if a_born is None or b_born is None or a_born != b_born:
        return False
    if name_key(a_family) != name_key(b_family):
        return False
    ga, gb = name_key(a_given), name_key(b_given)
    return bool(ga and gb) and (ga == gb or ga.startswith(gb) or gb.startswith(ga))
