"""The living case plan: load it whole, agree numbered frozen versions, review, compare.

One plan per episode. Goals, targets and actions are ordinary rows that change while the plan
is a draft or under review; agreeing freezes them into an append-only ``PlanVersion`` (a
:class:`~casedesk.domain.plans.PlanSnapshot` as JSON plus its SHA-256), which database
triggers protect from any change. State rules come from :mod:`casedesk.domain.plans`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.domain.clock import today as local_today
from casedesk.domain.enums import (
    ActionStatus,
    ExpressedBy,
    GoalAchievement,
    GoalLifecycle,
    GoalTerm,
    Intensity,
    Performer,
    PlanState,
    PlanVersionState,
    Priority,
)
from casedesk.domain.plans import (
    ActionSnapshot,
    GoalSnapshot,
    PlanChange,
    PlanEvent,
    PlanSnapshot,
    PlanStatus,
    TargetSnapshot,
    allowed_events,
    apply_event,
    can_edit,
    diff_plans,
    next_review_date,
    snapshot_from_data,
)
from casedesk.domain.validation import Validator, check_date
from casedesk.services import audit
from casedesk.services.episodes import ensure_open_episode, open_episode_row
from casedesk.services.errors import ImmutableRecordError, NotFound
from casedesk.services.profile import require_details_for_agreeing
from casedesk.storage.engine import Database
from casedesk.storage.models import (
    Action,
    CasePlan,
    Client,
    Goal,
    GoalTarget,
    PlanVersion,
    ServiceEntry,
)

DEFAULT_PLAN_MONTHS_DAYS = 365  # a new plan covers a year unless the worker changes it

M = TypeVar("M")


class PlanLocked(ImmutableRecordError):
    """The plan's agreed version is frozen; changing it means starting a review."""


# ----------------------------------------------------------------------------- views


@dataclass(frozen=True)
class TargetView:
    """A goal target (FHIR Goal.target)."""

    id: str
    measure: str
    baseline: str
    target: str
    due_on: date | None


@dataclass(frozen=True)
class ActionView:
    """An action towards a goal."""

    id: str
    goal_id: str
    description: str
    performer: Performer
    performer_name: str
    service_id: str | None
    due_on: date | None
    status: ActionStatus
    completed_on: date | None
    notes: str
    sort_order: int

    @property
    def who(self) -> str:
        """The named performer (agency or person) if any."""
        return self.performer_name


@dataclass(frozen=True)
class GoalView:
    """A goal with its targets and actions, in display order."""

    id: str
    plan_id: str
    client_id: str
    need_id: str | None
    domain_key: str
    client_words: str
    worker_framing: str
    term: GoalTerm
    priority: Priority
    lifecycle: GoalLifecycle
    achievement: GoalAchievement
    status_date: date | None
    status_reason: str
    start_date: date | None
    expressed_by: ExpressedBy
    sort_order: int
    targets: tuple[TargetView, ...]
    actions: tuple[ActionView, ...]

    @property
    def label(self) -> str:
        """A one-line label: the client's words, else the worker framing."""
        return self.client_words.strip() or self.worker_framing.strip() or "Untitled goal"


@dataclass(frozen=True)
class VersionInfo:
    """One agreed, frozen plan version."""

    id: str
    version_no: int
    agreed_on: date
    content_sha256: str
    state: PlanVersionState


@dataclass(frozen=True)
class PlanView:
    """The whole living plan, as the Plan tab shows it."""

    id: str
    client_id: str
    episode_id: str | None
    state: PlanState
    period_start: date | None
    period_end: date | None
    next_review_on: date | None
    review_interval_days: int | None
    current_version: int | None
    intensity: Intensity
    versions: tuple[VersionInfo, ...]
    goals: tuple[GoalView, ...]

    @property
    def status(self) -> PlanStatus:
        """The domain status (state + current version)."""
        return PlanStatus(self.state, self.current_version)

    @property
    def editable(self) -> bool:
        """Whether goals and actions can change now (draft or under review)."""
        return can_edit(self.state)

    @property
    def events(self) -> tuple[PlanEvent, ...]:
        """What the worker may do next (for buttons)."""
        return allowed_events(self.status)


@dataclass(frozen=True)
class PlanSummary:
    """One of a client's plans (one per episode), for choosing which to show."""

    id: str
    state: PlanState
    period_start: date | None
    period_end: date | None
    current_version: int | None
    created_on: date


# ----------------------------------------------------------------------------- hashing


def snapshot_json(snapshot: PlanSnapshot) -> bytes:
    """Canonical bytes of a snapshot: sorted keys, no whitespace, UTF-8."""
    return _canonical(snapshot_data(snapshot))


