"""The Sync card for the Settings screen: status, setup, pairing, join, Sync now, bundles."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QHBoxLayout, QWidget

from casedesk.services.sync_service import SyncPhase, SyncStatus
from casedesk.ui.context import AppContext
from casedesk.ui.messages import describe_error, info
from casedesk.ui.sync.controller import SyncController
from casedesk.ui.sync.dialogs import JoinDialog, PairingDialog, SyncSetupDialog
from casedesk.ui.widgets.basics import Card, button, guarded, label


class SyncCard(Card):
    """Everything about sync in one card."""

    def __init__(
        self,
        ctx: AppContext,
        controller: SyncController | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Sync", parent)
        self.ctx = ctx
        self.disposed = False
        self.controller = controller
        self.status = label("", wrap=True)
        self.status.setObjectName("syncCardStatus")
        self.body.addWidget(self.status)
        row = QHBoxLayout()
        self.setup_button = button(self.tr("Set up sync…"), self.tr("Set up sync on this device"))
        self.pair_button = button(self.tr("Add a device…"), self.tr("Show a pairing code"))
        self.join_button = button(self.tr("Join an account…"), self.tr("Join a sync account"))
        self.now_button = button(self.tr("Sync now"), self.tr("Sync now"))
        self.export_button = button(self.tr("Export bundle…"), self.tr("Export an offline bundle"))
        self.import_button = button(self.tr("Import bundle…"), self.tr("Import an offline bundle"))
        self.confirm_button = button(
            self.tr("Apply the deletions…"), self.tr("Confirm the deletions sync paused on")
        )
        self.confirm_button.setObjectName("confirmDeletions")
        for widget, slot in (
            (self.setup_button, self.open_setup),
            (self.pair_button, self.open_pairing),
            (self.join_button, self.open_join),
            (self.now_button, self.sync_now),
            (self.export_button, self.export_bundle),
            (self.import_button, self.import_bundle),
            (self.confirm_button, self.confirm_deletions),
        ):
            widget.clicked.connect(slot)
            row.addWidget(widget)
        row.addStretch(1)
        self.body.addLayout(row)
        if controller is not None:
            controller.status_changed.connect(guarded(self, self.show_status))
        self.refresh()

    def refresh(self) -> None:
        """Read the status on the database thread."""
        self.ctx.tasks.run(self.ctx.services.sync.status, guarded(self, self.show_status))

    def show_status(self, status: SyncStatus) -> None:
        """Show the status and enable what makes sense."""
        set_up = status.phase is not SyncPhase.NOT_SET_UP
        self.status.setText(status.text)
        self.setup_button.setVisible(not set_up)
        self.join_button.setVisible(not set_up)
        for widget in (self.pair_button, self.now_button, self.export_button, self.import_button):
            widget.setVisible(set_up)
        self.confirm_button.setVisible(status.phase is SyncPhase.PAUSED)

    def confirm_deletions(self) -> None:
        """Sync paused before deleting many records: apply them only after a clear yes."""
        question = self.tr(
            "Another device deleted many records. Check with your team that this was meant "
            "(for example, clients moved to another worker). Apply the deletions here?"
        )
        if not self.ctx.dialogs.confirm(self, self.tr("Sync"), question, ok=self.tr("Apply")):
            return
        if self.controller is not None:
            self.controller.allow_mass_deletion_once()
        else:
            sync = self.ctx.services.sync
            self.ctx.tasks.run(
                lambda: sync.sync_once(allow_mass_deletion=True), lambda _r: self.refresh()
            )

    def open_setup(self) -> None:
        """First device."""
        if SyncSetupDialog(self.ctx, self).exec():
            self._after_connect()

    def open_join(self) -> None:
        """Next device."""
        if JoinDialog(self.ctx, self).exec():
            self._after_connect()

    def open_pairing(self) -> None:
        """Show a pairing code."""
        PairingDialog(self.ctx, self).exec()

    def sync_now(self) -> None:
        """Wake background sync (or run one round here when it is not running)."""
        if self.controller is not None:
            self.controller.sync_now()
        else:
            self.ctx.tasks.run(self.ctx.services.sync.sync_once, lambda _r: self.refresh())

    def export_bundle(self) -> None:
        """Write an offline bundle."""
        path = self.ctx.dialogs.save_file(
            self, self.tr("Export sync bundle"), "casedesk.cdbundle", "Sync bundles (*.cdbundle)"
        )
        if path is None:
            return
        sync = self.ctx.services.sync
        self.ctx.tasks.run(
            lambda: sync.export_bundle(Path(path)),
            lambda s: info(self.tr("Wrote {n} records to the bundle.").format(n=s.rows)),
            guarded(self, self._failed),
        )

    def import_bundle(self) -> None:
        """Apply an offline bundle."""
        path = self.ctx.dialogs.open_file(
            self, self.tr("Import sync bundle"), "Sync bundles (*.cdbundle)"
        )
        if path is None:
            return
        sync = self.ctx.services.sync
        self.ctx.tasks.run(
            lambda: sync.import_bundle(Path(path)),
            lambda s: info(self.tr("{n} records changed from the bundle.").format(n=s.changed)),
            guarded(self, self._failed),
        )

    def _after_connect(self) -> None:
        self.refresh()
        if self.controller is not None:
            self.controller.sync_now()

    def _failed(self, exc: BaseException) -> None:
        self.ctx.dialogs.error(self, self.tr("Sync"), describe_error(exc))
