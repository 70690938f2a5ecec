"""Review dialog: save a draft and resume it; finish without a new version; change goals first."""

from __future__ import annotations

import pytest

from casedesk.domain.enums import GoalAchievement, PlanState
from casedesk.services.goals import GoalInput
from casedesk.services.reviews import ReviewOutcome
from casedesk.ui.plan import PlanTab
from casedesk.ui.plan.review_dialog import NOT_ASKED, ReviewDialog

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def tab(qtbot, ctx, services, make_client):
    cid = make_client("Mara", "Quill").id
    plan = services.plans.start_plan(cid)
    for words in ("Keep my flat", "See my daughter"):
        plan = services.goals.add_goal(plan.id, GoalInput(words))
    services.plans.agree(plan.id)
    widget = PlanTab(ctx, cid)
    qtbot.addWidget(widget)
    return widget


def test_draft_is_saved_and_resumed(tab, services):
    tab.review()
    dialog = tab.dialog
    assert isinstance(dialog, ReviewDialog)
    assert [r.score.value() for r in dialog.rows] == [NOT_ASKED, NOT_ASKED]
    dialog.rows[1].score.setValue(6)
    dialog.rows[1].note.setText("Phoned twice")
    dialog.barriers.setPlainText("Bus fares")
    dialog.save()
    assert dialog.result() == 1
    tab.review()
    again = tab.dialog
    assert again is not dialog
    assert again.rows[1].score.value() == 6 and again.barriers.toPlainText() == "Bus fares"
    assert again.rows[0].score.value() == NOT_ASKED


def test_keep_current_then_change_goals_and_agree(tab, services, dialogs):
    tab.review()
    tab.dialog.finish(ReviewOutcome.KEEP_CURRENT)
    assert tab.plan.state is PlanState.AGREED and tab.plan.current_version == 1
    assert tab.plan.next_review_on is not None
    tab.review()
    review = tab.dialog
    review.rows[0].achievement.set_value(GoalAchievement.ACHIEVED)
    review.finish(ReviewOutcome.CONTINUE_EDITING)
    assert tab.plan.state is PlanState.UNDER_REVIEW and tab.add_goal_button.isEnabled()
    tab.edit_goal(new=True)
    tab.dialog.client_words.setPlainText("Join the walking group")
    tab.dialog.buttons.accepted.emit()
    tab.agree()
    plan = tab.plan
    assert plan.current_version == 2 and len(plan.goals) == 3
    assert len(services.reviews.list_reviews(plan.id)) == 2


def test_bad_score_shown_inline(tab):
    tab.review()
    dialog = tab.dialog
    dialog.held_on.setText("not a date")
    dialog.finish(ReviewOutcome.AGREE_NEW_VERSION)
    assert dialog.error.isVisibleTo(dialog) and dialog.result() == 0
    assert tab.plan.state is PlanState.UNDER_REVIEW


def test_achievements_are_celebrated(tab):
    tab.review()
    dialog = tab.dialog
    assert not dialog.celebrate.isVisibleTo(dialog)
    dialog.rows[1].achievement.set_value(GoalAchievement.ACHIEVED)
    assert dialog.celebrate.isVisibleTo(dialog)
    assert "See my daughter" in dialog.celebrate.text()