def _canonical(data: dict[str, Any]) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def snapshot_sha256(snapshot: PlanSnapshot) -> str:
    """The content hash stored with a plan version (64 lower-case hex digits)."""
    return hashlib.sha256(snapshot_json(snapshot)).hexdigest()


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def snapshot_data(snapshot: PlanSnapshot) -> dict[str, Any]:
    """Exactly :func:`~casedesk.domain.plans.snapshot_to_data`, written out field by field.

    Much faster than the generic converter (no reflection), which matters when the
    demo caseload freezes thousands of plans; a test checks both give the same data.
    """
    return {
        "version": snapshot.version,
        "period_start": _iso(snapshot.period_start),
        "period_end": _iso(snapshot.period_end),
        "summary": snapshot.summary,
        "goals": [
            {
                "id": g.id,
                "client_words": g.client_words,
                "worker_framing": g.worker_framing,
                "domain_key": g.domain_key,
                "need_id": g.need_id,
                "term": g.term,
                "priority": g.priority,
                "lifecycle": g.lifecycle,
                "achievement": g.achievement,
                "expressed_by": g.expressed_by,
                "targets": [
                    {
                        "id": t.id,
                        "measure": t.measure,
                        "baseline": t.baseline,
                        "target": t.target,
                        "due": _iso(t.due),
                    }
                    for t in g.targets
                ],
                "actions": [
                    {
                        "id": a.id,
                        "description": a.description,
                        "performer": a.performer,
                        "performer_name": a.performer_name,
                        "due": _iso(a.due),
                        "status": a.status,
                        "notes": a.notes,
                    }
                    for a in g.actions
                ],
            }
            for g in snapshot.goals
        ],
    }


def snapshot_of(plan: PlanView, version: int | None = None) -> PlanSnapshot:
    """Freeze the living plan's goals, targets and actions (live order) as a snapshot."""
    return PlanSnapshot(
        version=version,
        period_start=plan.period_start,
        period_end=plan.period_end,
        goals=tuple(_goal_snapshot(g) for g in plan.goals),
    )


def _goal_snapshot(goal: GoalView) -> GoalSnapshot:
    return GoalSnapshot(
        id=goal.id,
        client_words=goal.client_words,
        worker_framing=goal.worker_framing,
        domain_key=goal.domain_key or None,
        need_id=goal.need_id,
        term=goal.term.value,
        priority=goal.priority.value,
        lifecycle=goal.lifecycle.value,
        achievement=goal.achievement.value,
        expressed_by=goal.expressed_by.value,
        targets=tuple(
            TargetSnapshot(t.id, t.measure or None, t.baseline or None, t.target or None, t.due_on)
            for t in goal.targets
        ),
        actions=tuple(
            ActionSnapshot(
                a.id,
                a.description,
                a.performer.value,
                a.performer_name or None,
                a.due_on,
                a.status.value,
                a.notes or None,
            )
            for a in goal.actions
        ),
    )


# ----------------------------------------------------------------------------- session helpers


def live_row(session: Session, model: type[M], row_id: str, what: str) -> M:
    """A live (not tombstoned) row, or NotFound naming ``what``."""
    row = session.get(model, row_id)
    if row is None or getattr(row, "deleted_at", None) is not None:
        raise NotFound(f"That {what} no longer exists.")
    return row


def require_editable(plan: CasePlan) -> None:
    """Refuse changes to an agreed (frozen) or closed plan, saying what to do instead."""
    if can_edit(plan.state):
        return
    if plan.state is PlanState.CLOSED:
        raise PlanLocked("This plan was closed when the client exited, so it can't change.")
    raise PlanLocked(
        f"Version {plan.current_version_no} is agreed and frozen. Start a review to make changes."
    )


def plan_of_goal(session: Session, goal_id: str) -> tuple[Goal, CasePlan]:
    """A live goal and its plan."""
    goal = live_row(session, Goal, goal_id, "goal")
    return goal, live_row(session, CasePlan, goal.plan_id, "plan")


_GOAL_COLUMNS = (
    Goal.id,
    Goal.plan_id,
    Goal.client_id,
    Goal.need_id,
    Goal.domain_key,
    Goal.client_words,
    Goal.worker_framing,
    Goal.term,
    Goal.priority,
    Goal.lifecycle_status,
    Goal.achievement_status,
    Goal.status_date,
    Goal.status_reason,
    Goal.start_date,
    Goal.expressed_by,
    Goal.sort_order,
)
_ACTION_COLUMNS = (
    Action.id,
    Action.goal_id,
    Action.description,
    Action.performer,
    Action.performer_name,
    Action.service_id,
    Action.due_on,
    Action.status,
    Action.completed_on,
    Action.notes,
    Action.sort_order,
)


