"""Draft recovery after a crash: a child process types into a form and is killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from casedesk.services.bundle import Services
from casedesk.ui.client_record.notes_tab import note_draft_key
from casedesk.ui.client_record.record_screen import ClientRecordScreen
from casedesk.ui.context import AppContext, ChangeHub
from casedesk.ui.widgets.form_draft import draft_key

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

TYPED = "Home visit: Ada worried about the rent. כתובת חדשה 🙂"

CHILD = textwrap.dedent(
    """
    import os, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from pathlib import Path
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    from casedesk.services.bundle import Services
    from casedesk.services.vault_service import VaultService
    from casedesk.ui.client_record.record_screen import ClientRecordScreen
    from casedesk.ui.context import AppContext, ChangeHub
    from casedesk.ui.dialogs import Dialogs
    from casedesk.ui.tasks import TaskRunner

    vault_dir, passphrase, client_id, text, form = sys.argv[1:6]
    app = QApplication([])
    vault = VaultService(Path(vault_dir))
    vault.unlock(passphrase)
    ctx = AppContext(Services.for_vault(vault), TaskRunner(), Dialogs(), ChangeHub())
    screen = ClientRecordScreen(ctx, client_id)

    def on_saved(key):
        sys.stdout.write("SAVED " + key + "\\n")
        sys.stdout.flush()

    def start_typing():
        if form == "note":
            saver, field = screen.notes.autosave, screen.notes.editor.body
        else:
            saver, field = screen.intake.draft, screen.intake.reason
        saver.set_delay(50)
        saver.saved.connect(on_saved)
        field.setFocus()
        cut = next((i for i, ch in enumerate(text) if ord(ch) > 127), len(text))
        typed = text[:cut]
        QTest.keyClicks(field, typed)  # real key events (QTest types ASCII only)
        field.insertPlainText(text[len(typed):])  # the rest as input-method text

    screen.loaded.connect(start_typing)
    screen.show()
    app.exec()  # runs until the parent kills us
    """
)


def _wait_for_line(proc: subprocess.Popen[str], prefix: str) -> str:
    assert proc.stdout is not None
    for line in proc.stdout:  # blocks line by line; the child only prints once saved
        if line.startswith(prefix):
            return line.strip()
    error = proc.stderr.read() if proc.stderr else ""
    raise AssertionError(f"child exited early ({proc.wait()}): {error}")


def _type_then_kill(vault_dir, passphrase, client_id: str, form: str, key: str) -> None:
    """A child process types ``TYPED`` into ``form``; it is killed once the draft is saved."""
    env = dict(os.environ, CASEDESK_KDF="test", QT_QPA_PLATFORM="offscreen")
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(vault_dir), passphrase, client_id, TYPED, form],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        line = _wait_for_line(proc, "SAVED")
        assert line == f"SAVED {key}"
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.slow
def test_draft_offered_back_after_sigkill(
    qtbot, vault_service, vault_dir, passphrase, make_client, task_runner, dialogs
):
    client = make_client("Ada", "Lovelace")
    vault_service.lock()  # the child process owns the vault while it types
    _type_then_kill(vault_dir, passphrase, client.id, "note", note_draft_key("new", client.id))

    vault_service.unlock(passphrase)
    ctx = AppContext(Services.for_vault(vault_service), task_runner, dialogs, ChangeHub())
    screen = ClientRecordScreen(ctx, client.id)
    qtbot.addWidget(screen)
    offered = [c for c in dialogs.calls if c.kind == "confirm"]
    assert offered and offered[0].text.startswith("Restore unsaved note from ")
    assert screen.notes.editor.body.toPlainText() == TYPED
    # once saved for real, the draft is gone
    screen.notes.save()
    assert ctx.services.drafts.load(note_draft_key("new", client.id)) is None
    assert ctx.services.notes.list_notes(client.id)[0].body == TYPED


@pytest.mark.slow
def test_intake_draft_offered_back_after_sigkill(
    qtbot, vault_service, vault_dir, passphrase, make_client, task_runner, dialogs
):
    client = make_client("Ada", "Lovelace")
    key = draft_key("intake", "edit", client.id)
    vault_service.lock()
    _type_then_kill(vault_dir, passphrase, client.id, "intake", key)

    vault_service.unlock(passphrase)
    ctx = AppContext(Services.for_vault(vault_service), task_runner, dialogs, ChangeHub())
    screen = ClientRecordScreen(ctx, client.id)
    qtbot.addWidget(screen)
    intake = screen.intake
    offered = [c for c in dialogs.calls if c.kind == "confirm"]
    assert offered and offered[0].text.startswith("Restore the intake you were filling in on ")
    assert intake.reason.toPlainText() == TYPED
    intake.save()  # saving the intake ends its draft in the same transaction
    assert ctx.services.drafts.load(key) is None
    assert ctx.services.intake.get_intake(client.id).reason == TYPED
