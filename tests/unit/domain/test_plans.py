"""Plan state machine, review dates and version differences."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casedesk.domain.enums import Intensity, PlanState
from casedesk.domain.plans import (
    DEFAULT_REVIEW_WEEKS,
    ActionSnapshot,
    ChangeKind,
    FieldChange,
    GoalSnapshot,
    ItemKind,
    PlanEvent,
    PlanSnapshot,
    PlanStatus,
    PlanTransitionError,
    TargetSnapshot,
    agree,
    allowed_events,
    apply_event,
    can_edit,
    close_plan,
    diff_plans,
    next_review_date,
    review_interval,
    snapshot_from_data,
    snapshot_to_data,
    start_review,
)

DRAFT = PlanStatus()
AGREED_V1 = PlanStatus(PlanState.AGREED, 1)
REVIEW_V1 = PlanStatus(PlanState.UNDER_REVIEW, 1)
CLOSED = PlanStatus(PlanState.CLOSED, 1)

# ----------------------------------------------------------------------------- state machine


def test_full_cycle_draft_agree_review_agree_close() -> None:
    first = agree(DRAFT, goal_count=3)
    assert first.status == AGREED_V1
    assert (first.new_version, first.superseded_version) == (1, None)

    review = start_review(first.status)
    assert review.status == REVIEW_V1
    assert review.new_version is None

    second = agree(review.status, goal_count=3)
    assert second.status == PlanStatus(PlanState.AGREED, 2)
    assert (second.new_version, second.superseded_version) == (2, 1)

    closed = close_plan(second.status)
    assert closed.status == PlanStatus(PlanState.CLOSED, 2)


def test_version_zero_means_never_agreed() -> None:
    result = agree(PlanStatus(PlanState.DRAFT, 0), goal_count=1)
    assert (result.new_version, result.superseded_version) == (1, None)


def test_review_can_end_without_a_new_version() -> None:
    result = apply_event(REVIEW_V1, PlanEvent.KEEP_CURRENT)
    assert result.status == AGREED_V1
    assert result.new_version is None


@pytest.mark.parametrize("status", [DRAFT, AGREED_V1, REVIEW_V1])
def test_any_open_plan_can_close_on_exit(status: PlanStatus) -> None:
    assert close_plan(status).status.state is PlanState.CLOSED


@pytest.mark.parametrize(
    ("status", "event", "reason"),
    [
        (AGREED_V1, PlanEvent.AGREE, "Version 1 is already agreed. Start a review"),
        (DRAFT, PlanEvent.START_REVIEW, "hasn't been agreed yet"),
        (REVIEW_V1, PlanEvent.START_REVIEW, "already under way"),
        (DRAFT, PlanEvent.KEEP_CURRENT, "Only a plan under review"),
        (AGREED_V1, PlanEvent.KEEP_CURRENT, "Only a plan under review"),
        (CLOSED, PlanEvent.AGREE, "closed when the client exited"),
        (CLOSED, PlanEvent.START_REVIEW, "new episode"),
        (CLOSED, PlanEvent.CLOSE, "closed"),
        (CLOSED, PlanEvent.KEEP_CURRENT, "closed"),
    ],
)
def test_illegal_transitions_are_refused_with_a_reason(
    status: PlanStatus, event: PlanEvent, reason: str
) -> None:
    with pytest.raises(PlanTransitionError, match=reason):
        apply_event(status, event)


def test_cannot_agree_a_plan_without_goals() -> None:
    with pytest.raises(PlanTransitionError, match="at least one goal"):
        agree(DRAFT, goal_count=0)
    with pytest.raises(PlanTransitionError, match="at least one goal"):
        agree(REVIEW_V1, goal_count=0)


def test_allowed_events() -> None:
    assert allowed_events(DRAFT) == (PlanEvent.AGREE, PlanEvent.CLOSE)
    assert allowed_events(AGREED_V1) == (PlanEvent.START_REVIEW, PlanEvent.CLOSE)
    assert allowed_events(REVIEW_V1) == (PlanEvent.AGREE, PlanEvent.KEEP_CURRENT, PlanEvent.CLOSE)
    assert allowed_events(CLOSED) == ()


@pytest.mark.parametrize(
    ("state", "editable"),
    [
        (PlanState.DRAFT, True),
        (PlanState.UNDER_REVIEW, True),
        (PlanState.AGREED, False),
        (PlanState.CLOSED, False),
    ],
)
def test_only_draft_and_review_are_editable(state: PlanState, editable: bool) -> None:
    assert can_edit(state) is editable


@settings(deadline=None)  # no wall-clock limits on a shared machine
@given(st.lists(st.sampled_from(PlanEvent), max_size=30))
def test_versions_only_ever_go_up_by_one(events: list[PlanEvent]) -> None:
    status = DRAFT
    for event in events:
        try:
            result = apply_event(status, event)
        except PlanTransitionError:
            assert event not in allowed_events(status)
            continue
        assert event in allowed_events(status)
        if result.new_version is not None:
            assert result.new_version == (status.current_version or 0) + 1
            assert result.superseded_version == status.current_version
        else:
            assert result.status.current_version == status.current_version
        status = result.status


# ----------------------------------------------------------------------------- review dates


def test_default_review_intervals() -> None:
    assert review_interval(Intensity.INTENSIVE) == timedelta(weeks=4)
    assert review_interval(Intensity.HIGH) == timedelta(weeks=6)
    assert review_interval(Intensity.MODERATE) == timedelta(weeks=12)
    assert review_interval(Intensity.LOW) == timedelta(weeks=26)
    assert set(DEFAULT_REVIEW_WEEKS) == set(Intensity)


def test_review_interval_override() -> None:
    assert review_interval(Intensity.LOW, {Intensity.LOW: 13}) == timedelta(weeks=13)
    assert review_interval(Intensity.HIGH, {Intensity.LOW: 13}) == timedelta(weeks=6)


@pytest.mark.parametrize("bad", [0, -2, True])
def test_review_interval_refuses_nonsense(bad: int) -> None:
    with pytest.raises(ValueError, match="at least 1 week"):
        review_interval(Intensity.LOW, {Intensity.LOW: bad})


def test_next_review_date() -> None:
    agreed = date(2026, 11, 2)
    assert next_review_date(agreed, Intensity.INTENSIVE) == date(2026, 11, 30)
    assert next_review_date(agreed, Intensity.MODERATE) == date(2027, 1, 25)


def test_next_review_never_after_plan_end() -> None:
    agreed = date(2026, 11, 2)
    assert next_review_date(agreed, Intensity.LOW, plan_end=date(2027, 1, 31)) == date(2027, 1, 31)
    # a plan end already passed still gives a date no earlier than the last review
    assert next_review_date(agreed, Intensity.LOW, plan_end=date(2026, 1, 1)) == agreed


# ----------------------------------------------------------------------------- diff

GOAL_A = GoalSnapshot(
    id="g-a",
    client_words="My own place",
    domain_key="housing",
    lifecycle="active",
    targets=(TargetSnapshot("t-1", "lease", "none", "signed", date(2027, 2, 1)),),
    actions=(
        ActionSnapshot("a-1", "Apply for flats", "client"),
        ActionSnapshot("a-2", "Ring housing office", "case_manager"),
    ),
)
GOAL_B = GoalSnapshot(id="g-b", client_words="Sleep better", domain_key="physical_health")
V1 = PlanSnapshot(
    version=1, period_start=date(2026, 11, 1), period_end=date(2027, 5, 1), goals=(GOAL_A, GOAL_B)
)


def test_identical_snapshots_have_no_differences() -> None:
    assert diff_plans(V1, V1) == ()


def test_version_number_alone_is_not_a_difference() -> None:
    assert diff_plans(V1, replace(V1, version=2)) == ()


def test_goal_added_and_removed() -> None:
    goal_c = GoalSnapshot(id="g-c", client_words="See my grandson")
    changes = diff_plans(V1, replace(V1, goals=(GOAL_A, goal_c)))
    assert [(c.item, c.change, c.item_id, c.label) for c in changes] == [
        (ItemKind.GOAL, ChangeKind.ADDED, "g-c", "See my grandson"),
        (ItemKind.GOAL, ChangeKind.REMOVED, "g-b", "Sleep better"),
    ]


def test_goal_field_changed() -> None:
    goal_b = replace(GOAL_B, achievement="improving", client_words="Sleep through the night")
    (change,) = diff_plans(V1, replace(V1, goals=(GOAL_A, goal_b)))
    assert change.item is ItemKind.GOAL
    assert change.change is ChangeKind.CHANGED
    assert change.label == "Sleep through the night"
    assert change.fields == (
        FieldChange("client_words", "Sleep better", "Sleep through the night"),
        FieldChange("achievement", None, "improving"),
    )


def test_plan_period_changed() -> None:
    (change,) = diff_plans(V1, replace(V1, period_end=date(2027, 8, 1)))
    assert change.item is ItemKind.PLAN
    assert change.fields == (FieldChange("period_end", date(2027, 5, 1), date(2027, 8, 1)),)


def test_target_changed_and_action_added_and_removed() -> None:
    goal_a = replace(
        GOAL_A,
        targets=(replace(GOAL_A.targets[0], due=date(2027, 3, 1)),),
        actions=(GOAL_A.actions[0], ActionSnapshot("a-3", "Visit the council", "client")),
    )
    changes = diff_plans(V1, replace(V1, goals=(goal_a, GOAL_B)))
    summary = [(c.item, c.change, c.item_id, c.goal_id) for c in changes]
    assert summary == [
        (ItemKind.TARGET, ChangeKind.CHANGED, "t-1", "g-a"),
        (ItemKind.ACTION, ChangeKind.ADDED, "a-3", "g-a"),
        (ItemKind.ACTION, ChangeKind.REMOVED, "a-2", "g-a"),
    ]
    assert changes[0].fields == (FieldChange("due", date(2027, 2, 1), date(2027, 3, 1)),)
    assert changes[0].label == "lease"


def test_actions_reordered() -> None:
    goal_a = replace(GOAL_A, actions=tuple(reversed(GOAL_A.actions)))
    (change,) = diff_plans(V1, replace(V1, goals=(goal_a, GOAL_B)))
    assert (change.item, change.change, change.item_id) == (
        ItemKind.GOAL,
        ChangeKind.REORDERED,
        "g-a",
    )


def test_goals_reordered() -> None:
    (change,) = diff_plans(V1, replace(V1, goals=(GOAL_B, GOAL_A)))
    assert (change.item, change.change) == (ItemKind.PLAN, ChangeKind.REORDERED)


def test_untitled_labels() -> None:
    bare = GoalSnapshot(id="g-x", targets=(TargetSnapshot("t-x"),), actions=())
    changes = diff_plans(PlanSnapshot(), PlanSnapshot(goals=(bare,)))
    assert changes[0].label == "Untitled goal"


# ----------------------------------------------------------------------------- snapshot data


def test_snapshot_data_round_trips_through_json() -> None:
    data = json.loads(json.dumps(snapshot_to_data(V1)))
    assert data["period_start"] == "2026-11-01"
    assert snapshot_from_data(data) == V1


def test_snapshot_from_data_ignores_unknown_keys_and_fills_defaults() -> None:
    data = {"version": 3, "extra": 1, "goals": [{"id": "g", "colour": "red"}]}
    assert snapshot_from_data(data) == PlanSnapshot(version=3, goals=(GoalSnapshot(id="g"),))


@pytest.mark.parametrize(
    "data",
    [
        {"goals": "nope"},
        {"goals": [1]},
        {"period_end": 20270101},
        {"period_end": "not a date"},
        {"version": "1"},
        {"goals": [{"id": 5}]},
        {"goals": [{"id": "g", "targets": [{"id": "t", "due": True}]}]},
    ],
)
def test_snapshot_from_bad_data(data: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"snapshot|Invalid isoformat"):
        snapshot_from_data(data)


# ----------------------------------------------------------------------------- properties

TEXT = st.text(max_size=8)
IDS = st.sampled_from(["1", "2", "3", "4"])
TARGETS = st.builds(TargetSnapshot, IDS, st.none() | TEXT, st.none() | TEXT, st.none() | TEXT)
ACTIONS = st.builds(ActionSnapshot, IDS, TEXT, st.none() | TEXT)


def _unique(items: list[Any]) -> tuple[Any, ...]:
    """Keep the first item for each id (ids are unique within a plan)."""
    seen: dict[str, Any] = {}
    for item in items:
        seen.setdefault(item.id, item)
    return tuple(seen.values())


GOALS = st.builds(
    GoalSnapshot,
    IDS,
    TEXT,
    TEXT,
    targets=st.lists(TARGETS, max_size=3).map(_unique),
    actions=st.lists(ACTIONS, max_size=3).map(_unique),
)
PLANS = st.builds(
    PlanSnapshot,
    st.none() | st.integers(1, 9),
    st.none() | st.dates(),
    st.none() | st.dates(),
    TEXT,
    st.lists(GOALS, max_size=4).map(_unique),
)


@settings(deadline=None)
@given(PLANS)
def test_diff_with_itself_is_empty(plan: PlanSnapshot) -> None:
    assert diff_plans(plan, plan) == ()


@settings(deadline=None)
@given(PLANS)
def test_snapshot_data_round_trip_property(plan: PlanSnapshot) -> None:
    assert snapshot_from_data(json.loads(json.dumps(snapshot_to_data(plan)))) == plan


@settings(deadline=None)  # no wall-clock limits on a shared machine
@given(PLANS, PLANS)
def test_diff_is_empty_only_when_equal_ignoring_version(a: PlanSnapshot, b: PlanSnapshot) -> None:
    same = replace(a, version=None) == replace(b, version=None)
    assert (diff_plans(a, b) == ()) == same


@settings(deadline=None)  # no wall-clock limits on a shared machine
@given(PLANS, PLANS)
def test_added_one_way_is_removed_the_other(a: PlanSnapshot, b: PlanSnapshot) -> None:
    forward = {(c.item, c.item_id, c.goal_id) for c in diff_plans(a, b) if c.change == "added"}
    back = {(c.item, c.item_id, c.goal_id) for c in diff_plans(b, a) if c.change == "removed"}
    assert forward == back
