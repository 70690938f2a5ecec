"""Exit: end support, follow-up becomes a task; reopen starts a new episode, history kept."""

from __future__ import annotations

from datetime import timedelta

import pytest

from casedesk.domain.clock import today
from casedesk.domain.enums import ClientStatus, ClosureReason, PlanState
from casedesk.domain.tasks import TaskKind
from casedesk.services.goals import GoalInput
from casedesk.ui.exit import ExitDialog
from casedesk.ui.plan import PlanTab
from casedesk.ui.tasks_screen.tasks_screen import TasksScreen

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def client_id(services, make_client):
    cid = make_client("Mara", "Quill").id
    plan = services.plans.start_plan(cid, on=today() - timedelta(days=40))
    plan = services.goals.add_goal(plan.id, GoalInput("Keep my flat"))
    services.plans.agree(plan.id, on=today() - timedelta(days=30))
    return cid


def test_exit_follow_up_task_and_reopen(qtbot, ctx, services, dialogs, client_id):
    tab = PlanTab(ctx, client_id)
    qtbot.addWidget(tab)
    old_plan = tab.plan
    tab.end_support()
    dialog = tab.dialog
    assert isinstance(dialog, ExitDialog)
    assert dialog.follow_up.parsed() == today() + timedelta(weeks=6)
    dialog.save()  # no reason chosen yet
    assert dialog.error.isVisibleTo(dialog) and "why support is ending" in dialog.error.text()
    dialog.reason.set_value(ClosureReason.GOALS_ACHIEVED)
    dialog.achievements.setPlainText("Tenancy secure; back at work")
    dialog.supports.setPlainText("Tenancy support line; GP")
    dialog.rating.setCurrentIndex(dialog.rating.findData(5))
    dialog.comments.setPlainText("Thank you")
    dialog.follow_up.setText((today() + timedelta(days=3)).isoformat())
    dialog.follow_up.setModified(True)
    dialog.save()
    assert dialog.result() == 1
    assert services.clients.get_client(client_id).status is ClientStatus.CLOSED
    assert tab.plan.state is PlanState.CLOSED
    assert tab.reopen_button.isVisibleTo(tab) and not tab.exit_button.isVisibleTo(tab)
    assert "Follow-up contact due" in tab.episode_line.text()

    tasks_screen = TasksScreen(ctx)
    qtbot.addWidget(tasks_screen)
    tasks_screen.reload()
    mine = [t for t in tasks_screen._all if t.client_id == client_id]
    assert [t.kind for t in mine] == [TaskKind.EXIT_FOLLOW_UP]

    tab.reopen()
    assert services.clients.get_client(client_id).status is ClientStatus.ACTIVE
    assert tab.plan is None and tab.start_button.isVisibleTo(tab)
    episodes = services.exits.episodes(client_id)
    assert len(episodes) == 2 and episodes[0].is_open
    assert episodes[1].achievements == "Tenancy secure; back at work"
    assert episodes[1].feedback_rating == 5
    assert services.plans.get_plan(old_plan.id).current_version == 1  # history kept
    assert services.plans.verify_version(old_plan.id, 1)
    tab.start_plan()
    assert tab.plan is not None and tab.plan.id != old_plan.id


def test_follow_up_made_clears_the_task(qtbot, ctx, services, client_id):
    tab = PlanTab(ctx, client_id)
    qtbot.addWidget(tab)
    tab.end_support()
    dialog = tab.dialog
    dialog.reason.set_value(ClosureReason.MOVED_AWAY)
    dialog.follow_up.setText(today().isoformat())
    dialog.follow_up.setModified(True)
    dialog.save()
    assert tab.follow_up_button.isVisibleTo(tab)
    tab.follow_up_made()
    assert not tab.follow_up_button.isVisibleTo(tab)
    assert not [t for t in services.tasks.due_tasks() if t.client_id == client_id]


