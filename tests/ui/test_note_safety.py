"""Confirmations where an action can't be undone, notes entered in error, the automatic lock,
and who did it (worker and device) in the History tab."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from casedesk.domain.clients import ClientInput
from casedesk.domain.enums import PlanState
from casedesk.domain.my_details import MyDetails
from casedesk.domain.notes import NoteInput
from casedesk.services.clients import ClientService
from casedesk.services.goals import GoalInput
from casedesk.services.notes import NoteService
from casedesk.services.reviews import ReviewOutcome
from casedesk.services.vault_service import VaultService
from casedesk.storage.keys import TEST_KDF
from casedesk.storage.models import CaseNote
from casedesk.ui.app import AppController
from casedesk.ui.client_record.models import who_did_it
from casedesk.ui.client_record.note_error_dialog import EnteredInErrorDialog
from casedesk.ui.client_record.record_screen import ClientRecordScreen
from casedesk.ui.dialogs import Dialogs
from casedesk.ui.plan import PlanTab
from casedesk.ui.plan.goal_editor import GoalEditor
from casedesk.ui.plan.review_dialog import ReviewDialog
from casedesk.ui.settings.prefs import UiPrefs

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def record(qtbot, ctx, make_client):
    screen = ClientRecordScreen(ctx, make_client("Ada", "Lovelace").id)
    qtbot.addWidget(screen)
    return screen


def _select(record, note_id: str):
    record.reload()
    tab = record.notes
    assert tab.select_note(note_id)
    return tab


def _stored(services, note_id: str) -> CaseNote:
    with services.vault.db.read() as session:
        row = session.get(CaseNote, note_id)
        assert row is not None
        session.expunge(row)
        return row


# ----------------------------------------------------------------------------- locking


def test_lock_asks_first_and_no_leaves_the_note_open(qtbot, record, services, dialogs, make_note):
    note = make_note(record.client_id, "Phoned about rent.")
    tab = _select(record, note.id)
    assert tab.lock_button.isEnabled()
    dialogs.confirm_answer = False
    qtbot.mouseClick(tab.lock_button, Qt.MouseButton.LeftButton)
    assert dialogs.kinds() == ["confirm"] and dialogs.calls[0].title == "Lock this note?"
    assert dialogs.calls[0].irreversible  # Cancel is the default answer
    assert "amendments" in dialogs.calls[0].text
    assert _stored(services, note.id).locked_at is None
    dialogs.confirm_answer = True
    qtbot.mouseClick(tab.lock_button, Qt.MouseButton.LeftButton)
    assert _stored(services, note.id).locked_at is not None


def test_save_and_lock_asks_first(qtbot, record, services, dialogs):
    tab = record.notes
    tab.editor.body.setPlainText("Visited at home.")
    dialogs.confirm_answer = False
    qtbot.mouseClick(tab.editor.lock_button, Qt.MouseButton.LeftButton)
    assert dialogs.kinds() == ["confirm"]
    assert services.notes.list_notes(record.client_id) == []
    assert tab.editor.body.toPlainText() == "Visited at home."  # nothing lost
    dialogs.confirm_answer = True
    qtbot.mouseClick(tab.editor.lock_button, Qt.MouseButton.LeftButton)
    assert services.notes.list_notes(record.client_id)[0].locked


def test_a_note_locks_itself_after_72_hours_in_the_tab(qtbot, ctx, record, services):
    clock = [T0]
    ctx.services.notes = NoteService(services.vault.db, now=lambda: clock[0])
    note = ctx.services.notes.add_note(NoteInput(record.client_id, "Typed on Monday."))
    clock[0] = T0 + timedelta(hours=71)
    tab = _select(record, note.id)
    assert tab.edit_button.isEnabled() and not tab.amend_button.isEnabled()
    assert "locks itself on" in tab.detail.toPlainText()
    clock[0] = T0 + timedelta(hours=72)
    tab = _select(record, note.id)
    assert not tab.edit_button.isEnabled() and tab.amend_button.isEnabled()
    assert "Locked" in tab.detail.toPlainText()


def test_editing_when_the_lock_falls_due_keeps_the_text(qtbot, ctx, record, services, dialogs):
    clock = [T0]
    ctx.services.notes = NoteService(services.vault.db, now=lambda: clock[0])
    note = ctx.services.notes.add_note(NoteInput(record.client_id, "First words."))
    tab = _select(record, note.id)
    assert tab.edit_note(note.id)
    tab.editor.body.setPlainText("Better words.")
    clock[0] = T0 + timedelta(hours=73)  # the period ran out while typing
    tab.save()
    assert dialogs.calls[-1].kind == "warn"
    assert "locked after 72 hours; add an amendment" in dialogs.calls[-1].text
    assert tab.editor.body.toPlainText() == "Better words."
    assert _stored(services, note.id).body == "First words."


# ----------------------------------------------------------------------------- entered in error


def test_entered_in_error_hidden_shown_on_request_and_in_history(
    qtbot, record, services, make_note
):
    keep = make_note(record.client_id, "Visited at home.")
    wrong = make_note(record.client_id, "Meant for another client.")
    tab = _select(record, wrong.id)
    qtbot.mouseClick(tab.error_button, Qt.MouseButton.LeftButton)
    dialog = tab.dialog
    assert isinstance(dialog, EnteredInErrorDialog)
    assert dialog.cancel_button.isDefault() and not dialog.confirm_button.isDefault()
    assert not dialog.confirm_button.autoDefault()
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)  # no reason yet
    assert dialog.error.isVisibleTo(dialog) and dialog.result() == 0
    assert _stored(services, wrong.id).error_reason == ""
    dialog.reason.setPlainText("Written in the wrong client's record")
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)

    stored = _stored(services, wrong.id)
    assert stored.status.value == "entered_in_error" and stored.body == "Meant for another client."
    record.reload()
    assert record.notes.shown_note_ids() == [keep.id]
    record.notes.show_errors.setChecked(True)
    assert set(record.notes.shown_note_ids()) == {keep.id, wrong.id}
    record.notes.select_note(wrong.id)
    assert "Written in the wrong client's record" in record.notes.detail.toPlainText()
    assert not record.notes.edit_button.isEnabled() and not record.notes.error_button.isEnabled()
    actions = [
        record.history.model.row_at(i).action for i in range(record.history.model.rowCount())
    ]
    assert "note.entered_in_error" in actions


def test_cancelling_the_error_dialog_changes_nothing(qtbot, record, services, make_note):
    note = make_note(record.client_id, "A real visit.")
    tab = _select(record, note.id)
    tab.mark_entered_in_error(note.id)
    tab.dialog.reason.setPlainText("changed my mind")
    qtbot.mouseClick(tab.dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert tab.dialog.result() == QDialog.DialogCode.Rejected
    assert _stored(services, note.id).status.value == "current"


# ----------------------------------------------------------------------------- who did it


def test_history_names_the_worker_and_the_device(qtbot, record, services, make_note):
    services.profile.save(MyDetails(name="Ana Lima", phone="02 5550 1234"))
    services.vault.set_device_name("Laptop-2")
    make_note(record.client_id, "Phoned.")
    record.reload()
    model = record.history.model
    who = [model.index(row, 1).data() for row in range(model.rowCount())]
    assert who[0] == "Ana Lima on Laptop-2"
    assert "This device" not in who


def test_events_without_names_show_what_is_known():
    from casedesk.services.audit import AuditEntry

    def entry(actor: str, device: str) -> AuditEntry:
        return AuditEntry(T0, actor, "note.added", "case_note", "", device)

    assert who_did_it(entry("Ana Lima", "Laptop-2")) == "Ana Lima on Laptop-2"
    assert who_did_it(entry("", "Laptop-2")) == "Laptop-2"
    assert who_did_it(entry("Ana Lima", "")) == "Ana Lima"
    assert who_did_it(entry("", "")) == "Not recorded"


# ----------------------------------------------------------------------------- plan dialogs


@pytest.fixture
def plan_tab(qtbot, ctx, services, make_client):
    cid = make_client("Mara", "Quill").id
    plan = services.plans.start_plan(cid)
    plan = services.goals.add_goal(plan.id, GoalInput("Keep my flat"))
    services.plans.agree(plan.id)
    widget = PlanTab(ctx, cid)
    qtbot.addWidget(widget)
    return widget


def test_finish_and_agree_new_version_asks_first(plan_tab, dialogs):
    plan_tab.review()
    dialog = plan_tab.dialog
    assert isinstance(dialog, ReviewDialog)
    assert not dialog.agree_button.isDefault()  # Enter never agrees
    dialogs.confirm_answer = False
    dialog.agree_button.click()
    assert dialogs.kinds()[-1] == "confirm" and "version 2" in dialogs.calls[-1].text
    assert dialogs.calls[-1].irreversible
    assert plan_tab.plan.state is PlanState.UNDER_REVIEW and dialog.result() == 0
    dialogs.confirm_answer = True
    dialog.agree_button.click()
    assert plan_tab.plan.current_version == 2 and plan_tab.plan.state is PlanState.AGREED


def test_finish_and_agree_refused_without_my_details(plan_tab, services, dialogs):
    plan_tab.review()
    dialog = plan_tab.dialog
    services.profile.save(MyDetails())
    dialog.agree_button.click()
    assert "Settings → My details" in dialog.error.text() and dialog.result() == 0
    assert plan_tab.plan.current_version == 1


def test_goal_editor_cancel_asks_before_discarding_typing(plan_tab, dialogs):
    plan_tab.review()
    plan_tab.dialog.finish(ReviewOutcome.CONTINUE_EDITING)
    plan_tab.edit_goal(new=True)
    editor = plan_tab.dialog
    assert isinstance(editor, GoalEditor)
    editor.reject()  # nothing typed: closes without a question
    assert dialogs.kinds() == [] and editor.result() == QDialog.DialogCode.Rejected

    plan_tab.edit_goal(new=True)
    editor = plan_tab.dialog
    editor.client_words.setPlainText("Walk to the shops")
    dialogs.confirm_answer = False
    editor.buttons.rejected.emit()  # Cancel
    assert dialogs.kinds() == ["confirm"] and editor.isVisible()
    assert dialogs.calls[0].irreversible
    assert editor.client_words.toPlainText() == "Walk to the shops"
    dialogs.confirm_answer = True
    editor.buttons.rejected.emit()
    assert not editor.isVisible()
    assert [g.client_words for g in plan_tab.plan.goals] == ["Keep my flat"]


def test_locking_closes_the_goal_editor_without_asking(plan_tab, dialogs):
    plan_tab.review()
    plan_tab.dialog.finish(ReviewOutcome.CONTINUE_EDITING)
    plan_tab.edit_goal(new=True)
    editor = plan_tab.dialog
    editor.client_words.setPlainText("typed before the lock")
    plan_tab.clear()
    assert dialogs.kinds() == [] and not editor.isVisible()


# ----------------------------------------------------------------------------- the sweep


def test_unlocking_stores_the_locks_that_fell_due(
    qtbot, vault_dir, passphrase, task_runner, dialogs
):
    seed = VaultService(vault_dir, kdf=TEST_KDF)
    seed.create(passphrase)
    client = ClientService(seed.db).add_client(ClientInput("Ada", "Lovelace"))
    written = datetime.now(UTC) - timedelta(days=4)
    old = NoteService(seed.db, now=lambda: written).add_note(NoteInput(client.id, "old"))
    new = NoteService(seed.db).add_note(NoteInput(client.id, "new"))
    seed.lock()
    app = AppController(
        VaultService(vault_dir), tasks=task_runner, dialogs=dialogs, prefs=UiPrefs()
    )
    gate = app.start()
    gate.panel.passphrase.setText(passphrase)
    with qtbot.waitSignal(app.ready, timeout=5000):
        gate.panel.submit()
    qtbot.addWidget(app.window)
    try:
        assert app.note_locks.isActive()
        with app.vault.db.read() as session:
            assert session.get(CaseNote, old.id).locked_at == written + timedelta(hours=72)
            assert session.get(CaseNote, new.id).locked_at is None
    finally:
        app.quit()
    assert not app.note_locks.isActive()


# ----------------------------------------------------------------------------- the real dialog


@pytest.mark.parametrize(("irreversible", "enter_confirms"), [(True, False), (False, True)])
def test_enter_cancels_an_irreversible_question(qtbot, irreversible, enter_confirms):
    defaults: list[str] = []

    def press_enter() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        try:
            default = box.defaultButton()  # None: Qt picks the accepting button when shown
            defaults.append(default.text() if default is not None else "")
            qtbot.keyClick(box, Qt.Key.Key_Return)
        finally:
            if box.isVisible():  # never leave a modal open (the test would hang)
                box.done(0)

    QTimer.singleShot(0, press_enter)
    answer = Dialogs().confirm(None, "Lock?", "It can't be undone.", ok="Lock note",
                               irreversible=irreversible)  # fmt: skip
    assert answer is enter_confirms
    assert (defaults == ["Cancel"]) is irreversible
