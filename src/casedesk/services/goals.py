"""Goals, their targets and actions: add, change, reorder, remove, and the SMART coach facts.

Content changes are allowed only while the plan is a draft or under review (an agreed version
is frozen; see :func:`casedesk.services.plans.require_editable`). Progress on an action (its
status and completion date) can be recorded at any time before the plan closes: that is the
plan being carried out, not the plan being changed, and the agreed version is untouched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.domain.clock import today as local_today
from casedesk.domain.clock import utcnow
from casedesk.domain.enums import (
    ActionStatus,
    ExpressedBy,
    GoalAchievement,
    GoalLifecycle,
    GoalTerm,
    Performer,
    PlanState,
    Priority,
)
from casedesk.domain.smart import ActionFacts, GoalFacts, SmartReport, TargetFacts, coach_goal
from casedesk.domain.validation import (
    MAX_SHORT_TEXT,
    Validator,
    check_date,
    check_text,
)
from casedesk.services import audit
from casedesk.services.drafts import discard_in
from casedesk.services.plans import (
    ActionView,
    GoalView,
    PlanLocked,
    PlanView,
    live_row,
    load_plan,
    plan_of_goal,
    require_editable,
)
from casedesk.storage.engine import Database
from casedesk.storage.models import Action, CasePlan, Goal, GoalTarget, ServiceEntry

MAX_GOAL_TEXT = 2_000
MAX_TARGETS = 10

M = TypeVar("M", Goal, Action)


@dataclass(frozen=True)
class TargetInput:
    """A target as typed (``id`` set when editing an existing one)."""

    measure: str = ""
    baseline: str = ""
    target: str = ""
    due_on: date | str | None = None
    id: str | None = None


@dataclass(frozen=True)
class GoalInput:
    """What the goal editor supplies."""

    client_words: str = ""
    worker_framing: str = ""
    domain_key: str = ""
    need_id: str | None = None
    term: GoalTerm = GoalTerm.SHORT
    priority: Priority = Priority.MEDIUM
    lifecycle: GoalLifecycle = GoalLifecycle.PROPOSED
    achievement: GoalAchievement = GoalAchievement.IN_PROGRESS
    status_date: date | str | None = None
    status_reason: str = ""
    start_date: date | str | None = None
    expressed_by: ExpressedBy = ExpressedBy.CLIENT
    targets: tuple[TargetInput, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class ActionInput:
    """What the action editor supplies. For an agency, ``service_id`` or a typed name."""

    description: str
    performer: Performer = Performer.CLIENT
    performer_name: str = ""
    service_id: str | None = None
    due_on: date | str | None = None
    status: ActionStatus = ActionStatus.NOT_STARTED
    notes: str = ""


def validate_goal(data: GoalInput) -> dict[str, object]:
    """Check and clean a goal.

    Raises:
        ValidationError: naming each field that needs attention.
    """
    v = Validator()
    words = check_text(v, "client_words", data.client_words, max_length=MAX_GOAL_TEXT)
    framing = check_text(v, "worker_framing", data.worker_framing, max_length=MAX_GOAL_TEXT)
    if not words and not framing:
        v.add("client_words", "Write the goal down, in the client's words or your own.")
    clean: dict[str, object] = {
        "client_words": words,
        "worker_framing": framing,
        "domain_key": check_text(v, "domain_key", data.domain_key, max_length=100),
        "need_id": data.need_id or None,
        "term": GoalTerm(data.term),
        "priority": Priority(data.priority),
        "lifecycle_status": GoalLifecycle(data.lifecycle),
        "achievement_status": GoalAchievement(data.achievement),
        "status_date": check_date(v, "status_date", data.status_date),
        "status_reason": check_text(
            v, "status_reason", data.status_reason, max_length=MAX_SHORT_TEXT
        ),
        "start_date": check_date(v, "start_date", data.start_date),
        "expressed_by": ExpressedBy(data.expressed_by),
    }
    if len(data.targets) > MAX_TARGETS:
        v.add("targets", f"Please keep to {MAX_TARGETS} targets or fewer.")
    targets = []
    for index, t in enumerate(data.targets):
        name = f"targets[{index}]"
        measure = check_text(v, name, t.measure, max_length=MAX_SHORT_TEXT)
        baseline = check_text(v, name, t.baseline, max_length=MAX_SHORT_TEXT)
        target = check_text(v, name, t.target, max_length=MAX_SHORT_TEXT)
        due = check_date(v, name, t.due_on)
        if measure or baseline or target or due:
            targets.append(TargetInput(measure, baseline, target, due, t.id))
    clean["targets"] = tuple(targets)
    v.raise_if_any()
    return clean


def validate_action(data: ActionInput) -> dict[str, object]:
    """Check and clean an action.

    Raises:
        ValidationError: naming each field that needs attention.
    """
    v = Validator()
    description = check_text(
        v, "description", data.description, required=True, max_length=MAX_SHORT_TEXT
    )
    performer = Performer(data.performer)
    name = check_text(v, "performer_name", data.performer_name, max_length=200)
    service_id = data.service_id if performer is Performer.AGENCY else None
    status = ActionStatus(data.status)
    clean: dict[str, object] = {
        "description": description,
        "performer": performer,
        "performer_name": name,
        "service_id": service_id or None,
        "due_on": check_date(v, "due_on", data.due_on),
        "status": status,
        "notes": check_text(v, "notes", data.notes, max_length=MAX_GOAL_TEXT),
    }
    v.raise_if_any()
    return clean


def goal_facts(goal: GoalView, plan: PlanView | None, today: date) -> GoalFacts:
    """The SMART coach's view of a goal (its targets, actions and the plan period)."""
    return GoalFacts(
        today=today,
        client_words=goal.client_words,
        worker_framing=goal.worker_framing,
        targets=tuple(TargetFacts(t.measure, t.baseline, t.target, t.due_on) for t in goal.targets),
        need_id=goal.need_id,
        domain_key=goal.domain_key or None,
        actions=tuple(_action_facts(a) for a in goal.actions),
        plan_start=plan.period_start if plan else None,
        plan_end=plan.period_end if plan else None,
        lifecycle=goal.lifecycle,
    )


