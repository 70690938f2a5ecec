"""Locking: idle timer, Ctrl+L, clipboard, nothing left on screen, process hardening."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QLabel

from casedesk.domain.notes import NoteInput
from casedesk.services.changes import Changes
from casedesk.services.vault_service import VaultService
from casedesk.storage.keys import TEST_KDF
from casedesk.ui.app import AppController
from casedesk.ui.lock import PASSWORD_MANAGER_HINT, ClipboardGuard, IdleLock
from casedesk.ui.settings.prefs import UiPrefs
from casedesk.ui.unlock.lock_screen import LockScreen


@pytest.fixture
def controller(qtbot, vault_dir: Path, passphrase, task_runner, dialogs):
    """An app controller past the unlock dialog, main window showing."""
    seed = VaultService(vault_dir, kdf=TEST_KDF)
    seed.create(passphrase)
    seed.lock()
    app = AppController(
        VaultService(vault_dir), tasks=task_runner, dialogs=dialogs, prefs=UiPrefs()
    )
    gate = app.start()  # the controller deletes it once the vault is open
    gate.panel.passphrase.setText(passphrase)
    with qtbot.waitSignal(app.ready, timeout=5000):
        gate.panel.submit()
    qtbot.addWidget(app.window)
    yield app
    app.quit()


def _add_canary_client(app: AppController, canary: str) -> str:
    from casedesk.domain.clients import ClientInput

    services = app.ctx.services
    client = services.clients.add_client(ClientInput(canary, "Person", date_of_birth="1980-01-02"))
    services.notes.add_note(NoteInput(client.id, f"Visited {canary} at home."))
    app.hub.announce(Changes.CLIENTS | Changes.NOTES)
    return client.id


def test_idle_timer_fires_after_the_timeout(qtbot):
    idle = IdleLock(minutes=5)
    assert idle.interval_ms == 5 * 60_000
    idle.set_interval_ms(30)
    with qtbot.waitSignal(idle.idle, timeout=2000):
        idle.start()
    idle.stop()


def test_input_restarts_the_countdown_and_passes_through(qtbot):
    idle = IdleLock(minutes=1)
    idle.start()
    event = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier, "a")
    assert idle.eventFilter(idle, event) is False
    assert idle.active
    idle.stop()
    assert not idle.active


def test_idle_lock_locks_the_app(controller, qtbot, canary, leak_scan):
    _add_canary_client(controller, canary)
    controller.window.show_page("home")
    assert leak_scan(canary)  # the client shows on Home before locking
    with qtbot.waitSignal(controller.locked, timeout=3000):
        controller.idle.set_interval_ms(20)
    assert not controller.vault.is_unlocked
    assert isinstance(controller.window.outer.currentWidget(), LockScreen)
    assert leak_scan(canary) == []


def test_ctrl_l_locks_and_nothing_identifying_remains(controller, qtbot, canary, leak_scan):
    client_id = _add_canary_client(controller, canary)
    window = controller.window
    for key in ("home", "tasks", "settings"):
        window.show_page(key)
    window.open_client(client_id)
    controller.clipboard.copy(f"{canary} phone")
    with qtbot.waitSignal(controller.locked, timeout=3000):
        window.lock_action.trigger()
    assert window.windowTitle() == "casedesk — locked"
    assert leak_scan(canary) == []
    assert not controller.idle.active
    assert not window.new_client_action.isEnabled()


def test_unlock_after_lock_rebuilds_and_keeps_the_note(controller, qtbot, canary, passphrase):
    client_id = _add_canary_client(controller, canary)
    controller.lock()
    panel = controller.window.outer.currentWidget().panel
    panel.passphrase.setText("wrong wrong wrong")
    panel.submit()
    assert "not right" in panel.error.text()
    panel.passphrase.setText(passphrase)
    with qtbot.waitSignal(controller.ready, timeout=5000):
        panel.submit()
    assert controller.vault.is_unlocked
    assert controller.window.windowTitle().startswith("casedesk — ")
    assert controller.idle.active
    notes = controller.ctx.services.notes.list_notes(client_id)
    assert any(canary in n.body for n in notes)
    home = controller.window.host.screen("home")
    assert home is not None and home.recent_model.rowCount() == 1


def test_lock_twice_is_harmless(controller, qtbot):
    controller.lock()
    controller.lock()
    assert controller.window.locked


def test_idle_minutes_preference_applies_at_once(controller):
    controller.prefs.set_idle_minutes(9)
    assert controller.idle.interval_ms == 9 * 60_000
    controller.prefs.set_idle_minutes(5)


def test_clipboard_cleared_only_if_still_ours(qapp, monkeypatch):
    guard = ClipboardGuard()
    clipboard = QGuiApplication.clipboard()
    guard.copy("ours")
    assert clipboard.mimeData().hasFormat(PASSWORD_MANAGER_HINT)
    assert guard.clear_if_ours()
    assert clipboard.text() == ""
    guard.copy("ours again")
    clipboard.setText("another program's text")
    monkeypatch.setattr(clipboard, "ownsClipboard", lambda: False)  # as if copied elsewhere
    assert not guard.clear_if_ours()
    assert clipboard.text() == "another program's text"
    clipboard.clear()


def test_text_copied_from_any_field_is_cleared_on_lock(qapp):
    clipboard = QGuiApplication.clipboard()
    clipboard.setText("copied from a field with Ctrl+C")
    if not clipboard.ownsClipboard():
        pytest.skip("this platform does not report clipboard ownership")
    assert ClipboardGuard().clear_if_ours()
    assert clipboard.text() == ""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux hardening")
def test_core_dumps_disabled_and_not_dumpable():
    code = (
        "import resource\n"
        "from casedesk.ui.lock import harden_process\n"
        "harden_process()\n"
        "print(resource.getrlimit(resource.RLIMIT_CORE))\n"
        "print([l for l in open('/proc/self/status') if l.startswith('Dumpable')] or "
        "open('/proc/sys/fs/suid_dumpable').read())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "(0, 0)" in out


def test_watchdog_measures_the_longest_gap(monkeypatch):
    from casedesk.ui import watchdog as wd

    clock = iter([0.0, 0.020, 0.040, 0.340, 0.360])
    monkeypatch.setattr(wd.time, "perf_counter", lambda: next(clock))
    dog = wd.StallWatchdog(interval_ms=20)
    dog.reset()
    dog._tick()
    dog._tick()
    dog._tick()
    assert dog.stop() == pytest.approx(280.0)
    assert dog.ticks == 4


def test_watchdog_runs_on_the_event_loop(qtbot):
    from casedesk.ui.watchdog import StallWatchdog

    dog = StallWatchdog(interval_ms=5)
    dog.start()
    qtbot.waitUntil(lambda: dog.ticks >= 3, timeout=2000)
    assert dog.running
    assert dog.stop() >= 0.0


def test_lock_screen_has_no_pointer_to_records(controller, qtbot):
    controller.lock()
    screen = controller.window.outer.currentWidget()
    assert screen.objectName() == "lockScreen"
    assert controller.window.host.count() == 0


def test_demo_mode_opens_fills_and_hints_the_passphrase(qtbot, tmp_path, task_runner, dialogs):
    from casedesk.ui.welcome.demo_setup import DEMO_PASSPHRASE

    app = AppController(
        VaultService(tmp_path / "demo-vault"),
        tasks=task_runner,
        dialogs=dialogs,
        prefs=UiPrefs(),
        demo=True,
        demo_clients=2,
    )
    with qtbot.waitSignal(app.ready, timeout=20000):
        app.start()
    qtbot.addWidget(app.window)
    assert app.ctx.services.clients.count() == 2
    app.lock()
    screen = app.window.outer.currentWidget()
    texts = " ".join(label.text() for label in screen.findChildren(QLabel))
    assert f"“{DEMO_PASSPHRASE}”" in texts
    screen.panel.passphrase.setText(DEMO_PASSPHRASE)
    with qtbot.waitSignal(app.ready, timeout=5000):
        screen.panel.submit()
    app.quit()
