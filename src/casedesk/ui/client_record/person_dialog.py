"""Add or edit a support person or another professional."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QDialog, QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from casedesk.domain.validation import ValidationError
from casedesk.services.people import (
    ProfessionalInput,
    ProfessionalView,
    SupportPersonInput,
    SupportPersonView,
)
from casedesk.ui.context import AppContext
from casedesk.ui.widgets.basics import button, guarded, label
from casedesk.ui.widgets.client_fields import FieldErrors, add_row, check_box, line_edit, text_box

SUPPORT, PROFESSIONAL = "support", "professional"


class PersonDialog(QDialog):
    """A small form; ``save`` runs the service call and closes on success.

    Args:
        ctx: the app context.
        kind: ``"support"`` or ``"professional"``.
        client_id: whose network this is.
        existing: the person being edited (None to add).
        on_saved: called after a successful save.
    """

    def __init__(
        self,
        ctx: AppContext,
        kind: str,
        client_id: str,
        existing: SupportPersonView | ProfessionalView | None,
        on_saved: Callable[[], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx, self.kind, self._client_id = ctx, kind, client_id
        self._existing, self._on_saved = existing, on_saved
        tr = self.tr
        adding = existing is None
        what = tr("support person") if kind == SUPPORT else tr("professional")
        self.setWindowTitle((tr("Add {what}") if adding else tr("Edit {what}")).format(what=what))
        self.setAccessibleName(self.windowTitle())
        self.errors = FieldErrors()
        self.name = line_edit(tr("Name"))
        self.relationship = line_edit(tr("Relationship"), tr("e.g. sister, neighbour"))
        self.role = line_edit(tr("Role"), tr("e.g. GP, housing officer"))
        self.organisation = line_edit(tr("Organisation"))
        self.phone = line_edit(tr("Phone"))
        self.email = line_edit(tr("Email"))
        self.is_carer = check_box(tr("Informal carer"))
        self.is_emergency = check_box(tr("Emergency contact"))
        self.notes = text_box(tr("Notes about this person"), height=60)
        self.save_button = button(tr("Save"), tr("Save person"), primary=True)
        self.cancel_button = button(tr("Cancel"), tr("Cancel"))
        self._layout()
        self._fill(existing)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)

    def _layout(self) -> None:
        tr, e = self.tr, self.errors
        outer = QVBoxLayout(self)
        outer.addWidget(label(self.windowTitle(), "heading"))
        grid = QGridLayout()
        grid.setVerticalSpacing(2)
        row = add_row(grid, 0, 0, tr("Name *"), self.name, e, "name")
        if self.kind == SUPPORT:
            row = add_row(grid, row, 0, tr("Relationship"), self.relationship, e, "relationship")
        else:
            row = add_row(grid, row, 0, tr("Role"), self.role, e, "role")
            row = add_row(grid, row, 0, tr("Organisation"), self.organisation, e, "organisation")
        row = add_row(grid, row, 0, tr("Phone"), self.phone, e, "phone")
        row = add_row(grid, row, 0, tr("Email"), self.email, e, "email")
        if self.kind == SUPPORT:
            grid.addWidget(self.is_carer, row, 1)
            grid.addWidget(self.is_emergency, row + 1, 1)
            row += 2
        add_row(grid, row, 0, tr("Notes"), self.notes, e, "notes")
        outer.addLayout(grid)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        outer.addLayout(buttons)
        self.resize(460, 0)

    def _fill(self, existing: SupportPersonView | ProfessionalView | None) -> None:
        if existing is None:
            return
        self.name.setText(existing.name)
        self.phone.setText(existing.phone)
        self.email.setText(existing.email)
        self.notes.setPlainText(existing.notes)
        if isinstance(existing, SupportPersonView):
            self.relationship.setText(existing.relationship)
            self.is_carer.setChecked(existing.is_carer)
            self.is_emergency.setChecked(existing.is_emergency_contact)
        else:
            self.role.setText(existing.role)
            self.organisation.setText(existing.organisation)

    def save(self) -> None:
        """Save through the people service; messages appear next to fields."""
        people, cid = self._ctx.services.people, self._client_id
        row_id = self._existing.id if self._existing else None
        work: Callable[[], Any]
        if self.kind == SUPPORT:
            data = SupportPersonInput(
                self.name.text(),
                self.relationship.text(),
                self.phone.text(),
                self.email.text(),
                self.is_carer.isChecked(),
                self.is_emergency.isChecked(),
                self.notes.toPlainText(),
            )
            work = lambda: people.save_support_person(cid, data, row_id)  # noqa: E731
        else:
            pdata = ProfessionalInput(
                self.name.text(),
                self.role.text(),
                self.organisation.text(),
                self.phone.text(),
                self.email.text(),
                self.notes.toPlainText(),
            )
            work = lambda: people.save_professional(cid, pdata, row_id)  # noqa: E731
        self._ctx.tasks.run(
            work, guarded(self, self._done), guarded(self, self._failed), label="save person"
        )

    def _done(self, _view: object) -> None:
        self._on_saved()
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            self.errors.show(exc.errors)
            return
        self._ctx.dialogs.error(
            self, self.tr("Not saved"), self.tr("This person could not be saved.")
        )
