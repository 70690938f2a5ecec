"""Assessments tab: draft over visits, finalise, immutability, amendment, needs, PDF export."""

from pathlib import Path

import pytest

from casedesk.domain.enums import AssessmentStage
from casedesk.services.assessments import AssessmentInput
from casedesk.services.errors import ImmutableRecordError
from casedesk.ui.assessments.tab import SUGGESTED_PDF_NAME, AssessmentsTab


@pytest.fixture
def client(make_client):
    return make_client("Rua", "Example")


@pytest.fixture
def tab(qtbot, ctx, client):
    widget = AssessmentsTab(ctx, client.id)
    qtbot.addWidget(widget)
    widget.resize(1366, 700)
    return widget


def _page(tab, key):
    return next(p for p in tab.form.pages if p.domain.key == key)


def _fill_housing(tab, strengths="Keeps the flat warm", priority=False):
    page = _page(tab, "housing")
    page.client_score.set_score(4)
    page.client_score.activated.emit(page.client_score.currentIndex())
    page.strengths.setPlainText(strengths)
    page.client_words.setPlainText("I want somewhere that's mine")
    page.needs.setPlainText("A tenancy in my name")
    if priority:
        page.priority.click()


def _start(tab, stage=AssessmentStage.INITIAL):
    tab.new_stage.setCurrentIndex(tab.new_stage.findData(stage))
    tab.new_button.click()
    assert tab.stack.currentWidget() is tab.form
    return tab.form.view.id


def test_form_shows_domain_guide_and_navigator(tab):
    _start(tab)
    form = tab.form
    assert len(form.pages) == 14
    assert form.navigator.count() == 16  # 14 areas, carer, summary
    page = _page(tab, "housing")
    form.show_area("housing")
    assert form.stack.currentWidget() is page
    assert page.client_score.count() == 11  # not scored + 1..10 with band labels
    assert "Housing at risk" in page.client_score.itemText(3)
    assert form.progress_text.text() == "0 of 14 areas recorded"
    for widget in (page.client_score, page.worker_score, page.strengths, page.priority):
        assert widget.accessibleName()


def test_draft_is_saved_and_reopened_over_visits(tab, services, client):
    assessment_id = _start(tab)
    _fill_housing(tab)
    assert tab.form.save_pending  # edits schedule an autosave
    assert tab.form.progress_text.text() == "1 of 14 areas recorded"
    tab.form.save_now()
    assert not tab.form.save_pending
    saved = services.assessments.get(assessment_id)
    assert saved.reading("housing").strengths == "Keeps the flat warm"
    assert saved.reading("housing").client_score == 4
    # A later visit: back to the list, reopen, carry on.
    tab.form.back_button.click()
    assert tab.list.count() == 1
    assert "Draft" in tab.list.item(0).text()
    tab.open_assessment(assessment_id)
    assert _page(tab, "housing").strengths.toPlainText() == "Keeps the flat warm"
    tab.form.carer_wellbeing.setPlainText("Her sister is tired but coping")
    tab.form.summary.setPlainText("A good start")
    tab.form.save_button.click()
    saved = services.assessments.get(assessment_id)
    assert saved.carer_wellbeing == "Her sister is tired but coping"
    assert saved.summary == "A good start"


def test_finalise_makes_it_read_only_and_turns_priorities_into_needs(
    tab, services, client, dialogs
):
    assessment_id = _start(tab)
    _fill_housing(tab, priority=True)
    tab.form.finalise_button.click()
    assert "confirm" in dialogs.kinds()
    view = services.assessments.get(assessment_id)
    assert view.is_final
    page = _page(tab, "housing")
    assert page.strengths.isReadOnly()
    assert not page.client_score.isEnabled()
    assert tab.form.amend_button.isVisibleTo(tab.form)
    assert not tab.form.finalise_button.isVisibleTo(tab.form)
    # Immutable: the form will not save, and the service refuses a change.
    page.strengths.setPlainText("changed")
    tab.form.save_now()
    assert services.assessments.get(assessment_id).reading("housing").strengths != "changed"
    with pytest.raises(ImmutableRecordError):
        services.assessments.save_draft(
            assessment_id, AssessmentInput(view.stage, view.assessed_on)
        )
    # The priority became a need, offered for the plan.
    tab.form.back_button.click()
    assert tab.needs.count() == 1
    assert "A tenancy in my name" in tab.needs.item(0).text()
    requested = []
    tab.create_goal_requested.connect(requested.append)
    tab.needs.setCurrentRow(0)
    tab.goal_button.click()
    assert len(requested) == 1
    prefill = services.needs.goal_prefill_for_need(requested[0])
    assert prefill.domain_key == "housing"
    assert prefill.client_words == "I want somewhere that's mine"


