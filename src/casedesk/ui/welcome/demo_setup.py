"""``casedesk --demo``: a throw-away vault filled with fictional clients, with progress."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QProgressBar, QVBoxLayout, QWidget

from casedesk.services.demo import generate_demo_data
from casedesk.services.demo_story import WORKER_CASELOAD_CLIENTS
from casedesk.services.vault_service import VaultService
from casedesk.ui.messages import describe_error
from casedesk.ui.tasks import TaskRunner
from casedesk.ui.widgets.basics import guarded, label

DEMO_PASSPHRASE = "demo"


class DemoSetupDialog(QDialog):
    """Creates the demo vault and fills it off the GUI thread; accepted when ready."""

    def __init__(
        self,
        vault: VaultService,
        tasks: TaskRunner,
        parent: QWidget | None = None,
        *,
        clients: int | None = None,
    ) -> None:
        super().__init__(parent)
        self._vault = vault
        self._tasks = tasks
        self._clients = clients
        self.setObjectName("demoSetupDialog")
        self.setWindowTitle(self.tr("Preparing the demo — casedesk"))
        self.setMinimumWidth(480)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setAccessibleName(self.tr("Preparing the demo vault"))
        self.status = label(self.tr("Creating a throw-away vault…"), "muted", wrap=True)
        self.error = label("", "error", wrap=True)
        self.error.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 28, 32, 28)
        layout.setSpacing(12)
        layout.addWidget(label(self.tr("Preparing the demo"), "title"))
        layout.addWidget(
            label(
                self.tr(
                    "Everything in the demo is fictional, and the demo vault is deleted when "
                    "you quit. Its passphrase is “{p}”."
                ).format(p=DEMO_PASSPHRASE),
                wrap=True,
            )
        )
        layout.addWidget(self.status)
        layout.addWidget(self.bar)
        layout.addWidget(self.error)

    def start(self) -> None:
        """Create the vault, then generate the caseload (both on the database thread)."""
        vault = self._vault
        self._tasks.run(
            lambda: vault.create(DEMO_PASSPHRASE),
            guarded(self, self._on_created),
            guarded(self, self._on_failed),
            label="create demo vault",
        )

    def _on_created(self, _: object) -> None:
        self.status.setText(
            self.tr("Adding {n} fictional clients with notes, plans and referrals…").format(
                n=self._clients or WORKER_CASELOAD_CLIENTS
            )
        )
        vault, count = self._vault, self._clients
        self._tasks.run(
            lambda: generate_demo_data(vault.db, clients=count),
            guarded(self, lambda _: self.accept()),
            guarded(self, self._on_failed),
            label="demo data",
        )

    def _on_failed(self, exc: BaseException) -> None:
        self.bar.hide()
        self.error.setText(describe_error(exc))
        self.error.show()
