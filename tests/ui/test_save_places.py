"""Save dialogs refuse a place inside a vault or a device, in plain words (issue 11 item 4).

The check runs on the path the (non-blocking) test dialog returns, exactly as after the real
Qt dialog; a second test skips the dialog's check to show the service refuses as well.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from casedesk.ui.dialogs import Dialogs
from casedesk.ui.directory import DirectoryScreen
from casedesk.ui.settings import SettingsScreen, UiPrefs
from vaultkit import tree_digest

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def settings_screen(qtbot, ctx, tmp_path) -> SettingsScreen:
    from PySide6.QtCore import QSettings

    prefs = UiPrefs(QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat))
    widget = SettingsScreen(ctx, prefs)
    qtbot.addWidget(widget)
    return widget


@pytest.mark.parametrize("target", ["vault.key", "casedesk.db", "link", "/dev/full"])
def test_backup_dialog_refuses_the_vault_and_devices(
    settings_screen, dialogs, vault_dir: Path, tmp_path: Path, target: str
) -> None:
    (tmp_path / "link").symlink_to(vault_dir / "vault.key")
    places = {"link": tmp_path / "link", "/dev/full": Path("/dev/full")}
    dialogs.save_path = places.get(target, vault_dir / target)
    before = tree_digest(vault_dir)
    settings_screen.backup_button.click()
    assert dialogs.kinds() == ["save_file", "error"]
    refusal = dialogs.calls[-1].text
    assert "inside a casedesk vault" in refusal or "system location" in refusal
    assert settings_screen.backup_status.isHidden()  # no backup was started
    assert tree_digest(vault_dir) == before
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


class UncheckedDialogs(Dialogs):
    """A save dialog that hands back whatever was chosen, unchecked (as before the fix)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.warnings: list[str] = []

    def save_file(self, parent, caption, suggested, file_filter):  # type: ignore[override]
        return self.path

    def warn(self, parent, title, text) -> None:
        self.warnings.append(text)


def test_the_service_refuses_too_when_the_dialog_does_not(
    qtbot, ctx, services, vault_dir: Path
) -> None:
    services.directory.save_service({"name": "Food Bank North"})
    ctx.dialogs = UncheckedDialogs(vault_dir / "vault.key")
    screen = DirectoryScreen(ctx)
    qtbot.addWidget(screen)
    before = tree_digest(vault_dir)
    screen.export()
    assert len(ctx.dialogs.warnings) == 1
    assert "inside a casedesk vault" in ctx.dialogs.warnings[0]
    assert tree_digest(vault_dir) == before


def test_a_scan_that_is_really_a_device_is_refused_without_reading_it(
    qtbot, ctx, tmp_path: Path
) -> None:
    from casedesk.ui.documents.paper_dialog import PaperSignatureDialog

    dialog = PaperSignatureDialog(ctx, "any-version")
    qtbot.addWidget(dialog)
    (tmp_path / "scan.png").symlink_to("/dev/zero")  # read_bytes() here would never return
    dialog.set_scan(tmp_path / "scan.png")
    assert "not an ordinary file" in dialog.message.text()
    assert dialog.scan is None
    big = tmp_path / "big.pdf"
    with open(big, "wb") as handle:
        handle.truncate(26 * 1024 * 1024)  # sparse
    dialog.set_scan(big)
    assert "too large" in dialog.message.text() and dialog.scan is None
