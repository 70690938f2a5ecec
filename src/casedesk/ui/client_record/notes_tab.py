"""The Notes tab: the contact timeline, full-text search, and the note editor with autosave.

Locking a note and marking it entered in error can't be undone, so both ask first (the
dialog service; Cancel is the safe default). Notes entered in error are hidden unless "Show
entered in error" is ticked.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.validation import ValidationError
from casedesk.services.changes import Changes
from casedesk.services.drafts import SavedDraft
from casedesk.services.episodes import GoalOption
from casedesk.services.errors import ImmutableRecordError, VaultError
from casedesk.services.notes import NoteHit, NoteView, hide_entered_in_error
from casedesk.ui.client_record.autosave import DraftAutosaver
from casedesk.ui.client_record.models import (
    NoteTimelineModel,
    TimelineEntry,
    build_timeline,
    contact_label,
    fmt_when,
)
from casedesk.ui.client_record.note_editor import MODE_AMEND, MODE_EDIT, MODE_NEW, NoteEditor
from casedesk.ui.client_record.note_error_dialog import EnteredInErrorDialog
from casedesk.ui.context import AppContext
from casedesk.ui.messages import describe_error
from casedesk.ui.widgets.basics import Card, button, guarded, label
from casedesk.ui.widgets.client_fields import left_aligned_headers

NOTE_DRAFT_MODES = (MODE_NEW, MODE_EDIT, MODE_AMEND)


def note_draft_key(mode: str, client_id: str) -> str:
    """The draft key for the note editor in ``mode`` for a client."""
    return f"note:{mode}:{client_id}"


class NotesTab(QWidget):
    """Timeline of contacts (newest first), search, note detail, and the editor.

    Signals:
        data_changed(object): a write happened (``Changes``); the record reloads.
    """

    data_changed = Signal(object)

    def __init__(self, ctx: AppContext, client_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.client_id = client_id
        self.disposed = False
        self._notes: list[NoteView] = []
        self._matches: set[str] | None = None
        self.dialog: EnteredInErrorDialog | None = None
        self.model = NoteTimelineModel(self)
        self.autosave = DraftAutosaver(ctx, self.draft_key, self._draft_payload, self)
        self._build()
        self._connect_signals()

    # ------------------------------------------------------------------ build

    def _build(self) -> None:
        """Containers first (outside-in), so no filled widget tree is ever re-parented."""
        tr = self.tr
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        self._outer = QSplitter(Qt.Orientation.Horizontal, self)
        layout.addWidget(self._outer)
        self._left = QWidget(self._outer)
        self._split = QSplitter(Qt.Orientation.Vertical, self._left)
        self._detail_box = QWidget(self._split)
        card = Card(parent=self._outer)
        self.editor = NoteEditor(card)
        card.body.addWidget(self.editor)
        self.search = QLineEdit()
        self.search.setAccessibleName(tr("Search this client's notes"))
        self.search.setPlaceholderText(tr("Search notes…"))
        self.search.setClearButtonEnabled(True)
        self.match_info = label("", "muted")
        self.show_errors = QCheckBox(tr("Show entered in error"))
        self.show_errors.setAccessibleName(tr("Show notes entered in error"))
        self.timeline = QTableView(self._split)
        self.timeline.setAccessibleName(tr("Notes timeline"))
        self.timeline.setModel(self.model)
        self.timeline.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.timeline.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.timeline.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.timeline.setAlternatingRowColors(True)
        self.timeline.setShowGrid(False)
        self.timeline.setWordWrap(False)
        self.timeline.verticalHeader().hide()
        self.timeline.verticalHeader().setDefaultSectionSize(28)
        left_aligned_headers(self.timeline)
        header = self.timeline.horizontalHeader()
        header.setStretchLastSection(False)
        for column, width in enumerate((150, 92, 70, 110, 300, 90)):  # fits 1366x768
            header.resizeSection(column, width)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.detail = QTextBrowser(self._detail_box)
        self.detail.setAccessibleName(tr("Selected note"))
        self.detail.setOpenLinks(False)
        self.edit_button = button(tr("Edit"), tr("Edit selected note"))
        self.lock_button = button(tr("Lock"), tr("Lock selected note"))
        self.amend_button = button(tr("Amend"), tr("Amend selected note"))
        self.error_button = button(
            tr("Entered in error…"), tr("Mark selected note as entered in error")
        )
        self._layout()
        self._update_buttons()

    def _layout(self) -> None:
        left_layout = QVBoxLayout(self._left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        search_row = QHBoxLayout()
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.match_info)
        search_row.addWidget(self.show_errors)
        left_layout.addLayout(search_row)
        split = self._split
        split.addWidget(self.timeline)
        detail_layout = QVBoxLayout(self._detail_box)
        detail_layout.setContentsMargins(0, 6, 0, 0)
        detail_layout.addWidget(self.detail, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        for widget in (self.error_button, self.edit_button, self.lock_button, self.amend_button):
            row.addWidget(widget)
        detail_layout.addLayout(row)
        split.addWidget(self._detail_box)
        split.setSizes([320, 220])
        left_layout.addWidget(split, 1)
        outer = self._outer
        outer.setStretchFactor(0, 3)
        outer.setStretchFactor(1, 2)
        outer.setSizes([700, 460])

    def _connect_signals(self) -> None:
        self.search.textChanged.connect(self.run_search)
        self.timeline.selectionModel().selectionChanged.connect(self._on_selection)
        self.model.modelReset.connect(self._on_selection)
        self.edit_button.clicked.connect(self._edit_selected)
        self.lock_button.clicked.connect(self._lock_selected)
        self.amend_button.clicked.connect(self._amend_selected)
        self.error_button.clicked.connect(self._error_selected)
        self.show_errors.toggled.connect(lambda _on: self._show_timeline())
        self.editor.edited.connect(self.autosave.schedule)
        self.editor.save_requested.connect(self.save)
        self.editor.cancel_requested.connect(self._cancel_edit)

    # ------------------------------------------------------------------ data in

    def set_notes(self, notes: Sequence[NoteView]) -> None:
        """Show the client's notes (newest first, as the service returns them)."""
        selected = self.selected_note()
        self._notes = list(notes)
        self._show_timeline()
        if selected is not None:
            self.select_note(selected.id)

    def set_goals(self, goals: tuple[GoalOption, ...]) -> None:
        """Goals the editor can link."""
        self.editor.set_goals(goals)

    def offer_draft(self, drafts: Sequence[SavedDraft]) -> None:
        """Offer the newest unsaved note back ("Restore unsaved note from …?")."""
        if not drafts:
            return
        draft = max(drafts, key=lambda d: d.updated_at)
        when = draft.updated_at.astimezone().strftime("%d %b %Y %H:%M")
        restore = self._ctx.dialogs.confirm(
            self,
            self.tr("Unsaved note"),
            self.tr("Restore unsaved note from {when}?").format(when=when),
            ok=self.tr("Restore"),
        )
        for other in drafts:
            if other is not draft or not restore:
                self.autosave.discard(other.key)
        if restore:
            self._restore_draft(draft)

    def _restore_draft(self, draft: SavedDraft) -> None:
        payload = draft.payload
        mode = payload.get("mode", MODE_NEW)
        target = self.note_by_id(payload.get("target_id") or "")
        if mode == MODE_EDIT and target is not None and not target.locked:
            self.editor.start_edit(target)
        elif mode == MODE_AMEND and target is not None:
            self.editor.start_amend(target)
        else:
            self.editor.reset()
        self.editor.restore(payload)
        self.editor.saved_info.setText(self.tr("Restored unsaved note"))

    # ------------------------------------------------------------------ queries

    def note_by_id(self, note_id: str) -> NoteView | None:
        """A loaded note by id."""
        return next((n for n in self._notes if n.id == note_id), None)

    def selected_note(self) -> NoteView | None:
        """The note selected in the timeline."""
        rows = self.timeline.selectionModel().selectedRows()
        if not rows:
            return None
        entry: TimelineEntry = self.model.row_at(rows[0].row())
        return entry.note

    def select_note(self, note_id: str) -> bool:
        """Select a note in the timeline (False when not shown)."""
        for row, entry in enumerate(self.model.rows()):
            if entry.id == note_id:
                self.timeline.selectRow(row)
                return True
        return False

    def shown_note_ids(self) -> list[str]:
        """Note ids in timeline order."""
        return [e.id for e in self.model.rows()]

    def draft_key(self) -> str:
        """Where the editor's draft goes."""
        return note_draft_key(self.editor.mode, self.client_id)

    # ------------------------------------------------------------------ actions

    def edit_note(self, note_id: str) -> bool:
        """Load an open note into the editor; a locked note is refused (amend it instead)."""
        note = self.note_by_id(note_id)
        if note is None or note.entered_in_error:
            return False
        if note.locked:
            self._ctx.dialogs.warn(
                self,
                self.tr("Note is locked"),
                self.tr("A locked note can't be changed. Use Amend to add a correction."),
            )
            return False
        self.editor.start_edit(note)
        return True

    def amend_note(self, note_id: str) -> bool:
        """Start an amendment to a locked note."""
        note = self.note_by_id(note_id)
        if note is None or not note.locked or note.entered_in_error:
            return False
        self.editor.start_amend(note)
        return True

    def confirm_lock(self) -> bool:
        """Ask before locking (it can't be undone); True to go ahead."""
        return self._ctx.dialogs.confirm(
            self,
            self.tr("Lock this note?"),
            self.tr(
                "A locked note can't be changed or unlocked; corrections are added as "
                "amendments under it."
            ),
            ok=self.tr("Lock note"),
            irreversible=True,
        )

    def lock_note(self, note_id: str) -> None:
        """Lock a note (after asking): from then on it can only be amended."""
        if not self.confirm_lock():
            return
        notes = self._ctx.services.notes
        self._ctx.tasks.run(
            lambda: notes.lock_note(note_id),
            guarded(self, lambda _v: self.data_changed.emit(Changes.NOTES)),
            guarded(self, self._on_error),
            label="lock note",
        )

    def mark_entered_in_error(self, note_id: str) -> None:
        """Ask why (and confirm), then retract the note: kept in history, hidden here."""
        note = self.note_by_id(note_id)
        if note is None or note.entered_in_error:
            return
        dialog = EnteredInErrorDialog(note, self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        notes = self._ctx.services.notes

        def confirmed() -> None:
            reason = dialog.reason_text()
            self._ctx.tasks.run(
                lambda: notes.mark_entered_in_error(note_id, reason),
                guarded(self, lambda _v: self.data_changed.emit(Changes.NOTES)),
                guarded(self, self._on_error),
                label="note entered in error",
            )

        dialog.accepted.connect(confirmed)
        self.dialog = dialog
        dialog.open()

    def save(self, lock: bool = False) -> None:
        """Save what is in the editor (new, edited or amendment); locking asks first."""
        if lock and not self.confirm_lock():
            return
        editor = self.editor
        key = self.draft_key()
        data = editor.to_input(self.client_id)
        notes = self._ctx.services.notes
        target = editor.target
        # Each save deletes the draft in its own transaction (a crash can't leave a stale one).
        if editor.mode == MODE_AMEND and target is not None:
            body = data.body
            work = lambda: notes.amend_note(target.id, body, draft_key=key)  # noqa: E731
        elif editor.mode == MODE_EDIT and target is not None:
            target_id = target.id

            def work() -> NoteView:
                view = notes.update_note(target_id, data, draft_key=key)
                return notes.lock_note(target_id) if lock else view
        else:
            work = lambda: notes.add_note(data, lock=lock, draft_key=key)  # noqa: E731
        self.autosave.stop()
        self._ctx.tasks.run(
            work,
            guarded(self, self._on_saved),
            guarded(self, self._on_error),
            label="save note",
        )

    def run_search(self, text: str) -> None:
        """Full-text search across this client's notes."""
        if not text.strip():
            self._matches = None
            self.match_info.clear()
            self._show_timeline()
            return
        notes, client_id = self._ctx.services.notes, self.client_id
        self._ctx.tasks.run(
            lambda: notes.search_notes(text, client_id=client_id, limit=500),
            guarded(self, lambda hits: self._on_search(text, hits)),
            label="search notes",
        )

    def save_draft_now(self) -> None:
        """Write the draft at once (the shell calls this before locking)."""
        if self.autosave.pending:
            self.autosave.save_now()

    def clear(self) -> None:
        """Empty every widget and model (used on lock)."""
        if self.dialog is not None:
            self.dialog.reject()
            self.dialog = None
        self.autosave.stop()
        self._notes = []
        self._matches = None
        self.model.clear()
        self.editor.clear()
        self.detail.clear()
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.match_info.clear()

    # ------------------------------------------------------------------ results

    def _on_saved(self, _view: NoteView) -> None:
        self.editor.reset()
        self.editor.saved_info.setText(self.tr("Saved"))
        self.data_changed.emit(Changes.NOTES)

    def _on_error(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            self.editor.errors.show(exc.errors)
            return
        if isinstance(exc, ImmutableRecordError):  # e.g. it locked itself while being edited
            self._ctx.dialogs.warn(
                self,
                self.tr("Note not changed"),
                self.tr("{reason} Your text is kept in the editor and as a draft.").format(
                    reason=str(exc)
                ),
            )
            self.autosave.schedule()
            return
        self._ctx.dialogs.error(
            self,
            self.tr("Note not saved"),
            self.tr("{why} Your text is kept in the editor and as a draft.").format(
                why=describe_error(exc)
                if isinstance(exc, VaultError)
                else self.tr("The note could not be saved.")
            ),
        )
        self.autosave.schedule()

    def _on_search(self, text: str, hits: list[NoteHit]) -> None:
        if text != self.search.text():
            return  # a newer search is on its way
        self._matches = {h.note_id for h in hits}
        count = len(self._matches)
        self.match_info.setText(self.tr("{n} matching").format(n=count))
        self._show_timeline()

    def _show_timeline(self) -> None:
        notes = self._notes if self.show_errors.isChecked() else hide_entered_in_error(self._notes)
        if self._matches is not None:
            notes = [n for n in notes if n.id in self._matches]
        self.model.set_rows(build_timeline(notes))

    def _draft_payload(self) -> dict[str, object] | None:
        return self.editor.payload() if self.editor.has_text() else None

    def _cancel_edit(self) -> None:
        self.autosave.discard(self.draft_key())
        self.editor.reset()

    def _edit_selected(self) -> None:
        note = self.selected_note()
        if note is not None:
            self.edit_note(note.id)

    def _amend_selected(self) -> None:
        note = self.selected_note()
        if note is not None:
            self.amend_note(note.id)

    def _lock_selected(self) -> None:
        note = self.selected_note()
        if note is not None and not note.locked:
            self.lock_note(note.id)

    def _error_selected(self) -> None:
        note = self.selected_note()
        if note is not None:
            self.mark_entered_in_error(note.id)

    def _on_selection(self, *_args: object) -> None:
        note = self.selected_note()
        self.detail.setHtml(self._detail_html(note) if note else "")
        self._update_buttons()

    def _update_buttons(self) -> None:
        note = self.selected_note()
        standing = note is not None and not note.entered_in_error
        self.edit_button.setEnabled(standing and note is not None and not note.locked)
        self.lock_button.setEnabled(standing and note is not None and not note.locked)
        self.amend_button.setEnabled(standing and note is not None and note.locked)
        self.error_button.setEnabled(standing)

    def _detail_html(self, note: NoteView) -> str:
        tr = self.tr
        meta = [fmt_when(note.occurred_at), contact_label(note.contact_type.value)]
        if note.duration_minutes:
            meta.append(tr("{n} min").format(n=note.duration_minutes))
        if note.location:
            meta.append(note.location)
        if note.entered_in_error:
            state = tr("Entered in error {when}: {reason}").format(
                when=fmt_when(note.entered_in_error_at), reason=note.error_reason
            )
        elif note.locked:
            state = tr("Locked {when}").format(when=fmt_when(note.locked_at))
        else:
            state = tr("Open: can be edited until it locks itself on {when}").format(
                when=fmt_when(note.locks_at)
            )
        parts = [
            f"<p><b>{html.escape(' · '.join(meta))}</b><br/>"
            f"<span style='color:#5b6776'>{html.escape(state)}</span></p>",
            _paragraphs(note.body),
        ]
        for amendment in (n for n in self._notes if n.amends_id == note.id):
            parts.append(
                f"<hr/><p><b>{html.escape(tr('Amendment'))}</b> "
                f"<span style='color:#5b6776'>{html.escape(fmt_when(amendment.locked_at))}"
                f"</span></p>{_paragraphs(amendment.body)}"
            )
        return "".join(parts)


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n") if p.strip())
