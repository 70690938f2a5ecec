"""Background sync for the open window: status bar text, "Sync now", local changes trigger.

Decision (documented in docs/SYNC_CLIENT.md): sync does NOT run on the TaskRunner's database
thread. A round mostly waits on the network (up to the HTTP timeout when the hub is slow), and
on the single database thread it would hold up every screen's reads. It runs on its own thread
(``SyncService.start_background``) with its own pooled SQLCipher connection; SQLite WAL lets
screens read meanwhile, and writes take turns under ``busy_timeout``. Status reports are
carried to the GUI thread by a queued Qt signal, so the GUI thread never touches the database
or the network for sync.
"""

from __future__ import annotations

import gc
import sys

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QLabel

from casedesk.services.sync_service import SyncPhase, SyncStatus
from casedesk.ui.context import AppContext

SWITCH_INTERVAL_S = 0.001
_FROZEN: list[bool] = []
_ROLES = {
    SyncPhase.ERROR: "error",
    SyncPhase.PAUSED: "error",
    SyncPhase.OFFLINE: "muted",
    SyncPhase.WAITING: "notice",
}


class SyncController(QObject):
    """Owns background sync while the vault is unlocked.

    Signals:
        status_changed(SyncStatus): a new status, always delivered on the GUI thread.
    """

    status_changed = Signal(object)
    _from_sync_thread = Signal(object)

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.last_status: SyncStatus | None = None
        self._labels: list[QLabel] = []
        # Emitted on the sync thread; Qt queues it to this object's (the GUI) thread.
        self._from_sync_thread.connect(self._deliver)
        ctx.hub.changed.connect(self._on_local_change)

    def start(self) -> None:
        """Start background sync (after unlock). Does nothing visible until set up."""
        # The sync thread runs Python code (merging, the ORM); the GUI thread must win the
        # interpreter lock back quickly when it has an event to handle. Python's default
        # hand-over interval (5 ms) let stalls pile up to ~100 ms under load; 1 ms keeps the
        # GUI responsive at a negligible cost to sync throughput.
        sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL_S))
        # A full (generation 2) garbage collection stops every thread, the GUI included, and
        # scans every object: with the app's long-lived objects that took 100-200 ms once a
        # sync round's allocations triggered it. Freezing what exists after unlock leaves the
        # collector only the round's own short-lived objects to scan. Once per process.
        if not _FROZEN:
            _FROZEN.append(True)
            gc.freeze()
        self.ctx.services.sync.start_background(self._from_sync_thread.emit)
        self.refresh()

    def stop(self) -> None:
        """Stop background sync (before lock); waits for a running round to end."""
        self.ctx.services.sync.stop_background()

    def sync_now(self) -> None:
        """The "Sync now" action."""
        self.ctx.services.sync.sync_now()

    def allow_mass_deletion_once(self) -> None:
        """A person confirmed the paused deletions: apply them in the next round."""
        self.ctx.services.sync.allow_mass_deletion_once()
        self.sync_now()

    def refresh(self) -> None:
        """Read the status on the database thread and show it."""
        self.ctx.tasks.run(self.ctx.services.sync.status, self._deliver, label="sync status")

    def attach(self, label: QLabel) -> None:
        """Keep ``label`` (the status bar's ``syncStatus``) showing the status."""
        self._labels.append(label)
        if self.last_status is not None:
            self._show(label, self.last_status)

    def _on_local_change(self, _changes: object) -> None:
        self.sync_now()

    @Slot(object)
    def _deliver(self, status: SyncStatus) -> None:
        self.last_status = status
        for label in list(self._labels):
            self._show(label, status)
        self.status_changed.emit(status)

    @staticmethod
    def _show(label: QLabel, status: SyncStatus) -> None:
        text = status.text
        if status.open_conflicts:
            text += f" · {status.open_conflicts} to review"
        label.setText(text)
        label.setToolTip(status.reason or text)
        label.setProperty("role", _ROLES.get(status.phase, "muted"))
        label.style().unpolish(label)
        label.style().polish(label)
