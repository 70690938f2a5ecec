"""Sign a plan on screen, the client and the case manager drawing their signatures.

The dialog shows the pages that will be signed (the client copy, with the chosen print size
and paper) so the plan can be read through together first; they are built in memory and shown
with QtPdf, never written to a file or kept in the vault. Signing builds the same pages with
the drawings in their boxes, then signs them digitally as the case manager, so the digital
signature covers the drawings.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QBuffer, Signal
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.documents import PaperSize, PlanDocument, SignatureRole
from casedesk.export.content_hash import plan_content_hash, short_hash
from casedesk.services.plan_documents import ExportedPlan, ExportRequest
from casedesk.ui.context import AppContext
from casedesk.ui.documents.preview import load_pdf
from casedesk.ui.documents.signature_pad import SignaturePad
from casedesk.ui.messages import describe_error, plural
from casedesk.ui.widgets.basics import Card, button, guarded, label


def _summary(document: PlanDocument) -> str:
    """What exactly is being signed: version, date, goals and the printed hash."""
    agreed = document.agreed_on.strftime("%d %b %Y") if document.agreed_on else "not yet agreed"
    goals = plural("SignPlanDialog", len(document.goals), "%Ln goal", "%Ln goals")
    digest = short_hash(plan_content_hash(document))
    return (
        f"Plan version {document.version_number} for {document.client_display_name}, agreed "
        f"{agreed}: {goals}. Printed code {digest}."
    )


class SignerPanel(Card):
    """One signer: name, pad, undo and clear."""

    def __init__(self, heading: str, role_name: str, parent: QWidget | None = None) -> None:
        super().__init__(heading, parent)
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("Name as it should appear"))
        self.name.setAccessibleName(self.tr("%s's name") % role_name)
        self.pad = SignaturePad(self.tr("%s's signature pad") % role_name)
        self.undo = button(self.tr("Undo"), self.tr("Undo the last stroke of %s") % role_name)
        self.clear = button(self.tr("Clear"), self.tr("Clear the signature of %s") % role_name)
        self.undo.clicked.connect(self.pad.undo)
        self.clear.clicked.connect(self.pad.clear)
        tools = QHBoxLayout()
        tools.addWidget(self.name, 1)
        tools.addWidget(self.undo)
        tools.addWidget(self.clear)
        self.body.addLayout(tools)
        self.body.addWidget(self.pad)


class SignPlanDialog(QDialog):
    """Collect both signatures and produce the signed client copy.

    Signals:
        signed(ExportedPlan): the signed PDF was built and stored in the vault.
    """

    signed = Signal(object)

    def __init__(
        self,
        ctx: AppContext,
        client_id: str,
        document: PlanDocument,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._client_id = client_id
        self._version_no = document.version_number
        self.setWindowTitle(self.tr("Sign plan version %d") % document.version_number)
        self.summary = label(_summary(document), "subheading", wrap=True)
        self.client = SignerPanel(self.tr("Client"), self.tr("the client"))
        self.client.name.setText(document.client_display_name)
        self.worker = SignerPanel(self.tr("Case manager"), self.tr("the case manager"))
        self.worker.name.setText(document.case_manager.name)
        self.large_print = QCheckBox(self.tr("Large print (14 pt)"))
        self.large_print.setAccessibleName(self.tr("Large print"))
        self.paper = QComboBox()
        self.paper.setAccessibleName(self.tr("Paper size"))
        self.paper.addItem(self.tr("A4"), PaperSize.A4)
        self.paper.addItem(self.tr("US Letter"), PaperSize.LETTER)
        self.message = label("", "error", wrap=True)
        self.message.hide()
        self.pages = QPdfView(self)
        self.pages.setAccessibleName(self.tr("The plan to be signed"))
        self.pages.setPageMode(QPdfView.PageMode.MultiPage)
        self.pages.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.pages.setMinimumWidth(520)
        self.pages_status = label(self.tr("Preparing the plan…"), "muted", wrap=True)
        self.document: QPdfDocument | None = None
        self._buffer: QBuffer | None = None
        self._preview_round = 0
        self.sign_button = button(
            self.tr("Sign and save"), self.tr("Sign the plan and keep it"), primary=True
        )
        self.cancel_button = button(self.tr("Cancel"), self.tr("Cancel signing"))
        self.sign_button.clicked.connect(self.sign)
        self.cancel_button.clicked.connect(self.reject)
        self.large_print.toggled.connect(lambda _on: self.load_pages())
        self.paper.currentIndexChanged.connect(lambda _index: self.load_pages())
        self._layout()
        self.resize(1240, 700)
        self.load_pages()

    def _layout(self) -> None:
        intro = label(
            self.tr(
                "Read the plan through together first: these are the pages that will be "
                "signed. Each of you signs in your own box; the drawings are placed on the "
                "plan, which is then signed digitally so any later change shows."
            ),
            "muted",
            wrap=True,
        )
        reading = QVBoxLayout()
        reading.addWidget(self.pages_status)
        reading.addWidget(self.pages, 1)
        signing = QVBoxLayout()
        signing.addWidget(intro)
        signing.addWidget(self.client)
        signing.addWidget(self.worker)
        signing.addWidget(self.message)
        signing.addStretch(1)
        columns = QHBoxLayout()
        columns.setSpacing(16)
        columns.addLayout(reading, 5)
        columns.addLayout(signing, 4)
        options = QHBoxLayout()
        options.addWidget(self.large_print)
        options.addWidget(label(self.tr("Paper"), "muted"))
        options.addWidget(self.paper)
        options.addStretch(1)
        options.addWidget(self.cancel_button)
        options.addWidget(self.sign_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(columns, 1)
        layout.addLayout(options)

    # ------------------------------------------------------------------ the pages to sign

    @property
    def page_count(self) -> int:
        """Pages shown (0 until they are ready)."""
        return self.document.pageCount() if self.document is not None else 0

    def load_pages(self) -> None:
        """Build the pages to be signed, as chosen (print size, paper), off the GUI thread."""
        self._preview_round += 1
        this_round = self._preview_round
        request = self._options(sign=False)
        documents = self._ctx.services.documents
        self.pages_status.setText(self.tr("Preparing the plan…"))
        self._ctx.tasks.run(
            lambda: documents.preview(request),
            guarded(self, lambda data: self._show_pages(this_round, data)),
            guarded(self, self._on_pages_error),
            label="plan pages to sign",
        )

    def _show_pages(self, this_round: int, data: bytes) -> None:
        if this_round != self._preview_round:
            return  # the options changed meanwhile: a newer build is on its way
        shown = (self.document, self._buffer)
        self.document, self._buffer = load_pdf(data, self)
        self.pages.setDocument(self.document)
        _release(*shown, delete=True)
        count = self.document.pageCount()
        self.pages_status.setText(
            plural(
                "SignPlanDialog",
                count,
                "The plan to be signed: %Ln page.",
                "The plan to be signed: %Ln pages; scroll to read them all.",
            )
        )

    def _on_pages_error(self, exc: BaseException) -> None:
        self.pages_status.setText(
            self.tr("The plan could not be shown: {reason}").format(reason=describe_error(exc))
        )

    def done(self, result: int) -> None:
        """Let go of the pages (and their bytes in memory) when the dialog closes."""
        # Closed, not detached: the view keeps its (now empty) document until the dialog
        # and its children go, which avoids QPdfView's warning about a null document.
        _release(self.document, self._buffer, delete=False)
        self.document, self._buffer = None, None
        super().done(result)

    # ------------------------------------------------------------------ signing

    def _options(self, *, sign: bool) -> ExportRequest:
        return ExportRequest(
            client_id=self._client_id,
            version_no=self._version_no,
            large_print=self.large_print.isChecked(),
            paper=PaperSize(self.paper.currentData()),
            sign=sign,
        )

    def request(self) -> ExportRequest:
        """What will be signed, from the form."""
        drawn = {
            SignatureRole.CLIENT: self.client.pad.to_png(),
            SignatureRole.CASE_MANAGER: self.worker.pad.to_png(),
        }
        return dataclasses.replace(
            self._options(sign=True),
            drawn_signatures={role: png for role, png in drawn.items() if png},
            signer_names={
                SignatureRole.CLIENT: self.client.name.text().strip(),
                SignatureRole.CASE_MANAGER: self.worker.name.text().strip(),
            },
        )

    def sign(self) -> None:
        """Check both have signed, then build, sign and store off the GUI thread."""
        if self.client.pad.is_empty or self.worker.pad.is_empty:
            self._show(self.tr("Both the client and the case manager need to sign."))
            return
        request = self.request()
        self.sign_button.setEnabled(False)
        self._show("")
        self._ctx.tasks.run(
            lambda: self._ctx.services.documents.export(request),
            guarded(self, self._on_signed),
            guarded(self, self._on_error),
            label="sign plan",
        )

    def _on_signed(self, exported: ExportedPlan) -> None:
        self.signed.emit(exported)
        self.accept()

    def _on_error(self, exc: BaseException) -> None:
        self.sign_button.setEnabled(True)
        self._show(str(exc) or self.tr("The plan could not be signed."))

    def _show(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))


def _release(document: QPdfDocument | None, buffer: QBuffer | None, *, delete: bool) -> None:
    """Close a shown document and the in-memory bytes under it (and delete them if asked)."""
    for part in (document, buffer):
        if part is not None:
            part.close()
            if delete:
                part.deleteLater()
