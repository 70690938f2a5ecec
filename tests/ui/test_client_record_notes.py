from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt

from casedesk.domain.enums import ContactType
from casedesk.services.errors import ImmutableRecordError
from casedesk.ui.client_record.notes_tab import NotesTab, note_draft_key
from casedesk.ui.client_record.record_screen import ClientRecordScreen

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def record(qtbot, ctx, make_client):
    client = make_client("Ada", "Lovelace")
    screen = ClientRecordScreen(ctx, client.id)
    qtbot.addWidget(screen)
    return screen


def _type_note(qtbot, tab: NotesTab, text: str) -> None:
    tab.editor.body.setFocus()
    qtbot.keyClicks(tab.editor.body, text)


def test_add_note_with_details_appears_newest_first(qtbot, record, services, make_note):
    make_note(record.client_id, "Older call", occurred_at=datetime.now(UTC) - timedelta(days=1))
    record.reload()
    tab = record.notes
    assert tab.editor.no_goals.isVisibleTo(tab)  # "no goals yet"
    tab.editor.contact_type.setCurrentIndex(
        tab.editor.contact_type.findData(ContactType.HOME_VISIT)
    )
    tab.editor.duration.setValue(45)
    tab.editor.location.setText("Client's home")
    _type_note(qtbot, tab, "Visited at home; talked about housing.")
    qtbot.mouseClick(tab.editor.save_button, Qt.MouseButton.LeftButton)
    notes = services.notes.list_notes(record.client_id)
    assert notes[0].body == "Visited at home; talked about housing."
    assert notes[0].duration_minutes == 45 and notes[0].location == "Client's home"
    assert notes[0].contact_type is ContactType.HOME_VISIT
    assert tab.shown_note_ids()[0] == notes[0].id
    assert tab.editor.body.toPlainText() == ""
    assert services.drafts.load(note_draft_key("new", record.client_id)) is None
    assert record.history.model.rowCount() >= 2


def test_empty_and_very_long_notes(qtbot, record, services):
    tab = record.notes
    qtbot.mouseClick(tab.editor.save_button, Qt.MouseButton.LeftButton)
    assert tab.editor.errors.message("body") == "This is required."
    long_text = ("Ten chars. " * 1000)[:10_000]
    tab.editor.body.setPlainText(long_text)
    qtbot.mouseClick(tab.editor.save_button, Qt.MouseButton.LeftButton)
    saved = services.notes.list_notes(record.client_id)[0]
    assert len(saved.body) == len(long_text.strip())
    tab.select_note(saved.id)
    assert "Ten chars." in tab.detail.toPlainText()


def test_lock_then_edit_refused_and_amendment_linked(qtbot, record, ctx, dialogs, make_note):
    note = make_note(record.client_id, "Met at the library")
    record.reload()
    tab = record.notes
    assert tab.select_note(note.id)
    assert tab.edit_button.isEnabled() and not tab.amend_button.isEnabled()
    qtbot.mouseClick(tab.lock_button, Qt.MouseButton.LeftButton)
    assert tab.note_by_id(note.id).locked
    assert tab.select_note(note.id)
    assert not tab.edit_button.isEnabled() and tab.amend_button.isEnabled()
    assert tab.edit_note(note.id) is False
    assert dialogs.kinds()[-1] == "warn"
    with pytest.raises(ImmutableRecordError):
        from casedesk.domain.notes import NoteInput

        ctx.services.notes.update_note(note.id, NoteInput(record.client_id, "changed"))
    qtbot.mouseClick(tab.amend_button, Qt.MouseButton.LeftButton)
    assert tab.editor.mode == "amend"
    _type_note(qtbot, tab, "Correction: it was the town hall")
    qtbot.mouseClick(tab.editor.save_button, Qt.MouseButton.LeftButton)
    entries = tab.model.rows()
    index = [e.id for e in entries].index(note.id)
    amendment = entries[index + 1]
    assert amendment.depth == 1 and amendment.note.amends_id == note.id
    assert tab.model.index(index + 1, 5).data() == "Amendment"
    assert tab.model.index(index + 1, 4).data().startswith("↳ Correction")
    tab.select_note(note.id)
    assert "town hall" in tab.detail.toPlainText()
    assert "Met at the library" in tab.detail.toPlainText()


