"""Episodes of support and the case overview shown in a client record's header."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.domain.enums import PlanState, RiskLevel
from casedesk.domain.exits import FINISHED_GOALS
from casedesk.services import audit
from casedesk.storage.engine import Database
from casedesk.storage.models import CasePlan, Episode, Goal, RiskScreen


@dataclass(frozen=True)
class EpisodeView:
    """One period of support."""

    id: str
    client_id: str
    opened_on: date
    closed_on: date | None

    @property
    def is_open(self) -> bool:
        """Still running."""
        return self.closed_on is None


@dataclass(frozen=True)
class GoalOption:
    """A goal a note can be linked to."""

    id: str
    label: str


@dataclass(frozen=True)
class ClosedPlan:
    """The plan of an ended episode: its last agreed version and when support ended."""

    version: int | None
    closed_on: date | None


@dataclass(frozen=True)
class CaseOverview:
    """What a record's header shows beyond the client's own details."""

    client_id: str
    risk_level: RiskLevel | None
    risk_screened_on: date | None
    next_review_on: date | None
    plan_state: PlanState | None
    episode: EpisodeView | None
    goals: tuple[GoalOption, ...]
    closed_plan: ClosedPlan | None = None  # support ended: the last plan, closed at exit


def _episode_view(row: Episode) -> EpisodeView:
    return EpisodeView(row.id, row.client_id, row.opened_on, row.closed_on)


def open_episode_row(session: Session, client_id: str) -> Episode | None:
    """The client's open episode in this unit of work (the newest if several)."""
    return session.scalars(
        select(Episode)
        .where(
            Episode.client_id == client_id,
            Episode.deleted_at.is_(None),
            Episode.closed_on.is_(None),
        )
        .order_by(Episode.opened_on.desc())
        .limit(1)
    ).first()


def ensure_open_episode(session: Session, client_id: str, on: date) -> Episode:
    """The open episode, starting one on ``on`` when there is none (audited)."""
    row = open_episode_row(session, client_id)
    if row is not None:
        return row
    row = Episode(client_id=client_id, opened_on=on)
    session.add(row)
    session.flush()
    audit.record(
        session, "episode.opened", "episode", row.id, client_id=client_id, summary="Support began"
    )
    return row


class EpisodeService:
    """Read episodes and the header overview."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def current_episode(self, client_id: str) -> EpisodeView | None:
        """The open episode, if any."""
        with self._db.read() as session:
            row = open_episode_row(session, client_id)
            return None if row is None else _episode_view(row)

    def overview(self, client_id: str) -> CaseOverview:
        """Risk flag, next review and linkable goals for a record's header and note form."""
        with self._db.read() as session:
            risk = session.scalars(
                select(RiskScreen)
                .where(RiskScreen.client_id == client_id, RiskScreen.deleted_at.is_(None))
                .order_by(RiskScreen.screened_on.desc())
                .limit(1)
            ).first()
            plan = session.scalars(
                select(CasePlan)
                .where(
                    CasePlan.client_id == client_id,
                    CasePlan.deleted_at.is_(None),
                    CasePlan.state != PlanState.CLOSED,
                )
                .order_by(CasePlan.created_at.desc())
                .limit(1)
            ).first()
            episode = open_episode_row(session, client_id)
            ended = None if plan or episode else _closed_plan(session, client_id)
            return CaseOverview(
                client_id=client_id,
                risk_level=risk.overall_level if risk else None,
                risk_screened_on=risk.screened_on if risk else None,
                next_review_on=plan.next_review_on if plan else None,
                plan_state=plan.state if plan else None,
                episode=_episode_view(episode) if episode else None,
                goals=self._goals(session, plan.id) if plan else (),
                closed_plan=ended,
            )

    @staticmethod
    def _goals(session: Session, plan_id: str) -> tuple[GoalOption, ...]:
        rows = session.scalars(
            select(Goal)
            .where(
                Goal.plan_id == plan_id,
                Goal.deleted_at.is_(None),
                Goal.lifecycle_status.not_in(FINISHED_GOALS),
            )
            .order_by(Goal.sort_order, Goal.created_at)
        )
        return tuple(GoalOption(g.id, g.client_words) for g in rows)


def _closed_plan(session: Session, client_id: str) -> ClosedPlan | None:
    """The most recent closed plan and the end of its episode (for a client whose support ended)."""
    row = session.execute(
        select(CasePlan.current_version_no, Episode.closed_on)
        .outerjoin(Episode, Episode.id == CasePlan.episode_id)
        .where(
            CasePlan.client_id == client_id,
            CasePlan.deleted_at.is_(None),
            CasePlan.state == PlanState.CLOSED,
        )
        .order_by(CasePlan.created_at.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    version, closed_on = row
    return ClosedPlan(version or None, closed_on)
