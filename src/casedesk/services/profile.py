"""The case manager's own profile: the contact printed on plans and the out-of-hours help text.

Stored as synced preferences (so every device of the worker prints the same contact).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from casedesk.domain.validation import MAX_SHORT_TEXT, Validator, check_text
from casedesk.storage.engine import Database
from casedesk.storage.models import Preference

PROFILE_KEY = "profile.case_manager"
DEFAULT_OUT_OF_HOURS = (
    "If you are in danger or need urgent help, call emergency services. For urgent mental health "
    "support at any time, call your local crisis line."
)


@dataclass(frozen=True)
class CaseManagerProfile:
    """Who the case manager is, as printed on plan documents."""

    name: str = ""
    organisation: str = ""
    phone: str = ""
    email: str = ""
    hours: str = ""
    out_of_hours_help: str = DEFAULT_OUT_OF_HOURS


class ProfileService:
    """Read and change the case manager's profile."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self) -> CaseManagerProfile:
        """The stored profile (defaults when none was set)."""
        with self._db.read() as session:
            row = session.get(Preference, PROFILE_KEY)
            if row is None or row.deleted_at is not None or not isinstance(row.value, dict):
                return CaseManagerProfile()
            known = CaseManagerProfile.__dataclass_fields__
            return CaseManagerProfile(**{k: str(v) for k, v in row.value.items() if k in known})

    def save(self, profile: CaseManagerProfile) -> CaseManagerProfile:
        """Validate and store the profile.

        Raises:
            ValidationError: a field is too long.
        """
        v = Validator()
        cleaned = CaseManagerProfile(
            **{
                name: check_text(v, name, value, max_length=MAX_SHORT_TEXT)
                for name, value in asdict(profile).items()
            }
        )
        v.raise_if_any()
        with self._db.session() as session:
            row = session.get(Preference, PROFILE_KEY)
            if row is None:
                session.add(Preference(id=PROFILE_KEY, value=asdict(cleaned)))
            else:
                row.value = asdict(cleaned)
        return cleaned
