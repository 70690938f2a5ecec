"""Field validation with plain-language messages a case manager can act on.

Validators return the cleaned value or raise :class:`ValidationError` naming the field. They accept
any Unicode (names in every script, emoji, right-to-left text) and refuse only what is truly wrong.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

MAX_NAME_LENGTH = 200
MAX_SHORT_TEXT = 500
MAX_LONG_TEXT = 100_000  # a very long case note still fits; beyond this is a paste accident
OLDEST_BIRTH_YEAR = 1900
# Unicode bidirectional controls (LRM/RLM, ALM, the embeddings and overrides U+202A-U+202E, the
# isolates U+2066-U+2069). They are invisible and reorder how the text around them is shown:
# U+202E makes "Smith\u202eevil" read differently from what sorts and matches. In a name they
# only ever disguise it, so names lose them; free text (notes) keeps them.
BIDI_CONTROLS = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_NO_BIDI = str.maketrans("", "", BIDI_CONTROLS)

# Lenient on purpose: a real address passes even if unusual; what fails is plainly not one.
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Digits with the usual separators, an optional leading +, and an optional extension
# ("ext 12", "x12"). Written for people, not for diallers: "02 5550 1234", "+61 (2) 5550-1234".
_PHONE = re.compile(r"^\+?[0-9 ()./-]+(?:\s*(?:ext\.?|extension|x)\s*[0-9]{1,6})?$", re.IGNORECASE)
MIN_PHONE_DIGITS, MAX_PHONE_DIGITS = 3, 20  # 3: short crisis numbers such as 000, 111 or 988


class ValidationError(ValueError):
    """One or more fields are invalid.

    Attributes:
        errors: field name -> plain-language message.
    """

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{name}: {msg}" for name, msg in self.errors.items()))


@dataclass
class Validator:
    """Collects field errors so a form can show them all at once."""

    errors: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        """Record an error for ``name`` (first one wins)."""
        self.errors.setdefault(name, message)

    def raise_if_any(self) -> None:
        """Raise :class:`ValidationError` when any error was recorded."""
        if self.errors:
            raise ValidationError(self.errors)


def clean_text(value: str | None, *, max_length: int = MAX_SHORT_TEXT) -> str:
    """Normalise text: NFC, strip outer whitespace, drop control characters except newlines/tabs."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", value)
    text = "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs")
    )
    return text.strip()[: max_length + 1]


def strip_bidi_controls(text: str) -> str:
    """``text`` without Unicode bidirectional controls (see :data:`BIDI_CONTROLS`)."""
    return text.translate(_NO_BIDI)


def check_name(v: Validator, name: str, value: str | None, *, required: bool) -> str:
    """Validate a person's name in any script. Required names must contain a letter or symbol."""
    text = strip_bidi_controls(clean_text(value, max_length=MAX_NAME_LENGTH)).strip()
    if not text:
        if required:
            v.add(name, "This is required.")
        return ""
    if len(text) > MAX_NAME_LENGTH:
        v.add(name, f"Please keep this under {MAX_NAME_LENGTH} characters.")
    elif "\n" in text:
        v.add(name, "A name can't contain a line break.")
    elif not any(unicodedata.category(ch)[0] in "LSN" for ch in text):
        v.add(name, "Please enter a name (letters are needed).")
    return text[:MAX_NAME_LENGTH]


def check_text(
    v: Validator, name: str, value: str | None, *, required: bool = False, max_length: int
) -> str:
    """Validate free text of bounded length."""
    text = clean_text(value, max_length=max_length)
    if required and not text:
        v.add(name, "This is required.")
    if len(text) > max_length:
        v.add(name, f"This is too long: please keep it under {max_length:,} characters.")
    return text[:max_length]


def parse_date(value: str | date | None) -> date | None:
    """Parse ``YYYY-MM-DD`` (or pass a date through). Empty means no date.

    Raises:
        ValueError: with a plain message when the text is not a real calendar date.
    """
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    text = value.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("Please enter a real date as YYYY-MM-DD, e.g. 1984-03-27.") from None


def check_birth_date(v: Validator, name: str, value: str | date | None, today: date) -> date | None:
    """A date of birth must be a real date, not in the future, and after 1900."""
    try:
        born = parse_date(value)
    except ValueError as exc:
        v.add(name, str(exc))
        return None
    if born is None:
        return None
    if born > today:
        v.add(name, "A date of birth can't be in the future.")
    elif born.year < OLDEST_BIRTH_YEAR:
        v.add(name, f"Please check the year: it is before {OLDEST_BIRTH_YEAR}.")
    return born


def check_date(
    v: Validator, name: str, value: str | date | None, *, required: bool = False
) -> date | None:
    """Validate an optional or required calendar date."""
    try:
        parsed = parse_date(value)
    except ValueError as exc:
        v.add(name, str(exc))
        return None
    if parsed is None and required:
        v.add(name, "This is required.")
    return parsed


def check_range(
    v: Validator, name: str, value: int | None, low: int, high: int, *, required: bool = False
) -> int | None:
    """An optional integer within ``low..high`` inclusive."""
    if value is None:
        if required:
            v.add(name, "This is required.")
        return None
    if not low <= value <= high:
        v.add(name, f"Please choose a number from {low} to {high}.")
    return value


def check_email(v: Validator, name: str, value: str | None) -> str:
    """An optional email address that looks like one (an @, a dot after it, no spaces)."""
    text = clean_text(value, max_length=MAX_NAME_LENGTH)
    if len(text) > MAX_NAME_LENGTH:
        v.add(name, f"Please keep this under {MAX_NAME_LENGTH} characters.")
    elif text and not EMAIL_PATTERN.match(text):
        v.add(name, "Please check the email address (for example name@example.org).")
    return text[:MAX_NAME_LENGTH]


def check_phone(v: Validator, name: str, value: str | None) -> str:
    """An optional phone number: digits and the usual separators, leniently checked."""
    text = clean_text(value, max_length=MAX_NAME_LENGTH)
    if not text:
        return ""
    main = re.split(r"(?i)\s*(?:ext\.?|extension|x)\s*[0-9]", text, maxsplit=1)[0]
    digits = sum(ch.isdigit() for ch in main)
    if not _PHONE.match(text) or not MIN_PHONE_DIGITS <= digits <= MAX_PHONE_DIGITS:
        v.add(
            name,
            "Please check the phone number: digits, spaces, +, brackets and dashes "
            "(for example 02 5550 1234 or +61 2 5550 1234).",
        )
    return text[:MAX_NAME_LENGTH]
