"""What the Home and Tasks screens share: reload lazily on change, open a task's client."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget

from casedesk.services.changes import Changes
from casedesk.ui.context import AppContext
from casedesk.ui.tasks_screen.models import CLIENT_ID_ROLE

# Changes that can add, move or remove a derived task.
RELOAD_ON = (
    Changes.CLIENTS
    | Changes.NOTES
    | Changes.CONSENT
    | Changes.RISK
    | Changes.PLANS
    | Changes.REFERRALS
    | Changes.INTAKE
)


class TaskListScreen(QWidget):
    """A screen of derived tasks: reloads when shown if anything relevant changed meanwhile.

    Subclasses implement :meth:`reload` (and clear ``_stale`` when it completes).
    """

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.disposed = False
        self._stale = True

    def reload(self) -> None:
        """Recompute what the screen shows (off the GUI thread)."""
        raise NotImplementedError

    def _on_changed(self, changes: Changes) -> None:
        if not self.disposed and changes & RELOAD_ON:
            if self.isVisible():
                self.reload()
            else:
                self._stale = True  # recomputed the next time the screen is shown

    def _open(self, index: QModelIndex) -> None:
        client_id = index.data(CLIENT_ID_ROLE)
        if client_id:
            self.ctx.hub.open_client.emit(client_id)

    def showEvent(self, event: QShowEvent) -> None:
        """Reload when shown if anything changed while hidden."""
        super().showEvent(event)
        if self._stale:
            self.reload()
