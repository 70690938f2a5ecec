"""The client details form, shared by the new client dialog and the Profile tab."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.clients import ClientInput
from casedesk.domain.enums import ClientStatus, Intensity
from casedesk.services.clients import ClientRecord
from casedesk.ui.widgets.client_fields import (
    FieldErrors,
    add_row,
    check_box,
    combo,
    date_edit,
    line_edit,
    select_data,
    text_box,
)

_TEXT_FIELDS = (
    "given_name",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "pronouns",
    "phone",
    "email",
    "address_line1",
    "address_line2",
    "town",
    "region",
    "postcode",
    "preferred_language",
    "identifiers",
)


def parse_identifiers(text: str) -> tuple[tuple[str, str], ...]:
    """Parse ``"Agency ref: CD-1; Medicare: 123"`` into (system, value) pairs."""
    pairs = []
    for part in text.replace("\n", ";").split(";"):
        if not part.strip():
            continue
        system, sep, value = part.partition(":")
        pairs.append((system.strip(), value.strip()) if sep else ("", system.strip()))
    return tuple(pairs)


def format_identifiers(pairs: tuple[tuple[str, str], ...]) -> str:
    """The inverse of :func:`parse_identifiers`."""
    return "; ".join(f"{s}: {v}" if s else v for s, v in pairs)


class ClientDetailsForm(QWidget):
    """Every editable client field with inline error messages.

    Signals:
        edited(): the user changed any field (used for draft autosave).
    """

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        self.general_error = QLabel()
        self.general_error.setProperty("role", "error")
        self.general_error.setWordWrap(True)
        self.general_error.hide()
        self.errors = FieldErrors(self.general_error)
        self.errors.aliases["identifier_*"] = "identifiers"
        self._build_fields()
        self._layout()
        self._connect()

    # ------------------------------------------------------------------ build

    def _build_fields(self) -> None:
        tr = self.tr
        self.given_name = line_edit(tr("Given name"))
        self.family_name = line_edit(tr("Family name"))
        self.preferred_name = line_edit(tr("Preferred name"), tr("What they like to be called"))
        self.date_of_birth = date_edit(tr("Date of birth"))
        self.pronouns = line_edit(tr("Pronouns"), tr("e.g. she/her"))
        self.phone = line_edit(tr("Phone"))
        self.email = line_edit(tr("Email"))
        self.address_line1 = line_edit(tr("Address line 1"))
        self.address_line2 = line_edit(tr("Address line 2"))
        self.town = line_edit(tr("Town"))
        self.region = line_edit(tr("Region"))
        self.postcode = line_edit(tr("Postcode"))
        self.preferred_language = line_edit(tr("Preferred language"), "en")
        self.interpreter_needed: QCheckBox = check_box(tr("Interpreter needed"))
        self.intensity: QComboBox = combo(
            tr("Intensity"), [(tr(i.value.capitalize()), i) for i in Intensity]
        )
        self.status: QComboBox = combo(
            tr("Status"), [(tr(s.value.capitalize()), s) for s in ClientStatus]
        )
        self.identifiers = line_edit(tr("Identifiers"), tr("System: value; e.g. Agency ref: CD-1"))
        self.notes: QPlainTextEdit = text_box(tr("Notes about the client"), height=60)
        select_data(self.intensity, Intensity.MODERATE)
        select_data(self.status, ClientStatus.ACTIVE)

    def _layout(self) -> None:
        tr, e = self.tr, self.errors
        left = [
            (tr("Given name *"), self.given_name, "given_name"),
            (tr("Family name *"), self.family_name, "family_name"),
            (tr("Preferred name"), self.preferred_name, "preferred_name"),
            (tr("Date of birth"), self.date_of_birth, "date_of_birth"),
            (tr("Pronouns"), self.pronouns, "pronouns"),
            (tr("Language"), self.preferred_language, "preferred_language"),
            (tr("Intensity"), self.intensity, "intensity"),
            (tr("Status"), self.status, "status"),
        ]
        right = [
            (tr("Phone"), self.phone, "phone"),
            (tr("Email"), self.email, "email"),
            (tr("Address"), self.address_line1, "address_line1"),
            ("", self.address_line2, "address_line2"),
            (tr("Town"), self.town, "town"),
            (tr("Region"), self.region, "region"),
            (tr("Postcode"), self.postcode, "postcode"),
            (tr("Identifiers"), self.identifiers, "identifiers"),
        ]
        columns = QHBoxLayout()
        columns.setSpacing(24)
        left_grid = self._grid(left)
        left_grid.addWidget(self.interpreter_needed, 2 * len(left), 1)
        columns.addLayout(left_grid, 1)
        columns.addLayout(self._grid(right), 1)
        bottom = QGridLayout()
        bottom.setHorizontalSpacing(10)
        bottom.setVerticalSpacing(2)
        add_row(bottom, 0, 0, tr("Notes"), self.notes, e, "notes")
        item = bottom.itemAtPosition(0, 0)
        if item is not None:
            item.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        bottom.setColumnStretch(1, 1)
        bottom.setColumnMinimumWidth(0, 100)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(6)
        outer.addLayout(columns)
        outer.addLayout(bottom)
        outer.addWidget(self.general_error)

    def _grid(self, rows: Sequence[tuple[str, QWidget, str]]) -> QGridLayout:
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(2)
        grid.setColumnMinimumWidth(0, 100)
        row = 0
        for caption, widget, name in rows:
            row = add_row(grid, row, 0, caption, widget, self.errors, name)
        grid.setColumnStretch(1, 1)
        return grid

    def _connect(self) -> None:
        for name in _TEXT_FIELDS:
            widget: QLineEdit = getattr(self, name)
            widget.textEdited.connect(self.edited)
        self.notes.textChanged.connect(self._notes_changed)
        self.interpreter_needed.toggled.connect(self.edited)
        self.intensity.activated.connect(self.edited)
        self.status.activated.connect(self.edited)

    def _notes_changed(self) -> None:
        if not self._loading:
            self.edited.emit()

    # ------------------------------------------------------------------ data

    def to_input(self) -> ClientInput:
        """What the form holds, unvalidated (the domain validates)."""
        return ClientInput(
            given_name=self.given_name.text(),
            family_name=self.family_name.text(),
            preferred_name=self.preferred_name.text(),
            date_of_birth=self.date_of_birth.text(),
            pronouns=self.pronouns.text(),
            phone=self.phone.text(),
            email=self.email.text(),
            address_line1=self.address_line1.text(),
            address_line2=self.address_line2.text(),
            town=self.town.text(),
            region=self.region.text(),
            postcode=self.postcode.text(),
            preferred_language=self.preferred_language.text(),
            interpreter_needed=self.interpreter_needed.isChecked(),
            intensity=self.intensity.currentData(),
            status=self.status.currentData(),
            notes=self.notes.toPlainText(),
            identifiers=parse_identifiers(self.identifiers.text()),
        )

    def set_record(self, record: ClientRecord) -> None:
        """Fill the form from a stored record."""
        values: dict[str, Any] = {name: getattr(record, name, "") for name in _TEXT_FIELDS}
        values["date_of_birth"] = record.date_of_birth.isoformat() if record.date_of_birth else ""
        values["identifiers"] = format_identifiers(record.identifiers)
        values.update(
            interpreter_needed=record.interpreter_needed,
            intensity=record.intensity.value,
            status=record.status.value,
            notes=record.notes,
        )
        self.restore(values)

    def payload(self) -> dict[str, Any]:
        """Everything typed, as plain JSON (for a draft)."""
        data: dict[str, Any] = {name: getattr(self, name).text() for name in _TEXT_FIELDS}
        data["interpreter_needed"] = self.interpreter_needed.isChecked()
        data["intensity"] = str(self.intensity.currentData())
        data["status"] = str(self.status.currentData())
        data["notes"] = self.notes.toPlainText()
        return data

    def restore(self, data: dict[str, Any]) -> None:
        """Fill the form from :meth:`payload` output (without emitting ``edited``)."""
        self._loading = True
        try:
            for name in _TEXT_FIELDS:
                getattr(self, name).setText(str(data.get(name, "")))
            self.interpreter_needed.blockSignals(True)
            self.interpreter_needed.setChecked(bool(data.get("interpreter_needed")))
            self.interpreter_needed.blockSignals(False)
            select_data(self.intensity, Intensity(data.get("intensity", "moderate")))
            select_data(self.status, ClientStatus(data.get("status", "active")))
            self.notes.setPlainText(str(data.get("notes", "")))
        finally:
            self._loading = False

    def clear(self) -> None:
        """Empty every field and message (used on lock)."""
        self.restore({})
        self.errors.clear()

    def show_errors(self, errors: dict[str, str]) -> None:
        """Show validation messages next to their fields."""
        self.errors.show(errors)