def _action_facts(action: ActionView) -> ActionFacts:
    return ActionFacts(action.description, action.performer, action.due_on, action.performer_name)


def coach(goal: GoalView, plan: PlanView | None, today: date | None = None) -> SmartReport:
    """The SMART coach's report on one goal."""
    return coach_goal(goal_facts(goal, plan, today or local_today()))


class GoalService:
    """Change a plan's goals, targets and actions."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # ------------------------------------------------------------------ goals

    def add_goal(self, plan_id: str, data: GoalInput, *, draft_key: str | None = None) -> PlanView:
        """Add a goal at the end of the plan.

        Raises:
            ValidationError: the goal has no text or a bad field.
            PlanLocked: the plan is agreed or closed.
        """
        clean = validate_goal(data)
        targets = clean.pop("targets")
        assert isinstance(targets, tuple)
        with self._db.session() as session:
            plan = live_row(session, CasePlan, plan_id, "plan")
            require_editable(plan)
            order = len(self._goal_ids(session, plan.id))
            goal = Goal(plan_id=plan.id, client_id=plan.client_id, sort_order=order, **clean)
            if goal.status_date is None:
                goal.status_date = local_today()
            session.add(goal)
            session.flush()
            self._write_targets(session, goal.id, targets)
            audit.record(
                session,
                "goal.added",
                "goal",
                goal.id,
                client_id=plan.client_id,
                summary="Goal added",
            )
            discard_in(session, draft_key)
            return load_plan(session, plan)

    def update_goal(
        self, goal_id: str, data: GoalInput, *, draft_key: str | None = None
    ) -> PlanView:
        """Change a goal and replace its targets (matched by id).

        Raises:
            ValidationError: bad fields.
            PlanLocked: the plan is agreed or closed.
        """
        clean = validate_goal(data)
        targets = clean.pop("targets")
        assert isinstance(targets, tuple)
        with self._db.session() as session:
            goal, plan = plan_of_goal(session, goal_id)
            require_editable(plan)
            status_changed = (
                goal.achievement_status != clean["achievement_status"]
                or goal.lifecycle_status != clean["lifecycle_status"]
            )
            for key, value in clean.items():
                if getattr(goal, key) != value:
                    setattr(goal, key, value)
            if status_changed and data.status_date in (None, ""):
                goal.status_date = local_today()  # keep status date in step (SDOHCC advice)
            self._write_targets(session, goal.id, targets)
            audit.record(
                session,
                "goal.edited",
                "goal",
                goal.id,
                client_id=plan.client_id,
                summary="Goal changed",
            )
            discard_in(session, draft_key)
            return load_plan(session, plan)

    def remove_goal(self, goal_id: str) -> PlanView:
        """Remove a goal (tombstoned with its targets and actions)."""
        with self._db.session() as session:
            goal, plan = plan_of_goal(session, goal_id)
            require_editable(plan)
            now = utcnow()
            goal.deleted_at = now
            for model in (GoalTarget, Action):
                for row in session.scalars(
                    select(model).where(model.goal_id == goal.id, model.deleted_at.is_(None))
                ):
                    row.deleted_at = now
            audit.record(
                session,
                "goal.removed",
                "goal",
                goal.id,
                client_id=plan.client_id,
                summary="Goal removed",
            )
            session.flush()
            self._renumber(session, self._goals(session, plan.id))
            return load_plan(session, plan)

    def move_goal(self, goal_id: str, delta: int) -> PlanView:
        """Move a goal up (negative) or down (positive) in the plan."""
        with self._db.session() as session:
            goal, plan = plan_of_goal(session, goal_id)
            require_editable(plan)
            self._renumber(session, _moved(self._goals(session, plan.id), goal.id, delta))
            return load_plan(session, plan)

    # ------------------------------------------------------------------ actions

    def add_action(
        self, goal_id: str, data: ActionInput, *, draft_key: str | None = None
    ) -> PlanView:
        """Add an action at the end of a goal's list.

        Raises:
            ValidationError: no description or a bad date.
            PlanLocked: the plan is agreed or closed.
        """
        clean = validate_action(data)
        with self._db.session() as session:
            goal, plan = plan_of_goal(session, goal_id)
            require_editable(plan)
            self._check_service(session, clean)
            order = len(self._actions(session, goal.id))
            action = Action(goal_id=goal.id, sort_order=order, **clean)
            if action.status is ActionStatus.DONE:
                action.completed_on = local_today()
            session.add(action)
            session.flush()
            audit.record(
                session,
                "action.added",
                "action",
                action.id,
                client_id=plan.client_id,
                summary="Action added",
            )
            discard_in(session, draft_key)
            return load_plan(session, plan)

    def update_action(
        self, action_id: str, data: ActionInput, *, draft_key: str | None = None
    ) -> PlanView:
        """Change an action's content (plan must be editable)."""
        clean = validate_action(data)
        with self._db.session() as session:
            action = live_row(session, Action, action_id, "action")
            _, plan = plan_of_goal(session, action.goal_id)
            require_editable(plan)
            self._check_service(session, clean)
            for key, value in clean.items():
                if getattr(action, key) != value:
                    setattr(action, key, value)
            _stamp_completion(action)
            audit.record(
                session,
                "action.edited",
                "action",
                action.id,
                client_id=plan.client_id,
                summary="Action changed",
            )
            discard_in(session, draft_key)
            return load_plan(session, plan)

    def set_action_status(
        self, action_id: str, status: ActionStatus, on: date | None = None
    ) -> PlanView:
        """Record progress on an action (allowed in an agreed plan; refused once closed)."""
        with self._db.session() as session:
            action = live_row(session, Action, action_id, "action")
            _, plan = plan_of_goal(session, action.goal_id)
            if plan.state is PlanState.CLOSED:
                raise PlanLocked("This plan was closed when the client exited, so it can't change.")
            action.status = ActionStatus(status)
            _stamp_completion(action, on)
            audit.record(
                session,
                "action.status",
                "action",
                action.id,
                client_id=plan.client_id,
                summary=f"Action {action.status.value.replace('_', ' ')}",
            )
            return load_plan(session, plan)

    def remove_action(self, action_id: str) -> PlanView:
        """Remove an action (tombstoned)."""
        with self._db.session() as session:
            action = live_row(session, Action, action_id, "action")
            _, plan = plan_of_goal(session, action.goal_id)
            require_editable(plan)
            action.deleted_at = utcnow()
            audit.record(
                session,
                "action.removed",
                "action",
                action.id,
                client_id=plan.client_id,
                summary="Action removed",
            )
            session.flush()
            self._renumber(session, self._actions(session, action.goal_id))
            return load_plan(session, plan)

    def move_action(self, action_id: str, delta: int) -> PlanView:
        """Move an action up (negative) or down (positive) within its goal."""
        with self._db.session() as session:
            action = live_row(session, Action, action_id, "action")
            _, plan = plan_of_goal(session, action.goal_id)
            require_editable(plan)
            rows = self._actions(session, action.goal_id)
            self._renumber(session, _moved(rows, action.id, delta))
            return load_plan(session, plan)

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _check_service(session: Session, clean: dict[str, object]) -> None:
        service_id = clean.get("service_id")
        if service_id is None:
            return
        entry = live_row(session, ServiceEntry, str(service_id), "directory entry")
        if not clean["performer_name"]:
            clean["performer_name"] = entry.name

    @staticmethod
    def _goal_ids(session: Session, plan_id: str) -> list[str]:
        return list(
            session.scalars(
                select(Goal.id).where(Goal.plan_id == plan_id, Goal.deleted_at.is_(None))
            )
        )

    @staticmethod
    def _goals(session: Session, plan_id: str) -> list[Goal]:
        return list(
            session.scalars(
                select(Goal)
                .where(Goal.plan_id == plan_id, Goal.deleted_at.is_(None))
                .order_by(Goal.sort_order, Goal.created_at)
            )
        )

    @staticmethod
    def _actions(session: Session, goal_id: str) -> list[Action]:
        return list(
            session.scalars(
                select(Action)
                .where(Action.goal_id == goal_id, Action.deleted_at.is_(None))
                .order_by(Action.sort_order, Action.created_at)
            )
        )

    @staticmethod
    def _renumber(session: Session, rows: Sequence[Goal | Action]) -> None:
        row: Goal | Action
        for index, row in enumerate(rows):
            if row.sort_order != index:
                row.sort_order = index

    @staticmethod
    def _write_targets(session: Session, goal_id: str, targets: tuple[TargetInput, ...]) -> None:
        existing = {
            t.id: t
            for t in session.scalars(
                select(GoalTarget).where(
                    GoalTarget.goal_id == goal_id, GoalTarget.deleted_at.is_(None)
                )
            )
        }
        kept: set[str] = set()
        for t in targets:
            row = existing.get(t.id or "")
            values = {"measure": t.measure, "baseline": t.baseline, "target": t.target}
            if row is None:
                session.add(GoalTarget(goal_id=goal_id, due_on=t.due_on, **values))
                continue
            kept.add(row.id)
            for key, value in {**values, "due_on": t.due_on}.items():
                if getattr(row, key) != value:
                    setattr(row, key, value)
        for target_id, row in existing.items():
            if target_id not in kept:
                row.deleted_at = utcnow()


def _moved(rows: list[M], row_id: str, delta: int) -> list[M]:
    ids = [r.id for r in rows]
    if row_id not in ids:
        return rows
    index = ids.index(row_id)
    new_index = max(0, min(len(rows) - 1, index + delta))
    reordered = list(rows)
    reordered.insert(new_index, reordered.pop(index))
    return reordered


def _stamp_completion(action: Action, on: date | None = None) -> None:
    if action.status is ActionStatus.DONE:
        if action.completed_on is None:
            action.completed_on = on or local_today()
    elif action.completed_on is not None:
        action.completed_on = None
