"""Risk screening: a structured screen, drafted then finalised; the latest final screen is the flag.

Decision: a risk screen's draft is kept in the local draft table (like note drafts), not as a
``risk_screen`` row. The client list, Home and derived tasks read the *latest* ``risk_screen``
row as the client's risk level and review date; keeping drafts out of that table means a
half-filled screen can never hide or change a client's current flag. Only finalised screens
are stored there (immutable; a correction is a new screen that supersedes the old one).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.domain.clock import today
from casedesk.domain.enums import RecordStatus, RiskLevel
from casedesk.services import audit
from casedesk.services.errors import NotFound, ValidationError
from casedesk.storage.engine import Database
from casedesk.storage.models import Client, Draft, RiskScreen

_ORDER = (RiskLevel.NONE, RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH)
_ITEMS = ("risk_to_self", "risk_to_others", "risk_from_others", "worker_safety")
#: Suggested days until the next review, by overall level (our judgement; the worker decides).
REVIEW_DAYS = {RiskLevel.HIGH: 28, RiskLevel.MEDIUM: 91, RiskLevel.LOW: 182, RiskLevel.NONE: 182}
_MAX_NOTES = 5_000


@dataclass(frozen=True)
class RiskInput:
    """A risk screen as entered."""

    screened_on: date
    risk_to_self: RiskLevel = RiskLevel.NONE
    risk_to_self_notes: str = ""
    risk_to_others: RiskLevel = RiskLevel.NONE
    risk_to_others_notes: str = ""
    risk_from_others: RiskLevel = RiskLevel.NONE
    risk_from_others_notes: str = ""
    children_in_home: bool = False
    children_notes: str = ""
    worker_safety: RiskLevel = RiskLevel.NONE
    worker_safety_notes: str = ""
    overall_level: RiskLevel = RiskLevel.LOW
    review_on: date | None = None


@dataclass(frozen=True)
class RiskScreenView:
    """A finalised screen (history) or the current draft (``id`` is empty)."""

    id: str
    client_id: str
    data: RiskInput
    status: RecordStatus
    supersedes_id: str | None = None

    @property
    def overall_level(self) -> RiskLevel:
        """The overall level."""
        return self.data.overall_level


def suggested_overall(data: RiskInput) -> RiskLevel:
    """The highest item level (at least low): a starting point the worker may change."""
    levels = [getattr(data, name) for name in _ITEMS]
    highest = max(levels, key=_ORDER.index)
    return highest if highest != RiskLevel.NONE else RiskLevel.LOW


def suggested_review(level: RiskLevel, screened_on: date) -> date:
    """When to look at the screen again, by overall level (high: 4 weeks)."""
    return screened_on + timedelta(days=REVIEW_DAYS[level])


def validate_risk(data: RiskInput) -> None:
    """Check dates, levels and note lengths.

    Raises:
        ValidationError: per field.
    """
    errors: dict[str, str] = {}
    if data.screened_on > today():
        errors["screened_on"] = "The screen date cannot be in the future."
    if data.overall_level == RiskLevel.NONE:
        errors["overall_level"] = "Choose low, medium or high."
    if data.review_on is None:
        errors["review_on"] = "Set a date to review this screen."
    elif data.review_on < data.screened_on:
        errors["review_on"] = "The review date cannot be before the screen date."
    for name, value in asdict(data).items():
        if name.endswith("_notes") and len(value) > _MAX_NOTES:
            errors[name] = f"Keep notes under {_MAX_NOTES} characters."
    if errors:
        raise ValidationError(errors)


def _draft_key(client_id: str) -> str:
    return f"risk-screen:{client_id}"


class RiskService:
    """Draft, finalise and read risk screens."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # ------------------------------------------------------------------ drafts

    def save_draft(self, client_id: str, data: RiskInput) -> None:
        """Keep a half-filled screen on this device (it does not change the risk flag)."""
        payload = _to_payload(data)
        with self._db.session() as session:
            _client(session, client_id)
            draft = session.get(Draft, _draft_key(client_id))
            if draft is None:
                session.add(Draft(key=_draft_key(client_id), payload=payload))
            else:
                draft.payload = payload

    def load_draft(self, client_id: str) -> RiskInput | None:
        """The draft screen for a client, if one was saved."""
        with self._db.read() as session:
            draft = session.get(Draft, _draft_key(client_id))
            return None if draft is None else _from_payload(draft.payload)

    def discard_draft(self, client_id: str) -> None:
        """Throw the draft away."""
        with self._db.session() as session:
            draft = session.get(Draft, _draft_key(client_id))
            if draft is not None:
                session.delete(draft)

    # ------------------------------------------------------------------ finalise

    def finalise(self, client_id: str, data: RiskInput) -> RiskScreenView:
        """Store a final screen; it becomes the client's risk flag and sets the review task.

        A screen made after an earlier one supersedes it (the earlier one stays in history).

        Raises:
            ValidationError: a field is missing or wrong.
        """
        validate_risk(data)
        with self._db.session() as session:
            _client(session, client_id)
            previous = _latest(session, client_id)
            row = RiskScreen(
                client_id=client_id,
                status=RecordStatus.FINAL,
                supersedes_id=previous.id if previous else None,
                **asdict(data),
            )
            session.add(row)
            session.flush()
            audit.record(
                session,
                "risk_screen.finalised",
                "risk_screen",
                row.id,
                client_id=client_id,
                summary=f"Risk screen recorded; overall {data.overall_level.value}",
            )
            draft = session.get(Draft, _draft_key(client_id))
            if draft is not None:
                session.delete(draft)
            return _view(row)

    # ------------------------------------------------------------------ reads

    def history(self, client_id: str) -> list[RiskScreenView]:
        """Every stored screen for a client, newest first."""
        with self._db.read() as session:
            rows = session.scalars(
                select(RiskScreen)
                .where(RiskScreen.client_id == client_id, RiskScreen.deleted_at.is_(None))
                .order_by(RiskScreen.screened_on.desc(), RiskScreen.created_at.desc())
            ).all()
            return [_view(row) for row in rows]

    def latest(self, client_id: str) -> RiskScreenView | None:
        """The screen that sets the client's flag (the same rule the client list uses)."""
        with self._db.read() as session:
            row = _latest(session, client_id)
            return None if row is None else _view(row)

    def get(self, screen_id: str) -> RiskScreenView:
        """One screen.

        Raises:
            NotFound: no such screen.
        """
        with self._db.read() as session:
            row = session.get(RiskScreen, screen_id)
            if row is None or row.deleted_at is not None:
                raise NotFound("That risk screen is not in this vault.")
            return _view(row)


