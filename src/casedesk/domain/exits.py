"""What is still open when support ends, and how each open item can be closed at exit.

Ending support closes the episode and its plan. Goals, actions and referrals left open would
make the record contradict itself afterwards: an "Accepted, improving" goal and a "Not started"
action in a closed plan, a referral still being followed up for someone who has left. So the
exit lists every open item with a closing status suggested from where it stands; the worker
can choose another, or leave an item as it is (a referral the client carries on with, say).

* A goal is open until its lifecycle is finished (completed, cancelled, rejected, entered in
  error). At exit it is given an achievement; it becomes *completed*, or *cancelled* when the
  goal turned out not to be attainable.
* An action is open until it is done or cancelled; at exit it becomes done or cancelled.
* A referral is open until it is closed; at exit it is closed.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum, StrEnum
from types import MappingProxyType

from casedesk.domain.enums import ActionStatus, GoalAchievement, GoalLifecycle, ReferralStatus


class ExitItemKind(StrEnum):
    """The kinds of record an exit can leave open."""

    GOAL = "goal"
    ACTION = "action"
    REFERRAL = "referral"


FINISHED_GOALS = frozenset(
    {
        GoalLifecycle.COMPLETED,
        GoalLifecycle.CANCELLED,
        GoalLifecycle.ENTERED_IN_ERROR,
        GoalLifecycle.REJECTED,
    }
)
FINISHED_ACTIONS = frozenset({ActionStatus.DONE, ActionStatus.CANCELLED})

#: The achievements a goal can be closed with at exit (in the order offered), and the
#: lifecycle each one gives the goal.
GOAL_EXIT_LIFECYCLE: Mapping[GoalAchievement, GoalLifecycle] = MappingProxyType(
    {
        GoalAchievement.ACHIEVED: GoalLifecycle.COMPLETED,
        GoalAchievement.SUSTAINING: GoalLifecycle.COMPLETED,
        GoalAchievement.IMPROVING: GoalLifecycle.COMPLETED,
        GoalAchievement.NO_CHANGE: GoalLifecycle.COMPLETED,
        GoalAchievement.NOT_ACHIEVED: GoalLifecycle.COMPLETED,
        GoalAchievement.NOT_ATTAINABLE: GoalLifecycle.CANCELLED,
    }
)
ACTION_EXIT_STATUSES = (ActionStatus.CANCELLED, ActionStatus.DONE)
REFERRAL_EXIT_STATUSES = (ReferralStatus.CLOSED,)

# Where a goal stands -> the achievement suggested at exit when it is not one of the choices.
_GOAL_SUGGESTION = MappingProxyType(
    {
        GoalAchievement.IN_PROGRESS: GoalAchievement.NOT_ACHIEVED,
        GoalAchievement.WORSENING: GoalAchievement.NOT_ACHIEVED,
        GoalAchievement.NO_PROGRESS: GoalAchievement.NO_CHANGE,
    }
)


def goal_is_open(lifecycle: GoalLifecycle) -> bool:
    """Whether a goal is still being worked on."""
    return GoalLifecycle(lifecycle) not in FINISHED_GOALS


def action_is_open(status: ActionStatus) -> bool:
    """Whether an action is still to be done."""
    return ActionStatus(status) not in FINISHED_ACTIONS


def referral_is_open(status: ReferralStatus) -> bool:
    """Whether a referral is still being followed up."""
    return ReferralStatus(status) is not ReferralStatus.CLOSED


def exit_choices(kind: ExitItemKind) -> tuple[Enum, ...]:
    """The closing statuses offered for an open item of this kind."""
    if kind is ExitItemKind.GOAL:
        return tuple(GOAL_EXIT_LIFECYCLE)
    if kind is ExitItemKind.ACTION:
        return ACTION_EXIT_STATUSES
    return REFERRAL_EXIT_STATUSES


def suggested_closing(kind: ExitItemKind, current: str) -> Enum:
    """The closing status suggested for an item from where it stands.

    Args:
        kind: what the item is.
        current: a goal's achievement; an action's or referral's status.
    """
    if kind is ExitItemKind.GOAL:
        achievement = GoalAchievement(current)
        return _GOAL_SUGGESTION.get(achievement, achievement)
    if kind is ExitItemKind.ACTION:
        # Whatever was not done by the end of support is not going to be done by this plan.
        return ActionStatus.CANCELLED
    return ReferralStatus.CLOSED


def closing_status(kind: ExitItemKind, value: str) -> Enum:
    """The closing status ``value`` as its vocabulary member.

    Raises:
        ValueError: with a plain reason when ``value`` can't close an item of this kind.
    """
    for choice in exit_choices(kind):
        if choice.value == value:
            return choice
    raise ValueError(f"This {kind.value} can't be closed as {value!r} at exit.")


def goal_lifecycle_at_exit(achievement: GoalAchievement) -> GoalLifecycle:
    """The lifecycle a goal closed at exit with this achievement takes."""
    return GOAL_EXIT_LIFECYCLE[GoalAchievement(achievement)]
