"""What the main window shows while locked: no records, just the unlock form."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from casedesk.ui.unlock.unlock_panel import UnlockPanel
from casedesk.ui.widgets.basics import Card, label


class LockScreen(QWidget):
    """A calm, centred card holding an :class:`UnlockPanel`."""

    def __init__(self, panel: UnlockPanel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        self.panel = panel
        panel.title.setText(self.tr("casedesk is locked"))
        card = Card()
        card.setMaximumWidth(520)
        card.setMinimumWidth(440)
        card.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        card.body.setContentsMargins(32, 28, 32, 28)
        card.body.addWidget(panel)
        note = label(
            self.tr("Locked to protect your records. Nothing is shown until you unlock."),
            "muted",
            wrap=True,
        )
        note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addLayout(row)
        layout.addSpacing(12)
        layout.addWidget(note)
        layout.addStretch(2)
