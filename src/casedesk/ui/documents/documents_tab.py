"""The Documents tab: every exported, signed or scanned plan version, with verify and open."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.enums import DocumentKind
from casedesk.export.verify import VerificationResult, VerificationStatus
from casedesk.services.changes import Changes
from casedesk.services.plan_documents import DocumentRow, ExportedPlan, ExportRequest, VersionRef
from casedesk.ui.context import AppContext
from casedesk.ui.documents.paper_dialog import PaperSignatureDialog
from casedesk.ui.documents.preview import PdfPreviewDialog
from casedesk.ui.documents.sign_dialog import SignPlanDialog
from casedesk.ui.widgets.basics import button, guarded, label, set_role
from casedesk.ui.widgets.client_fields import left_aligned_headers
from casedesk.ui.widgets.client_table_model import Column, RowTableModel

_KINDS = {
    DocumentKind.CLIENT_COPY: "Client copy",
    DocumentKind.FILE_COPY: "File copy",
    DocumentKind.SCAN: "Signed paper (scan)",
    DocumentKind.ASSESSMENT_SUMMARY: "Assessment summary",
}


def _kind(row: DocumentRow) -> str:
    text = _KINDS.get(row.kind, row.kind.value)
    if row.options.get("large_print"):
        text += " · large print"
    return text


def _signed(row: DocumentRow) -> str:
    if row.digitally_signed:
        return "Signed digitally"
    return "Signed on paper" if row.kind is DocumentKind.SCAN else "Not signed"


DOCUMENT_COLUMNS: list[Column[DocumentRow]] = [
    Column("Version", lambda r: f"v{r.version_no}" if r.version_no else "", lambda r: r.version_no),
    Column("Document", _kind),
    Column(
        "Made",
        lambda r: r.created_at.astimezone().strftime("%d %b %Y %H:%M"),
        lambda r: r.created_at,
    ),
    Column("Signature", _signed),
    Column("Size", lambda r: f"{max(1, r.size // 1024)} KB", lambda r: r.size),
    Column("Fingerprint", lambda r: r.sha256[:12]),
]


class DocumentsModel(RowTableModel[DocumentRow]):
    """A client's stored documents."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(DOCUMENT_COLUMNS, parent)