def _client(session: Session, client_id: str) -> Client:
    client = session.get(Client, client_id)
    if client is None or client.deleted_at is not None:
        raise NotFound("That client is not in this vault.")
    return client


def _latest(session: Session, client_id: str) -> RiskScreen | None:
    return session.scalars(
        select(RiskScreen)
        .where(RiskScreen.client_id == client_id, RiskScreen.deleted_at.is_(None))
        .order_by(RiskScreen.screened_on.desc(), RiskScreen.created_at.desc())
        .limit(1)
    ).first()


def _input_from_row(row: RiskScreen) -> RiskInput:
    return RiskInput(**{name: getattr(row, name) for name in RiskInput.__dataclass_fields__})


def _view(row: RiskScreen) -> RiskScreenView:
    return RiskScreenView(
        row.id, row.client_id, _input_from_row(row), row.status, row.supersedes_id
    )


def _to_payload(data: RiskInput) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    for name, value in asdict(data).items():
        payload[name] = value.isoformat() if isinstance(value, date) else value
    return payload


def _from_payload(payload: dict[str, Any]) -> RiskInput | None:
    """Rebuild a draft; a payload that no longer fits (older version) is ignored."""
    try:
        values: dict[str, Any] = {}
        for name in RiskInput.__dataclass_fields__:
            value = payload.get(name)
            if name in ("screened_on", "review_on"):
                values[name] = date.fromisoformat(value) if value else None
            elif name in _ITEMS or name == "overall_level":
                values[name] = RiskLevel(value or RiskLevel.NONE)
            elif name == "children_in_home":
                values[name] = bool(value)
            else:
                values[name] = str(value or "")
        if values["screened_on"] is None:
            values["screened_on"] = today()
        return RiskInput(**values)
    except (TypeError, ValueError):
        return None
