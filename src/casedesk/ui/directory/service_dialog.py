"""Add or change a directory entry."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from casedesk.services.directory import ServiceView
from casedesk.ui.widgets.basics import label, save_cancel_buttons
from casedesk.ui.widgets.client_fields import ErrorSummary

_FIELDS = (
    ("name", "Name", False),
    ("organisation", "Organisation", False),
    ("category", "Category", False),
    ("phone", "Phone", False),
    ("email", "Email", False),
    ("website", "Website", False),
    ("address", "Address", False),
    ("hours", "Hours", False),
    ("eligibility", "Eligibility", True),
    ("area_served", "Area served", False),
    ("notes", "Notes", True),
)


class ServiceDialog(QDialog):
    """A form for one directory entry; ``values()`` gives the typed fields."""

    def __init__(self, entry: ServiceView | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        tr = self.tr
        self.entry = entry
        self.setWindowTitle(tr("Change directory entry") if entry else tr("New directory entry"))
        self.setAccessibleName(self.windowTitle())
        self.edits: dict[str, QLineEdit | QPlainTextEdit] = {}
        form = QFormLayout()
        for key, title, long in _FIELDS:
            edit: QLineEdit | QPlainTextEdit
            if long:
                edit = QPlainTextEdit()
                edit.setFixedHeight(60)
                if entry:
                    edit.setPlainText(getattr(entry, key))
            else:
                edit = QLineEdit()
                if entry:
                    edit.setText(getattr(entry, key))
            edit.setAccessibleName(tr(title))
            self.edits[key] = edit
            form.addRow(tr(title), edit)
        self.error = label("", "error", wrap=True)
        self.error.hide()
        self.errors = ErrorSummary(self.error, self.edits)
        buttons = save_cancel_buttons(self, tr("Save entry"))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(560, 560)

    def values(self) -> dict[str, str]:
        """The typed fields by name."""
        return {
            key: edit.toPlainText() if isinstance(edit, QPlainTextEdit) else edit.text()
            for key, edit in self.edits.items()
        }

    def show_errors(self, errors: dict[str, str]) -> None:
        """Show validation messages."""
        self.errors.show(errors)
