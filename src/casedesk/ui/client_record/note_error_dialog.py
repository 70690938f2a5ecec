"""Mark a note "entered in error": the reason, and what it does (notes are never deleted)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QHBoxLayout, QVBoxLayout, QWidget

from casedesk.domain.notes import MAX_ERROR_REASON
from casedesk.services.notes import NoteView
from casedesk.ui.client_record.models import fmt_when
from casedesk.ui.widgets.basics import button, label
from casedesk.ui.widgets.client_fields import text_box


class EnteredInErrorDialog(QDialog):
    """Ask why a note is being retracted; accepted only with a reason.

    Cancel has the focus and is the default button: nothing is changed by pressing Enter.
    """

    def __init__(self, note: NoteView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        tr = self.tr
        self.note = note
        self.setWindowTitle(tr("Mark note as entered in error"))
        self.setAccessibleName(self.windowTitle())
        self.reason = text_box(
            tr("Why this note is entered in error"),
            tr("e.g. Written in the wrong client's record"),
            60,
        )
        self.reason.setTabChangesFocus(True)
        self.error = label("", "error", wrap=True)
        self.error.hide()
        self.cancel_button = button(tr("Cancel"), tr("Keep the note as it is"))
        self.cancel_button.setDefault(True)
        self.confirm_button = button(
            tr("Mark as entered in error"), tr("Mark the note as entered in error")
        )
        self.confirm_button.setAutoDefault(False)
        layout = QVBoxLayout(self)
        layout.addWidget(
            label(
                tr(
                    "The note from {when} (and any amendment to it) will be hidden from this "
                    "record and from searches, and no longer counts as a contact. It is not "
                    "deleted: notes never are. It stays in the history with your reason and "
                    "can be shown with “Show entered in error”. This can't be undone."
                ).format(when=fmt_when(note.occurred_at)),
                wrap=True,
            )
        )
        layout.addWidget(label(tr("Reason"), "subheading"))
        layout.addWidget(self.reason)
        layout.addWidget(self.error)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        row.addWidget(self.confirm_button)
        layout.addLayout(row)
        self.cancel_button.clicked.connect(self.reject)
        self.confirm_button.clicked.connect(self._confirm)
        self.resize(520, 300)
        self.cancel_button.setFocus()

    def reason_text(self) -> str:
        """The reason as typed."""
        return self.reason.toPlainText().strip()

    def _confirm(self) -> None:
        text = self.reason_text()
        if not text:
            self.error.setText(self.tr("Please say why, so the history explains it."))
        elif len(text) > MAX_ERROR_REASON:
            self.error.setText(
                self.tr("Please keep the reason under {n} characters.").format(n=MAX_ERROR_REASON)
            )
        else:
            self.accept()
            return
        self.error.show()
        self.reason.setFocus()
