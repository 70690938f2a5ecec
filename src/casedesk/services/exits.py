"""Exit and reopening: close an episode with its reasons, summary and feedback; start afresh.

Exiting closes the open episode (reason, summary, achievements, supports in place, the client's
rating and comments, a follow-up contact date, six weeks on by default), closes its plan (the
agreed versions stay exactly as they were) and sets the client's status to closed. The
follow-up date becomes a task until the contact is recorded. Reopening starts a **new**
episode and sets the client active again; nothing from the earlier episode is changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.domain.clock import today as local_today
from casedesk.domain.clock import utcnow
from casedesk.domain.enums import ClientStatus, ClosureReason, PlanState
from casedesk.domain.plans import PlanEvent
from casedesk.domain.validation import (
    MAX_LONG_TEXT,
    MAX_SHORT_TEXT,
    Validator,
    check_date,
    check_range,
    check_text,
)
from casedesk.services import audit
from casedesk.services.drafts import discard_in
from casedesk.services.episodes import ensure_open_episode, open_episode_row
from casedesk.services.errors import ValidationError
from casedesk.services.plans import apply_plan_event, live_row
from casedesk.storage.engine import Database
from casedesk.storage.models import CasePlan, Client, Episode

FOLLOW_UP_WEEKS = 6


@dataclass(frozen=True)
class ExitInput:
    """What the exit form supplies."""

    closed_on: date | str | None
    reason: ClosureReason | None
    reason_detail: str = ""
    exit_summary: str = ""
    achievements: str = ""
    supports_in_place: str = ""
    feedback_rating: int | None = None  # the client's rating of the service, 1-5
    feedback_comments: str = ""
    follow_up_on: date | str | None = None  # default: six weeks after closing


@dataclass(frozen=True)
class EpisodeRecord:
    """One episode of support with its exit details (if closed)."""

    id: str
    client_id: str
    opened_on: date
    closed_on: date | None
    closure_reason: ClosureReason | None
    closure_detail: str
    exit_summary: str
    achievements: str
    supports_in_place: str
    feedback_rating: int | None
    feedback_comments: str
    follow_up_on: date | None
    followed_up_at: datetime | None

    @property
    def is_open(self) -> bool:
        """Still running."""
        return self.closed_on is None


def default_follow_up(closed_on: date) -> date:
    """The follow-up contact date: six weeks after exit."""
    return closed_on + timedelta(weeks=FOLLOW_UP_WEEKS)


def validate_exit(data: ExitInput, today: date) -> dict[str, object]:
    """Check and clean an exit.

    Raises:
        ValidationError: naming each field that needs attention.
    """
    v = Validator()
    closed = check_date(v, "closed_on", data.closed_on, required=True)
    if closed is not None and closed > today:
        v.add("closed_on", "An exit can't be recorded in the future.")
    reason = ClosureReason(data.reason) if data.reason else None
    if reason is None:
        v.add("reason", "Please choose why support is ending.")
    detail = check_text(v, "reason_detail", data.reason_detail, max_length=MAX_SHORT_TEXT)
    if reason is ClosureReason.OTHER and not detail:
        v.add("reason_detail", "Please say briefly why support is ending.")
    follow_up = check_date(v, "follow_up_on", data.follow_up_on)
    if follow_up is not None and closed is not None and follow_up < closed:
        v.add("follow_up_on", "The follow-up contact must be after the exit date.")
    check_range(v, "feedback_rating", data.feedback_rating, 1, 5)
    clean: dict[str, object] = {
        "closed_on": closed,
        "closure_reason": reason,
        "closure_detail": detail,
        "exit_summary": check_text(v, "exit_summary", data.exit_summary, max_length=MAX_LONG_TEXT),
        "achievements": check_text(v, "achievements", data.achievements, max_length=MAX_LONG_TEXT),
        "supports_in_place": check_text(
            v, "supports_in_place", data.supports_in_place, max_length=MAX_LONG_TEXT
        ),
        "feedback_rating": data.feedback_rating,
        "feedback_comments": check_text(
            v, "feedback_comments", data.feedback_comments, max_length=MAX_LONG_TEXT
        ),
    }
    v.raise_if_any()
    assert closed is not None
    # No follow-up after a death; otherwise six weeks on unless the worker chose a date.
    if reason is ClosureReason.DIED:
        clean["follow_up_on"] = None
    else:
        clean["follow_up_on"] = follow_up or default_follow_up(closed)
    return clean


def _record(row: Episode) -> EpisodeRecord:
    return EpisodeRecord(
        row.id,
        row.client_id,
        row.opened_on,
        row.closed_on,
        row.closure_reason,
        row.closure_detail,
        row.exit_summary,
        row.achievements,
        row.supports_in_place,
        row.feedback_rating,
        row.feedback_comments,
        row.follow_up_on,
        row.followed_up_at,
    )


class ExitService:
    """Close an episode, record the follow-up contact, reopen, and list episodes."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def episodes(self, client_id: str) -> list[EpisodeRecord]:
        """Every episode of a client, newest first."""
        with self._db.read() as session:
            rows = session.scalars(
                select(Episode)
                .where(Episode.client_id == client_id, Episode.deleted_at.is_(None))
                .order_by(Episode.opened_on.desc(), Episode.created_at.desc())
            )
            return [_record(r) for r in rows]

    def exit_client(
        self, client_id: str, data: ExitInput, *, draft_key: str | None = None
    ) -> EpisodeRecord:
        """Close the open episode and its plan; the client's status becomes closed.

        Raises:
            ValidationError: bad fields, or no open episode to close.
        """
        clean = validate_exit(data, local_today())
        with self._db.session() as session:
            client = live_row(session, Client, client_id, "client")
            episode = open_episode_row(session, client_id)
            if episode is None:
                raise ValidationError({"episode": "This client has no open episode to close."})
            if clean["closed_on"] < episode.opened_on:  # type: ignore[operator]
                raise ValidationError({"closed_on": "The exit date can't be before support began."})
            for key, value in clean.items():
                setattr(episode, key, value)
            self._close_plans(session, episode, clean["closed_on"])  # type: ignore[arg-type]
            client.status = ClientStatus.CLOSED
            audit.record(
                session,
                "episode.closed",
                "episode",
                episode.id,
                client_id=client_id,
                summary=f"Support ended ({episode.closure_reason.value.replace('_', ' ')})"
                if episode.closure_reason
                else "Support ended",
            )
            session.flush()
            discard_in(session, draft_key)
            return _record(episode)

    def record_follow_up(self, episode_id: str, when: datetime | None = None) -> EpisodeRecord:
        """Record that the post-exit follow-up contact was made (its task goes away)."""
        with self._db.session() as session:
            episode = live_row(session, Episode, episode_id, "episode")
            if episode.closed_on is None:
                raise ValidationError({"episode": "This episode is still open."})
            episode.followed_up_at = when or utcnow()
            audit.record(
                session,
                "episode.followed_up",
                "episode",
                episode.id,
                client_id=episode.client_id,
                summary="Post-exit follow-up made",
            )
            session.flush()
            return _record(episode)

    def reopen(self, client_id: str, on: date | None = None) -> EpisodeRecord:
        """Start a new episode for a closed client; earlier episodes and plans are untouched.

        Raises:
            ValidationError: the client already has an open episode.
        """
        on = on or local_today()
        with self._db.session() as session:
            client = live_row(session, Client, client_id, "client")
            if open_episode_row(session, client_id) is not None:
                raise ValidationError({"episode": "This client's support is already open."})
            latest = session.scalars(
                select(Episode)
                .where(Episode.client_id == client_id, Episode.deleted_at.is_(None))
                .order_by(Episode.closed_on.desc())
                .limit(1)
            ).first()
            if latest is not None and latest.closed_on is not None and on < latest.closed_on:
                raise ValidationError(
                    {"opened_on": "A new episode can't start before the last one ended."}
                )
            episode = ensure_open_episode(session, client_id, on)
            client.status = ClientStatus.ACTIVE
            audit.record(
                session,
                "client.reopened",
                "client",
                client.id,
                client_id=client_id,
                summary="Support reopened (new episode)",
            )
            session.flush()
            return _record(episode)

    @staticmethod
    def _close_plans(session: Session, episode: Episode, on: date) -> None:
        plans = session.scalars(
            select(CasePlan).where(
                CasePlan.episode_id == episode.id,
                CasePlan.deleted_at.is_(None),
                CasePlan.state != PlanState.CLOSED,
            )
        )
        for plan in plans:
            apply_plan_event(session, plan, PlanEvent.CLOSE, on)
