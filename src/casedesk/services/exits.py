"""Exit and reopening: close an episode with its reasons, summary and feedback; start afresh.

Exiting closes the open episode (reason, summary, achievements, supports in place, the client's
rating and comments, a follow-up contact date, six weeks on by default), closes its plan (the
agreed versions stay exactly as they were) and sets the client's status to closed. The
follow-up date becomes a task until the contact is recorded. Reopening starts a **new**
episode and sets the client active again; nothing from the earlier episode is changed.

Before exiting, :meth:`ExitService.open_items` lists the goals, actions and referrals still
open, each with a suggested closing status (:mod:`casedesk.domain.exits`). The exit closes the
ones the worker chose, with the chosen statuses, in the same transaction as the exit: the
record never says "closed" while its goals say "improving" unless the worker left them so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.domain.clock import today as local_today
from casedesk.domain.clock import utcnow
from casedesk.domain.enums import (
    ActionStatus,
    ClientStatus,
    ClosureReason,
    GoalAchievement,
    PlanState,
    ReferralStatus,
)
from casedesk.domain.exits import (
    ExitItemKind,
    action_is_open,
    closing_status,
    exit_choices,
    goal_is_open,
    goal_lifecycle_at_exit,
    referral_is_open,
    suggested_closing,
)
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
from casedesk.services.referrals import move_referral
from casedesk.storage.engine import Database
from casedesk.storage.models import (
    Action,
    CasePlan,
    Client,
    Episode,
    Goal,
    ReferralOut,
    ServiceEntry,
)

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


@dataclass(frozen=True)
class OpenItem:
    """A goal, action or referral still open when support ends.

    Attributes:
        kind: what it is.
        id: its record id.
        label: the goal in the client's words, the action, or the agency.
        status: where it stands (a goal's achievement; an action's or referral's status).
        choices: the statuses it can be closed with at exit (vocabulary values).
        suggested: the closing status suggested from where it stands (one of ``choices``).
        goal_label: for an action, the goal it serves.
    """

    kind: ExitItemKind
    id: str
    label: str
    status: str
    choices: tuple[str, ...]
    suggested: str
    goal_label: str = ""


def _open_item(
    kind: ExitItemKind, item_id: str, label: str, status: str, goal: str = ""
) -> OpenItem:
    return OpenItem(
        kind,
        item_id,
        label,
        status,
        tuple(choice.value for choice in exit_choices(kind)),
        suggested_closing(kind, status).value,
        goal,
    )


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

    def open_items(self, client_id: str) -> list[OpenItem]:
        """Goals and actions of the open episode's plan, and referrals, still open.

        Goals come first in plan order, each followed by its open actions; then referrals.
        """
        with self._db.read() as session:
            live_row(session, Client, client_id, "client")
            return _open_items(session, client_id)

    def exit_client(
        self,
        client_id: str,
        data: ExitInput,
        closings: Mapping[str, str] | None = None,
        *,
        draft_key: str | None = None,
    ) -> EpisodeRecord:
        """Close the open episode and its plan; the client's status becomes closed.

        Args:
            client_id: whose support ends.
            data: the exit form.
            closings: open item id -> the status to close it with (one of its ``choices`` in
                :meth:`open_items`). Items not named are left as they are.
            draft_key: the exit form's draft, deleted in the same transaction.

        Raises:
            ValidationError: bad fields, no open episode to close, or a closing that names an
                item that is not open or a status it can't take.
        """
        clean = validate_exit(data, local_today())
        with self._db.session() as session:
            client = live_row(session, Client, client_id, "client")
            episode = open_episode_row(session, client_id)
            if episode is None:
                raise ValidationError({"episode": "This client has no open episode to close."})
            if clean["closed_on"] < episode.opened_on:  # type: ignore[operator]
                raise ValidationError({"closed_on": "The exit date can't be before support began."})
            closed_on: date = clean["closed_on"]  # type: ignore[assignment]
            _close_open_items(session, client_id, dict(closings or {}), closed_on)
            for key, value in clean.items():
                setattr(episode, key, value)
            self._close_plans(session, episode, closed_on)
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


# ----------------------------------------------------------------------------- open items


def _open_plan_ids(session: Session, client_id: str) -> list[str]:
    """The plans of the client's open episode that are not closed yet."""
    episode = open_episode_row(session, client_id)
    if episode is None:
        return []
    return list(
        session.scalars(
            select(CasePlan.id).where(
                CasePlan.episode_id == episode.id,
                CasePlan.deleted_at.is_(None),
                CasePlan.state != PlanState.CLOSED,
            )
        )
    )


def _goal_label(goal: Goal) -> str:
    return goal.client_words.strip() or goal.worker_framing.strip() or "Untitled goal"


def _open_goals_and_actions(session: Session, client_id: str) -> list[tuple[Goal, list[Action]]]:
    plan_ids = _open_plan_ids(session, client_id)
    if not plan_ids:
        return []
    goals = session.scalars(
        select(Goal)
        .where(Goal.plan_id.in_(plan_ids), Goal.deleted_at.is_(None))
        .order_by(Goal.sort_order, Goal.created_at)
    ).all()
    actions = session.scalars(
        select(Action)
        .where(Action.goal_id.in_([g.id for g in goals]), Action.deleted_at.is_(None))
        .order_by(Action.sort_order, Action.created_at)
    ).all()
    by_goal: dict[str, list[Action]] = {}
    for action in actions:
        if action_is_open(action.status):
            by_goal.setdefault(action.goal_id, []).append(action)
    # A finished goal can still have open actions: they are listed under it all the same.
    return [
        (goal, by_goal.get(goal.id, []))
        for goal in goals
        if goal_is_open(goal.lifecycle_status) or goal.id in by_goal
    ]


def _open_referrals(session: Session, client_id: str) -> list[tuple[ReferralOut, str]]:
    rows = session.execute(
        select(ReferralOut, ServiceEntry.name)
        .outerjoin(ServiceEntry, ServiceEntry.id == ReferralOut.service_id)
        .where(ReferralOut.client_id == client_id, ReferralOut.deleted_at.is_(None))
        .order_by(ReferralOut.drafted_on, ReferralOut.created_at)
    ).all()
    return [
        (row, row.agency_name or name or "") for row, name in rows if referral_is_open(row.status)
    ]


def _open_items(session: Session, client_id: str) -> list[OpenItem]:
    items: list[OpenItem] = []
    for goal, actions in _open_goals_and_actions(session, client_id):
        label = _goal_label(goal)
        if goal_is_open(goal.lifecycle_status):
            items.append(
                _open_item(ExitItemKind.GOAL, goal.id, label, goal.achievement_status.value)
            )
        items.extend(
            _open_item(ExitItemKind.ACTION, a.id, a.description, a.status.value, label)
            for a in actions
        )
    items.extend(
        _open_item(ExitItemKind.REFERRAL, row.id, agency, row.status.value)
        for row, agency in _open_referrals(session, client_id)
    )
    return items


def _close_open_items(session: Session, client_id: str, closings: dict[str, str], on: date) -> None:
    """Close each named open item with its chosen status (part of the exit's transaction)."""
    if not closings:
        return
    open_now = {item.id: item for item in _open_items(session, client_id)}
    problems = [item_id for item_id in closings if item_id not in open_now]
    if problems:
        raise ValidationError(
            {"closings": "Something listed as open was closed meanwhile. Please look again."}
        )
    for item_id, value in closings.items():
        item = open_now[item_id]
        try:
            status = closing_status(item.kind, value)
        except ValueError as exc:
            raise ValidationError({"closings": str(exc)}) from None
        _close_one(session, client_id, item, status, on)


def _close_one(session: Session, client_id: str, item: OpenItem, status: Enum, on: date) -> None:
    if item.kind is ExitItemKind.GOAL:
        goal = live_row(session, Goal, item.id, "goal")
        achievement = GoalAchievement(str(status))
        goal.achievement_status = achievement
        goal.lifecycle_status = goal_lifecycle_at_exit(achievement)
        goal.status_date = on
        goal.status_reason = "Support ended"
        summary = f"Goal closed at exit ({achievement.value})"
    elif item.kind is ExitItemKind.ACTION:
        action = live_row(session, Action, item.id, "action")
        action.status = ActionStatus(str(status))
        action.completed_on = on if action.status is ActionStatus.DONE else None
        summary = f"Action closed at exit ({action.status.value})"
    else:
        referral = live_row(session, ReferralOut, item.id, "referral")
        # A referral drafted after the exit date (entered late) can't close before it began.
        move_referral(referral, ReferralStatus.CLOSED, max(on, referral.drafted_on))
        summary = "Referral closed at exit"
    audit.record(
        session,
        f"{item.kind.value}.closed_at_exit",
        _TABLES[item.kind],
        item.id,
        client_id=client_id,
        summary=summary,
    )


_TABLES = {
    ExitItemKind.GOAL: "goal",
    ExitItemKind.ACTION: "action",
    ExitItemKind.REFERRAL: "referral_out",
}
