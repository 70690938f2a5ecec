"""Render every screen, dialog and document page the docs show, offscreen, into PNGs.

Usage: ``python -m casedesk.ui.screenshots OUTDIR`` (``make screenshots``). Uses a throw-away
demo vault of fictional clients in a temporary directory (removed afterwards) and cheap Argon2
parameters, since nothing real is protected by it. Windows are shot at 1366x768, the smallest
screen casedesk must fit.

:func:`manifest` names every file the tool makes; a run that makes another set fails, and the
tests hold the manifest to every picture ``README.md`` and ``docs/`` refer to, so the pictures
can always be made again from the code.
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
from PySide6.QtWidgets import QApplication

from casedesk.domain.clock import today
from casedesk.services.bundle import Services
from casedesk.services.demo import generate_demo_data
from casedesk.services.vault_service import VaultService
from casedesk.ui.app import _make_application
from casedesk.ui.assessments.screenshots import SHOTS as ASSESSMENT_SHOTS
from casedesk.ui.assessments.screenshots import render_assessment_screens
from casedesk.ui.clients.screenshots import SHOTS as CLIENT_SHOTS
from casedesk.ui.clients.screenshots import render_client_screens
from casedesk.ui.context import AppContext, ChangeHub
from casedesk.ui.documents.screenshots import SHOTS as DOCUMENT_SHOTS
from casedesk.ui.documents.screenshots import render_document_screens
from casedesk.ui.main_window import CLIENTS, SETTINGS, TASKS, MainWindow
from casedesk.ui.plan.screenshots import SHOTS as PLAN_SHOTS
from casedesk.ui.plan.screenshots import render_plan_screens
from casedesk.ui.screenshot_kit import WINDOW_SIZE, ShotDialogs, grab, settle
from casedesk.ui.settings.prefs import UiPrefs
from casedesk.ui.tasks import TaskRunner
from casedesk.ui.unlock import UnlockDialog, UnlockPanel
from casedesk.ui.unlock.lock_screen import LockScreen
from casedesk.ui.welcome import WelcomeDialog

PASSPHRASE = "quiet river lantern 27"
DEMO_CLIENTS = 300
DEMO_SEED = 7

Renderer = Callable[[MainWindow, Path], list[Path]]

SHELL_SHOTS = (
    "welcome",
    "welcome-passphrase-refused",
    "welcome-passphrase-good",
    "recovery-key",
    "recovery-key-check",
    "unlock",
    "unlock-wrong-passphrase",
    "unlock-recovery-key",
    "home-first-day",
    "home",
    "tasks",
    "settings",
    "service-directory",
    "clients",
    "client-record",
    "lock-screen",
)
# The screens of each area, rendered on the same demo vault in this order.
RENDERERS: tuple[tuple[tuple[str, ...], Renderer], ...] = (
    (CLIENT_SHOTS, render_client_screens),
    (ASSESSMENT_SHOTS, render_assessment_screens),
    (DOCUMENT_SHOTS, render_document_screens),
    (PLAN_SHOTS, render_plan_screens),
)


def manifest() -> frozenset[str]:
    """Every file the tool writes (``name.png``)."""
    names = [*SHELL_SHOTS, *(name for shots, _render in RENDERERS for name in shots)]
    return frozenset(f"{name}.png" for name in names)


def _welcome_shots(tasks: TaskRunner, tmp: Path, out: Path) -> list[Path]:
    dialog = WelcomeDialog(VaultService(tmp / "new-vault"), tasks, ShotDialogs())
    size = (640, 600)
    paths = [grab(dialog, out, "welcome", size)]
    dialog.form.new_field.setText("sunshine")
    dialog.form.confirm_field.setText("sunshine")
    dialog.create_vault()
    paths.append(grab(dialog, out, "welcome-passphrase-refused", size))
    dialog.form.new_field.setText(PASSPHRASE)
    dialog.form.confirm_field.setText(PASSPHRASE)
    dialog.form.validate()
    paths.append(grab(dialog, out, "welcome-passphrase-good", size))
    dialog.create_vault()
    paths.append(grab(dialog, out, "recovery-key", size))
    dialog.key_next.click()
    dialog.set_check_groups(3, 8)
    dialog.group_fields[0].setText("ABCD")
    paths.append(grab(dialog, out, "recovery-key-check", size))
    dialog.reject()
    dialog.deleteLater()
    return paths


def _unlock_shots(vault: VaultService, tasks: TaskRunner, out: Path) -> list[Path]:
    dialog = UnlockDialog(vault, tasks)
    paths = [grab(dialog, out, "unlock")]
    dialog.panel.passphrase.setText("not the passphrase")
    dialog.panel.submit()
    paths.append(grab(dialog, out, "unlock-wrong-passphrase"))
    dialog.panel.show_recovery()
    paths.append(grab(dialog, out, "unlock-recovery-key"))
    dialog.panel.show_passphrase()
    dialog.panel.passphrase.setText(PASSPHRASE)
    dialog.panel.submit()
    dialog.deleteLater()
    return paths


def _first_day_shot(vault: VaultService, tasks: TaskRunner, out: Path) -> Path:
    """Home on a vault with no clients yet: where to start."""
    window = _demo_window(vault, tasks)
    window.show_page("home")
    path = grab(window, out, "home-first-day")
    window.host.dispose_all()
    window.deleteLater()
    return path


def _window_shots(window: MainWindow, out: Path) -> list[Path]:
    paths = []
    for key, name in (
        ("home", "home"),
        (TASKS, "tasks"),
        (SETTINGS, "settings"),
        ("directory", "service-directory"),
        (CLIENTS, "clients"),
    ):
        window.show_page(key)
        paths.append(grab(window, out, name))
    first = window.ctx.services.tasks.home_summary().recent
    if first:
        window.open_client(first[0].client_id)
        paths.append(grab(window, out, "client-record"))
    return paths


def _lock_shot(window: MainWindow, vault: VaultService, tasks: TaskRunner, out: Path) -> Path:
    window.show_page("home")
    panel = UnlockPanel(vault, tasks)
    window.show_locked(LockScreen(panel))
    vault.lock()
    return grab(window, out, "lock-screen")


def _application(tmp: Path) -> QApplication:
    """The app, its settings kept in ``tmp`` (never the user's own)."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp))
    QCoreApplication.setOrganizationName("casedesk-screenshots")
    return _make_application()


def _demo_window(vault: VaultService, tasks: TaskRunner) -> MainWindow:
    ctx = AppContext(Services.for_vault(vault), tasks, ShotDialogs(), ChangeHub())
    window = MainWindow(ctx, UiPrefs())
    window.resize(*WINDOW_SIZE)
    window.show()
    return window


def render_all(out: Path, clients: int = DEMO_CLIENTS) -> list[Path]:
    """Render every screen into ``out``; returns the files written.

    Raises:
        RuntimeError: the files made differ from :func:`manifest` (a shot was lost or added
            without listing it).
    """
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="casedesk-shots-") as tmp_name:
        tmp = Path(tmp_name)
        _application(tmp)
        tasks = TaskRunner(inline=True)
        paths = _welcome_shots(tasks, tmp, out)
        vault = VaultService(tmp / "Demo vault")
        vault.create(PASSPHRASE)
        paths.append(_first_day_shot(vault, tasks, out))
        generate_demo_data(vault.db, clients=clients, seed=DEMO_SEED, anchor=today())
        vault.lock()
        paths += _unlock_shots(vault, tasks, out)
        if not vault.is_unlocked:
            vault.unlock(PASSPHRASE)
        window = _demo_window(vault, tasks)
        paths += _window_shots(window, out)
        for _shots, render in RENDERERS:
            paths += render(window, out)
        paths.append(_lock_shot(window, vault, tasks, out))
        window.host.dispose_all()
        window.deleteLater()
        settle()
        tasks.shutdown()
    _check_against_manifest(paths)
    return sorted(paths)


