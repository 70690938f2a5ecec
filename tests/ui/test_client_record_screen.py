from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QWidget

from casedesk.domain.clock import today
from casedesk.domain.consent import ConsentInput
from casedesk.domain.enums import ConsentScope, ContactType, IntakeDecision
from casedesk.services.intake import IntakeInput
from casedesk.services.people import ProfessionalInput, SupportPersonInput
from casedesk.ui.assessments.tab import AssessmentsTab
from casedesk.ui.client_record.models import (
    ConsentModel,
    HistoryModel,
    NoteTimelineModel,
    ProfessionalsModel,
    SupportPeopleModel,
    build_timeline,
)
from casedesk.ui.client_record.record_screen import ClientRecordScreen
from casedesk.ui.risk.screen import RiskTab

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def full_client(services, make_client, make_note, canary):
    client = make_client(
        "Mere",
        "Tāwhiri",
        preferred_name="Merry",
        pronouns="she/her",
        date_of_birth=date(1990, 1, 2),
        notes=f"likes tea {canary}",
    )
    services.people.save_support_person(client.id, SupportPersonInput(f"Sis {canary}", "sister"))
    services.people.save_professional(client.id, ProfessionalInput("Dr Who", "GP", "Clinic"))
    services.consent.add_consent(
        ConsentInput(client.id, ConsentScope.COLLECT_STORE, today() - timedelta(days=5))
    )
    services.intake.save_intake(
        client.id, IntakeInput(source_type="GP", reason=canary, decision=IntakeDecision.ACCEPTED)
    )
    first = make_note(client.id, f"First visit {canary}", contact_type=ContactType.HOME_VISIT)
    services.notes.lock_note(first.id)
    services.notes.amend_note(first.id, "Correction: it was Tuesday")
    make_note(client.id, "Second call")
    return client


def _screen(qtbot, ctx, client_id):
    screen = ClientRecordScreen(ctx, client_id)
    qtbot.addWidget(screen)
    assert screen.data is not None
    return screen


def test_header_and_tabs(qtbot, ctx, full_client):
    screen = _screen(qtbot, ctx, full_client.id)
    assert screen.client_id == full_client.id
    assert screen.header.name.text() == "Merry Tāwhiri"
    assert "Legal name: Mere Tāwhiri" in screen.header.details.text()
    assert "she/her" in screen.header.details.text()
    assert "years" in screen.header.details.text()
    assert screen.header.review.text() == "No plan yet"
    assert screen.header.consent.text() == "Consent current"
    assert screen.header.risk.text() == "Risk not screened"
    titles = [screen.tabs.tabText(i) for i in range(screen.tabs.count())]
    assert titles == [
        "Profile",
        "Intake",
        "Consent",
        "Notes",
        "Assessments",
        "Plan",
        "Referrals",
        "Documents",
        "Risk",
        "History",
    ]
    assert isinstance(screen.slots["assessments"], AssessmentsTab)
    assert isinstance(screen.slots["risk"], RiskTab)
    assert screen.history.model.rowCount() >= 5
    assert screen.profile.support_model.rowCount() == 1
    assert screen.intake.source_type.currentText() == "GP"


def test_slots_and_add_tab(qtbot, ctx, full_client):
    screen = _screen(qtbot, ctx, full_client.id)
    plan = QLabel("plan goes here")
    screen.set_slot("plan", plan)
    index = screen.tabs.indexOf(plan)
    assert screen.tabs.tabText(index) == "Plan"
    extra = QWidget()
    added = screen.add_tab(extra, "Extra")
    assert screen.tabs.tabText(added) == "Extra"
    assert screen.tabs.tabText(screen.tabs.count() - 1) == "History"


def test_models_pass_modeltester(qtmodeltester, services, full_client):
    notes = services.notes.list_notes(full_client.id)
    timeline = NoteTimelineModel()
    timeline.set_rows(build_timeline(notes))
    consents = ConsentModel(today())
    consents.set_rows(services.consent.list_consents(full_client.id))
    support = SupportPeopleModel()
    support.set_rows(services.people.support_network(full_client.id))
    professionals = ProfessionalsModel()
    professionals.set_rows(services.people.professionals(full_client.id))
    history = HistoryModel()
    history.set_rows(services.audit.client_history(full_client.id))
    for model in (timeline, consents, support, professionals, history):
        assert model.rowCount() > 0
        qtmodeltester.check(model)


def test_clear_leaves_no_client_data(qtbot, ctx, full_client, canary):
    screen = _screen(qtbot, ctx, full_client.id)
    screen.notes.editor.body.setPlainText(f"typing {canary}")
    screen.notes.select_note(screen.notes.shown_note_ids()[0])
    screen.clear()
    assert screen.data is None
    for widget in screen.findChildren(QWidget):
        texts = []
        if isinstance(widget, QLabel):
            texts.append(widget.text())
        if isinstance(widget, QLineEdit):
            texts.append(widget.text())
        if isinstance(widget, QPlainTextEdit):
            texts.append(widget.toPlainText())
        texts.append(widget.toolTip())
        assert not any(canary in t for t in texts), widget
    assert screen.notes.detail.toPlainText() == ""
    for model in (
        screen.notes.model,
        screen.history.model,
        screen.consent.model,
        screen.profile.support_model,
        screen.profile.professional_model,
    ):
        assert model.rowCount() == 0
    assert screen.header.name.text() == ""


def test_unknown_client_reports_not_found(qtbot, ctx):
    received = []
    screen = ClientRecordScreen(ctx, "no-such-client")
    qtbot.addWidget(screen)
    screen.not_found.connect(lambda: received.append(True))
    screen.reload()
    assert received == [True]


def test_every_interactive_widget_has_an_accessible_name(qtbot, ctx, full_client):
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QAbstractSpinBox,
        QComboBox,
        QTextEdit,
    )

    screen = _screen(qtbot, ctx, full_client.id)
    mine = (
        screen.header,
        screen.profile,
        screen.intake,
        screen.consent,
        screen.notes,
        screen.history,
    )
    kinds = (
        QAbstractButton,
        QComboBox,
        QLineEdit,
        QPlainTextEdit,
        QTextEdit,
        QAbstractItemView,
        QAbstractSpinBox,
    )
    for root in mine:
        for kind in kinds:
            for widget in root.findChildren(kind):
                if isinstance(
                    widget.parent(), (QComboBox, QLineEdit, QAbstractItemView, QAbstractSpinBox)
                ):
                    continue  # Qt's own internals
                if type(widget).__name__ in ("QCalendarWidget", "QToolButton"):
                    continue
                if widget.window() is not screen.window():
                    continue  # combo and completer pop-ups
                assert widget.accessibleName(), (type(widget).__name__, widget.objectName())
