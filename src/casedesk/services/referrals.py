"""Referrals out: to a directory entry or a named agency, tracked until closed.

Each status change stamps its date and moves the follow-up reminder (a derived task, see
:mod:`casedesk.services.tasks`) so there is always a next check until the referral is closed;
a follow-up date the worker chose is kept, with the rule's date suggested beside it
(:mod:`casedesk.domain.referrals`).
Before sharing anything, :meth:`ReferralService.consent_covers` says whether a current
referral or sharing consent names the agency (:func:`casedesk.domain.consent.covers_agency`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.domain.clock import today as local_today
from casedesk.domain.consent import ConsentTerms, covers_agency
from casedesk.domain.enums import ReferralStatus
from casedesk.domain.referrals import (
    StatusDates,
    follow_up_after_move,
    rule_follow_up,
    suggested_follow_up,
)
from casedesk.domain.validation import (
    Validator,
    check_date,
    check_text,
)
from casedesk.services import audit
from casedesk.services.drafts import discard_in
from casedesk.services.errors import ValidationError
from casedesk.services.plans import live_row
from casedesk.storage.engine import Database
from casedesk.storage.models import Client, Consent, Goal, ReferralOut, ServiceEntry

MAX_REFERRAL_TEXT = 5_000


@dataclass(frozen=True)
class ReferralInput:
    """What the referral form supplies: a directory entry or a typed agency name."""

    client_id: str
    service_id: str | None = None
    agency_name: str = ""
    reason: str = ""
    goal_id: str | None = None
    drafted_on: date | str | None = None
    follow_up_on: date | str | None = None
    notes: str = ""


@dataclass(frozen=True)
class ReferralView:
    """A referral as listed on the Referrals tab."""

    id: str
    client_id: str
    agency: str
    service_id: str | None
    reason: str
    goal_id: str | None
    goal_label: str
    status: ReferralStatus
    drafted_on: date
    sent_on: date | None
    responded_on: date | None
    attended_on: date | None
    closed_on: date | None
    follow_up_on: date | None
    notes: str
    consent_covered: bool
    suggested_follow_up_on: date | None = None  # the rule's date, when the worker chose another

    @property
    def is_open(self) -> bool:
        """Still being followed up."""
        return self.status is not ReferralStatus.CLOSED


def validate_referral(data: ReferralInput, today: date) -> dict[str, object]:
    """Check and clean a referral.

    Raises:
        ValidationError: naming each field that needs attention.
    """
    v = Validator()
    name = check_text(v, "agency_name", data.agency_name, max_length=200)
    if not data.service_id and not name:
        v.add("agency_name", "Choose a service from the directory or type the agency's name.")
    drafted = check_date(v, "drafted_on", data.drafted_on) or today
    follow_up = check_date(v, "follow_up_on", data.follow_up_on)
    if follow_up is not None and follow_up < drafted:
        v.add("follow_up_on", "The follow-up date can't be before the referral was drafted.")
    clean: dict[str, object] = {
        "service_id": data.service_id or None,
        "agency_name": name,
        "reason": check_text(v, "reason", data.reason, max_length=MAX_REFERRAL_TEXT),
        "goal_id": data.goal_id or None,
        "drafted_on": drafted,
        "follow_up_on": follow_up,
        "notes": check_text(v, "notes", data.notes, max_length=MAX_REFERRAL_TEXT),
    }
    v.raise_if_any()
    return clean


def _stamp(row: ReferralOut, status: ReferralStatus, on: date) -> None:
    if status is ReferralStatus.SENT:
        row.sent_on = on
    elif status in (ReferralStatus.ACCEPTED, ReferralStatus.DECLINED):
        row.responded_on = on
        row.sent_on = row.sent_on or on
    elif status is ReferralStatus.ATTENDED:
        row.attended_on = on
    elif status is ReferralStatus.CLOSED:
        row.closed_on = on


def _dates(row: ReferralOut) -> StatusDates:
    return StatusDates(
        row.drafted_on, row.sent_on, row.responded_on, row.attended_on, row.closed_on
    )


def move_referral(
    row: ReferralOut, status: ReferralStatus, on: date, follow_up_on: date | None = None
) -> None:
    """Move a referral to ``status`` on ``on``: stamp the date and move the follow-up.

    A follow-up date the worker chose is kept (see :func:`follow_up_after_move`); the caller
    records the audit event.
    """
    status = ReferralStatus(status)
    old_status, old_dates = row.status, _dates(row)
    row.status = status
    _stamp(row, status, on)
    move = follow_up_after_move(
        row.follow_up_on, old_status, old_dates, status, _dates(row), given=follow_up_on
    )
    row.follow_up_on = move.follow_up_on


class ReferralService:
    """Record and track referrals out."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def list_referrals(self, client_id: str, today: date | None = None) -> list[ReferralView]:
        """A client's referrals, open ones first, newest first."""
        today = today or local_today()
        with self._db.read() as session:
            terms = _consent_terms(session, client_id)
            rows = session.execute(
                select(ReferralOut, ServiceEntry.name, Goal.client_words, Goal.worker_framing)
                .outerjoin(ServiceEntry, ServiceEntry.id == ReferralOut.service_id)
                .outerjoin(Goal, Goal.id == ReferralOut.goal_id)
                .where(ReferralOut.client_id == client_id, ReferralOut.deleted_at.is_(None))
                .order_by(ReferralOut.drafted_on.desc(), ReferralOut.created_at.desc())
            )
            views = [
                _view(r, service or "", (words or framing or "").strip(), terms, today)
                for r, service, words, framing in rows
            ]
        return sorted(views, key=lambda v: not v.is_open)

    def get_referral(self, referral_id: str, today: date | None = None) -> ReferralView:
        """One referral.

        Raises:
            NotFound: no such referral.
        """
        with self._db.read() as session:
            row = live_row(session, ReferralOut, referral_id, "referral")
            return self._one(session, row, today or local_today())

    def consent_covers(self, client_id: str, agency: str, today: date | None = None) -> bool:
        """Whether a current referral/sharing consent names this agency."""
        with self._db.read() as session:
            return covers_agency(_consent_terms(session, client_id), agency, today or local_today())

    def agency_name(self, service_id: str) -> str:
        """The directory name of a service (for consent checks while typing)."""
        with self._db.read() as session:
            return live_row(session, ServiceEntry, service_id, "directory entry").name

    def add_referral(self, data: ReferralInput, *, draft_key: str | None = None) -> ReferralView:
        """Draft a referral (follow-up defaults to a few days later, to send it)."""
        today = local_today()
        clean = validate_referral(data, today)
        with self._db.session() as session:
            live_row(session, Client, data.client_id, "client")
            self._check_links(session, clean)
            row = ReferralOut(client_id=data.client_id, status=ReferralStatus.DRAFTED, **clean)
            if row.follow_up_on is None:
                row.follow_up_on = rule_follow_up(ReferralStatus.DRAFTED, row.drafted_on)
            session.add(row)
            session.flush()
            _audit(session, row, "referral.drafted", "Referral drafted")
            discard_in(session, draft_key)
            return self._one(session, row, today)

    def update_referral(
        self, referral_id: str, data: ReferralInput, *, draft_key: str | None = None
    ) -> ReferralView:
        """Change a referral's details (not its status)."""
        today = local_today()
        clean = validate_referral(data, today)
        with self._db.session() as session:
            row = live_row(session, ReferralOut, referral_id, "referral")
            self._check_links(session, clean)
            for key, value in clean.items():
                if key == "follow_up_on" and value is None:
                    continue
                if getattr(row, key) != value:
                    setattr(row, key, value)
            _audit(session, row, "referral.edited", "Referral changed")
            discard_in(session, draft_key)
            return self._one(session, row, today)

    def set_status(
        self,
        referral_id: str,
        status: ReferralStatus,
        on: date | None = None,
        follow_up_on: date | None = None,
    ) -> ReferralView:
        """Move a referral on: the status date is stamped and the follow-up moved.

        A follow-up date the worker chose is kept, never overwritten; the view then carries the
        rule's date as ``suggested_follow_up_on``. ``follow_up_on`` sets the date outright.
        """
        today = local_today()
        on = on or today
        with self._db.session() as session:
            row = live_row(session, ReferralOut, referral_id, "referral")
            if on < row.drafted_on or on > today:
                raise ValidationError(
                    {"on": "The date must be between the day it was drafted and today."}
                )
            status = ReferralStatus(status)
            move_referral(row, status, on, follow_up_on)
            _audit(session, row, "referral.status", f"Referral {status.value}")
            return self._one(session, row, today)

    def set_follow_up(self, referral_id: str, follow_up_on: date) -> ReferralView:
        """Set the next follow-up date (e.g. taking the suggested one).

        Raises:
            ValidationError: the referral is closed, or the date is before it was drafted.
        """
        today = local_today()
        with self._db.session() as session:
            row = live_row(session, ReferralOut, referral_id, "referral")
            if row.status is ReferralStatus.CLOSED:
                raise ValidationError({"follow_up_on": "A closed referral has no follow-up."})
            if follow_up_on < row.drafted_on:
                raise ValidationError(
                    {"follow_up_on": "The follow-up date can't be before the referral was drafted."}
                )
            row.follow_up_on = follow_up_on
            _audit(session, row, "referral.follow_up", "Referral follow-up date changed")
            return self._one(session, row, today)

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _check_links(session: Session, clean: dict[str, object]) -> None:
        if clean["service_id"] is not None:
            entry = live_row(session, ServiceEntry, str(clean["service_id"]), "directory entry")
            if not clean["agency_name"]:
                clean["agency_name"] = entry.name
        if clean["goal_id"] is not None:
            live_row(session, Goal, str(clean["goal_id"]), "goal")

    @staticmethod
    def _one(session: Session, row: ReferralOut, today: date) -> ReferralView:
        session.flush()
        goal = session.get(Goal, row.goal_id) if row.goal_id else None
        label = (goal.client_words or goal.worker_framing).strip() if goal else ""
        service = session.get(ServiceEntry, row.service_id) if row.service_id else None
        terms = _consent_terms(session, row.client_id)
        return _view(row, service.name if service else "", label, terms, today)


