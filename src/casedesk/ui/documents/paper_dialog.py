"""Wet ink: record who signed a printed version and when, with the scan attached."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.enums import SignerRole
from casedesk.services.errors import FileRefused, VaultNotFound
from casedesk.services.files import read_input_file
from casedesk.ui.context import AppContext
from casedesk.ui.widgets.basics import button, guarded, label

SCAN_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
MAX_SCAN_BYTES = 25 * 1024 * 1024


class PaperSignatureDialog(QDialog):
    """Mark a printed plan version as signed on paper."""

    def __init__(self, ctx: AppContext, version_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._version_id = version_id
        self.scan: bytes | None = None
        self.scan_type = "application/pdf"
        self.setWindowTitle(self.tr("Signed on paper"))
        self.role = QComboBox()
        self.role.setAccessibleName(self.tr("Who signed"))
        for text, role in (
            (self.tr("Client"), SignerRole.CLIENT),
            (self.tr("Case manager"), SignerRole.CASE_MANAGER),
            (self.tr("Guardian or carer"), SignerRole.GUARDIAN_CARER),
            (self.tr("Interpreter"), SignerRole.INTERPRETER),
        ):
            self.role.addItem(text, role)
        self.name = QLineEdit()
        self.name.setAccessibleName(self.tr("Signer's name"))
        self.date = QDateEdit(QDate.currentDate())
        self.date.setCalendarPopup(True)
        self.date.setAccessibleName(self.tr("Date signed"))
        self.scan_label = label(self.tr("No scan attached"), "muted")
        self.attach = button(self.tr("Attach scan…"), self.tr("Attach the scanned signed copy"))
        self.message = label("", "error", wrap=True)
        self.message.hide()
        self.save = button(self.tr("Save"), self.tr("Save the paper signature"), primary=True)
        self.cancel = button(self.tr("Cancel"), self.tr("Cancel"))
        self.attach.clicked.connect(self.choose_scan)
        self.save.clicked.connect(self.submit)
        self.cancel.clicked.connect(self.reject)
        form = QFormLayout()
        form.addRow(self.tr("Who signed"), self.role)
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Date"), self.date)
        scan_row = QHBoxLayout()
        scan_row.addWidget(self.scan_label, 1)
        scan_row.addWidget(self.attach)
        form.addRow(self.tr("Scan"), scan_row)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

    def choose_scan(self) -> None:
        """Pick the scan (PDF or image); it is stored encrypted in the vault."""
        path = self._ctx.dialogs.open_file(
            self, self.tr("Attach scan"), self.tr("Scans (*.pdf *.png *.jpg *.jpeg)")
        )
        if path is not None:
            self.set_scan(path)

    def set_scan(self, path: Path) -> None:
        """Load a scan file, refusing what is not a PDF or an image."""
        media_type = SCAN_TYPES.get(path.suffix.lower())
        if media_type is None:
            self._show(self.tr("Please attach a PDF, PNG or JPEG scan."))
            return
        try:  # bounded, and never a device or pipe (a link named scan.png could be /dev/zero)
            data = read_input_file(path, MAX_SCAN_BYTES, "scan")
        except (FileRefused, VaultNotFound) as exc:
            self._show(self.tr("The scan could not be read: %s") % exc)
            return
        if not data:
            self._show(self.tr("The scan is empty."))
            return
        self.scan, self.scan_type = data, media_type
        self.scan_label.setText(self.tr("Scan attached (%d KB)") % max(1, len(data) // 1024))
        self._show("")

    def submit(self) -> None:
        """Record the signature off the GUI thread."""
        name = self.name.text().strip()
        if not name:
            self._show(self.tr("Please enter the name of the person who signed."))
            return
        role = SignerRole(self.role.currentData())
        on: date = self.date.date().toPython()  # type: ignore[assignment]
        scan, media_type = self.scan, self.scan_type
        self.save.setEnabled(False)
        self._ctx.tasks.run(
            lambda: self._ctx.services.documents.mark_signed_on_paper(
                self._version_id, role, name, on, scan, media_type
            ),
            guarded(self, lambda _id: self.accept()),
            guarded(self, self._failed),
            label="record paper signature",
        )

    def _failed(self, exc: BaseException) -> None:
        self.save.setEnabled(True)
        self._show(str(exc))

    def _show(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
