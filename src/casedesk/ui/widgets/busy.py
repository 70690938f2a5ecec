"""A busy indicator that appears only when work takes longer than half a second."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QWidget

from casedesk.ui.widgets.basics import label

SHOW_AFTER_MS = 500


class BusyIndicator(QWidget):
    """An indeterminate bar with a short text, hidden for quick jobs.

    Connect ``set_busy`` to ``TaskRunner.busy_changed``.
    """

    def __init__(self, parent: QWidget | None = None, *, delay_ms: int = SHOW_AFTER_MS) -> None:
        super().__init__(parent)
        self.setObjectName("busyIndicator")
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setFixedWidth(110)
        self.bar.setAccessibleName(self.tr("Working"))
        self.text = label(self.tr("Working…"), "muted")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text)
        layout.addWidget(self.bar)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.show)
        self.hide()

    def set_busy(self, busy: bool) -> None:
        """Start the half-second countdown, or hide at once when the work is done."""
        if busy:
            self._timer.start()
        else:
            self._timer.stop()
            self.hide()