def load_plan(session: Session, plan: CasePlan) -> PlanView:
    """Read a plan with its goals, targets, actions and versions.

    Plain column queries (no ORM objects): opening a plan of 20 goals is on the hot path.
    """
    live_goal = (Goal.plan_id == plan.id, Goal.deleted_at.is_(None))
    goal_rows = session.execute(
        select(*_GOAL_COLUMNS).where(*live_goal).order_by(Goal.sort_order, Goal.created_at)
    ).all()
    targets: dict[str, list[TargetView]] = defaultdict(list)
    actions: dict[str, list[ActionView]] = defaultdict(list)
    if goal_rows:
        for tid, goal_id, measure, baseline, target, due in session.execute(
            select(
                GoalTarget.id,
                GoalTarget.goal_id,
                GoalTarget.measure,
                GoalTarget.baseline,
                GoalTarget.target,
                GoalTarget.due_on,
            )
            .join(Goal, Goal.id == GoalTarget.goal_id)
            .where(*live_goal, GoalTarget.deleted_at.is_(None))
            .order_by(GoalTarget.created_at)
        ):
            targets[goal_id].append(TargetView(tid, measure, baseline, target, due))
        for row in session.execute(
            select(*_ACTION_COLUMNS, ServiceEntry.name)
            .join(Goal, Goal.id == Action.goal_id)
            .outerjoin(ServiceEntry, ServiceEntry.id == Action.service_id)
            .where(*live_goal, Action.deleted_at.is_(None))
            .order_by(Action.sort_order, Action.created_at)
        ):
            *fields, service_name = row
            view = ActionView(*fields)
            if not view.performer_name and service_name:
                view = dataclasses.replace(view, performer_name=service_name)
            actions[view.goal_id].append(view)
    intensity = session.scalar(select(Client.intensity).where(Client.id == plan.client_id))
    return PlanView(
        id=plan.id,
        client_id=plan.client_id,
        episode_id=plan.episode_id,
        state=plan.state,
        period_start=plan.period_start,
        period_end=plan.period_end,
        next_review_on=plan.next_review_on,
        review_interval_days=plan.review_interval_days,
        current_version=plan.current_version_no or None,
        intensity=intensity or Intensity.MODERATE,
        versions=_versions(session, plan),
        goals=tuple(_goal_from_row(g, targets[g[0]], actions[g[0]]) for g in goal_rows),
    )


def _goal_from_row(
    row: Sequence[Any], targets: Sequence[TargetView], actions: Sequence[ActionView]
) -> GoalView:
    (gid, plan_id, client_id, need_id, domain, words, framing, term, priority) = row[:9]
    (lifecycle, achievement, status_date, reason, start, expressed, order) = row[9:]
    return GoalView(
        id=gid,
        plan_id=plan_id,
        client_id=client_id,
        need_id=need_id,
        domain_key=domain,
        client_words=words,
        worker_framing=framing,
        term=term,
        priority=priority,
        lifecycle=lifecycle,
        achievement=achievement,
        status_date=status_date,
        status_reason=reason,
        start_date=start,
        expressed_by=expressed,
        sort_order=order,
        targets=tuple(targets),
        actions=tuple(actions),
    )


def _versions(session: Session, plan: CasePlan) -> tuple[VersionInfo, ...]:
    rows = session.execute(
        select(
            PlanVersion.id,
            PlanVersion.version_no,
            PlanVersion.agreed_on,
            PlanVersion.content_sha256,
        )
        .where(PlanVersion.plan_id == plan.id)
        .order_by(PlanVersion.version_no)
    )
    current = plan.current_version_no
    return tuple(
        VersionInfo(
            vid,
            number,
            agreed,
            digest,
            PlanVersionState.CURRENT if number == current else PlanVersionState.SUPERSEDED,
        )
        for vid, number, agreed, digest in rows
    )


def current_plan_row(session: Session, client_id: str) -> CasePlan | None:
    """The plan of the client's open episode, else their most recent plan."""
    episode = open_episode_row(session, client_id)
    query = select(CasePlan).where(CasePlan.client_id == client_id, CasePlan.deleted_at.is_(None))
    if episode is not None:  # a reopened client starts afresh; the old plan stays as history
        return session.scalars(
            query.where(CasePlan.episode_id == episode.id).order_by(CasePlan.created_at.desc())
        ).first()
    return session.scalars(query.order_by(CasePlan.created_at.desc()).limit(1)).first()


