"""The new client form: inline validation and the duplicate warning."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.clients import ClientInput, validate_client
from casedesk.domain.clock import today
from casedesk.domain.validation import ValidationError, parse_date
from casedesk.services.changes import Changes
from casedesk.services.clients import ClientRecord, DuplicateCandidate
from casedesk.ui.context import AppContext
from casedesk.ui.widgets.basics import button, guarded, label
from casedesk.ui.widgets.client_details_form import ClientDetailsForm
from casedesk.ui.widgets.form_draft import DraftDialog, FormDraft, draft_key

NEW_CLIENT_DRAFT = draft_key("client", "new")


class DuplicateWarning(QFrame):
    """Lists existing clients who may be the same person.

    Signals:
        open_requested(str): the worker wants to open this existing record (client id).
        continue_requested(): the worker says this is a different person.
    """

    open_requested = Signal(str)
    continue_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("duplicateWarning")
        self.setStyleSheet(
            "#duplicateWarning { background: #fdf3e1; border: 1px solid #e8c98f;"
            " border-radius: 8px; }"
        )
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(14, 10, 14, 10)
        self.heading = label(self.tr("This may be someone already on file"), "heading")
        self.explain = label(
            self.tr(
                "Same date of birth and a similar name. Open the existing record, or continue "
                "if this is a different person."
            ),
            wrap=True,
        )
        self._layout.addWidget(self.heading)
        self._layout.addWidget(self.explain)
        self._rows = QVBoxLayout()
        self._layout.addLayout(self._rows)
        self.continue_button = button(
            self.tr("Different person: save new client"), self.tr("Save as a new client anyway")
        )
        self.continue_button.clicked.connect(self.continue_requested)
        row = QHBoxLayout()
        row.addWidget(self.continue_button)
        row.addStretch(1)
        self._layout.addLayout(row)
        self.open_buttons: list[QWidget] = []
        self.hide()

    def show_candidates(self, candidates: list[DuplicateCandidate]) -> None:
        """Show one "open" link per candidate."""
        self.clear()
        for cand in candidates:
            born = cand.date_of_birth.strftime("%d %b %Y") if cand.date_of_birth else ""
            text = self.tr("Open {name} (born {born})").format(name=cand.display_name, born=born)
            link = button(
                text,
                self.tr("Open existing record of {name}").format(name=cand.display_name),
                link=True,
            )
            link.clicked.connect(lambda _=False, cid=cand.id: self.open_requested.emit(cid))
            self._rows.addWidget(link)
            self.open_buttons.append(link)
        self.setVisible(bool(candidates))

    def clear(self) -> None:
        """Remove every candidate and hide."""
        for widget in self.open_buttons:
            widget.deleteLater()
        self.open_buttons = []
        self.hide()


class NewClientDialog(DraftDialog):
    """Create a client. Validation messages appear next to fields; duplicates warn first.

    Signals:
        created(object): the new ``ClientRecord``.
    """

    created = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._checked_duplicates = False
        self.setWindowTitle(self.tr("New client"))
        self.setAccessibleName(self.tr("New client form"))
        self.save_button = button(self.tr("Save client"), self.tr("Save new client"), primary=True)
        self.cancel_button = button(self.tr("Cancel"), self.tr("Cancel new client"))
        self._build()
        self._connect_signals()
        self.resize(900, 720)  # fits a 1366x768 screen with its title bar
        self.draft = FormDraft(
            ctx,
            self,
            NEW_CLIENT_DRAFT,
            self.tr("Restore the new client you were entering on {when}?"),
        )

    def draft_state(self) -> dict[str, Any]:
        """The form as JSON (for a draft)."""
        return self.form.payload()

    def restore_draft(self, state: Mapping[str, Any]) -> None:
        """Fill the form from :meth:`draft_state` output."""
        self.form.restore(dict(state))

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 16, 20, 16)
        outer.addWidget(label(self.tr("New client"), "title"))
        outer.addWidget(
            label(
                self.tr("Fields marked * are required. Names in any script are welcome."), "muted"
            )
        )
        # Outside-in: the form is born in its final parent (re-parenting a filled tree makes
        # Qt re-apply the style sheet to all of it).
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(scroll, 1)
        holder = QWidget()
        scroll.setWidget(holder)
        inner = QVBoxLayout(holder)
        inner.setContentsMargins(0, 8, 8, 0)
        self.form = ClientDetailsForm(holder)
        inner.addWidget(self.form)
        inner.addStretch(1)
        self.duplicates = DuplicateWarning(self)
        outer.addWidget(self.duplicates)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        outer.addLayout(buttons)

    def _connect_signals(self) -> None:
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        self.form.edited.connect(self._on_edited)
        self.duplicates.open_requested.connect(self._open_existing)
        self.duplicates.continue_requested.connect(self._save_anyway)

    # ------------------------------------------------------------------ actions

    def save(self) -> None:
        """Validate, check for duplicates (once), then create."""
        data = self.form.to_input()
        try:
            validate_client(data, today())
        except ValidationError as exc:
            self.form.show_errors(exc.errors)
            return
        self.form.errors.clear()
        if self._checked_duplicates:
            self._create(data)
            return
        born = parse_date(data.date_of_birth)
        clients = self._ctx.services.clients
        self._ctx.tasks.run(
            lambda: clients.possible_duplicates(data.given_name, data.family_name, born),
            guarded(self, lambda found: self._on_duplicates(data, found)),
            guarded(self, self._on_error),
            label="check duplicates",
        )

    def _on_duplicates(self, data: ClientInput, found: list[DuplicateCandidate]) -> None:
        self._checked_duplicates = True
        if found:
            self.duplicates.show_candidates(found)
            return
        self._create(data)

    def _save_anyway(self) -> None:
        self._checked_duplicates = True
        self.save()

    def _create(self, data: ClientInput) -> None:
        self.save_button.setEnabled(False)
        clients, key = self._ctx.services.clients, self.begin_save()
        self._ctx.tasks.run(
            lambda: clients.add_client(data, draft_key=key),
            guarded(self, self._on_created),
            guarded(self, self._on_error),
            label="add client",
        )

    def _on_created(self, record: ClientRecord) -> None:
        self.save_button.setEnabled(True)
        self._ctx.hub.announce(Changes.CLIENTS)
        self.created.emit(record)
        self.accept()

    def _on_error(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            self.form.show_errors(exc.errors)
            return
        self._ctx.dialogs.error(
            self,
            self.tr("Could not save"),
            self.tr(
                "The client could not be saved. Nothing was lost from the form; please try again."
            ),
        )

    def _open_existing(self, client_id: str) -> None:
        self._ctx.hub.open_client.emit(client_id)
        if self.draft is not None:
            self.draft.release()  # the typing stays a draft: offered the next time
        self.reject()

    def _on_edited(self) -> None:
        """A changed name or date means the duplicate check must run again."""
        if self._checked_duplicates:
            self._checked_duplicates = False
            self.duplicates.clear()
