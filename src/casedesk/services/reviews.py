"""Plan reviews: open a review, record progress per goal, finish it.

A review opens the agreed plan for change (state ``under_review``) and holds a draft review
record. Finishing it records each goal's achievement status, progress note and the client's
own 0-10 scaling score, celebrates achievements, names barriers and new supports, and then
either agrees the next plan version at once, keeps the current version (nothing to change),
or leaves the plan under review so goals can be changed before agreeing it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.domain.clock import today as local_today
from casedesk.domain.enums import GoalAchievement, PlanState, RecordStatus
from casedesk.domain.plans import PlanEvent
from casedesk.domain.validation import (
    MAX_LONG_TEXT,
    Validator,
    check_date,
    check_range,
    check_text,
)
from casedesk.services import audit
from casedesk.services.errors import ValidationError
from casedesk.services.plans import PlanView, apply_plan_event, live_row, load_plan
from casedesk.storage.engine import Database
from casedesk.storage.models import CasePlan, Goal, GoalReview, Review

MAX_REVIEW_TEXT = 10_000


class ReviewOutcome(StrEnum):
    """What finishing a review does to the plan."""

    AGREE_NEW_VERSION = "agree_new_version"  # freeze the next version now
    KEEP_CURRENT = "keep_current"  # nothing changed: the current version stays
    CONTINUE_EDITING = "continue_editing"  # keep the plan open to change goals, agree later


@dataclass(frozen=True)
class GoalReviewInput:
    """Progress on one goal at a review."""

    goal_id: str
    achievement: GoalAchievement
    progress_note: str = ""
    scaling_score: int | None = None  # the client's "where are you now", 0-10


@dataclass(frozen=True)
class ReviewInput:
    """What the review form supplies."""

    held_on: date | str | None
    achievements: str = ""
    barriers: str = ""
    new_supports: str = ""
    summary: str = ""
    risk_rechecked: bool = False
    goals: tuple[GoalReviewInput, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class GoalReviewView:
    """Progress on one goal, as recorded."""

    goal_id: str
    goal_label: str
    achievement: GoalAchievement
    progress_note: str
    scaling_score: int | None


@dataclass(frozen=True)
class ReviewView:
    """A review record."""

    id: str
    plan_id: str
    held_on: date
    status: RecordStatus
    achievements: str
    barriers: str
    new_supports: str
    summary: str
    risk_rechecked: bool
    goals: tuple[GoalReviewView, ...]

    @property
    def finished(self) -> bool:
        """A finished review is final."""
        return self.status is RecordStatus.FINAL


def validate_review(data: ReviewInput) -> dict[str, object]:
    """Check and clean a review.

    Raises:
        ValidationError: naming each field that needs attention.
    """
    v = Validator()
    clean: dict[str, object] = {
        "held_on": check_date(v, "held_on", data.held_on, required=True),
        "achievements": check_text(
            v, "achievements", data.achievements, max_length=MAX_REVIEW_TEXT
        ),
        "barriers": check_text(v, "barriers", data.barriers, max_length=MAX_REVIEW_TEXT),
        "new_supports": check_text(
            v, "new_supports", data.new_supports, max_length=MAX_REVIEW_TEXT
        ),
        "summary": check_text(v, "summary", data.summary, max_length=MAX_LONG_TEXT),
        "risk_rechecked": bool(data.risk_rechecked),
    }
    held = clean["held_on"]
    if isinstance(held, date) and held > local_today():
        v.add("held_on", "A review can't be recorded as held in the future.")
    for index, g in enumerate(data.goals):
        check_range(v, f"goals[{index}]", g.scaling_score, 0, 10)
        check_text(v, f"goals[{index}]", g.progress_note, max_length=MAX_REVIEW_TEXT)
    v.raise_if_any()
    return clean


class ReviewService:
    """Open, save and finish plan reviews; list past ones."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def open_review(self, plan_id: str, on: date | None = None) -> ReviewView:
        """Start a review of an agreed plan (or return the draft review already open).

        Raises:
            PlanTransitionError: the plan is a draft, closed, or otherwise can't be reviewed.
        """
        on = on or local_today()
        with self._db.session() as session:
            plan = live_row(session, CasePlan, plan_id, "plan")
            draft = _draft_review(session, plan.id)
            if draft is not None and plan.state is PlanState.UNDER_REVIEW:
                return _view(session, draft)
            apply_plan_event(session, plan, PlanEvent.START_REVIEW, on)
            review = Review(plan_id=plan.id, held_on=on, status=RecordStatus.DRAFT)
            session.add(review)
            session.flush()
            audit.record(
                session,
                "review.opened",
                "review",
                review.id,
                client_id=plan.client_id,
                summary="Plan review started",
            )
            return _view(session, review)

    def draft_review(self, plan_id: str) -> ReviewView | None:
        """The review in progress for a plan, if any."""
        with self._db.read() as session:
            row = _draft_review(session, plan_id)
            return None if row is None else _view(session, row)

    def save_review(self, review_id: str, data: ReviewInput) -> ReviewView:
        """Save a draft review without finishing it."""
        clean = validate_review(data)
        with self._db.session() as session:
            review = self._draft(session, review_id)
            self._write(session, review, clean, data.goals, apply_goals=False)
            return _view(session, review)

    def finish_review(
        self, review_id: str, data: ReviewInput, outcome: ReviewOutcome
    ) -> tuple[ReviewView, PlanView]:
        """Finish a review: goal progress recorded, and the plan agreed, kept or left open.

        Raises:
            ValidationError: bad fields.
            PlanTransitionError: the outcome isn't possible (e.g. agreeing a plan with no goals).
            MyDetailsMissing: agreeing while the worker's name or phone number is not set.
        """
        clean = validate_review(data)
        with self._db.session() as session:
            review = self._draft(session, review_id)
            plan = live_row(session, CasePlan, review.plan_id, "plan")
            self._write(session, review, clean, data.goals, apply_goals=True)
            review.status = RecordStatus.FINAL
            held = review.held_on
            session.flush()
            if outcome is ReviewOutcome.AGREE_NEW_VERSION:
                apply_plan_event(session, plan, PlanEvent.AGREE, held)
            elif outcome is ReviewOutcome.KEEP_CURRENT:
                apply_plan_event(session, plan, PlanEvent.KEEP_CURRENT, held)
            audit.record(
                session,
                "review.finished",
                "review",
                review.id,
                client_id=plan.client_id,
                summary=f"Plan review finished ({outcome.value.replace('_', ' ')})",
            )
            session.flush()
            return _view(session, review), load_plan(session, plan)

    def list_reviews(self, plan_id: str) -> list[ReviewView]:
        """Every review of a plan, newest first."""
        with self._db.read() as session:
            rows = session.scalars(
                select(Review)
                .where(Review.plan_id == plan_id, Review.deleted_at.is_(None))
                .order_by(Review.held_on.desc(), Review.created_at.desc())
            )
            return [_view(session, r) for r in rows]

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _draft(session: Session, review_id: str) -> Review:
        review = live_row(session, Review, review_id, "review")
        if review.status is RecordStatus.FINAL:
            raise ValidationError({"review": "This review is finished and can't be changed."})
        return review

    @staticmethod
    def _write(
        session: Session,
        review: Review,
        clean: dict[str, object],
        goals: tuple[GoalReviewInput, ...],
        *,
        apply_goals: bool,
    ) -> None:
        for key, value in clean.items():
            if getattr(review, key) != value:
                setattr(review, key, value)
        existing = {
            r.goal_id: r
            for r in session.scalars(
                select(GoalReview).where(
                    GoalReview.review_id == review.id, GoalReview.deleted_at.is_(None)
                )
            )
        }
        for g in goals:
            goal = live_row(session, Goal, g.goal_id, "goal")
            row = existing.get(goal.id)
            if row is None:
                row = GoalReview(
                    review_id=review.id, goal_id=goal.id, achievement_status=g.achievement
                )
                session.add(row)
            row.achievement_status = GoalAchievement(g.achievement)
            row.progress_note = g.progress_note.strip()
            row.client_scaling_score = g.scaling_score
            if apply_goals and goal.achievement_status != row.achievement_status:
                goal.achievement_status = row.achievement_status
                goal.status_date = review.held_on


def _draft_review(session: Session, plan_id: str) -> Review | None:
    return session.scalars(
        select(Review)
        .where(
            Review.plan_id == plan_id,
            Review.deleted_at.is_(None),
            Review.status == RecordStatus.DRAFT,
        )
        .order_by(Review.created_at.desc())
        .limit(1)
    ).first()


def _view(session: Session, review: Review) -> ReviewView:
    rows = session.execute(
        select(GoalReview, Goal.client_words, Goal.worker_framing)
        .join(Goal, Goal.id == GoalReview.goal_id)
        .where(GoalReview.review_id == review.id, GoalReview.deleted_at.is_(None))
        .order_by(Goal.sort_order)
    )
    goals = tuple(
        GoalReviewView(
            r.goal_id,
            (words or framing or "Untitled goal").strip(),
            r.achievement_status,
            r.progress_note,
            r.client_scaling_score,
        )
        for r, words, framing in rows
    )
    return ReviewView(
        review.id,
        review.plan_id,
        review.held_on,
        review.status,
        review.achievements,
        review.barriers,
        review.new_supports,
        review.summary,
        review.risk_rechecked,
        goals,
    )