def test_cancelled_finalise_keeps_the_draft(tab, services, dialogs):
    assessment_id = _start(tab)
    _fill_housing(tab)
    dialogs.confirm_answer = False
    tab.form.finalise_button.click()
    assert not services.assessments.get(assessment_id).is_final


def test_amendment_supersedes_the_final_assessment(tab, services, client):
    first_id = _start(tab)
    _fill_housing(tab)
    tab.form.finalise()
    tab.form.amend_button.click()
    amendment = tab.form.view
    assert amendment.id != first_id
    assert amendment.supersedes_id == first_id
    assert tab.form.title.text() == "Amendment"
    assert _page(tab, "housing").strengths.toPlainText() == "Keeps the flat warm"
    page = _page(tab, "housing")
    page.client_score.set_score(5)
    page.client_score.activated.emit(page.client_score.currentIndex())
    tab.form.finalise()
    tab.show_overview()
    texts = [tab.list.item(i).text() for i in range(tab.list.count())]
    assert any("replaced by an amendment" in t for t in texts)
    assert any("(amendment)" in t for t in texts)
    distance = services.assessments.distance(client.id)
    assert [p.assessment_id for p in distance.points] == [amendment.id]
    assert distance.points[0].scores["housing"] == 5


def test_export_pdf_only_when_asked(tab, dialogs, tmp_path: Path):
    _start(tab)
    _fill_housing(tab)
    tab.form.finalise()
    dialogs.save_path = None
    tab.form.export_button.click()
    assert dialogs.calls[-1].kind == "save_file"
    assert dialogs.calls[-1].text == SUGGESTED_PDF_NAME
    assert not list(tmp_path.glob("*.pdf"))
    dialogs.save_path = tmp_path / "summary.pdf"
    tab.form.export_button.click()
    assert dialogs.save_path.read_bytes().startswith(b"%PDF")
    assert dialogs.kinds()[-1] == "info"


def test_record_screen_hands_a_need_to_the_plan(qtbot, ctx, services, client):
    from casedesk.services.assessments import ReadingInput
    from casedesk.ui.client_record.record_screen import ClientRecordScreen

    draft = services.assessments.start(client.id, AssessmentStage.INITIAL)
    result = services.assessments.finalise(
        draft.id,
        AssessmentInput(
            AssessmentStage.INITIAL, draft.assessed_on, (ReadingInput("housing", 3, priority=True),)
        ),
    )
    screen = ClientRecordScreen(ctx, client.id)
    qtbot.addWidget(screen)
    assert screen.assessments.needs.count() == 1
    screen.assessments.needs.setCurrentRow(0)
    screen.assessments.goal_button.click()
    assert screen.tabs.currentWidget() is screen.slots["plan"]
    assert result.need_ids


def _record_with_a_need(qtbot, ctx, services, client):
    from casedesk.services.assessments import ReadingInput
    from casedesk.ui.client_record.record_screen import ClientRecordScreen

    draft = services.assessments.start(client.id, AssessmentStage.INITIAL)
    reading = ReadingInput("housing", 3, priority=True, client_words="Somewhere that's mine")
    result = services.assessments.finalise(
        draft.id, AssessmentInput(AssessmentStage.INITIAL, draft.assessed_on, (reading,))
    )
    screen = ClientRecordScreen(ctx, client.id)
    qtbot.addWidget(screen)
    screen.assessments.needs.setCurrentRow(0)
    return screen, result.need_ids[0]