def review_days(intensity: Intensity, plan_start: date) -> int:
    """The review interval in days for an intensity (domain defaults)."""
    return (next_review_date(plan_start, intensity) - plan_start).days


def apply_plan_event(
    session: Session, plan: CasePlan, event: PlanEvent, on: date
) -> PlanVersion | None:
    """Apply a state event to a plan row; on agree, freeze the next version (returned).

    Raises:
        PlanTransitionError: the domain refuses the event.
        MyDetailsMissing: agreeing while the worker's name or phone number is not set (the
            client's copy must say who to call).
    """
    status = PlanStatus(plan.state, plan.current_version_no or None)
    goal_count = _goal_count(session, plan.id)
    transition = apply_event(status, event, goal_count=goal_count)
    if event is PlanEvent.AGREE:
        require_details_for_agreeing(session)
    version: PlanVersion | None = None
    if transition.new_version is not None:
        view = load_plan(session, plan)
        snapshot = snapshot_of(view, transition.new_version)
        version = PlanVersion(
            plan_id=plan.id,
            version_no=transition.new_version,
            agreed_on=on,
            snapshot=snapshot_data(snapshot),
            content_sha256=snapshot_sha256(snapshot),
        )
        session.add(version)
        plan.current_version_no = transition.new_version
    plan.state = transition.status.state
    if event in (PlanEvent.AGREE, PlanEvent.KEEP_CURRENT):
        _set_next_review(session, plan, on)
    elif event is PlanEvent.CLOSE:
        plan.next_review_on = None
    return version


def _set_next_review(session: Session, plan: CasePlan, on: date) -> None:
    intensity = session.scalar(select(Client.intensity).where(Client.id == plan.client_id))
    if plan.review_interval_days:
        due = on + timedelta(days=plan.review_interval_days)
        if plan.period_end is not None and plan.period_end < due:
            due = max(plan.period_end, on)
        plan.next_review_on = due
    else:
        plan.next_review_on = next_review_date(
            on, intensity or Intensity.MODERATE, plan_end=plan.period_end
        )


def _goal_count(session: Session, plan_id: str) -> int:
    return len(
        session.scalars(
            select(Goal.id).where(Goal.plan_id == plan_id, Goal.deleted_at.is_(None))
        ).all()
    )


# ----------------------------------------------------------------------------- service