class DocumentsTab(QWidget):
    """Make, sign, print and check the plan documents a client keeps.

    Signals:
        changed(Changes): documents were added (for other screens).
    """

    changed = Signal(object)

    def __init__(self, ctx: AppContext, client_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.client_id = client_id
        self.client_name = ""
        self.model = DocumentsModel(self)
        self.table = QTableView()
        self.table.setAccessibleName(self.tr("Stored documents"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        left_aligned_headers(self.table)
        header = self.table.horizontalHeader()
        for column, width in enumerate((80, 260, 170, 150, 80)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.status = label("", "muted", wrap=True)
        self._build_actions()
        self._layout()
        self.table.doubleClicked.connect(lambda _index: self.preview_selected())
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self._update_buttons()
        self.reload()

    # ------------------------------------------------------------------ layout

    def _build_actions(self) -> None:
        self.large_print = QCheckBox(self.tr("Large print"))
        self.large_print.setAccessibleName(self.tr("Large print copy"))
        self.file_copy = QCheckBox(self.tr("File copy (full detail)"))
        self.file_copy.setAccessibleName(self.tr("File copy with full detail"))
        self.make_button = button(self.tr("Make copy"), self.tr("Make a PDF of the current plan"))
        self.sign_button = button(
            self.tr("Sign with client…"), self.tr("Sign the current plan on screen"), primary=True
        )
        self.preview_button = button(self.tr("Preview / print…"), self.tr("Preview or print"))
        self.verify_button = button(self.tr("Verify"), self.tr("Verify the selected document"))
        self.save_button = button(self.tr("Save a copy…"), self.tr("Save the selected document"))
        self.paper_button = button(
            self.tr("Signed on paper…"), self.tr("Record a signature on a printed copy")
        )
        self.qr_input = QLineEdit()
        self.qr_input.setPlaceholderText(self.tr("Scan or paste the code printed on a plan"))
        self.qr_input.setAccessibleName(self.tr("Printed plan code"))
        self.qr_input.returnPressed.connect(self.find_code)
        self.make_button.clicked.connect(self.make_copy)
        self.sign_button.clicked.connect(self.open_sign_dialog)
        self.preview_button.clicked.connect(self.preview_selected)
        self.verify_button.clicked.connect(self.verify_selected)
        self.save_button.clicked.connect(self.save_selected)
        self.paper_button.clicked.connect(self.open_paper_dialog)

    def _layout(self) -> None:
        make = QHBoxLayout()
        make.addWidget(label(self.tr("Current plan:"), "subheading"))
        make.addWidget(self.large_print)
        make.addWidget(self.file_copy)
        make.addStretch(1)
        make.addWidget(self.make_button)
        make.addWidget(self.sign_button)
        selected = QHBoxLayout()
        selected.addWidget(self.preview_button)
        selected.addWidget(self.verify_button)
        selected.addWidget(self.save_button)
        selected.addWidget(self.paper_button)
        selected.addStretch(1)
        selected.addWidget(self.qr_input, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addLayout(make)
        layout.addWidget(self.table, 1)
        layout.addLayout(selected)
        layout.addWidget(self.status)

    # ------------------------------------------------------------------ data

    def reload(self) -> None:
        """Load the client's documents off the GUI thread."""
        documents = self._ctx.services.documents
        self._ctx.tasks.run(
            lambda: documents.documents(self.client_id),
            guarded(self, self._on_loaded),
            guarded(self, self._on_error),
            label="load documents",
        )

    def _on_loaded(self, rows: list[DocumentRow]) -> None:
        self.model.set_rows(rows)
        self._update_buttons()

    def selected(self) -> DocumentRow | None:
        """The selected document, if any."""
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _update_buttons(self, *_args: object) -> None:
        chosen = self.selected()
        for widget in (self.preview_button, self.verify_button, self.save_button):
            widget.setEnabled(chosen is not None)
        self.paper_button.setEnabled(chosen is not None and chosen.plan_version_id is not None)

    # ------------------------------------------------------------------ actions

    def make_copy(self) -> None:
        """Make (and keep) an unsigned PDF of the current agreed version."""
        request = ExportRequest(
            self.client_id,
            file_copy=self.file_copy.isChecked(),
            large_print=self.large_print.isChecked(),
        )
        self._ctx.tasks.run(
            lambda: self._ctx.services.documents.export(request),
            guarded(self, self._on_exported),
            guarded(self, self._on_error),
            label="make plan copy",
        )

    def _on_exported(self, exported: ExportedPlan) -> None:
        state = self.tr("signed and kept") if exported.signed else self.tr("kept")
        self._say(self.tr("Plan version %d %s in the vault.") % (exported.version_no, state), "ok")
        self.reload()
        self.changed.emit(Changes.DOCUMENTS)
        self._ctx.hub.announce(Changes.DOCUMENTS)

    def open_sign_dialog(self) -> SignPlanDialog | None:
        """Open the on-screen signing dialog for the current agreed version."""
        documents = self._ctx.services.documents
        try:
            document = documents.plan_document(self.client_id)
        except Exception as exc:  # NotFound: no agreed plan yet
            self._say(str(exc), "notice")
            return None
        dialog = SignPlanDialog(self._ctx, self.client_id, document, self)
        dialog.signed.connect(self._on_exported)
        dialog.open()
        return dialog

    def preview_selected(self) -> None:
        """Preview (and print) the selected document from memory."""
        chosen = self.selected()
        if chosen is None:
            return
        if chosen.options.get("media_type", "application/pdf") != "application/pdf":
            self._say(self.tr("Scanned images can be saved and opened outside casedesk."), "muted")
            return
        self._ctx.tasks.run(
            lambda: self._ctx.services.documents.document_bytes(chosen.id),
            guarded(self, lambda data: self._show_preview(data, chosen)),
            guarded(self, self._on_error),
            label="open document",
        )

    def _show_preview(self, data: bytes, row: DocumentRow) -> PdfPreviewDialog:
        title = self.tr("Plan version %s") % (row.version_no or "")
        dialog = PdfPreviewDialog(data, title, self)
        dialog.open()
        return dialog

    def verify_selected(self) -> None:
        """Check the selected document's signature and stored hash."""
        chosen = self.selected()
        if chosen is None:
            return
        documents = self._ctx.services.documents
        self._ctx.tasks.run(
            lambda: documents.verify(documents.document_bytes(chosen.id)),
            guarded(self, self._on_verified),
            guarded(self, self._on_error),
            label="verify document",
        )

    def _on_verified(self, result: VerificationResult) -> None:
        if result.ok:
            role = "ok"
        elif result.status is VerificationStatus.NOT_SIGNED:
            role = "notice"  # an unsigned copy is not a fault, just not proof of anything
        else:
            role = "error"
        self._say(result.reason, role)

    def save_selected(self) -> None:
        """Save a plaintext copy where the user chooses (an explicit export)."""
        chosen = self.selected()
        if chosen is None:
            return
        suffix = (
            ".pdf"
            if chosen.options.get("media_type", "application/pdf").endswith("pdf")
            else ".png"
        )
        # The suggested name never contains the client's name (it would leak into file lists).
        suggested = f"plan-v{chosen.version_no or 0}-{chosen.sha256[:8]}{suffix}"
        path = self._ctx.dialogs.save_file(
            self, self.tr("Save a copy"), suggested, self.tr("Documents (*.pdf *.png *.jpg)")
        )
        if path is None:
            return
        self._ctx.tasks.run(
            lambda: self._ctx.services.vault.write_user_file(
                path, self._ctx.services.documents.document_bytes(chosen.id)
            ),
            guarded(self, lambda _none: self._say(self.tr("Saved to %s.") % path, "ok")),
            guarded(self, self._on_error),
            label="save document",
        )

    def open_paper_dialog(self) -> PaperSignatureDialog | None:
        """Record a wet-ink signature for the selected document's version."""
        chosen = self.selected()
        if chosen is None or chosen.plan_version_id is None:
            return None
        dialog = PaperSignatureDialog(self._ctx, chosen.plan_version_id, self)
        dialog.accepted.connect(self.reload)
        dialog.open()
        return dialog

    def find_code(self) -> None:
        """Find the plan version a printed QR code (scanned or pasted) names."""
        code = self.qr_input.text().strip()
        if not code:
            return
        self._ctx.tasks.run(
            lambda: self._ctx.services.documents.find_by_qr(code),
            guarded(self, self._on_found),
            guarded(self, self._on_error),
            label="find plan by code",
        )

    def _on_found(self, found: VersionRef) -> None:
        if found.client_id != self.client_id:
            self._say(self.tr("That code belongs to another client's plan."), "notice")
            self._ctx.hub.open_client.emit(found.client_id)
            return
        match = self.tr("matches") if found.content_matches else self.tr("does NOT match")
        self._say(
            self.tr("The printed copy is plan version %d; its content %s the stored version.")
            % (found.version_no, match),
            "ok" if found.content_matches else "error",
        )

    def _on_error(self, exc: BaseException) -> None:
        self._say(str(exc) or self.tr("Something went wrong."), "error")

    def _say(self, text: str, role: str) -> None:
        self.status.setText(text)
        set_role(self.status, role)

    # ------------------------------------------------------------------ lock

    def clear(self) -> None:
        """Forget everything shown (used on lock)."""
        self.model.clear()
        self.status.clear()
        self.qr_input.clear()
