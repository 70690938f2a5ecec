"""Intake: referral in, screening, and the accept/decline decision (with referral on)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.domain.clock import today as local_today
from casedesk.domain.enums import ClientStatus, IntakeDecision, ScreeningOutcome
from casedesk.domain.validation import MAX_SHORT_TEXT, Validator, check_date, check_text
from casedesk.services import audit
from casedesk.services.drafts import discard_in
from casedesk.services.episodes import ensure_open_episode
from casedesk.services.errors import NotFound
from casedesk.storage.engine import Database
from casedesk.storage.models import Client, Intake

MAX_INTAKE_TEXT = 5_000


@dataclass(frozen=True)
class IntakeInput:
    """What the Intake tab supplies."""

    referral_date: date | str | None = None
    source_type: str = ""
    source_name: str = ""
    reason: str = ""
    screening_outcome: ScreeningOutcome = ScreeningOutcome.PENDING
    screening_notes: str = ""
    decision: IntakeDecision = IntakeDecision.PENDING
    decision_date: date | str | None = None
    decline_reason: str = ""
    referred_on_to: str = ""
    rights_explained_on: date | str | None = None
    limits_explained: bool = False


@dataclass(frozen=True)
class IntakeView:
    """The client's intake as stored."""

    id: str
    client_id: str
    episode_id: str | None
    referral_date: date | None
    source_type: str
    source_name: str
    reason: str
    screening_outcome: ScreeningOutcome
    screening_notes: str
    decision: IntakeDecision
    decision_date: date | None
    decline_reason: str
    referred_on_to: str
    rights_explained_on: date | None
    limits_explained: bool


def validate_intake(data: IntakeInput, today: date) -> dict[str, object]:
    """Column name -> cleaned value.

    Raises:
        ValidationError: naming every field that needs attention.
    """
    v = Validator()
    clean: dict[str, object] = {
        "referral_date": check_date(v, "referral_date", data.referral_date),
        "source_type": check_text(v, "source_type", data.source_type, max_length=200),
        "source_name": check_text(v, "source_name", data.source_name, max_length=MAX_SHORT_TEXT),
        "reason": check_text(v, "reason", data.reason, max_length=MAX_INTAKE_TEXT),
        "screening_outcome": ScreeningOutcome(data.screening_outcome),
        "screening_notes": check_text(
            v, "screening_notes", data.screening_notes, max_length=MAX_INTAKE_TEXT
        ),
        "decision": IntakeDecision(data.decision),
        "decision_date": check_date(v, "decision_date", data.decision_date),
        "decline_reason": check_text(
            v, "decline_reason", data.decline_reason, max_length=MAX_INTAKE_TEXT
        ),
        "referred_on_to": check_text(
            v, "referred_on_to", data.referred_on_to, max_length=MAX_SHORT_TEXT
        ),
        "rights_explained_on": check_date(v, "rights_explained_on", data.rights_explained_on),
        "limits_explained": bool(data.limits_explained),
    }
    _check_dates(v, clean, today)
    if clean["decision"] is IntakeDecision.DECLINED and not clean["decline_reason"]:
        v.add("decline_reason", "Please record why the referral was declined.")
    if clean["decision"] is not IntakeDecision.PENDING and clean["decision_date"] is None:
        clean["decision_date"] = today
    v.raise_if_any()
    return clean


def _check_dates(v: Validator, clean: dict[str, object], today: date) -> None:
    for name in ("referral_date", "decision_date", "rights_explained_on"):
        value = clean[name]
        if isinstance(value, date) and value > today:
            v.add(name, "This date can't be in the future.")
    referred, decided = clean["referral_date"], clean["decision_date"]
    if isinstance(referred, date) and isinstance(decided, date) and decided < referred:
        v.add("decision_date", "The decision can't be before the referral date.")


def _view(row: Intake) -> IntakeView:
    return IntakeView(
        row.id,
        row.client_id,
        row.episode_id,
        row.referral_date,
        row.source_type,
        row.source_name,
        row.reason,
        row.screening_outcome,
        row.screening_notes,
        row.decision,
        row.decision_date,
        row.decline_reason,
        row.referred_on_to,
        row.rights_explained_on,
        row.limits_explained,
    )


def _latest(session: Session, client_id: str) -> Intake | None:
    return session.scalars(
        select(Intake)
        .where(Intake.client_id == client_id, Intake.deleted_at.is_(None))
        .order_by(Intake.created_at.desc())
        .limit(1)
    ).first()


class IntakeService:
    """Read and record a client's intake."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def get_intake(self, client_id: str) -> IntakeView | None:
        """The client's latest intake, if any."""
        with self._db.read() as session:
            row = _latest(session, client_id)
            return None if row is None else _view(row)

    def save_intake(
        self, client_id: str, data: IntakeInput, *, draft_key: str | None = None
    ) -> IntakeView:
        """Create or update the latest intake. Accepting opens an episode; declining closes."""
        today = local_today()
        clean = validate_intake(data, today)
        with self._db.session() as session:
            client = session.get(Client, client_id)
            if client is None or client.deleted_at is not None:
                raise NotFound("That client record could not be found.")
            row = _latest(session, client_id)
            before = row.decision if row is not None else None
            if row is None:
                row = Intake(client_id=client_id, **clean)
                session.add(row)
            else:
                for key, value in clean.items():
                    setattr(row, key, value)
            session.flush()
            self._apply_decision(session, client, row, before)
            audit.record(
                session,
                "intake.saved",
                "intake",
                row.id,
                client_id=client_id,
                summary=f"Intake saved ({row.decision.value})",
            )
            discard_in(session, draft_key)
            return _view(row)

    @staticmethod
    def _apply_decision(
        session: Session, client: Client, row: Intake, before: IntakeDecision | None
    ) -> None:
        if row.decision is before:
            return
        if row.decision is IntakeDecision.ACCEPTED:
            episode = ensure_open_episode(session, client.id, row.decision_date or local_today())
            row.episode_id = episode.id
            if client.status in (ClientStatus.REFERRAL, ClientStatus.DECLINED):
                client.status = ClientStatus.ACTIVE
        elif row.decision is IntakeDecision.DECLINED and client.status in (
            ClientStatus.REFERRAL,
            ClientStatus.ACTIVE,
        ):
            client.status = ClientStatus.DECLINED
