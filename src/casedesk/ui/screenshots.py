"""Render every screen and dialog of the shell offscreen into PNGs (``make screenshots``).

Usage: ``python -m casedesk.ui.screenshots OUTDIR``. Uses a throw-away demo vault of fictional
clients in a temporary directory (removed afterwards) and cheap Argon2 parameters, since
nothing real is protected by it.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("CASEDESK_KDF", "test")

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QApplication, QWidget

from casedesk.domain.clock import today
from casedesk.services.bundle import Services
from casedesk.services.demo import generate_demo_data
from casedesk.services.vault_service import VaultService
from casedesk.ui.app import _make_application
from casedesk.ui.context import AppContext, ChangeHub
from casedesk.ui.dialogs import Dialogs
from casedesk.ui.main_window import CLIENTS, SETTINGS, TASKS, MainWindow
from casedesk.ui.settings.prefs import UiPrefs
from casedesk.ui.tasks import TaskRunner
from casedesk.ui.unlock import UnlockDialog, UnlockPanel
from casedesk.ui.unlock.lock_screen import LockScreen
from casedesk.ui.welcome import WelcomeDialog

PASSPHRASE = "quiet river lantern 27"
WINDOW_SIZE = (1366, 768)


def _settle(app: QApplication, rounds: int = 5) -> None:
    for _ in range(rounds):
        app.processEvents()


def _save(app: QApplication, widget: QWidget, out: Path, name: str) -> Path:
    _settle(app)
    path = out / f"{name}.png"
    widget.grab().save(str(path))
    sys.stdout.write(f"wrote {path}\n")
    return path


def _welcome_shots(app: QApplication, tasks: TaskRunner, tmp: Path, out: Path) -> None:
    dialog = WelcomeDialog(VaultService(tmp / "new-vault"), tasks, Dialogs())
    dialog.resize(640, 600)
    dialog.show()
    _save(app, dialog, out, "welcome")
    dialog.form.new_field.setText("sunshine")
    dialog.form.confirm_field.setText("sunshine")
    dialog.create_vault()
    _save(app, dialog, out, "welcome-passphrase-refused")
    dialog.form.new_field.setText(PASSPHRASE)
    dialog.form.confirm_field.setText(PASSPHRASE)
    dialog.form.validate()
    _save(app, dialog, out, "welcome-passphrase-good")
    dialog.create_vault()
    _save(app, dialog, out, "recovery-key")
    dialog.key_next.click()
    dialog.set_check_groups(3, 8)
    dialog.group_fields[0].setText("ABCD")
    _save(app, dialog, out, "recovery-key-check")
    dialog.reject()
    dialog.deleteLater()


def _unlock_shots(app: QApplication, vault: VaultService, tasks: TaskRunner, out: Path) -> None:
    dialog = UnlockDialog(vault, tasks)
    dialog.show()
    _save(app, dialog, out, "unlock")
    dialog.panel.passphrase.setText("not the passphrase")
    dialog.panel.submit()
    _save(app, dialog, out, "unlock-wrong-passphrase")
    dialog.panel.show_recovery()
    dialog.resize(dialog.width(), 620)
    _save(app, dialog, out, "unlock-recovery-key")
    dialog.panel.show_passphrase()
    dialog.panel.passphrase.setText(PASSPHRASE)
    dialog.panel.submit()
    dialog.deleteLater()


def _window_shots(app: QApplication, ctx: AppContext, out: Path) -> MainWindow:
    window = MainWindow(ctx, UiPrefs())
    window.resize(*WINDOW_SIZE)
    window.show()
    window.show_page("home")
    _save(app, window, out, "home")
    window.show_page(TASKS)
    _save(app, window, out, "tasks")
    window.show_page(SETTINGS)
    _save(app, window, out, "settings")
    window.show_page("directory")
    _save(app, window, out, "service-directory")
    window.show_page(CLIENTS)
    _save(app, window, out, "clients")
    first = ctx.services.tasks.home_summary().recent
    if first:
        window.open_client(first[0].client_id)
        _save(app, window, out, "client-record")
    return window


def _lock_shot(
    app: QApplication, window: MainWindow, vault: VaultService, tasks: TaskRunner, out: Path
) -> None:
    panel = UnlockPanel(vault, tasks)
    window.show_locked(LockScreen(panel))
    vault.lock()
    _save(app, window, out, "lock-screen")


def render_all(out: Path, clients: int = 300) -> list[Path]:
    """Render every screen into ``out``; returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="casedesk-shots-") as tmp_name:
        tmp = Path(tmp_name)
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp))
        QCoreApplication.setOrganizationName("casedesk-screenshots")
        app = _make_application()
        tasks = TaskRunner(inline=True)
        _welcome_shots(app, tasks, tmp, out)
        vault = VaultService(tmp / "Demo vault")
        vault.create(PASSPHRASE)
        generate_demo_data(vault.db, clients=clients, anchor=today())
        vault.lock()
        _unlock_shots(app, vault, tasks, out)
        if not vault.is_unlocked:
            vault.unlock(PASSPHRASE)
        ctx = AppContext(Services.for_vault(vault), tasks, Dialogs(), ChangeHub())
        window = _window_shots(app, ctx, out)
        _lock_shot(app, window, vault, tasks, out)
        window.host.dispose_all()
        window.deleteLater()
        _settle(app)
        tasks.shutdown()
    return sorted(out.glob("*.png"))


def main(argv: list[str] | None = None, render: Callable[[Path], list[Path]] = render_all) -> int:
    """Entry point: ``python -m casedesk.ui.screenshots OUTDIR``."""
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else Path("docs/screenshots")
    render(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
