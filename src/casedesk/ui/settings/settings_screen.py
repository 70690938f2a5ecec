"""The Settings screen: my details, idle lock, passphrase, notes, this device, backup, about."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QProgressBar,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from casedesk import __version__
from casedesk.services.passphrase_words import passphrase_words
from casedesk.ui.context import AppContext
from casedesk.ui.messages import describe_error
from casedesk.ui.settings.my_details_form import MyDetailsCard
from casedesk.ui.settings.prefs import MAX_IDLE_MINUTES, MIN_IDLE_MINUTES, UiPrefs
from casedesk.ui.settings.record_cards import DeviceNameCard, NoteLockCard
from casedesk.ui.widgets.basics import Card, button, guarded, label, set_role
from casedesk.ui.widgets.passphrase import PassphraseForm


class SettingsScreen(QWidget):
    """Security and maintenance settings for the open vault."""

    def __init__(
        self,
        ctx: AppContext,
        prefs: UiPrefs,
        parent: QWidget | None = None,
        *,
        extra_cards: tuple[QWidget, ...] = (),
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.prefs = prefs
        self.disposed = False
        self.setObjectName("settingsScreen")
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(28, 24, 28, 24)
        column.setSpacing(16)
        column.addWidget(label(self.tr("Settings"), "title"))
        self.my_details = MyDetailsCard(ctx)
        self.note_lock = NoteLockCard(ctx)
        self.device = DeviceNameCard(ctx)
        column.addWidget(self.my_details)
        column.addWidget(self._build_lock_card())
        column.addWidget(self._build_passphrase_card())
        column.addWidget(self.note_lock)
        column.addWidget(self.device)
        column.addWidget(self._build_backup_card())
        for card in extra_cards:  # e.g. the Sync card, owned by the main window
            column.addWidget(card)
        column.addWidget(self._build_about_card())
        column.addStretch(1)
        content.setMaximumWidth(760)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    # ------------------------------------------------------------------ cards

    def _build_lock_card(self) -> Card:
        card = Card(self.tr("Automatic lock"))
        self.idle_minutes = QSpinBox()
        self.idle_minutes.setObjectName("idleMinutes")
        self.idle_minutes.setRange(MIN_IDLE_MINUTES, MAX_IDLE_MINUTES)
        self.idle_minutes.setSuffix(self.tr(" minutes"))
        self.idle_minutes.setValue(self.prefs.idle_minutes)
        self.idle_minutes.setAccessibleName(self.tr("Lock after this many idle minutes"))
        self.idle_minutes.setMinimumWidth(140)
        self.idle_minutes.valueChanged.connect(self.prefs.set_idle_minutes)
        row = QHBoxLayout()
        row.addWidget(label(self.tr("Lock when I haven't used casedesk for")))
        row.addWidget(self.idle_minutes)
        row.addStretch(1)
        card.body.addLayout(row)
        card.body.addWidget(
            label(
                self.tr("Locking closes the vault and clears every screen. Ctrl+L locks at once."),
                "muted",
                wrap=True,
            )
        )
        return card

    def _build_passphrase_card(self) -> Card:
        card = Card(self.tr("Passphrase"))
        self.current = QLineEdit()
        self.current.setObjectName("currentPassphrase")
        self.current.setEchoMode(QLineEdit.EchoMode.Password)
        self.current.setAccessibleName(self.tr("Current passphrase"))
        self.passphrase_form = PassphraseForm(label_text=self.tr("New passphrase"))
        self.change_button = button(
            self.tr("Change passphrase"), self.tr("Change the passphrase"), primary=True
        )
        self.change_button.setDefault(False)
        self.passphrase_status = label("", "ok", wrap=True)
        self.passphrase_status.setObjectName("passphraseStatus")
        self.passphrase_status.hide()
        self.passphrase_form.insert_row(self.tr("Current passphrase"), self.current)
        db = self.ctx.services.vault.db
        self.ctx.tasks.run(
            lambda: passphrase_words(db),
            guarded(self, self.passphrase_form.set_user_inputs),
            label="names a passphrase must avoid",
        )
        card.body.addWidget(
            label(
                self.tr(
                    "Changing the passphrase re-locks the key only; your records are not "
                    "rewritten. Your recovery key keeps working."
                ),
                "muted",
                wrap=True,
            )
        )
        card.body.addWidget(self.passphrase_form)
        card.body.addWidget(self.passphrase_status)
        card.body.addWidget(self.change_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.change_button.clicked.connect(self.change_passphrase)
        return card

    def _build_backup_card(self) -> Card:
        card = Card(self.tr("Backup"))
        card.body.addWidget(
            label(
                self.tr(
                    "A backup is an encrypted, verified copy of the whole vault. It opens with "
                    "your passphrase at the time of the backup, or your recovery key. Keep one "
                    "away from this computer."
                ),
                "muted",
                wrap=True,
            )
        )
        self.backup_button = button(self.tr("Make a backup…"), self.tr("Make a backup"))
        self.backup_progress = QProgressBar()
        self.backup_progress.setRange(0, 0)
        self.backup_progress.setAccessibleName(self.tr("Backup in progress"))
        self.backup_progress.hide()
        self.backup_status = label("", "ok", wrap=True)
        self.backup_status.setObjectName("backupStatus")
        self.backup_status.hide()
        row = QHBoxLayout()
        row.addWidget(self.backup_button)
        row.addWidget(self.backup_progress, 1)
        row.addStretch(1)
        card.body.addLayout(row)
        card.body.addWidget(self.backup_status)
        self.backup_button.clicked.connect(self.make_backup)
        return card

    def _build_about_card(self) -> Card:
        card = Card(self.tr("About"))
        vault = self.ctx.services.vault
        form = QFormLayout()
        form.addRow(self.tr("Version"), label(f"casedesk {__version__}"))
        form.addRow(self.tr("Vault"), label(vault.name))
        location = label(str(vault.path), wrap=True)
        location.setObjectName("vaultLocation")
        location.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(self.tr("Location"), location)
        card.body.addLayout(form)
        card.body.addWidget(
            label(
                self.tr(
                    "Records are encrypted on disk (SQLCipher, AES-256). Everything is "
                    "fictional in demo vaults."
                ),
                "muted",
                wrap=True,
            )
        )
        return card

    # ------------------------------------------------------------------ actions

    def change_passphrase(self) -> None:
        """Check the current passphrase, then re-wrap the key with the new one (off-thread)."""
        if not self.passphrase_form.validate():
            return
        current, new = self.current.text(), self.passphrase_form.passphrase
        if not current:
            self._status(self.passphrase_status, self.tr("Type your current passphrase."), "error")
            return
        vault = self.ctx.services.vault

        def work() -> None:
            vault.verify_passphrase(current)
            vault.change_passphrase(new)

        self.change_button.setEnabled(False)
        self.ctx.tasks.run(
            work,
            guarded(self, self._on_changed),
            guarded(self, self._on_change_failed),
            label="change passphrase",
        )

    def _on_changed(self, _: object) -> None:
        self.change_button.setEnabled(True)
        self.current.clear()
        self.passphrase_form.clear()
        self._status(self.passphrase_status, self.tr("Passphrase changed."), "ok")

    def _on_change_failed(self, exc: BaseException) -> None:
        self.change_button.setEnabled(True)
        self._status(self.passphrase_status, describe_error(exc), "error")

    def make_backup(self) -> None:
        """Ask where, then write a verified encrypted backup on the database thread."""
        suggested = f"casedesk-backup-{date.today().isoformat()}.casedesk-backup"
        target = self.ctx.dialogs.save_file(
            self,
            self.tr("Save a backup"),
            suggested,
            self.tr("casedesk backups (*.casedesk-backup);;All files (*)"),
        )
        if target is None:
            return
        vault = self.ctx.services.vault
        self.backup_button.setEnabled(False)
        self.backup_progress.show()
        self.backup_status.hide()
        self.ctx.tasks.run(
            lambda: vault.backup(target),
            guarded(self, self._on_backup_done),
            guarded(self, self._on_backup_failed),
            label="backup",
        )

    def _on_backup_done(self, path: object) -> None:
        self.backup_button.setEnabled(True)
        self.backup_progress.hide()
        self._status(
            self.backup_status,
            self.tr("Backup written and verified: {path}").format(path=path),
            "ok",
        )

    def _on_backup_failed(self, exc: BaseException) -> None:
        self.backup_button.setEnabled(True)
        self.backup_progress.hide()
        self._status(self.backup_status, describe_error(exc), "error")

    @staticmethod
    def _status(widget: QWidget, text: str, role: str) -> None:
        widget.setText(text)  # type: ignore[attr-defined]
        set_role(widget, role)
        widget.show()

    def dispose(self) -> None:
        """Forget typed passphrases and details (before the screen is destroyed on lock)."""
        self.disposed = True
        self.current.clear()
        self.passphrase_form.clear()
        self.my_details.dispose()