def test_earlier_plan_can_be_viewed_after_reopening(qtbot, ctx, services, client_id):
    from casedesk.services.exits import ExitInput

    old = services.plans.current_plan(client_id)
    services.exits.exit_client(client_id, ExitInput(today(), ClosureReason.MOVED_AWAY))
    services.exits.reopen(client_id)
    tab = PlanTab(ctx, client_id)
    qtbot.addWidget(tab)
    assert tab.plan is None and tab.plan_picker.isVisibleTo(tab)
    tab.plan_picker.setCurrentIndex(tab.plan_picker.findData(old.id))
    tab._on_plan_picked()
    assert tab.plan is not None and tab.plan.id == old.id
    assert tab.plan.state is PlanState.CLOSED and not tab.add_goal_button.isEnabled()
    assert tab.versions_button.isVisibleTo(tab)


def test_a_fixed_field_takes_its_message_with_it(qtbot, ctx, client_id):
    """Issue 20 item 6: the exit form's messages stayed after the fields were fixed."""
    tab = PlanTab(ctx, client_id)
    qtbot.addWidget(tab)
    tab.end_support()
    dialog = tab.dialog
    dialog.closed_on.setText("2026-13-40")
    dialog.save()
    assert set(dialog.errors.messages()) == {"closed_on", "reason"}
    dialog.closed_on.setText(today().isoformat())
    assert set(dialog.errors.messages()) == {"reason"}
    assert "why support is ending" in dialog.error.text() and "date" not in dialog.error.text()
    dialog.reason.set_value(ClosureReason.MOVED_AWAY)
    assert dialog.error.isHidden() and dialog.errors.messages() == {}


def test_exit_offers_to_close_what_is_open_and_the_header_shows_the_closed_plan(
    qtbot, ctx, services, client_id
):
    """Issue 20 item 3: after exit the record said "No plan yet", goals stayed improving."""
    from casedesk.domain.enums import ActionStatus, GoalLifecycle
    from casedesk.services.goals import ActionInput
    from casedesk.services.referrals import ReferralInput
    from casedesk.ui.client_record.record_screen import ClientRecordScreen

    plan = services.plans.current_plan(client_id)
    services.plans.start_review(plan.id)
    services.goals.add_action(plan.goals[0].id, ActionInput("Call the landlord"))
    services.plans.agree(plan.id)  # version 2
    services.referrals.add_referral(ReferralInput(client_id, agency_name="Tenancy Advice"))
    record = ClientRecordScreen(ctx, client_id)
    qtbot.addWidget(record)
    tab = record.slots["plan"]
    tab.end_support()
    dialog = tab.dialog
    panel = dialog.open_items
    assert [i.kind.value for i in panel.items] == ["goal", "action", "referral"]
    assert "3 items are still open" in panel.summary.text()
    goal, action, referral = panel.items
    # Each starts on its suggested closing: the goal was "in progress", so "not achieved".
    assert panel.choices[goal.id].currentText() == "Not achieved"
    assert panel.choices[goal.id].value() == "not-achieved"
    assert panel.choices[action.id].value() == "cancelled"
    assert panel.choices[referral.id].value() == "closed"
    panel.choices[goal.id].setCurrentIndex(panel.choices[goal.id].findData("achieved"))
    panel.choices[action.id].setCurrentIndex(panel.choices[action.id].findData("done"))
    dialog.reason.set_value(ClosureReason.GOALS_ACHIEVED)
    dialog.save()
    assert dialog.result() == 1
    closed = services.plans.current_plan(client_id)
    assert closed.goals[0].lifecycle is GoalLifecycle.COMPLETED
    assert closed.goals[0].actions[0].status is ActionStatus.DONE
    assert not services.referrals.list_referrals(client_id)[0].is_open
    record.reload()
    expected = f"Plan v2 — closed at exit on {today():%d %b %Y}"
    assert record.header.review.text() == expected


def test_nothing_open_is_said_plainly(qtbot, ctx, services, make_client):
    cid = make_client("Nell", "Quiet").id
    services.plans.start_plan(cid)
    tab = PlanTab(ctx, cid)
    qtbot.addWidget(tab)
    tab.end_support()
    assert tab.dialog.open_items.items == []
    assert "Nothing is left open" in tab.dialog.open_items.summary.text()
