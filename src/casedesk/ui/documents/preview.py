"""Preview and print a PDF from memory (QtPdf + QPrinter): no plaintext temp file is written."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QSize
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QHBoxLayout, QVBoxLayout, QWidget

from casedesk.ui.widgets.basics import button, label

PRINT_DPI = 300  # enough for crisp text; 1200 dpi pages would need ~0.5 GB each

PrinterChooser = Callable[[QPrinter, QWidget], bool]


def choose_printer(printer: QPrinter, parent: QWidget) -> bool:
    """The system print dialog (replaced by a stub in tests)."""
    return QPrintDialog(printer, parent).exec() == QDialog.DialogCode.Accepted


def load_pdf(data: bytes, parent: QWidget | None = None) -> tuple[QPdfDocument, QBuffer]:
    """A QPdfDocument reading from memory; keep the buffer alive as long as the document."""
    buffer = QBuffer(parent)
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument(parent) if parent is not None else QPdfDocument()
    document.load(buffer)
    return document, buffer


def print_pdf(document: QPdfDocument, printer: QPrinter) -> int:
    """Render every page into the printer; returns the number of pages printed."""
    printer.setResolution(min(printer.resolution(), PRINT_DPI))
    painter = QPainter()
    if not painter.begin(printer):
        return 0
    try:
        for index in range(document.pageCount()):
            if index:
                printer.newPage()
            _draw_page(document, index, printer, painter)
    finally:
        painter.end()
    return document.pageCount()


def _draw_page(document: QPdfDocument, index: int, printer: QPrinter, painter: QPainter) -> None:
    page_rect = printer.pageRect(QPrinter.Unit.DevicePixel).toRect()
    points = document.pagePointSize(index)
    scale = min(page_rect.width() / points.width(), page_rect.height() / points.height())
    size = QSize(int(points.width() * scale), int(points.height() * scale))
    image = document.render(index, size)
    painter.drawImage(QRect(0, 0, size.width(), size.height()), image)


class PdfPreviewDialog(QDialog):
    """Shows a PDF and prints it through the system print dialog."""

    def __init__(
        self,
        data: bytes,
        title: str,
        parent: QWidget | None = None,
        *,
        chooser: PrinterChooser = choose_printer,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(820, 900)
        self._chooser = chooser
        self.document, self._buffer = load_pdf(data, self)
        self.view = QPdfView(self)
        self.view.setAccessibleName(self.tr("Document preview"))
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.print_button = button(self.tr("Print…"), self.tr("Print this document"), primary=True)
        self.close_button = button(self.tr("Close"), self.tr("Close the preview"))
        self.status = label("", "muted")
        self.print_button.clicked.connect(self.print_document)
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)

    @property
    def page_count(self) -> int:
        """Pages in the previewed document."""
        return self.document.pageCount()

    def print_document(self, printer: QPrinter | None = None) -> int:
        """Ask for a printer and print every page; returns pages printed (0 if cancelled)."""
        printer = printer or QPrinter(QPrinter.PrinterMode.HighResolution)
        if not self._chooser(printer, self):
            return 0
        pages = print_pdf(self.document, printer)
        self.status.setText(self.tr("Sent %n page(s) to the printer.", "", pages))
        return pages

    def done(self, result: int) -> None:
        """Release the document (and its in-memory bytes) when the dialog closes."""
        self.view.setDocument(None)  # type: ignore[arg-type]
        self.document.close()
        self._buffer.close()
        super().done(result)
