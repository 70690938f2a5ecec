"""Plan tab: build a plan of three goals with actions, agree v1 (frozen), review, agree v2."""

from __future__ import annotations

from datetime import timedelta

import pytest

from casedesk.domain.clock import today
from casedesk.domain.enums import GoalAchievement, GoalLifecycle, Performer, PlanState
from casedesk.services.errors import ImmutableRecordError
from casedesk.services.goals import GoalInput
from casedesk.ui.plan import PlanTab
from casedesk.ui.plan.action_editor import ActionEditor
from casedesk.ui.plan.goal_editor import GoalEditor
from casedesk.ui.plan.review_dialog import ReviewDialog
from casedesk.ui.plan.versions_dialog import VersionsDialog

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def tab(qtbot, ctx, make_client):
    client = make_client("Mara", "Quill")
    widget = PlanTab(ctx, client.id)
    qtbot.addWidget(widget)
    return widget


def _add_goal(tab, words, measure, due):
    tab.edit_goal(new=True)
    editor = tab.dialog
    assert isinstance(editor, GoalEditor)
    editor.client_words.setPlainText(words)
    editor.domain.setCurrentIndex(1)
    editor.lifecycle.set_value(GoalLifecycle.ACCEPTED)
    row = editor.rows[0]
    row.measure.setText(measure)
    row.baseline.setText("0")
    row.target.setText("3")
    row.due.set_date(due)
    editor.buttons.accepted.emit()


def _add_action(tab, what, performer=Performer.CLIENT, due=None):
    tab.edit_action(new=True)
    editor = tab.dialog
    assert isinstance(editor, ActionEditor)
    editor.description.setText(what)
    editor.performer.set_value(performer)
    editor.performer_name.setText("Aunt Jo" if performer is Performer.FAMILY_CARER else "")
    editor.due.set_date(due)
    editor._on_save()


def test_build_agree_review_and_agree_version_two(tab, ctx, dialogs, qtmodeltester):
    assert tab.start_button.isVisible() or not tab.isVisible()
    tab.start_plan()
    assert tab.plan is not None and tab.plan.state is PlanState.DRAFT
    due = today() + timedelta(days=60)
    for words in ("Keep my flat", "Walk to the shops", "See my daughter every week"):
        _add_goal(tab, words, "times a week", due)
        _add_action(tab, f"First step for {words}", due=today() + timedelta(days=7))
        _add_action(tab, "Phone Aunt Jo", Performer.FAMILY_CARER)
    plan = tab.plan
    assert [g.client_words for g in plan.goals] == [
        "Keep my flat",
        "Walk to the shops",
        "See my daughter every week",
    ]
    assert all(len(g.actions) == 2 for g in plan.goals)
    # reorder: the last action of the selected goal moves up
    tab.select_goal(plan.goals[0].id)
    tab.select_action(plan.goals[0].actions[1].id)
    tab.move_action(-1)
    assert tab.plan.goals[0].actions[0].description == "Phone Aunt Jo"
    assert tab.goals.rows()[0].report.all_met
    assert tab.coach.report is not None and tab.coach.report.all_met
    qtmodeltester.check(tab.goals)
    qtmodeltester.check(tab.goal_proxy)
    qtmodeltester.check(tab.action_items)
    qtmodeltester.check(tab.action_proxy)

    tab.agree()
    assert dialogs.kinds()[-1] == "confirm"
    plan = tab.plan
    assert plan.state is PlanState.AGREED and plan.current_version == 1
    assert len(plan.versions) == 1
    assert not tab.add_goal_button.isEnabled()

    # v1 is frozen: the UI explains, the service refuses, the database refuses
    tab.select_goal(plan.goals[0].id)
    tab.edit_goal()
    assert dialogs.calls[-1].kind == "info" and "frozen" in dialogs.calls[-1].text
    with pytest.raises(ImmutableRecordError, match="Start a review"):
        ctx.services.goals.update_goal(plan.goals[0].id, GoalInput("changed"))
    tab._change(lambda: ctx.services.goals.update_goal(plan.goals[0].id, GoalInput("changed")))
    assert dialogs.calls[-1].kind == "warn" and "frozen" in dialogs.calls[-1].text
    tab.agree()
    assert "already agreed" in dialogs.calls[-1].text  # the domain's reason, shown

    # review: progress per goal, then finish with a new version
    tab.review()
    review = tab.dialog
    assert isinstance(review, ReviewDialog)
    assert tab.plan.state is PlanState.UNDER_REVIEW
    review.rows[0].achievement.set_value(GoalAchievement.ACHIEVED)
    review.rows[0].score.setValue(8)
    review.rows[0].note.setText("Rent paid every week")
    review.achievements.setPlainText("Tenancy is safe")
    review.barriers.setPlainText("Bus fares")
    review.new_supports.setPlainText("Community transport")
    review.finish(review_outcome("agree"))
    plan = tab.plan
    assert plan.state is PlanState.AGREED and plan.current_version == 2
    assert plan.goals[0].achievement is GoalAchievement.ACHIEVED
    assert ctx.services.plans.verify_version(plan.id, 1)
    v1 = ctx.services.plans.version_snapshot(plan.id, 1)
    assert v1.goals[0].achievement == "in-progress"

    # versions: view and compare
    tab.show_versions()
    versions = tab.dialog
    assert isinstance(versions, VersionsDialog)
    qtmodeltester.check(versions.versions)
    qtmodeltester.check(versions.version_proxy)
    assert "Keep my flat" in versions.viewer.toPlainText()
    versions.from_combo.setCurrentIndex(0)
    versions.to_combo.setCurrentIndex(1)
    versions.compare()
    assert any(c.label == "Keep my flat" for c in versions.changes_shown)
    qtmodeltester.check(versions.changes)
    qtmodeltester.check(versions.change_proxy)


def review_outcome(name):
    from casedesk.services.reviews import ReviewOutcome

    return {"agree": ReviewOutcome.AGREE_NEW_VERSION, "keep": ReviewOutcome.KEEP_CURRENT}[name]


def test_agree_with_no_goals_shows_the_reason(tab, dialogs):
    tab.start_plan()
    tab.agree()
    assert dialogs.calls[-1].kind == "warn"
    assert "at least one goal" in dialogs.calls[-1].text


def test_period_and_review_interval(tab):
    from casedesk.ui.plan.period_dialog import PeriodDialog

    tab.start_plan()
    assert tab.period_button.isVisibleTo(tab)
    tab.edit_period()
    dialog = tab.dialog
    assert isinstance(dialog, PeriodDialog)
    assert dialog.interval.value() == 84  # moderate intensity: 12 weeks
    dialog.end.setText("2099-12-31")
    dialog.interval.setValue(30)
    dialog.accept()
    assert tab.plan.review_interval_days == 30
    assert tab.plan.period_end.isoformat() == "2099-12-31"
