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
        self.buttons.rejected.connect(self.reject)
        self.panel.focus()
