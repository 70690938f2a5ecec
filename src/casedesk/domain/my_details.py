"""My details: who the case manager is, as the client's copy of a plan will say.

One record per account (a synced preference, so every device of the worker prints the same
contact). Everything is optional to *store*; agreeing a plan for signing needs a name and a
phone number, because the client's copy must say who to call.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from casedesk.domain.validation import (
    MAX_SHORT_TEXT,
    Validator,
    check_email,
    check_name,
    check_phone,
    check_text,
)

DEFAULT_OUT_OF_HOURS = (
    "If you are in danger or need urgent help, call emergency services. For urgent mental health "
    "support at any time, call your local crisis line."
)
MAX_ADDRESS = 500
REQUIRED_FOR_AGREEING = ("name", "phone")
AGREE_NEEDS_DETAILS = (
    "Add your name and phone number in Settings → My details (or `casedesk me set`) before "
    "agreeing a plan: the client's copy must say who to call."
)

# Logo: small images only. The byte limit keeps sync and PDFs light; the pixel limit bounds
# the memory a decoder may need (a tiny file can declare a huge image).
LOGO_MEDIA_TYPES = ("image/png", "image/jpeg")
MAX_LOGO_BYTES = 1024 * 1024
MAX_LOGO_SIDE = 4096


def logo_too_large(size: int) -> str:
    """The plain reason a logo file of ``size`` bytes is refused."""
    return f"The logo is {size / 1_048_576:.1f} MB; please use one under 1 MB."


@dataclass(frozen=True)
class MyDetails:
    """The worker's contact details.

    Attributes:
        name: the worker's name, as the client knows them.
        role: job title, e.g. "Case manager".
        organisation: the service or agency.
        phone: direct phone number.
        email: work email.
        hours: when they can be reached, e.g. "Mon-Fri 9am-5pm".
        out_of_hours_help: what to do out of hours (crisis line), printed on the client's copy.
        address: postal address of the service (several lines allowed).
        logo_attachment_id: the vault attachment holding the organisation's logo, if any.
    """

    name: str = ""
    role: str = ""
    organisation: str = ""
    phone: str = ""
    email: str = ""
    hours: str = ""
    out_of_hours_help: str = DEFAULT_OUT_OF_HOURS
    address: str = ""
    logo_attachment_id: str | None = None

    @property
    def ready_for_agreeing(self) -> bool:
        """Whether a plan may be agreed: the name and phone number are set."""
        return not missing_for_agreeing(self)

    def to_data(self) -> dict[str, Any]:
        """JSON-ready fields (what the synced preference stores)."""
        return asdict(self)

    @classmethod
    def from_data(cls, data: object) -> MyDetails:
        """Read stored data leniently: unknown keys ignored, wrong types made text."""
        if not isinstance(data, dict):
            return cls()
        known = {f.name for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key not in known or value is None:
                continue
            values[key] = str(value)
        return cls(**values)


def missing_for_agreeing(details: MyDetails) -> tuple[str, ...]:
    """The fields still needed before a plan can be agreed (empty when ready)."""
    return tuple(name for name in REQUIRED_FOR_AGREEING if not getattr(details, name).strip())


def validate_my_details(details: MyDetails) -> MyDetails:
    """Check and clean the details (nothing is required to save them).

    Raises:
        ValidationError: naming every field that needs attention.
    """
    v = Validator()
    cleaned = replace(
        details,
        name=check_name(v, "name", details.name, required=False),
        role=check_text(v, "role", details.role, max_length=200),
        organisation=check_text(v, "organisation", details.organisation, max_length=200),
        phone=check_phone(v, "phone", details.phone),
        email=check_email(v, "email", details.email),
        hours=check_text(v, "hours", details.hours, max_length=200),
        out_of_hours_help=check_text(
            v, "out_of_hours_help", details.out_of_hours_help, max_length=MAX_SHORT_TEXT
        ),
        address=check_text(v, "address", details.address, max_length=MAX_ADDRESS),
    )
    v.raise_if_any()
    return cleaned