def test_goal_from_a_need_with_no_plan_starts_a_draft_and_opens_the_editor(
    qtbot, ctx, services, client
):
    """Issue 20 item 2: with no plan, the button jumped to an empty Plan tab and did nothing."""
    from casedesk.domain.enums import PlanState
    from casedesk.ui.plan.goal_editor import GoalEditor

    assert services.plans.current_plan(client.id) is None
    screen, need_id = _record_with_a_need(qtbot, ctx, services, client)
    screen.assessments.goal_button.click()
    plan_tab = screen.slots["plan"]
    assert screen.tabs.currentWidget() is plan_tab
    assert plan_tab.plan is not None and plan_tab.plan.state is PlanState.DRAFT
    editor = plan_tab.dialog
    assert isinstance(editor, GoalEditor) and editor.isVisible()
    assert editor.need.value() == need_id and editor.domain.value() == "housing"
    assert editor.client_words.toPlainText() == "Somewhere that's mine"
    editor.buttons.accepted.emit()
    goals = services.plans.current_plan(client.id).goals
    assert [(g.need_id, g.client_words) for g in goals] == [(need_id, "Somewhere that's mine")]


def test_goal_from_a_need_says_what_to_do_first_when_the_plan_is_agreed(
    qtbot, ctx, services, client, dialogs
):
    from casedesk.services.goals import GoalInput

    plan = services.plans.start_plan(client.id)
    services.goals.add_goal(plan.id, GoalInput("Keep my flat"))
    services.plans.agree(plan.id)
    screen, _need = _record_with_a_need(qtbot, ctx, services, client)
    screen.assessments.goal_button.click()
    assert dialogs.kinds() == ["info"] and "Review" in dialogs.calls[0].text
    assert screen.slots["plan"].dialog is None
    assert len(services.plans.current_plan(client.id).goals) == 1


def test_goal_from_a_need_after_exit_does_not_reopen_support(qtbot, ctx, services, client, dialogs):
    from casedesk.domain.clock import today
    from casedesk.domain.enums import ClientStatus, ClosureReason
    from casedesk.services.exits import ExitInput

    services.plans.start_plan(client.id)
    screen, _need = _record_with_a_need(qtbot, ctx, services, client)
    services.exits.exit_client(client.id, ExitInput(today(), ClosureReason.MOVED_AWAY))
    screen.assessments.goal_button.click()
    assert dialogs.kinds() == ["info"] and "Reopen support" in dialogs.calls[0].text
    assert services.clients.get_client(client.id).status is ClientStatus.CLOSED
    assert len(services.plans.list_plans(client.id)) == 1  # no new plan, no new episode
    assert not services.exits.episodes(client.id)[0].is_open


def test_copy_rename_and_add_life_areas(qtbot, tab, services, client):
    dialog = tab.manage_areas()
    qtbot.addWidget(dialog)
    assert dialog.set_list.count() == 1
    assert not dialog.rename_button.isEnabled()  # the built-in set is never edited
    dialog.copy_name.setText("Rural outreach areas")
    dialog.copy_button.click()
    assert dialog.set_list.count() == 2
    assert dialog.current.domain_set.key == "rural-outreach-areas"
    assert dialog.rename_button.isEnabled()
    row = next(
        i for i in range(dialog.area_list.count()) if dialog.area_list.item(i).text() == "Housing"
    )
    dialog.area_list.setCurrentRow(row)
    dialog.rename_to.setText("Home and shelter")
    dialog.rename_button.click()
    assert dialog.current.domain_set.version == 2
    dialog.add_name.setText("Transport and distance")
    dialog.add_description.setText("Getting to town, appointments and shops")
    dialog.add_button.click()
    latest = dialog.current.domain_set
    assert latest.version == 3
    assert latest.domains[-1].name == "Transport and distance"
    assert "v3" in dialog.message.text()
    # The tab offers the copy for new assessments; an assessment uses its version.
    index = tab.domain_set.findData(dialog.current.id)
    assert index >= 0
    tab.domain_set.setCurrentIndex(index)
    _start(tab)
    names = [p.domain.name for p in tab.form.pages]
    assert "Home and shelter" in names
    assert names[-1] == "Transport and distance"
    # An empty name is explained, not saved.
    dialog.add_name.setText("")
    dialog.add_button.click()
    assert "name" in dialog.message.text()


def test_pending_edits_are_saved_before_a_lock(tab, services):
    assessment_id = _start(tab)
    _fill_housing(tab, strengths="Saved before the lock")
    tab.save_draft_now()
    assert not tab.form.save_pending
    assert services.assessments.get(assessment_id).reading("housing").strengths == (
        "Saved before the lock"
    )
    tab.clear()
    assert tab.list.count() == 0
    assert tab.distance.radar.series == ()
