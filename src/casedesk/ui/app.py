"""Starting the GUI, and the lock/unlock life cycle of one vault.

``run_gui`` hardens the process, builds the QApplication and hands over to
:class:`AppController`, which chooses the first screen (welcome, unlock or demo set-up), builds
the main window once the vault is open, and locks: idle timer, Ctrl+L or the lock button.
"""

from __future__ import annotations

import logging
import shutil
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from casedesk.services.bundle import Services
from casedesk.services.vault_service import VaultService
from casedesk.ui.context import AppContext, ChangeHub
from casedesk.ui.dialogs import Dialogs
from casedesk.ui.lock import ClipboardGuard, IdleLock, harden_process
from casedesk.ui.main_window import MainWindow
from casedesk.ui.settings.prefs import UiPrefs
from casedesk.ui.tasks import TaskRunner
from casedesk.ui.unlock import UnlockDialog, UnlockPanel
from casedesk.ui.unlock.lock_screen import LockScreen
from casedesk.ui.welcome import DemoSetupDialog, WelcomeDialog
from casedesk.ui.welcome.demo_setup import DEMO_PASSPHRASE
from casedesk.ui.widgets.icons import icon
from casedesk.ui.widgets.theme import apply_theme

log = logging.getLogger(__name__)

ORGANISATION = "casedesk"
APPLICATION = "casedesk"


class AppController(QObject):
    """Owns the vault's life cycle in the GUI: first screen, main window, lock and unlock.

    Attributes:
        window: the main window once the vault has been opened (None before).
        ctx: the context handed to every screen (None before the first unlock).
        idle: the idle-lock timer.
        clipboard: our clipboard contents, cleared on lock.

    Signals:
        ready(): the main window is showing an unlocked vault.
        locked(): the vault was locked and every screen destroyed.
        finished(int): the app should exit with this code.
    """

    ready = Signal()
    locked = Signal()
    finished = Signal(int)

    def __init__(
        self,
        vault: VaultService,
        *,
        tasks: TaskRunner,
        dialogs: Dialogs,
        prefs: UiPrefs,
        demo: bool = False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.vault = vault
        self.tasks = tasks
        self.dialogs = dialogs
        self.prefs = prefs
        self.demo = demo
        self.window: MainWindow | None = None
        self.ctx: AppContext | None = None
        self.gate: QDialog | None = None
        self.hub = ChangeHub()
        self.idle = IdleLock(self, minutes=prefs.idle_minutes)
        self.clipboard = ClipboardGuard(self)
        self.idle.idle.connect(self.lock)
        prefs.idle_minutes_changed.connect(self.idle.set_minutes)

    # ------------------------------------------------------------------ start

    def start(self) -> QDialog:
        """Show the first screen: demo set-up, unlock, or the welcome flow."""
        if self.demo:
            dialog: QDialog = DemoSetupDialog(self.vault, self.tasks)
        elif self.vault.exists():
            hint = self._demo_hint()
            dialog = UnlockDialog(self.vault, self.tasks, hint=hint)
        else:
            dialog = WelcomeDialog(self.vault, self.tasks, self.dialogs)
        dialog.setWindowIcon(icon("app"))
        dialog.accepted.connect(self._on_opened)
        dialog.rejected.connect(lambda: self.finished.emit(0))
        self.gate = dialog
        dialog.show()
        if isinstance(dialog, DemoSetupDialog):
            dialog.start()
        return dialog

    def _demo_hint(self) -> str:
        if not self.demo:
            return ""
        return QCoreApplication.translate(
            "AppController", "Demo vault: the passphrase is “{p}”."
        ).format(p=DEMO_PASSPHRASE)

    def _on_opened(self) -> None:
        if self.gate is not None:
            self.gate.deleteLater()
            self.gate = None
        services = Services.for_vault(self.vault)
        self.ctx = AppContext(
            services=services, tasks=self.tasks, dialogs=self.dialogs, hub=self.hub
        )
        self.window = MainWindow(self.ctx, self.prefs)
        self.window.lock_requested.connect(self.lock)
        self.window.quit_requested.connect(self.quit)
        self._place_window(self.window)
        self.window.show()
        self.window.show_page("home")
        self.idle.start()
        self.ready.emit()

    def _place_window(self, window: QWidget) -> None:
        geometry = self.prefs.window_geometry()
        if geometry is not None and window.restoreGeometry(geometry):
            return
        screen = QApplication.primaryScreen()
        if screen is None:
            window.resize(1280, 720)
            return
        area = screen.availableGeometry()
        window.resize(min(1280, area.width()), min(760, area.height()))

    # ------------------------------------------------------------------ lock

    def lock(self) -> None:
        """Lock now: destroy every screen, take back the clipboard, close the vault."""
        window = self.window
        if window is None or window.locked:
            return
        self.idle.stop()
        self.clipboard.clear_if_ours()
        panel = UnlockPanel(self.vault, self.tasks, hint=self._demo_hint())
        window.show_locked(LockScreen(panel))
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        self.tasks.run_sync(self.vault.lock)
        panel.unlocked.connect(self._on_unlocked)
        panel.focus()
        self.locked.emit()

    def _on_unlocked(self) -> None:
        if self.window is None or self.ctx is None:
            return
        self.ctx.services = Services.for_vault(self.vault)
        self.window.show_unlocked()
        self.idle.start()
        self.ready.emit()

    # ------------------------------------------------------------------ quit

    def quit(self) -> None:
        """Lock, stop the worker and leave."""
        self.idle.stop()
        self.clipboard.clear_if_ours()
        if self.window is not None:
            self.window.host.dispose_all()
            self.window.hide()
        if self.vault.is_unlocked:
            self.tasks.run_sync(self.vault.lock)
        self.finished.emit(0)


def _make_application() -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    QApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    app = QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("casedesk")
    app.setWindowIcon(icon("app"))
    app.setQuitOnLastWindowClosed(False)
    apply_theme(app)
    return app


def run_gui(vault_dir: Path, demo: bool = False) -> int:
    """Start the desktop app on ``vault_dir`` (or a throw-away demo vault); return the exit code."""
    harden_process()
    app = _make_application()
    demo_dir: Path | None = None
    if demo:
        demo_dir = Path(tempfile.mkdtemp(prefix="casedesk-demo-"))
        vault_dir = demo_dir / "demo-vault"
    tasks = TaskRunner()
    controller = AppController(
        VaultService(vault_dir), tasks=tasks, dialogs=Dialogs(), prefs=UiPrefs(), demo=demo
    )
    controller.finished.connect(app.exit)
    controller.start()
    try:
        code = app.exec()
    finally:
        if controller.vault.is_unlocked:
            tasks.run_sync(controller.vault.lock)
        tasks.shutdown()
        if demo_dir is not None:
            shutil.rmtree(demo_dir, ignore_errors=True)
    return int(code)
