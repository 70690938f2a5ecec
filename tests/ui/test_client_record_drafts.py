"""Draft recovery after a crash: a child process types a note and is killed with SIGKILL."""

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

    vault_dir, passphrase, client_id, text = sys.argv[1:5]
    app = QApplication([])
    vault = VaultService(Path(vault_dir))
    vault.unlock(passphrase)
    ctx = AppContext(Services.for_vault(vault), TaskRunner(), Dialogs(), ChangeHub())
    screen = ClientRecordScreen(ctx, client_id)

    def on_saved(key):
        sys.stdout.write("SAVED " + key + "\\n")
        sys.stdout.flush()

    def start_typing():
        editor = screen.notes.editor
        screen.notes.autosave.set_delay(50)
        screen.notes.autosave.saved.connect(on_saved)
        editor.body.setFocus()
        cut = next((i for i, ch in enumerate(text) if ord(ch) > 127), len(text))
        typed = text[:cut]
        QTest.keyClicks(editor.body, typed)  # real key events (QTest types ASCII only)
        editor.body.insertPlainText(text[len(typed):])  # the rest as input-method text

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


@pytest.mark.slow
def test_draft_offered_back_after_sigkill(
    qtbot, vault_service, vault_dir, passphrase, make_client, task_runner, dialogs
):
    client = make_client("Ada", "Lovelace")
    vault_service.lock()  # the child process owns the vault while it types
    env = dict(os.environ, CASEDESK_KDF="test", QT_QPA_PLATFORM="offscreen")
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(vault_dir), passphrase, client.id, TYPED],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        line = _wait_for_line(proc, "SAVED")
        assert line == f"SAVED {note_draft_key('new', client.id)}"
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL

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