def test_edit_open_note(qtbot, record, services, make_note):
    note = make_note(record.client_id, "Draft wording")
    record.reload()
    tab = record.notes
    assert tab.edit_note(note.id)
    tab.editor.body.setPlainText("Better wording")
    qtbot.mouseClick(tab.editor.lock_button, Qt.MouseButton.LeftButton)
    stored = services.notes.list_notes(record.client_id)[0]
    assert stored.body == "Better wording" and stored.locked
    assert tab.editor.mode == "new"


def test_note_search_filters_timeline(qtbot, record, make_note):
    hit = make_note(record.client_id, "Talked about the rent arrears")
    make_note(record.client_id, "Walked the dog together")
    record.reload()
    tab = record.notes
    qtbot.keyClicks(tab.search, "arrea")
    assert tab.shown_note_ids() == [hit.id]
    assert tab.match_info.text() == "1 matching"
    tab.search.clear()
    assert len(tab.shown_note_ids()) == 2


def test_autosave_writes_draft_after_typing(qtbot, record, services):
    tab = record.notes
    tab.autosave.set_delay(10)
    with qtbot.waitSignal(tab.autosave.saved, timeout=3000):
        _type_note(qtbot, tab, "half a thought")
    draft = services.drafts.load(note_draft_key("new", record.client_id))
    assert draft is not None and draft.payload["body"] == "half a thought"


def test_draft_offered_on_reopen_and_discarded_when_declined(qtbot, ctx, dialogs, record, services):
    services.drafts.save(
        note_draft_key("new", record.client_id),
        {"mode": "new", "body": "unsaved words", "contact_type": "phone"},
    )
    dialogs.confirm_answer = False
    again = ClientRecordScreen(ctx, record.client_id)
    qtbot.addWidget(again)
    assert dialogs.calls[-1].text.startswith("Restore unsaved note from")
    assert again.notes.editor.body.toPlainText() == ""
    assert services.drafts.load(note_draft_key("new", record.client_id)) is None


def test_new_note_time_is_save_time_unless_chosen(qtbot, record, services):
    from PySide6.QtCore import QDateTime

    tab = record.notes
    tab.editor.body.setPlainText("dated when saved")
    before = datetime.now(UTC)
    qtbot.mouseClick(tab.editor.save_button, Qt.MouseButton.LeftButton)
    saved = services.notes.list_notes(record.client_id)[0]
    assert saved.occurred_at >= before.replace(microsecond=0)
    chosen = datetime(2024, 5, 6, 10, 30).astimezone()
    tab.editor.occurred_at.setDateTime(QDateTime.fromSecsSinceEpoch(int(chosen.timestamp())))
    tab.editor.body.setPlainText("dated as chosen")
    qtbot.mouseClick(tab.editor.save_button, Qt.MouseButton.LeftButton)
    notes = {n.body: n for n in services.notes.list_notes(record.client_id)}
    assert notes["dated as chosen"].occurred_at == chosen.astimezone(UTC)


def test_clear_on_lock_saves_pending_typing_first(qtbot, ctx, dialogs, record, services):
    tab = record.notes
    tab.autosave.set_delay(60_000)  # the quiet time has not passed when the lock comes
    _type_note(qtbot, tab, "typed just before the lock")
    assert tab.autosave.pending
    record.clear()
    assert tab.editor.body.toPlainText() == ""
    draft = services.drafts.load(note_draft_key("new", record.client_id))
    assert draft is not None and draft.payload["body"] == "typed just before the lock"
    again = ClientRecordScreen(ctx, record.client_id)
    qtbot.addWidget(again)
    assert again.notes.editor.body.toPlainText() == "typed just before the lock"


def test_note_links_goals_from_the_plan(qtbot, ctx, services, make_client):
    from casedesk.services.goals import GoalInput

    client = make_client("Goal", "Linker")
    plan = services.plans.start_plan(client.id)
    services.goals.add_goal(plan.id, GoalInput(client_words="Keep my flat"))
    screen = ClientRecordScreen(ctx, client.id)
    qtbot.addWidget(screen)
    editor = screen.notes.editor
    assert editor.goals.count() == 1 and not editor.no_goals.isVisibleTo(editor)
    editor.goals.item(0).setCheckState(Qt.CheckState.Checked)
    editor.body.setPlainText("Talked about the lease")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    saved = services.notes.list_notes(client.id)[0]
    assert len(saved.goal_ids) == 1
    due = services.episodes.overview(client.id).next_review_on
    expected = f"Next review {due.strftime('%d %b %Y')}" if due else "No review date"
    assert screen.header.review.text() == expected  # a plan exists: never "No plan yet"