class PlanService:
    """Start, load, agree, review and compare a client's living plan."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def current_plan(self, client_id: str) -> PlanView | None:
        """The plan of the client's open episode (else their latest plan), or None."""
        with self._db.read() as session:
            row = current_plan_row(session, client_id)
            return None if row is None else load_plan(session, row)

    def list_plans(self, client_id: str) -> list[PlanSummary]:
        """Every plan of a client (earlier episodes' too), newest first."""
        with self._db.read() as session:
            rows = session.scalars(
                select(CasePlan)
                .where(CasePlan.client_id == client_id, CasePlan.deleted_at.is_(None))
                .order_by(CasePlan.created_at.desc())
            )
            return [
                PlanSummary(
                    r.id,
                    r.state,
                    r.period_start,
                    r.period_end,
                    r.current_version_no or None,
                    r.created_at.date(),
                )
                for r in rows
            ]

    def get_plan(self, plan_id: str) -> PlanView:
        """One plan, whole."""
        with self._db.read() as session:
            return load_plan(session, live_row(session, CasePlan, plan_id, "plan"))

    def start_plan(self, client_id: str, on: date | None = None) -> PlanView:
        """Start a draft plan for the open episode (opening one if needed); idempotent."""
        on = on or local_today()
        with self._db.session() as session:
            client = live_row(session, Client, client_id, "client")
            episode = ensure_open_episode(session, client_id, on)
            existing = session.scalars(
                select(CasePlan).where(
                    CasePlan.episode_id == episode.id, CasePlan.deleted_at.is_(None)
                )
            ).first()
            if existing is not None:
                return load_plan(session, existing)
            plan = CasePlan(
                client_id=client_id,
                episode_id=episode.id,
                state=PlanState.DRAFT,
                period_start=on,
                period_end=on + timedelta(days=DEFAULT_PLAN_MONTHS_DAYS),
                review_interval_days=review_days(client.intensity, on),
                current_version_no=0,
            )
            session.add(plan)
            session.flush()
            audit.record(
                session,
                "plan.started",
                "case_plan",
                plan.id,
                client_id=client_id,
                summary="Case plan started",
            )
            return load_plan(session, plan)

    def set_period(
        self,
        plan_id: str,
        start: date | str | None,
        end: date | str | None,
        review_interval_days: int | None = None,
    ) -> PlanView:
        """Change the plan period and (optionally) the review interval.

        Raises:
            ValidationError: bad dates or an end before the start.
            PlanLocked: the plan is agreed or closed.
        """
        v = Validator()
        begin = check_date(v, "period_start", start)
        finish = check_date(v, "period_end", end)
        if begin and finish and finish <= begin:
            v.add("period_end", "The plan must end after it starts.")
        if review_interval_days is not None and not 1 <= review_interval_days <= 730:
            v.add("review_interval_days", "Please choose between 1 and 730 days.")
        v.raise_if_any()
        with self._db.session() as session:
            plan = live_row(session, CasePlan, plan_id, "plan")
            require_editable(plan)
            plan.period_start, plan.period_end = begin, finish
            if review_interval_days is not None:
                plan.review_interval_days = review_interval_days
            audit.record(
                session,
                "plan.period",
                "case_plan",
                plan.id,
                client_id=plan.client_id,
                summary="Plan period changed",
            )
            return load_plan(session, plan)

    def agree(self, plan_id: str, on: date | None = None) -> PlanView:
        """Agree the plan: freeze the next numbered version (previous one superseded).

        Raises:
            PlanTransitionError: with the domain's reason (already agreed, no goals, closed).
            MyDetailsMissing: the worker's name or phone number is not set yet.
        """
        return self._event(plan_id, PlanEvent.AGREE, on, "plan.agreed", "Plan version agreed")

    def start_review(self, plan_id: str, on: date | None = None) -> PlanView:
        """Open an agreed plan for review (goals become editable; the version stays current)."""
        return self._event(
            plan_id, PlanEvent.START_REVIEW, on, "plan.review_started", "Plan review started"
        )

    def keep_current(self, plan_id: str, on: date | None = None) -> PlanView:
        """End a review without a new version (nothing needed to change)."""
        return self._event(
            plan_id, PlanEvent.KEEP_CURRENT, on, "plan.kept", "Review ended, plan unchanged"
        )

    def _event(
        self, plan_id: str, event: PlanEvent, on: date | None, action: str, summary: str
    ) -> PlanView:
        on = on or local_today()
        with self._db.session() as session:
            plan = live_row(session, CasePlan, plan_id, "plan")
            version = apply_plan_event(session, plan, event, on)
            session.flush()
            if version is not None:
                summary = f"Plan version {version.version_no} agreed"
            audit.record(
                session, action, "case_plan", plan.id, client_id=plan.client_id, summary=summary
            )
            return load_plan(session, plan)

    def version_snapshot(self, plan_id: str, version_no: int) -> PlanSnapshot:
        """The frozen content of one agreed version.

        Raises:
            NotFound: no such version.
        """
        with self._db.read() as session:
            row = session.scalars(
                select(PlanVersion).where(
                    PlanVersion.plan_id == plan_id, PlanVersion.version_no == version_no
                )
            ).first()
            if row is None:
                raise NotFound(f"Version {version_no} of this plan does not exist.")
            return snapshot_from_data(row.snapshot)

    def verify_version(self, plan_id: str, version_no: int) -> bool:
        """Whether a stored version still matches its stored content hash."""
        with self._db.read() as session:
            row = session.scalars(
                select(PlanVersion).where(
                    PlanVersion.plan_id == plan_id, PlanVersion.version_no == version_no
                )
            ).first()
            if row is None:
                raise NotFound(f"Version {version_no} of this plan does not exist.")
            return snapshot_sha256(snapshot_from_data(row.snapshot)) == row.content_sha256

    def working_snapshot(self, plan_id: str) -> PlanSnapshot:
        """The living plan as it stands now (unagreed changes included)."""
        return snapshot_of(self.get_plan(plan_id))

    def compare(
        self, plan_id: str, old_version: int, new_version: int | None
    ) -> tuple[PlanChange, ...]:
        """Differences from ``old_version`` to ``new_version`` (None = the living plan now)."""
        old = self.version_snapshot(plan_id, old_version)
        if new_version is None:
            new = self.working_snapshot(plan_id)
        else:
            new = self.version_snapshot(plan_id, new_version)
        return diff_plans(old, new)


def snapshot_data_and_hash(snapshot: PlanSnapshot) -> tuple[dict[str, Any], str]:
    """What a ``PlanVersion`` row stores: JSON-ready data and its SHA-256 (used by demo data)."""
    data = snapshot_data(snapshot)
    return data, hashlib.sha256(_canonical(data)).hexdigest()
