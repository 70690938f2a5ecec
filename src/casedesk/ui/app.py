"""Starting the GUI, and the lock/unlock life cycle of one vault.

``run_gui`` hardens the process, builds the QApplication and hands over to
:class:`AppController`, which chooses the first screen (welcome, unlock or demo set-up), builds
the main window once the vault is open, and locks: idle timer, Ctrl+L or the lock button.
Started as a program (``report_crashes=True``), it also installs :mod:`casedesk.crashlog`: a bug
leaves a report without client data and :class:`CrashNotice` says so in plain words.
"""

from __future__ import annotations

import logging
import shutil
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QEventLoop,
    QObject,
    Qt,
    QTimer,
    Signal,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from casedesk import crashlog
from casedesk.services.bundle import Services
from casedesk.services.changes import Changes
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

NOTE_LOCK_SWEEP_MS = 60 * 60 * 1000
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
        demo_clients: int | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.vault = vault
        self.tasks = tasks
        self.dialogs = dialogs
        self.prefs = prefs
        self.demo = demo
        self.demo_clients = demo_clients
        self.window: MainWindow | None = None
        self.ctx: AppContext | None = None
        self.gate: QDialog | None = None
        self.hub = ChangeHub()
        self.idle = IdleLock(self, minutes=prefs.idle_minutes)
        # Notes lock themselves N hours after writing; storing those locks (so they sync)
        # happens on unlock and then hourly while the vault is open.
        self.note_locks = QTimer(self)
        self.note_locks.setInterval(NOTE_LOCK_SWEEP_MS)
        self.note_locks.timeout.connect(self.lock_due_notes)
        self.clipboard = ClipboardGuard(self)
        self.idle.idle.connect(self.lock)
        prefs.idle_minutes_changed.connect(self.idle.set_minutes)

    # ------------------------------------------------------------------ start

    def start(self) -> QDialog:
        """Show the first screen: demo set-up, unlock, or the welcome flow."""
        if self.demo:
            dialog: QDialog = DemoSetupDialog(self.vault, self.tasks, clients=self.demo_clients)
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
        self._start_note_locks()
        self._warn_after_open()
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
        self.hub.locking.emit()  # open forms keep their typing as drafts before they go
        self.idle.stop()
        self.note_locks.stop()
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
        self._start_note_locks()
        self._warn_after_open()
        self.ready.emit()

    def _warn_after_open(self) -> None:
        """Tell the person what the open found that needs their attention (e.g. a lost log)."""
        warnings = self.vault.open_warnings
        if warnings:
            self.dialogs.warn(
                self.window,
                QCoreApplication.translate("AppController", "Recent changes may be missing"),
                "\n\n".join(warnings),
            )

    # ------------------------------------------------------------------ quit

    def _start_note_locks(self) -> None:
        self.lock_due_notes()
        self.note_locks.start()

    def lock_due_notes(self) -> None:
        """Store the locks of notes whose automatic lock fell due (on the database thread)."""
        ctx = self.ctx
        if ctx is None or not self.vault.is_unlocked:
            return
        notes = ctx.services.notes

        def done(locked: int) -> None:
            if locked:
                ctx.hub.announce(Changes.NOTES)

        self.tasks.run(notes.lock_due_notes, done, self._sweep_failed, label="lock due notes")

    @staticmethod
    def _sweep_failed(exc: BaseException) -> None:
        # Not worth interrupting the worker: the lock already holds at read and write time,
        # and the next sweep stores it.
        log.warning("storing automatic note locks failed: %s", type(exc).__name__)

    def quit(self) -> None:
        """Lock, stop the worker and leave."""
        if self.window is not None and not self.window.locked:
            self.hub.locking.emit()
        self.idle.stop()
        self.note_locks.stop()
        self.clipboard.clear_if_ours()
        if self.window is not None:
            self.window.host.dispose_all()
            self.window.hide()
        if self.vault.is_unlocked:
            self.tasks.run_sync(self.vault.lock)
        self.finished.emit(0)


class CrashNotice(QObject):
    """Tells the user about a bug in plain words (from any thread; shown on the GUI thread).

    Signals:
        reported(str): the dialog text (queued to the GUI thread when raised elsewhere).
    """

    reported = Signal(str)

    def __init__(self, dialogs: Dialogs, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.dialogs = dialogs
        self._showing = False
        self.reported.connect(self._show)

    def notify(self, report: Path | None, _plain: str) -> None:
        """The crash hook's callback: a report was written to ``report`` (None: it failed)."""
        if report is None:
            where = self.tr("A report could not be saved.")
        else:
            where = self.tr("A report without client data was saved at {path}.").format(
                path=report
            )
        self.reported.emit(
            self.tr("Something went wrong; your records are safe. {where}").format(where=where)
        )

    def _show(self, text: str) -> None:
        if self._showing:  # one at a time: a bug in a paint event must not stack dialogs
            return
        self._showing = True
        try:
            self.dialogs.error(None, self.tr("Something went wrong"), text)
        finally:
            self._showing = False


def install_crash_reporting(dialogs: Dialogs) -> CrashNotice:
    """Route bugs, logging and Qt messages through :mod:`casedesk.crashlog` (no client data)."""
    notice = CrashNotice(dialogs)
    crashlog.install("gui", on_crash=notice.notify)
    qInstallMessageHandler(crashlog.qt_message)
    return notice


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


def run_gui(vault_dir: Path, demo: bool = False, *, report_crashes: bool = False) -> int:
    """Start the desktop app on ``vault_dir`` (or a throw-away demo vault); return the exit code.

    Args:
        vault_dir: the vault directory.
        demo: open a throw-away vault filled with demo data instead.
        report_crashes: install the crash reporter and log routing (the ``casedesk`` program
            does; in-process callers such as tests keep their own hooks).
    """
    dialogs = Dialogs()
    notice = install_crash_reporting(dialogs) if report_crashes else None
    harden_process()
    embedded = isinstance(QApplication.instance(), QApplication)
    app = _make_application()
    if notice is not None:
        notice.setParent(app)
    demo_dir: Path | None = None
    if demo:
        demo_dir = Path(tempfile.mkdtemp(prefix="casedesk-demo-"))
        vault_dir = demo_dir / "demo-vault"
    tasks = TaskRunner()
    controller = AppController(
        VaultService(vault_dir), tasks=tasks, dialogs=dialogs, prefs=UiPrefs(), demo=demo
    )
    # Inside an application that already runs (tests, embedding) a local loop is used, so
    # leaving does not quit the host application.
    loop = QEventLoop() if embedded else None
    controller.finished.connect(loop.exit if loop is not None else app.exit)
    controller.start()
    try:
        code = loop.exec() if loop is not None else app.exec()
    finally:
        if controller.vault.is_unlocked:
            tasks.run_sync(controller.vault.lock)
        tasks.shutdown()
        if demo_dir is not None:
            shutil.rmtree(demo_dir, ignore_errors=True)
    return int(code)
