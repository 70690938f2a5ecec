"""The living case plan: its states, version numbers, review dates and version differences.

State machine (``PlanState``)::

    draft --agree--> agreed (version 1, frozen)
    agreed --start_review--> under_review      (version 1 stays current meanwhile)
    under_review --agree--> agreed (version 2 supersedes version 1)
    under_review --keep_current--> agreed      (review found nothing to change)
    draft | agreed | under_review --close--> closed   (the client exited)

A closed plan never reopens: reopening a client starts a new episode with a new plan, so the
old plan and its history stay exactly as they were. Anything else is refused with a
``PlanTransitionError`` whose message says why in plain words.

Only a draft, or a plan under review, can be edited; an agreed version is frozen (signed
documents point at it), so changing an agreed plan means starting a review.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any, TypeVar

from casedesk.domain.enums import Intensity, PlanState

# ----------------------------------------------------------------------------- state machine


class PlanEvent(StrEnum):
    """Things a worker can do to a plan."""

    AGREE = "agree"
    START_REVIEW = "start_review"
    KEEP_CURRENT = "keep_current"
    CLOSE = "close"


class PlanTransitionError(ValueError):
    """A plan transition was refused; ``str(error)`` is the plain-language reason."""


@dataclass(frozen=True, slots=True)
class PlanStatus:
    """Where a plan is: its state and the number of its current agreed version (if any)."""

    state: PlanState = PlanState.DRAFT
    current_version: int | None = None


@dataclass(frozen=True, slots=True)
class Transition:
    """The result of an allowed transition.

    Attributes:
        status: the plan's new status.
        new_version: the version number just agreed (freeze a snapshot under it), if any.
        superseded_version: the version the new one replaces (mark it superseded), if any.
    """

    status: PlanStatus
    new_version: int | None = None
    superseded_version: int | None = None


_EDITABLE_STATES = frozenset({PlanState.DRAFT, PlanState.UNDER_REVIEW})


def can_edit(state: PlanState) -> bool:
    """Whether goals, actions and targets can be changed in this state."""
    return state in _EDITABLE_STATES


def allowed_events(status: PlanStatus) -> tuple[PlanEvent, ...]:
    """The events the UI should offer for a plan in this status (goal count aside)."""
    return tuple(event for event in PlanEvent if _refusal(status, event, goal_count=1) is None)


def apply_event(status: PlanStatus, event: PlanEvent, *, goal_count: int = 1) -> Transition:
    """Apply an event to a plan, or refuse it.

    Args:
        status: the plan's current status.
        event: what the worker is doing.
        goal_count: goals in the plan now; a plan with none can't be agreed.

    Raises:
        PlanTransitionError: with a plain reason when the event isn't allowed.
    """
    reason = _refusal(status, event, goal_count=goal_count)
    if reason is not None:
        raise PlanTransitionError(reason)
    if event is PlanEvent.AGREE:
        return _agree(status)
    if event is PlanEvent.START_REVIEW:
        return Transition(PlanStatus(PlanState.UNDER_REVIEW, status.current_version))
    if event is PlanEvent.KEEP_CURRENT:
        return Transition(PlanStatus(PlanState.AGREED, status.current_version))
    return Transition(PlanStatus(PlanState.CLOSED, status.current_version))


def agree(status: PlanStatus, *, goal_count: int) -> Transition:
    """Agree the plan: freeze the next numbered version (shorthand for ``apply_event``).

    Raises:
        PlanTransitionError: if the plan can't be agreed now.
    """
    return apply_event(status, PlanEvent.AGREE, goal_count=goal_count)


def start_review(status: PlanStatus) -> Transition:
    """Open an agreed plan for review (shorthand for ``apply_event``).

    Raises:
        PlanTransitionError: if the plan is not agreed.
    """
    return apply_event(status, PlanEvent.START_REVIEW)


def close_plan(status: PlanStatus) -> Transition:
    """Close the plan because the client exited (shorthand for ``apply_event``).

    Raises:
        PlanTransitionError: if the plan is already closed.
    """
    return apply_event(status, PlanEvent.CLOSE)


def _agree(status: PlanStatus) -> Transition:
    # Storage keeps 0 for "never agreed"; treat it like None so nothing claims to supersede it.
    previous = status.current_version or None
    number = (previous or 0) + 1
    return Transition(
        PlanStatus(PlanState.AGREED, number), new_version=number, superseded_version=previous
    )


def _refusal(status: PlanStatus, event: PlanEvent, *, goal_count: int) -> str | None:
    """Why ``event`` can't happen now, or None if it can."""
    state = status.state
    if state is PlanState.CLOSED:
        return (
            "This plan was closed when the client exited. Reopening the client starts a new"
            " episode with a new plan."
        )
    if event is PlanEvent.CLOSE:
        return None
    if event is PlanEvent.AGREE:
        if state is PlanState.AGREED:
            return (
                f"Version {status.current_version} is already agreed. Start a review to make"
                " changes."
            )
        if goal_count < 1:
            return "Add at least one goal before agreeing the plan."
        return None
    if event is PlanEvent.START_REVIEW:
        if state is PlanState.DRAFT:
            return "This plan hasn't been agreed yet, so there is nothing to review."
        if state is PlanState.UNDER_REVIEW:
            return "A review is already under way."
        return None
    # KEEP_CURRENT
    if state is not PlanState.UNDER_REVIEW:
        return "Only a plan under review can be kept as it is."
    return None


