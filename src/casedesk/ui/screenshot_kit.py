"""What every screenshot module shares: grabbing a widget into a PNG, rendering PDF pages.

PDF pages are rendered from memory with QtPdf (the way the app previews and prints), so the
pictures of documents come from the same bytes the app makes, and no PDF file is written.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication, QWidget

from casedesk.ui.dialogs import Dialogs
from casedesk.ui.documents.preview import load_pdf

if TYPE_CHECKING:
    from casedesk.ui.main_window import MainWindow

#: Windows are shot at the smallest screen casedesk must fit.
WINDOW_SIZE = (1366, 768)
#: PDF pages are rendered at this many dots per inch (an A4 page is 662 x 936 pixels).
PDF_DPI = 80


class ShotDialogs(Dialogs):
    """Dialogs for an unattended run: confirm everything, never open a box.

    A message box that would have shown is written to stderr instead, so a shot that went
    wrong says so rather than waiting for a click nobody makes.
    """

    def info(self, parent: QWidget | None, title: str, text: str) -> None:
        """Report instead of showing."""
        sys.stderr.write(f"[{title}] {text}\n")

    def warn(self, parent: QWidget | None, title: str, text: str) -> None:
        """Report instead of showing."""
        sys.stderr.write(f"[{title}] {text}\n")

    def error(self, parent: QWidget | None, title: str, text: str) -> None:
        """Report instead of showing."""
        sys.stderr.write(f"[{title}] {text}\n")

    def confirm(
        self,
        parent: QWidget | None,
        title: str,
        text: str,
        *,
        ok: str = "OK",
        irreversible: bool = False,
    ) -> bool:
        """Yes."""
        return True

    def open_file(self, parent: QWidget | None, caption: str, file_filter: str) -> Path | None:
        """Cancelled (no file is read)."""
        return None

    def save_file(
        self, parent: QWidget | None, caption: str, suggested: str, file_filter: str
    ) -> Path | None:
        """Cancelled (no file is written)."""
        return None


def settle(rounds: int = 5) -> None:
    """Let queued layout, paint and deferred work run."""
    app = QApplication.instance()
    for _ in range(rounds):
        if app is not None:
            app.processEvents()


def grab(widget: QWidget, out: Path, name: str, size: tuple[int, int] | None = None) -> Path:
    """Show ``widget`` (at ``size`` if given), let it settle and save it as ``out/name.png``."""
    if size is not None:
        widget.resize(*size)
    if not widget.isVisible():
        widget.show()
    settle()
    path = out / f"{name}.png"
    if not widget.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    sys.stdout.write(f"wrote {path}\n")
    return path


def show_record_tab(window: MainWindow, client_id: str, slot: str) -> QWidget:
    """Open a client's record in the window on one of its tabs ("plan", "documents"...)."""
    window.open_client(client_id)
    record = window.host.screen("record")
    tab: QWidget = record.slots[slot]
    record.tabs.setCurrentWidget(tab)
    settle()
    return tab


def save_pdf_page(data: bytes, page: int, out: Path, name: str, dpi: int = PDF_DPI) -> Path:
    """Render one page of a PDF (``-1``: the last) on white, as ``out/name.png``."""
    document, buffer = load_pdf(data)
    try:
        index = page if page >= 0 else document.pageCount() + page
        points = document.pagePointSize(index)
        size = QSize(math.ceil(points.width() * dpi / 72), math.ceil(points.height() * dpi / 72))
        rendered = document.render(index, size)
        image = QImage(size, QImage.Format.Format_RGB32)
        image.fill(QColor(Qt.GlobalColor.white))
        painter = QPainter(image)
        painter.drawImage(0, 0, rendered)
        painter.end()
    finally:
        document.close()
        buffer.close()
    path = out / f"{name}.png"
    if not image.save(str(path)):
        raise OSError(f"could not write {path}")
    sys.stdout.write(f"wrote {path}\n")
    return path
