"""Goal editor: SMART coach updates as the worker types, never blocks; goal from a need."""

from __future__ import annotations

import pytest

from casedesk.domain.smart import SmartLetter
from casedesk.storage.models import Need
from casedesk.ui.plan import PlanTab
from casedesk.ui.plan.goal_editor import GoalEditor

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def tab(qtbot, ctx, make_client):
    widget = PlanTab(ctx, make_client("Mara", "Quill").id)
    qtbot.addWidget(widget)
    widget.start_plan()
    return widget


def test_coach_updates_live_and_never_blocks(tab):
    tab.edit_goal(new=True)
    editor = tab.dialog
    assert isinstance(editor, GoalEditor)
    editor.client_words.setPlainText("Improve my health")
    report = editor.coach.report
    assert not report.result(SmartLetter.SPECIFIC).met
    assert "improve" in editor.coach.hints[SmartLetter.SPECIFIC].text().lower()
    editor.rows[0].measure.setText("Walks a week")
    assert editor.coach.report.result(SmartLetter.SPECIFIC).met  # a measure pins the verb down
    assert not editor.coach.report.result(SmartLetter.TIME_BOUND).met
    editor.buttons.accepted.emit()  # saving with letters unmet is fine
    assert [g.client_words for g in tab.plan.goals] == ["Improve my health"]
    assert tab.goals.rows()[0].report.met_count < 5


def test_empty_goal_is_refused_inline(tab):
    tab.edit_goal(new=True)
    editor = tab.dialog
    editor.buttons.accepted.emit()
    assert editor.error.isVisibleTo(editor)
    assert tab.plan.goals == ()
    editor.reject()


def test_goal_from_a_need_is_prefilled(tab, ctx):
    with ctx.services.vault.db.session() as session:
        need = Need(client_id=tab.plan.client_id, domain_key="housing", description="Rent arrears")
        session.add(need)
        session.flush()
        need_id = need.id
    tab.new_goal_from_need(need_id)
    editor = tab.dialog
    assert isinstance(editor, GoalEditor)
    assert editor.need.value() == need_id and editor.domain.value() == "housing"
    assert "Rent arrears" in editor.worker_framing.toPlainText()
    editor.client_words.setPlainText("Pay off the rent I owe")
    editor.buttons.accepted.emit()
    goal = tab.plan.goals[0]
    assert goal.need_id == need_id and goal.domain_key == "housing"


def test_the_coach_lists_met_letters_together_and_details_only_the_rest(tab):
    """Kept small beside the actions at 1366x768: one line for what is met."""
    tab.edit_goal(new=True)
    editor = tab.dialog
    editor.client_words.setPlainText("Walk the dog twice a week")
    coach = editor.coach
    unmet = [r.letter for r in coach.report.results if not r.met]
    met = [r.letter for r in coach.report.results if r.met]
    assert met and unmet
    assert all(coach.hints[letter].isVisibleTo(coach) for letter in unmet)
    assert not any(coach.hints[letter].isVisibleTo(coach) for letter in met)
    assert coach.met_line.isVisibleTo(coach) and "Met:" in coach.met_line.text()
    editor.reject()