# ----------------------------------------------------------------------------- review dates

#: Weeks between plan reviews by intensity. Intensive support changes quickly (crisis,
#: housing, risk), so it is reviewed monthly; low-intensity support about twice a year.
#: Every value is a default a service can override through ``review_interval``.
DEFAULT_REVIEW_WEEKS: Mapping[Intensity, int] = MappingProxyType(
    {
        Intensity.INTENSIVE: 4,
        Intensity.HIGH: 6,
        Intensity.MODERATE: 12,
        Intensity.LOW: 26,
    }
)


def review_interval(
    intensity: Intensity, overrides: Mapping[Intensity, int] | None = None
) -> timedelta:
    """How long between reviews for a client at this intensity.

    Defaults (``DEFAULT_REVIEW_WEEKS``): intensive 4 weeks, high 6 weeks, moderate 12 weeks,
    low 26 weeks. ``overrides`` (weeks, from the user's settings) win where given.

    Raises:
        ValueError: if an override is not a positive number of weeks.
    """
    weeks = (overrides or {}).get(intensity, DEFAULT_REVIEW_WEEKS[intensity])
    if isinstance(weeks, bool) or not isinstance(weeks, int) or weeks < 1:
        raise ValueError(f"review interval for {intensity} must be at least 1 week, got {weeks}")
    return timedelta(weeks=weeks)


def next_review_date(
    last_agreed_or_reviewed: date,
    intensity: Intensity,
    *,
    plan_end: date | None = None,
    overrides: Mapping[Intensity, int] | None = None,
) -> date:
    """The date the next review is due.

    It is one review interval after the plan was last agreed or reviewed, but never later
    than the end of the plan period (a plan that is ending needs reviewing before it ends).
    """
    due = last_agreed_or_reviewed + review_interval(intensity, overrides)
    if plan_end is not None and plan_end < due:
        return max(plan_end, last_agreed_or_reviewed)
    return due


# ----------------------------------------------------------------------------- snapshots and diff

FieldValue = str | int | bool | date | None


@dataclass(frozen=True, slots=True)
class TargetSnapshot:
    """A goal target as frozen in a plan version."""

    id: str
    measure: str | None = None
    baseline: str | None = None
    target: str | None = None
    due: date | None = None


@dataclass(frozen=True, slots=True)
class ActionSnapshot:
    """An action as frozen in a plan version (its order in the tuple is its display order)."""

    id: str
    description: str
    performer: str | None = None
    performer_name: str | None = None  # e.g. the agency or family member
    due: date | None = None
    status: str | None = None
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class GoalSnapshot:
    """A goal, its targets and its actions as frozen in a plan version."""

    id: str
    client_words: str = ""
    worker_framing: str = ""
    domain_key: str | None = None
    need_id: str | None = None
    term: str | None = None
    priority: str | None = None
    lifecycle: str | None = None
    achievement: str | None = None
    expressed_by: str | None = None
    targets: tuple[TargetSnapshot, ...] = ()
    actions: tuple[ActionSnapshot, ...] = ()


@dataclass(frozen=True, slots=True)
class PlanSnapshot:
    """The whole plan at one version."""

    version: int | None = None
    period_start: date | None = None
    period_end: date | None = None
    summary: str = ""
    goals: tuple[GoalSnapshot, ...] = ()


