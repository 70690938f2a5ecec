"""The unlock form, used by the startup dialog and by the lock screen.

Two pages: the passphrase, and "use recovery key" (which then requires a new passphrase,
because the old one was forgotten). Unlocking runs on the database thread; a wrong passphrase
is an inline message, and a damaged or too-new vault a plain one. Nothing on disk is touched
by a failed attempt.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from casedesk.services import errors
from casedesk.services.vault_service import VaultService
from casedesk.ui.messages import describe_error
from casedesk.ui.tasks import TaskRunner
from casedesk.ui.widgets.basics import PageSwitcher, button, guarded, label
from casedesk.ui.widgets.passphrase import PassphraseForm


class UnlockPanel(QWidget):
    """Passphrase (or recovery key) entry that unlocks ``vault`` off the GUI thread.

    Signals:
        unlocked(): the vault is open.
        content_changed(): a message or page appeared or went, so the panel's height changed
            (a window of its own should fit itself to it again).
    """

    unlocked = Signal()
    content_changed = Signal()

    def __init__(
        self,
        vault: VaultService,
        tasks: TaskRunner,
        parent: QWidget | None = None,
        *,
        hint: str = "",
    ) -> None:
        super().__init__(parent)
        self._vault = vault
        self._tasks = tasks
        self._working = False
        self.pages = PageSwitcher()
        self.pages.addWidget(self._build_passphrase_page(hint))
        self.pages.addWidget(self._build_recovery_page())
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setAccessibleName(self.tr("Unlocking"))
        self.progress.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        layout.addWidget(self.progress)
        self._connect_signals()
        self._set_page(0)

    # ------------------------------------------------------------------ building

    def _build_passphrase_page(self, hint: str) -> QWidget:
        page = QWidget()
        self.title = label(self.tr("Unlock your records"), "title")
        self.subtitle = label(
            self.tr("Vault “{name}”. Enter your passphrase to continue.").format(
                name=self._vault.name
            ),
            "muted",
            wrap=True,
        )
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("unlockPassphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName(self.tr("Passphrase"))
        self.passphrase.setPlaceholderText(self.tr("Passphrase"))
        self.error = label("", "error", wrap=True)
        self.error.setObjectName("unlockError")
        self.error.setAccessibleName(self.tr("Unlock problem"))
        self.error.hide()
        self.unlock_button = button(self.tr("Unlock"), self.tr("Unlock"), primary=True)
        self.recovery_link = button(
            self.tr("Forgotten your passphrase? Use the recovery key"),
            self.tr("Use the recovery key"),
            link=True,
        )
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        if hint:
            layout.addWidget(label(hint, "notice", wrap=True))
        layout.addSpacing(6)
        layout.addWidget(self.passphrase)
        layout.addWidget(self.error)
        layout.addWidget(self.unlock_button)
        layout.addWidget(self.recovery_link, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        return page

    def _build_recovery_page(self) -> QWidget:
        page = QWidget()
        self.recovery_key = QLineEdit()
        self.recovery_key.setObjectName("recoveryKey")
        self.recovery_key.setAccessibleName(self.tr("Recovery key"))
        self.recovery_key.setPlaceholderText("XXXX-XXXX-XXXX-…")
        self.new_passphrase = PassphraseForm(label_text=self.tr("New passphrase"))
        self.recovery_error = label("", "error", wrap=True)
        self.recovery_error.setObjectName("recoveryError")
        self.recovery_error.hide()
        self.recover_button = button(
            self.tr("Unlock and set the new passphrase"),
            self.tr("Unlock with the recovery key and set a new passphrase"),
            primary=True,
        )
        self.back_link = button(
            self.tr("Back to the passphrase"), self.tr("Back to the passphrase"), link=True
        )
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addWidget(label(self.tr("Use your recovery key"), "title"))
        layout.addWidget(
            label(
                self.tr(
                    "Type the recovery key you printed or saved when the vault was created "
                    "(dashes and capitals don't matter), then choose a new passphrase."
                ),
                "muted",
                wrap=True,
            )
        )
        layout.addWidget(self.recovery_key)
        layout.addWidget(self.new_passphrase)
        layout.addWidget(self.recovery_error)
        layout.addWidget(self.recover_button)
        layout.addWidget(self.back_link, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        return page

    def _connect_signals(self) -> None:
        self.unlock_button.clicked.connect(self.submit)
        self.passphrase.returnPressed.connect(self.submit)
        self.passphrase.textEdited.connect(lambda _text: self._hide_error(self.error))
        self.recovery_link.clicked.connect(self.show_recovery)
        self.back_link.clicked.connect(self.show_passphrase)
        self.recover_button.clicked.connect(self.submit_recovery)
        self.new_passphrase.edited.connect(self.content_changed)  # strength advice comes and goes

    # ------------------------------------------------------------------ public

    def show_recovery(self) -> None:
        """Switch to the recovery-key page."""
        self._set_page(1)
        self.recovery_key.setFocus()

    def show_passphrase(self) -> None:
        """Switch back to the passphrase page."""
        self._set_page(0)
        self.passphrase.setFocus()

    def focus(self) -> None:
        """Put the cursor in the passphrase field."""
        self.passphrase.setFocus()

    def submit(self) -> None:
        """Try the passphrase typed."""
        if self._working:
            return
        secret = self.passphrase.text()
        if not secret:
            self._show_error(self.error, self.tr("Please type your passphrase."))
            return
        vault = self._vault
        self._start()
        self._tasks.run(
            lambda: vault.unlock(secret),
            guarded(self, self._on_unlocked),
            guarded(self, lambda exc: self._on_failed(exc, self.error)),
            label="unlock",
        )

    def submit_recovery(self) -> None:
        """Try the recovery key and set the new passphrase."""
        if self._working:
            return
        key = self.recovery_key.text().strip()
        if not key:
            self._show_error(self.recovery_error, self.tr("Please type the recovery key."))
            return
        if not self.new_passphrase.validate():
            self.content_changed.emit()
            return
        new = self.new_passphrase.passphrase
        vault = self._vault
        self._start()
        self._tasks.run(
            lambda: vault.recover(key, new),
            guarded(self, self._on_unlocked),
            guarded(self, lambda exc: self._on_failed(exc, self.recovery_error)),
            label="recover",
        )

    def reset(self) -> None:
        """Clear every field (before showing the panel again)."""
        self.passphrase.clear()
        self.recovery_key.clear()
        self.new_passphrase.clear()
        self.error.hide()
        self.recovery_error.hide()
        self.show_passphrase()

    def _set_page(self, index: int) -> None:
        self.pages.setCurrentIndex(index)
        self.content_changed.emit()

    # ------------------------------------------------------------------ results

    def _start(self) -> None:
        self._working = True
        self.pages.setEnabled(False)
        self.progress.show()

    def _finish(self) -> None:
        self._working = False
        self.pages.setEnabled(True)
        self.progress.hide()

    def _on_unlocked(self, _: object) -> None:
        self._finish()
        self.passphrase.clear()
        self.recovery_key.clear()
        self.new_passphrase.clear()
        self.unlocked.emit()

    def _on_failed(self, exc: BaseException, where: QWidget) -> None:
        self._finish()
        if isinstance(exc, errors.WrongPassphrase):
            if where is self.error:
                text = self.tr(
                    "That passphrase is not right. Check Caps Lock and the keyboard layout, "
                    "then try again. Nothing was changed."
                )
                self.passphrase.selectAll()
                self.passphrase.setFocus()
            else:
                text = self.tr("That recovery key does not open this vault: {reason}").format(
                    reason=str(exc)
                )
        else:
            text = describe_error(exc)
        self._show_error(where, text)

    def _show_error(self, where: QWidget, text: str) -> None:
        where.setText(text)  # type: ignore[attr-defined]
        where.show()
        self.content_changed.emit()

    def _hide_error(self, where: QWidget) -> None:
        if not where.isHidden():
            where.hide()
            self.content_changed.emit()
