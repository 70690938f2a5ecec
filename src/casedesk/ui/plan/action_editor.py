"""The action editor: what, who (client, worker, family/carer, an agency), due, status, notes."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.enums import ActionStatus, Performer
from casedesk.services.errors import ValidationError
from casedesk.services.goals import ActionInput, validate_action
from casedesk.services.plans import ActionView
from casedesk.ui.plan.fields import DataCombo, DateField, EnumCombo
from casedesk.ui.widgets.basics import label, save_cancel_buttons
from casedesk.ui.widgets.client_fields import ErrorSummary
from casedesk.ui.widgets.form_draft import DraftDialog


class ActionEditor(DraftDialog):
    """Add or change an action. ``services`` lists directory entries as (id, name)."""

    def __init__(
        self,
        action: ActionView | None = None,
        services: Sequence[tuple[str, str]] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        tr = self.tr
        self.setWindowTitle(tr("Change action") if action else tr("New action"))
        self.setAccessibleName(self.windowTitle())
        self.description = QLineEdit()
        self.description.setAccessibleName(tr("What will be done"))
        self.performer = EnumCombo(Performer, tr("Who does it"))
        self.service = DataCombo(tr("Agency from the directory"))
        self.service.set_items([(tr("Not in the directory"), None)] + [(n, i) for i, n in services])
        self.service.make_searchable()
        self.performer_name = QLineEdit()
        self.performer_name.setAccessibleName(tr("Name of the person or agency"))
        self.performer_name.setPlaceholderText(tr("e.g. Mum, or the agency's name"))
        self.due = DateField(tr("Due date"))
        self.status = EnumCombo(ActionStatus, tr("Action status"))
        self.notes = QPlainTextEdit()
        self.notes.setAccessibleName(tr("Action notes"))
        self.notes.setFixedHeight(70)
        self.error = label("", "error", wrap=True)
        self.error.hide()
        self.errors = ErrorSummary(
            self.error,
            {
                "description": self.description,
                "performer_name": self.performer_name,
                "due_on": self.due,
                "notes": self.notes,
            },
        )
        self.errors.watch("performer_name", self.service)  # a directory entry names it too
        form = QFormLayout()
        form.addRow(tr("What"), self.description)
        form.addRow(tr("Who"), self.performer)
        form.addRow(tr("Directory entry"), self.service)
        form.addRow(tr("Name"), self.performer_name)
        form.addRow(tr("Due"), self.due)
        form.addRow(tr("Status"), self.status)
        form.addRow(tr("Notes"), self.notes)
        buttons = save_cancel_buttons(self, tr("Save action"), self._on_save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        if action is not None:
            self.description.setText(action.description)
            self.performer.set_value(action.performer)
            self.service.setCurrentIndex(max(self.service.findData(action.service_id), 0))
            self.performer_name.setText(action.performer_name if not action.service_id else "")
            self.due.set_date(action.due_on)
            self.status.set_value(action.status)
            self.notes.setPlainText(action.notes)
        self.performer.currentIndexChanged.connect(self._sync)
        self._sync()
        self.resize(520, 360)

    def draft_fields(self) -> dict[str, QWidget]:
        """The inputs kept in a draft."""
        return {
            "description": self.description,
            "performer": self.performer,
            "service": self.service,
            "performer_name": self.performer_name,
            "due": self.due,
            "status": self.status,
            "notes": self.notes,
        }

    def _sync(self) -> None:
        self.service.setEnabled(self.performer.value() is Performer.AGENCY)

    def result_input(self) -> ActionInput:
        """What to save."""
        agency = self.performer.value() is Performer.AGENCY
        return ActionInput(
            description=self.description.text(),
            performer=self.performer.value(),
            performer_name=self.performer_name.text(),
            service_id=self.service.value() if agency else None,
            due_on=self.due.value() or None,
            status=self.status.value(),
            notes=self.notes.toPlainText(),
        )

    def _on_save(self) -> None:
        try:
            validate_action(self.result_input())
        except ValidationError as exc:
            self.errors.show(exc.errors)
            return
        self.accept()
