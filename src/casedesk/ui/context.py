"""What every screen is given: the services, the task runner, dialogs and the change signal."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from casedesk.services.bundle import Services
from casedesk.services.changes import Changes
from casedesk.ui.dialogs import Dialogs
from casedesk.ui.tasks import TaskRunner


class ChangeHub(QObject):
    """One app-level signal carrying what a service call changed.

    Signals:
        changed(Changes): emitted after a write; each screen decides whether to reload.
        open_client(str): ask the shell to show a client's record (client id).
        locking(): the vault is about to lock (or the app to quit): forms save their typing
            as drafts now, while the widgets still hold it.
    """

    changed = Signal(object)
    open_client = Signal(str)
    locking = Signal()

    def announce(self, changes: Changes) -> None:
        """Tell every screen what changed."""
        if changes:
            self.changed.emit(changes)


@dataclass
class AppContext:
    """Injected into every screen (never a global)."""

    services: Services
    tasks: TaskRunner
    dialogs: Dialogs
    hub: ChangeHub
