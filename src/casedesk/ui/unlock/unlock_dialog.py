"""The startup unlock dialog: the unlock panel in a small window of its own."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from casedesk.services.vault_service import VaultService
from casedesk.ui.tasks import TaskRunner
from casedesk.ui.unlock.unlock_panel import UnlockPanel


class UnlockDialog(QDialog):
    """Asks for the passphrase (or recovery key); accepted once the vault is open."""

    def __init__(
        self,
        vault: VaultService,
        tasks: TaskRunner,
        parent: QWidget | None = None,
        *,
        hint: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Unlock — casedesk"))
        self.setObjectName("unlockDialog")
        self.panel = UnlockPanel(vault, tasks, hint=hint)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        quit_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        quit_button.setText(self.tr("Quit"))
        quit_button.setAccessibleName(self.tr("Quit casedesk"))
        quit_button.setAutoDefault(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 28, 32, 20)
        layout.setSpacing(16)
        layout.addWidget(self.panel)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)
        self.panel.unlocked.connect(self.accept)
        self.panel.content_changed.connect(self.fit_to_content)
        self.buttons.rejected.connect(self.reject)
        self.panel.focus()

    def fit_to_content(self) -> None:
        """Grow (or shrink) to the panel's height after a message or page change.

        A top-level window takes its minimum height from its layout's minimum size, which
        ignores word-wrapped labels' height for the actual width: a two-line message would be
        squeezed into one line's room and clipped top and bottom. ``adjustSize`` measures
        height-for-width.
        """
        layout = self.layout()
        if layout is not None:
            layout.activate()
        self.adjustSize()
