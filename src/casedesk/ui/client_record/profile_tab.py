"""The Profile tab: client details, support network and other professionals."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.validation import ValidationError
from casedesk.services.changes import Changes
from casedesk.services.clients import ClientRecord
from casedesk.services.drafts import SavedDraft
from casedesk.services.people import ProfessionalView, SupportPersonView
from casedesk.ui.client_record.autosave import DraftAutosaver
from casedesk.ui.client_record.models import ProfessionalsModel, SupportPeopleModel
from casedesk.ui.client_record.person_dialog import PROFESSIONAL, SUPPORT, PersonDialog
from casedesk.ui.context import AppContext
from casedesk.ui.widgets.basics import Card, button, guarded, label
from casedesk.ui.widgets.client_details_form import ClientDetailsForm
from casedesk.ui.widgets.client_fields import left_aligned_headers
from casedesk.ui.widgets.client_table_model import RowTableModel


def profile_draft_key(client_id: str) -> str:
    """The draft key for unsaved profile edits."""
    return f"client:edit:{client_id}"


def _table(accessible: str, model: RowTableModel[Any], parent: QWidget) -> QTableView:
    view = QTableView(parent)
    view.setAccessibleName(accessible)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setShowGrid(False)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    # Columns fit their contents and headings (names first, never cut to "Chinedu …"); the
    # last one takes what is left. At 1366x768 equal columns cut names and headings.
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    left_aligned_headers(view)
    view.setMinimumHeight(110)
    return view


class ProfileTab(QWidget):
    """Details form (with autosaved draft) and the people around the client.

    Signals:
        data_changed(object): a write happened (``Changes``); the record reloads.
    """

    data_changed = Signal(object)

    def __init__(self, ctx: AppContext, client_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.client_id = client_id
        self.disposed = False
        self.dirty = False
        self.record: ClientRecord | None = None
        self.support_model = SupportPeopleModel(self)
        self.professional_model = ProfessionalsModel(self)
        self.autosave = DraftAutosaver(
            ctx, lambda: profile_draft_key(self.client_id), self._draft_payload, self
        )
        self.person_dialog: PersonDialog | None = None
        self._build()
        self._connect_signals()
        self._mark_dirty(False)

    def _build(self) -> None:
        """Build outside-in: every container is born inside its parent.

        Re-parenting a filled widget tree makes Qt re-apply the style sheet to every widget in
        it; building top-down keeps opening a record fast.
        """
        tr = self.tr
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        layout.addWidget(scroll)
        holder = QWidget()
        scroll.setWidget(holder)
        inner = QVBoxLayout(holder)
        inner.setContentsMargins(12, 12, 12, 12)
        inner.setSpacing(12)
        columns = QHBoxLayout()
        columns.setSpacing(12)
        inner.addLayout(columns, 1)
        details = Card(tr("Details"), holder)
        columns.addWidget(details, 5)
        self.form = ClientDetailsForm(details)
        details.body.addWidget(self.form)
        self.save_button = button(tr("Save details"), tr("Save client details"), primary=True)
        self.revert_button = button(tr("Undo changes"), tr("Undo unsaved changes to details"))
        self.status = label("", "muted")
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.revert_button)
        row.addWidget(self.save_button)
        details.body.addLayout(row)
        details.body.addStretch(1)
        people = QVBoxLayout()
        people.setSpacing(12)
        columns.addLayout(people, 4)
        support = Card(tr("Support network"), holder)
        professionals = Card(tr("Other professionals involved"), holder)
        people.addWidget(support, 1)
        people.addWidget(professionals, 1)
        self.support_table = _table(tr("Support network"), self.support_model, support)
        self.professional_table = _table(
            tr("Other professionals"), self.professional_model, professionals
        )
        self.add_support = button(tr("Add person"), tr("Add support person"))
        self.edit_support = button(tr("Edit"), tr("Edit support person"))
        self.remove_support = button(tr("Remove"), tr("Remove support person"))
        self.add_professional = button(tr("Add professional"), tr("Add professional"))
        self.edit_professional = button(tr("Edit"), tr("Edit professional"))
        self.remove_professional = button(tr("Remove"), tr("Remove professional"))
        self._fill_people_card(
            support, self.support_table, (self.add_support, self.edit_support, self.remove_support)
        )
        self._fill_people_card(
            professionals,
            self.professional_table,
            (self.add_professional, self.edit_professional, self.remove_professional),
        )

    @staticmethod
    def _fill_people_card(card: Card, table: QTableView, buttons: Sequence[QWidget]) -> None:
        card.body.addWidget(table)
        row = QHBoxLayout()
        row.addStretch(1)
        for widget in buttons:
            row.addWidget(widget)
        card.body.addLayout(row)

    def _connect_signals(self) -> None:
        self.form.edited.connect(self._on_edited)
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self.revert)
        self.add_support.clicked.connect(lambda: self.open_person(SUPPORT, None))
        self.add_professional.clicked.connect(lambda: self.open_person(PROFESSIONAL, None))
        self.edit_support.clicked.connect(
            lambda: self._with_selected(
                self.support_table, self.support_model, lambda p: self.open_person(SUPPORT, p)
            )
        )
        self.edit_professional.clicked.connect(
            lambda: self._with_selected(
                self.professional_table,
                self.professional_model,
                lambda p: self.open_person(PROFESSIONAL, p),
            )
        )
        self.remove_support.clicked.connect(
            lambda: self._with_selected(self.support_table, self.support_model, self.remove_person)
        )
        self.remove_professional.clicked.connect(
            lambda: self._with_selected(
                self.professional_table, self.professional_model, self.remove_person
            )
        )
        self.support_table.doubleClicked.connect(lambda _i: self.edit_support.click())
        self.professional_table.doubleClicked.connect(lambda _i: self.edit_professional.click())

    # ------------------------------------------------------------------ data in

    def set_record(self, record: ClientRecord) -> None:
        """Show the stored details (unless the worker is mid-edit)."""
        self.record = record
        if not self.dirty:
            self.form.set_record(record)

    def set_people(
        self, support: Sequence[SupportPersonView], professionals: Sequence[ProfessionalView]
    ) -> None:
        """Show the support network and professionals."""
        self.support_model.set_rows(support)
        self.professional_model.set_rows(professionals)

    def offer_draft(self, draft: SavedDraft | None) -> None:
        """Offer unsaved profile changes back."""
        if draft is None:
            return
        when = draft.updated_at.astimezone().strftime("%d %b %Y %H:%M")
        if self._ctx.dialogs.confirm(
            self,
            self.tr("Unsaved changes"),
            self.tr("Restore unsaved changes to the client's details from {when}?").format(
                when=when
            ),
            ok=self.tr("Restore"),
        ):
            self.form.restore(draft.payload)
            self._mark_dirty(True)
            self.status.setText(self.tr("Restored unsaved changes (not saved yet)"))
        else:
            self.autosave.discard(draft.key)

    # ------------------------------------------------------------------ actions

    def save(self) -> None:
        """Validate and save the details."""
        data = self.form.to_input()
        clients, cid = self._ctx.services.clients, self.client_id
        key = profile_draft_key(cid)
        self.autosave.stop()
        self._ctx.tasks.run(
            lambda: clients.update_client(cid, data, draft_key=key),  # deletes the draft too
            guarded(self, self._on_saved),
            guarded(self, self._on_error),
            label="save client details",
        )

    def revert(self) -> None:
        """Throw away unsaved edits."""
        self.autosave.discard(profile_draft_key(self.client_id))
        self._mark_dirty(False)
        self.form.errors.clear()
        if self.record is not None:
            self.form.set_record(self.record)
        self.status.clear()

    def open_person(
        self, kind: str, existing: SupportPersonView | ProfessionalView | None
    ) -> PersonDialog:
        """Open the add/edit person dialog."""
        dialog = PersonDialog(
            self._ctx,
            kind,
            self.client_id,
            existing,
            lambda: self.data_changed.emit(Changes.CLIENTS),
            self,
        )
        self.person_dialog = dialog
        dialog.open()
        return dialog

    def remove_person(self, person: SupportPersonView | ProfessionalView) -> None:
        """Remove a person after confirming (kept as a tombstone for history and sync)."""
        if not self._ctx.dialogs.confirm(
            self,
            self.tr("Remove person"),
            self.tr("Remove {name} from this client's record?").format(name=person.name),
            ok=self.tr("Remove"),
        ):
            return
        people = self._ctx.services.people
        if isinstance(person, SupportPersonView):
            work: Callable[[], None] = lambda: people.remove_support_person(person.id)  # noqa: E731
        else:
            work = lambda: people.remove_professional(person.id)  # noqa: E731
        self._ctx.tasks.run(
            work,
            guarded(self, lambda _v: self.data_changed.emit(Changes.CLIENTS)),
            guarded(self, self._on_error),
            label="remove person",
        )

    def save_draft_now(self) -> None:
        """Write the draft at once (before a lock)."""
        if self.autosave.pending:
            self.autosave.save_now()

    def clear(self) -> None:
        """Empty every widget and model (used on lock)."""
        self.autosave.stop()
        self.record = None
        self.dirty = False
        self.form.clear()
        self.support_model.clear()
        self.professional_model.clear()
        self.status.clear()
        if self.person_dialog is not None:
            self.person_dialog.reject()
            self.person_dialog = None

    # ------------------------------------------------------------------ private

    def _on_edited(self) -> None:
        self._mark_dirty(True)
        self.status.setText(self.tr("Unsaved changes (kept as a draft)"))
        self.autosave.schedule()

    def _mark_dirty(self, dirty: bool) -> None:
        self.dirty = dirty
        self.revert_button.setEnabled(dirty)

    def _draft_payload(self) -> dict[str, Any] | None:
        return self.form.payload() if self.dirty else None

    def _on_saved(self, record: ClientRecord) -> None:
        self._mark_dirty(False)
        self.form.errors.clear()
        self.record = record
        self.form.set_record(record)
        self.status.setText(self.tr("Saved"))
        self.data_changed.emit(Changes.CLIENTS)

    def _on_error(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            self.form.show_errors(exc.errors)
            self.status.setText(self.tr("Please check the highlighted fields"))
            return
        self._ctx.dialogs.error(
            self,
            self.tr("Not saved"),
            self.tr("The change could not be saved. Your edits are kept as a draft."),
        )

    @staticmethod
    def _with_selected(
        table: QTableView, model: RowTableModel[Any], action: Callable[[Any], object]
    ) -> None:
        rows = table.selectionModel().selectedRows()
        if rows:
            action(model.row_at(rows[0].row()))