def _audit(session: Session, row: ReferralOut, action: str, summary: str) -> None:
    audit.record(session, action, "referral_out", row.id, client_id=row.client_id, summary=summary)


def _consent_terms(session: Session, client_id: str) -> list[ConsentTerms]:
    rows = session.scalars(
        select(Consent).where(Consent.client_id == client_id, Consent.deleted_at.is_(None))
    )
    return [
        ConsentTerms(
            r.scope, r.given_on, r.expires_on, r.withdrawn_on, tuple(r.agencies or ()), r.id
        )
        for r in rows
    ]


def _view(
    row: ReferralOut,
    service_name: str,
    goal_label: str,
    terms: list[ConsentTerms],
    today: date,
) -> ReferralView:
    agency = row.agency_name or service_name
    covered = covers_agency(terms, agency, today) or (
        bool(service_name) and covers_agency(terms, service_name, today)
    )
    return ReferralView(
        id=row.id,
        client_id=row.client_id,
        agency=agency,
        service_id=row.service_id,
        reason=row.reason,
        goal_id=row.goal_id,
        goal_label=goal_label,
        status=row.status,
        drafted_on=row.drafted_on,
        sent_on=row.sent_on,
        responded_on=row.responded_on,
        attended_on=row.attended_on,
        closed_on=row.closed_on,
        follow_up_on=row.follow_up_on,
        notes=row.notes,
        consent_covered=covered,
        suggested_follow_up_on=_suggestion(row, today),
    )


def _suggestion(row: ReferralOut, today: date) -> date | None:
    """The rule's follow-up for an open referral whose date the worker chose, else None.

    A rule's date already past is not offered: taking it would only make the follow-up
    overdue.
    """
    if row.status is ReferralStatus.CLOSED:
        return None
    suggested = suggested_follow_up(row.status, _dates(row))
    if suggested is None or suggested == row.follow_up_on or suggested < today:
        return None
    return suggested
