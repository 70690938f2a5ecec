"""Sync setup (first device), pairing (show a code as text and QR) and join (next device)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from casedesk.services.sync_service import PairingOffer
from casedesk.ui.context import AppContext
from casedesk.ui.messages import describe_error
from casedesk.ui.sync.qr import qr_pixmap
from casedesk.ui.widgets.basics import guarded, label


class _TaskDialog(QDialog):
    """A dialog whose OK runs service work off the GUI thread and closes on success."""

    def __init__(self, ctx: AppContext, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.disposed = False
        self.setWindowTitle(title)
        self.column = QVBoxLayout(self)
        self.form = QFormLayout()
        self.column.addLayout(self.form)
        self.problem = label("", "error", wrap=True)
        self.problem.setObjectName("syncProblem")
        self.problem.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

    def finish_layout(self) -> None:
        """Add the problem line and the buttons under the form."""
        self.column.addWidget(self.problem)
        self.column.addWidget(self.buttons)

    def run(self, work: Callable[[], Any], label_text: str) -> None:
        """Run ``work`` on the database thread; accept on success, show the reason on failure."""
        self.buttons.setEnabled(False)
        self.problem.hide()
        self.ctx.tasks.run(
            work, guarded(self, self._done), guarded(self, self._failed), label=label_text
        )

    def _done(self, _result: object) -> None:
        self.buttons.setEnabled(True)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.problem.setText(describe_error(exc))
        self.problem.show()

    def submit(self) -> None:  # pragma: no cover - overridden
        """OK pressed."""


def _line(name: str, accessible: str, *, secret: bool = False) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setAccessibleName(accessible)
    if secret:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class SyncSetupDialog(_TaskDialog):
    """First device: hub address and the one-time enrollment token from the hub's admin."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "Set up sync", parent)
        self.hub_url = _line("hubUrl", "Hub address")
        self.hub_url.setPlaceholderText("https://hub.example.org:8765")
        self.token = _line("enrollmentToken", "Enrollment token", secret=True)
        self.form.addRow(self.tr("Hub address"), self.hub_url)
        self.form.addRow(self.tr("Enrollment token"), self.token)
        self.finish_layout()

    def submit(self) -> None:
        """Enroll this device (creates the account sync key inside the vault)."""
        url, token = self.hub_url.text().strip(), self.token.text().strip()
        if not url or not token:
            self.problem.setText(self.tr("Enter the hub address and the enrollment token."))
            self.problem.show()
            return
        sync = self.ctx.services.sync
        self.run(lambda: sync.setup(url, token), "set up sync")


class JoinDialog(_TaskDialog):
    """Next device: the pairing code and short code shown on the first device."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "Join a sync account", parent)
        self.code = QPlainTextEdit()
        self.code.setObjectName("pairingCodeInput")
        self.code.setAccessibleName(self.tr("Pairing code"))
        self.short_code = _line("shortCodeInput", "Short code", secret=True)
        self.hub_url = _line("joinHubUrl", "Hub address (optional)")
        self.form.addRow(self.tr("Pairing code"), self.code)
        self.form.addRow(self.tr("Short code"), self.short_code)
        self.form.addRow(self.tr("Hub address (if different)"), self.hub_url)
        self.finish_layout()

    def submit(self) -> None:
        """Open the code and enroll this device."""
        code, short = self.code.toPlainText().strip(), self.short_code.text().strip()
        hub = self.hub_url.text().strip() or None
        sync = self.ctx.services.sync
        self.run(lambda: sync.join(code, short, hub), "join sync account")


class PairingDialog(QDialog):
    """Shows a one-time pairing code as text and as a QR code, with the short code beside it."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.disposed = False
        self.offer: PairingOffer | None = None
        self.setWindowTitle(self.tr("Add a device"))
        column = QVBoxLayout(self)
        column.addWidget(
            label(
                self.tr(
                    "On the new device choose 'Join a sync account' and enter this code and the "
                    "short code. The code works once and expires soon."
                ),
                wrap=True,
            )
        )
        self.qr = label("")
        self.qr.setObjectName("pairingQr")
        self.text = QPlainTextEdit()
        self.text.setObjectName("pairingCode")
        self.text.setReadOnly(True)
        self.text.setAccessibleName(self.tr("Pairing code"))
        self.short_code = label("", "metric")
        self.short_code.setObjectName("shortCode")
        self.problem = label("", "error", wrap=True)
        self.problem.setObjectName("syncProblem")
        for widget in (self.qr, self.text, self.short_code, self.problem):
            column.addWidget(widget)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        column.addWidget(close)
        sync = ctx.services.sync
        ctx.tasks.run(
            sync.pairing_code,
            guarded(self, self.show_offer),
            guarded(self, self._failed),
            label="pairing code",
        )

    def show_offer(self, offer: PairingOffer) -> None:
        """Display the code (text and QR; rendered in memory, never written to disk)."""
        self.offer = offer
        self.text.setPlainText(offer.text)
        self.short_code.setText(self.tr("Short code: {code}").format(code=offer.short_code))
        self.qr.setPixmap(qr_pixmap(offer.qr_payload))

    def _failed(self, exc: BaseException) -> None:
        self.problem.setText(describe_error(exc))
