"""Unlock: passphrase, wrong passphrase inline, recovery key with a new passphrase, damage."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from casedesk.services.vault_service import VaultService
from casedesk.storage.keys import TEST_KDF
from casedesk.ui.unlock import UnlockDialog, UnlockPanel

NEW = "a brand new passphrase 99"


@pytest.fixture
def locked_vault(vault_dir: Path, passphrase: str) -> tuple[VaultService, str]:
    """A vault that exists and is locked, plus its recovery key."""
    vault = VaultService(vault_dir, kdf=TEST_KDF)
    recovery = vault.create(passphrase)
    vault.lock()
    yield vault, recovery
    vault.lock()


@pytest.fixture
def panel(qtbot, locked_vault, task_runner) -> UnlockPanel:
    widget = UnlockPanel(locked_vault[0], task_runner)
    qtbot.addWidget(widget)
    return widget


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def test_right_passphrase_unlocks(panel, locked_vault, passphrase, qtbot):
    panel.passphrase.setText(passphrase)
    with qtbot.waitSignal(panel.unlocked, timeout=5000):
        panel.unlock_button.click()
    assert locked_vault[0].is_unlocked
    assert panel.passphrase.text() == ""


def test_wrong_passphrase_is_an_inline_message_and_touches_nothing(panel, locked_vault, qtbot):
    vault = locked_vault[0]
    before = _digest(vault.path)
    for _ in range(3):
        panel.passphrase.setText("definitely not it")
        with qtbot.assertNotEmitted(panel.unlocked):
            panel.unlock_button.click()
    assert not panel.error.isHidden()
    assert "not right" in panel.error.text()
    assert not vault.is_unlocked
    assert _digest(vault.path) == before
    assert panel.pages.isEnabled()


def test_empty_passphrase_asks_for_one(panel):
    panel.unlock_button.click()
    assert "type your passphrase" in panel.error.text()


def test_typing_again_hides_the_error(panel, qtbot):
    panel.passphrase.setText("wrong wrong wrong")
    panel.unlock_button.click()
    assert not panel.error.isHidden()
    qtbot.keyClicks(panel.passphrase, "x")
    assert panel.error.isHidden()


def test_recovery_key_requires_a_new_strong_passphrase(panel, locked_vault, qtbot):
    vault, recovery = locked_vault
    panel.recovery_link.click()
    assert panel.pages.currentIndex() == 1
    panel.recovery_key.setText(recovery)
    panel.new_passphrase.new_field.setText("P@ssw0rd2024")
    panel.new_passphrase.confirm_field.setText("P@ssw0rd2024")
    with qtbot.assertNotEmitted(panel.unlocked):
        panel.recover_button.click()
    assert not panel.new_passphrase.message.isHidden()
    assert not vault.is_unlocked
    panel.new_passphrase.new_field.setText(NEW)
    panel.new_passphrase.confirm_field.setText(NEW)
    with qtbot.waitSignal(panel.unlocked, timeout=5000):
        panel.recover_button.click()
    vault.lock()
    vault.unlock(NEW)  # the new passphrase now opens the vault
    assert vault.is_unlocked


def test_wrong_recovery_key_is_inline(panel, locked_vault):
    panel.show_recovery()
    panel.recovery_key.setText("AAAA-BBBB")
    panel.new_passphrase.new_field.setText(NEW)
    panel.new_passphrase.confirm_field.setText(NEW)
    panel.recover_button.click()
    assert not panel.recovery_error.isHidden()
    assert "recovery key" in panel.recovery_error.text()
    assert not locked_vault[0].is_unlocked


def test_damaged_vault_gives_a_plain_message_and_deletes_nothing(panel, locked_vault, passphrase):
    vault = locked_vault[0]
    key_file = next(p for p in vault.path.iterdir() if p.suffix == ".key")
    key_file.write_text("{ not json")
    before = _digest(vault.path)
    panel.passphrase.setText(passphrase)
    panel.unlock_button.click()
    assert not panel.error.isHidden()
    assert "damaged" in panel.error.text().lower()
    assert _digest(vault.path) == before


def test_dialog_accepts_on_unlock_and_quit_rejects(qtbot, locked_vault, task_runner, passphrase):
    dialog = UnlockDialog(locked_vault[0], task_runner, hint="Demo vault: the passphrase is x")
    qtbot.addWidget(dialog)
    dialog.panel.passphrase.setText(passphrase)
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        dialog.panel.submit()
    other = UnlockDialog(locked_vault[0], task_runner)
    qtbot.addWidget(other)
    with qtbot.waitSignal(other.rejected, timeout=1000):
        other.buttons.rejected.emit()


def test_every_interactive_widget_has_an_accessible_name(panel):
    from PySide6.QtWidgets import QAbstractButton, QLineEdit

    for widget in panel.findChildren(QLineEdit) + panel.findChildren(QAbstractButton):
        assert widget.accessibleName(), widget.objectName()


def _fully_shown(widget) -> bool:
    """The widget has the height its wrapped text needs and lies inside its window."""
    window = widget.window()
    top_left = widget.mapTo(window, widget.rect().topLeft())
    bottom = top_left.y() + widget.height()
    return widget.height() >= widget.heightForWidth(widget.width()) and bottom <= window.height()


@pytest.mark.parametrize("page", ["passphrase", "recovery"])
def test_startup_dialog_grows_to_show_the_whole_message(qtbot, locked_vault, task_runner, page):
    """Issue 20 item 5: a two-line message was squeezed into one line, clipped top and bottom."""
    from casedesk.ui.widgets.theme import STYLE_SHEET

    dialog = UnlockDialog(locked_vault[0], task_runner)
    dialog.setStyleSheet(STYLE_SHEET)  # the real padding of error messages, for this window only
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    panel = dialog.panel
    if page == "passphrase":
        panel.passphrase.setText("not the passphrase")
        panel.submit()
        message = panel.error
    else:
        panel.show_recovery()
        panel.recovery_key.setText("AAAA-BBBB")
        panel.new_passphrase.new_field.setText(NEW)
        panel.new_passphrase.confirm_field.setText(NEW)
        panel.submit_recovery()
        message = panel.recovery_error
    qtbot.waitUntil(lambda: not message.isHidden())
    assert message.heightForWidth(message.width()) > message.fontMetrics().height() * 1.5
    qtbot.waitUntil(lambda: _fully_shown(message))
    button = panel.unlock_button if page == "passphrase" else panel.recover_button
    assert message.geometry().bottom() < button.geometry().top()