class ItemKind(StrEnum):
    """What a change is about."""

    PLAN = "plan"
    GOAL = "goal"
    TARGET = "target"
    ACTION = "action"


class ChangeKind(StrEnum):
    """How an item changed between two versions."""

    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    REORDERED = "reordered"  # the same items in a different order (goals, or a goal's actions)


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field's old and new value."""

    field: str
    old: FieldValue
    new: FieldValue


@dataclass(frozen=True, slots=True)
class PlanChange:
    """One added, removed or changed item. ``goal_id`` says which goal a target/action is under."""

    item: ItemKind
    change: ChangeKind
    item_id: str
    goal_id: str | None
    label: str
    fields: tuple[FieldChange, ...] = ()


_Item = TypeVar("_Item", GoalSnapshot, TargetSnapshot | ActionSnapshot)

# Fields that are containers or identity, compared separately or not at all.
_NOT_COMPARED = frozenset({"id", "version", "goals", "targets", "actions"})


def diff_plans(old: PlanSnapshot, new: PlanSnapshot) -> tuple[PlanChange, ...]:
    """What changed from ``old`` to ``new``: plan fields, then goals in the new plan's order.

    Items are matched by id, so a reworded goal shows as "changed", not as removed + added.
    A snapshot compared with itself gives an empty tuple.
    """
    changes: list[PlanChange] = []
    plan_fields = _field_changes(old, new)
    if plan_fields:
        changes.append(
            PlanChange(ItemKind.PLAN, ChangeKind.CHANGED, "plan", None, "Plan", plan_fields)
        )
    if _reordered(old.goals, new.goals):
        changes.append(PlanChange(ItemKind.PLAN, ChangeKind.REORDERED, "plan", None, "Goals"))
    for goal_id, before, after in _pair_by_id(old.goals, new.goals):
        changes.extend(_goal_changes(goal_id, before, after))
    return tuple(changes)


def _reordered(
    before: Sequence[GoalSnapshot | ActionSnapshot], after: Sequence[GoalSnapshot | ActionSnapshot]
) -> bool:
    """Whether the items present in both versions appear in a different order."""
    kept = {item.id for item in before} & {item.id for item in after}
    return [i.id for i in before if i.id in kept] != [i.id for i in after if i.id in kept]


def _goal_changes(
    goal_id: str, before: GoalSnapshot | None, after: GoalSnapshot | None
) -> list[PlanChange]:
    if before is None or after is None:
        present = after or before
        assert present is not None  # _pair_by_id never yields a pair of Nones
        kind = ChangeKind.ADDED if before is None else ChangeKind.REMOVED
        return [PlanChange(ItemKind.GOAL, kind, goal_id, None, _goal_label(present))]
    changes: list[PlanChange] = []
    fields = _field_changes(before, after)
    if fields:
        changes.append(
            PlanChange(ItemKind.GOAL, ChangeKind.CHANGED, goal_id, None, _goal_label(after), fields)
        )
    changes.extend(_child_changes(ItemKind.TARGET, goal_id, before.targets, after.targets))
    changes.extend(_child_changes(ItemKind.ACTION, goal_id, before.actions, after.actions))
    if _reordered(before.actions, after.actions):
        label = f"Actions for: {_goal_label(after)}"
        changes.append(PlanChange(ItemKind.GOAL, ChangeKind.REORDERED, goal_id, None, label))
    return changes


def _child_changes(
    kind: ItemKind,
    goal_id: str,
    before: Sequence[TargetSnapshot | ActionSnapshot],
    after: Sequence[TargetSnapshot | ActionSnapshot],
) -> Iterable[PlanChange]:
    for item_id, old, new in _pair_by_id(before, after):
        if old is None and new is not None:
            yield PlanChange(kind, ChangeKind.ADDED, item_id, goal_id, _child_label(new))
        elif new is None and old is not None:
            yield PlanChange(kind, ChangeKind.REMOVED, item_id, goal_id, _child_label(old))
        elif old is not None and new is not None:
            fields = _field_changes(old, new)
            if fields:
                label = _child_label(new)
                yield PlanChange(kind, ChangeKind.CHANGED, item_id, goal_id, label, fields)


