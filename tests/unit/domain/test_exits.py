"""What an exit may leave open, and how each open item is closed."""

from __future__ import annotations

import pytest

from casedesk.domain.enums import ActionStatus, GoalAchievement, GoalLifecycle, ReferralStatus
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


def test_what_counts_as_open():
    assert goal_is_open(GoalLifecycle.ACCEPTED) and goal_is_open(GoalLifecycle.ON_HOLD)
    assert not goal_is_open(GoalLifecycle.COMPLETED) and not goal_is_open(GoalLifecycle.REJECTED)
    assert action_is_open(ActionStatus.NOT_STARTED) and action_is_open(ActionStatus.ON_HOLD)
    assert not action_is_open(ActionStatus.DONE) and not action_is_open(ActionStatus.CANCELLED)
    assert referral_is_open(ReferralStatus.DECLINED)
    assert not referral_is_open(ReferralStatus.CLOSED)


@pytest.mark.parametrize(
    ("where", "suggested"),
    [
        (GoalAchievement.IMPROVING, GoalAchievement.IMPROVING),
        (GoalAchievement.ACHIEVED, GoalAchievement.ACHIEVED),
        (GoalAchievement.IN_PROGRESS, GoalAchievement.NOT_ACHIEVED),
        (GoalAchievement.WORSENING, GoalAchievement.NOT_ACHIEVED),
        (GoalAchievement.NO_PROGRESS, GoalAchievement.NO_CHANGE),
    ],
)
def test_a_goal_is_closed_with_where_it_stands(where, suggested):
    assert suggested_closing(ExitItemKind.GOAL, where.value) is suggested
    assert suggested in exit_choices(ExitItemKind.GOAL)


def test_every_achievement_suggests_one_of_the_choices():
    for achievement in GoalAchievement:
        assert suggested_closing(ExitItemKind.GOAL, achievement) in exit_choices(ExitItemKind.GOAL)


def test_goal_lifecycle_at_exit():
    assert goal_lifecycle_at_exit(GoalAchievement.ACHIEVED) is GoalLifecycle.COMPLETED
    assert goal_lifecycle_at_exit(GoalAchievement.NOT_ACHIEVED) is GoalLifecycle.COMPLETED
    assert goal_lifecycle_at_exit(GoalAchievement.NOT_ATTAINABLE) is GoalLifecycle.CANCELLED


def test_actions_and_referrals():
    assert suggested_closing(ExitItemKind.ACTION, "in_progress") is ActionStatus.CANCELLED
    assert exit_choices(ExitItemKind.ACTION) == (ActionStatus.CANCELLED, ActionStatus.DONE)
    assert suggested_closing(ExitItemKind.REFERRAL, "sent") is ReferralStatus.CLOSED


def test_a_status_an_item_cant_take_is_refused_in_words():
    assert closing_status(ExitItemKind.ACTION, "done") is ActionStatus.DONE
    with pytest.raises(ValueError, match="can't be closed as 'in_progress'"):
        closing_status(ExitItemKind.ACTION, "in_progress")
    with pytest.raises(ValueError):
        closing_status(ExitItemKind.GOAL, "in-progress")
    with pytest.raises(ValueError):
        closing_status(ExitItemKind.REFERRAL, "sent")
