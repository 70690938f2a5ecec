"""Needs identified in assessment, and the hand-over to the plan ("Create goal from this need")."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.domain.enums import NeedStatus
from casedesk.services.domain_sets_service import stored_from_row
from casedesk.services.errors import NotFound
from casedesk.storage.engine import Database
from casedesk.storage.models import Assessment, AssessmentReading, DomainSetRecord, Need


@dataclass(frozen=True)
class NeedView:
    """A need in a client's list."""

    id: str
    client_id: str
    domain_key: str
    domain_name: str
    description: str
    status: NeedStatus
    source_assessment_id: str | None


@dataclass(frozen=True)
class GoalPrefill:
    """What a new goal starts with when made from a need (the plan's goal editor uses it).

    Attributes:
        need_id: the need the goal addresses.
        client_id: whose plan.
        domain_key: the life domain (stable key).
        domain_name: the domain's display name.
        client_words: the client's own words from the assessment, if any (the goal's
            wording starts from them).
        suggested_framing: a worker framing to start from, built from the need.
    """

    need_id: str
    client_id: str
    domain_key: str
    domain_name: str
    client_words: str
    suggested_framing: str


class NeedService:
    """Read needs and prepare goals from them."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def list_for_client(self, client_id: str, *, open_only: bool = False) -> list[NeedView]:
        """A client's needs, oldest first."""
        with self._db.read() as session:
            query = select(Need).where(Need.client_id == client_id, Need.deleted_at.is_(None))
            if open_only:
                query = query.where(Need.status == NeedStatus.OPEN)
            rows = session.scalars(query.order_by(Need.created_at)).all()
            return [_view(session, row) for row in rows]

    def goal_prefill_for_need(self, need_id: str) -> GoalPrefill:
        """The starting point for a goal that addresses this need.

        Raises:
            NotFound: no such need.
        """
        with self._db.read() as session:
            need = session.get(Need, need_id)
            if need is None or need.deleted_at is not None:
                raise NotFound("That need is not in this vault.")
            view = _view(session, need)
            words = _client_words(session, need)
            return GoalPrefill(
                need_id=need.id,
                client_id=need.client_id,
                domain_key=need.domain_key,
                domain_name=view.domain_name,
                client_words=words,
                suggested_framing=_framing(view),
            )


def goal_prefill_for_need(db: Database, need_id: str) -> GoalPrefill:
    """Module-level shorthand for :meth:`NeedService.goal_prefill_for_need`."""
    return NeedService(db).goal_prefill_for_need(need_id)


def _framing(view: NeedView) -> str:
    subject = view.domain_name or "this area"
    description = view.description.strip().rstrip(".")
    if description and not description.startswith("Work on:"):
        return f"{subject}: {description}."
    return f"{subject}: agree a first step the client chooses."


def _client_words(session: Session, need: Need) -> str:
    if not need.source_assessment_id:
        return ""
    reading = session.scalars(
        select(AssessmentReading).where(
            AssessmentReading.assessment_id == need.source_assessment_id,
            AssessmentReading.domain_key == need.domain_key,
            AssessmentReading.deleted_at.is_(None),
        )
    ).first()
    return reading.client_words.strip() if reading else ""


def _view(session: Session, need: Need) -> NeedView:
    return NeedView(
        id=need.id,
        client_id=need.client_id,
        domain_key=need.domain_key,
        domain_name=_domain_name(session, need),
        description=need.description,
        status=need.status,
        source_assessment_id=need.source_assessment_id,
    )


def _domain_name(session: Session, need: Need) -> str:
    """The domain's name in the set of the source assessment (else the newest core set)."""
    set_row: DomainSetRecord | None = None
    if need.source_assessment_id:
        assessment = session.get(Assessment, need.source_assessment_id)
        if assessment is not None:
            set_row = session.get(DomainSetRecord, assessment.domain_set_id)
    if set_row is None:
        set_row = session.scalars(
            select(DomainSetRecord)
            .where(DomainSetRecord.builtin.is_(True))
            .order_by(DomainSetRecord.version.desc())
        ).first()
    if set_row is None or not need.domain_key:
        return need.domain_key
    domain_set = stored_from_row(set_row).domain_set
    if need.domain_key in domain_set.domain_keys():
        return domain_set.domain(need.domain_key).name
    return need.domain_key