def _pair_by_id(
    before: Sequence[_Item], after: Sequence[_Item]
) -> list[tuple[str, _Item | None, _Item | None]]:
    """Pair items by id: new order first (what the reader sees now), then removed ones."""
    old_by_id = {item.id: item for item in before}
    new_ids = {item.id for item in after}
    pairs: list[tuple[str, _Item | None, _Item | None]] = [
        (item.id, old_by_id.get(item.id), item) for item in after
    ]
    pairs.extend((item.id, item, None) for item in before if item.id not in new_ids)
    return pairs


def _field_changes(old: object, new: object) -> tuple[FieldChange, ...]:
    changes: list[FieldChange] = []
    for spec in dataclasses.fields(old):  # type: ignore[arg-type]
        if spec.name in _NOT_COMPARED:
            continue
        before, after = getattr(old, spec.name), getattr(new, spec.name)
        if before != after:
            changes.append(FieldChange(spec.name, before, after))
    return tuple(changes)


def _goal_label(goal: GoalSnapshot) -> str:
    return goal.client_words.strip() or goal.worker_framing.strip() or "Untitled goal"


def _child_label(item: TargetSnapshot | ActionSnapshot) -> str:
    if isinstance(item, ActionSnapshot):
        return item.description.strip() or "Untitled action"
    return (item.measure or item.target or "Untitled target").strip() or "Untitled target"


# ----------------------------------------------------------------------------- snapshot data


def snapshot_to_data(snapshot: PlanSnapshot) -> dict[str, object]:
    """A plan snapshot as JSON-ready data (dates as ISO text), e.g. for ``PlanVersion.snapshot``."""
    return _to_data(snapshot)


def snapshot_from_data(data: Mapping[str, object]) -> PlanSnapshot:
    """Rebuild a snapshot from ``snapshot_to_data`` output.

    Unknown keys are ignored, so a snapshot written with extra fields by a later version
    still loads; missing keys take their defaults.

    Raises:
        ValueError: if the data is not shaped like a snapshot (wrong types, bad dates).
    """
    goals = [_goal_from_data(g) for g in _list_of_maps(data.get("goals", []), "goals")]
    return PlanSnapshot(**_known(PlanSnapshot, data), goals=tuple(goals))


def _to_data(item: object) -> dict[str, object]:
    out: dict[str, object] = {}
    for spec in dataclasses.fields(item):  # type: ignore[arg-type]
        value = getattr(item, spec.name)
        if isinstance(value, tuple):
            out[spec.name] = [_to_data(child) for child in value]
        elif isinstance(value, date):
            out[spec.name] = value.isoformat()
        else:
            out[spec.name] = value
    return out


def _goal_from_data(data: Mapping[str, object]) -> GoalSnapshot:
    targets = _list_of_maps(data.get("targets", []), "targets")
    actions = _list_of_maps(data.get("actions", []), "actions")
    return GoalSnapshot(
        **_known(GoalSnapshot, data),
        targets=tuple(TargetSnapshot(**_known(TargetSnapshot, t)) for t in targets),
        actions=tuple(ActionSnapshot(**_known(ActionSnapshot, a)) for a in actions),
    )


def _list_of_maps(value: object, name: str) -> list[Mapping[str, object]]:
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise ValueError(f"snapshot {name} must be a list of objects")
    return value


# Field annotations (strings, thanks to ``from __future__ import annotations``) to the JSON
# types allowed for them; dates arrive as ISO text and are parsed separately.
_ALLOWED_TYPES: Mapping[str, tuple[type, ...]] = MappingProxyType(
    {
        "str": (str,),
        "str | None": (str, type(None)),
        "int | None": (int, type(None)),
    }
)


def _known(cls: type, data: Mapping[str, object]) -> dict[str, Any]:
    """The scalar fields of ``cls`` present in ``data``, type-checked, with ISO dates parsed."""
    out: dict[str, Any] = {}
    for spec in dataclasses.fields(cls):
        if spec.name in ("goals", "targets", "actions") or spec.name not in data:
            continue
        out[spec.name] = _checked(spec.name, str(spec.type), data[spec.name])
    return out


def _checked(name: str, annotation: str, value: object) -> object:
    if annotation == "date | None":
        if value is None:
            return None
        if not isinstance(value, str):
            raise ValueError(f"snapshot {name} must be an ISO date")
        return date.fromisoformat(value)
    allowed = _ALLOWED_TYPES.get(annotation, (object,))
    if isinstance(value, bool) or not isinstance(value, allowed):
        raise ValueError(f"snapshot {name} has the wrong type")
    return value