def _check_against_manifest(paths: list[Path]) -> None:
    made = {path.name for path in paths}
    expected = manifest()
    if made != expected:
        raise RuntimeError(
            f"screenshots differ from the manifest: missing {sorted(expected - made)}, "
            f"not listed {sorted(made - expected)}"
        )


def render_only(argv: list[str], render: Renderer, clients: int = 60) -> int:
    """Run one area's renderer on its own demo vault (``python -m casedesk.ui.<area>...``)."""
    out = Path(argv[0]) if argv else Path("docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="casedesk-shots-") as tmp_name:
        tmp = Path(tmp_name)
        _application(tmp)
        tasks = TaskRunner(inline=True)
        vault = VaultService(tmp / "Demo vault")
        vault.create(PASSPHRASE)
        generate_demo_data(vault.db, clients=clients, seed=DEMO_SEED, anchor=today())
        window = _demo_window(vault, tasks)
        render(window, out)
        window.host.dispose_all()
        window.deleteLater()
        settle()
        vault.lock()
        tasks.shutdown()
    return 0


def main(argv: list[str] | None = None, render: Callable[[Path], list[Path]] = render_all) -> int:
    """Entry point: ``python -m casedesk.ui.screenshots OUTDIR``."""
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else Path("docs/screenshots")
    render(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
