"""Settings: idle-lock minutes, change passphrase, backups, about."""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import QSettings

from casedesk.ui.lock import DEFAULT_IDLE_MINUTES
from casedesk.ui.settings import SettingsScreen, UiPrefs

NEW = "lantern quiet river 31"


@pytest.fixture
def prefs(tmp_path) -> UiPrefs:
    return UiPrefs(QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def screen(qtbot, ctx, prefs) -> SettingsScreen:
    widget = SettingsScreen(ctx, prefs)
    qtbot.addWidget(widget)
    return widget


def _fill(screen: SettingsScreen, current: str, new: str = NEW) -> None:
    screen.current.setText(current)
    screen.passphrase_form.new_field.setText(new)
    screen.passphrase_form.confirm_field.setText(new)


def test_idle_minutes_default_and_change(screen, prefs, qtbot):
    assert screen.idle_minutes.value() == DEFAULT_IDLE_MINUTES
    with qtbot.waitSignal(prefs.idle_minutes_changed, timeout=1000) as signal:
        screen.idle_minutes.setValue(12)
    assert signal.args == [12]
    assert prefs.idle_minutes == 12


def test_prefs_clamp_and_survive_junk(prefs):
    prefs.set_idle_minutes(10_000)
    assert prefs.idle_minutes == 120
    prefs._settings.setValue("security/idle_minutes", "junk")
    assert prefs.idle_minutes == DEFAULT_IDLE_MINUTES


def test_change_passphrase(screen, passphrase, vault_service):
    _fill(screen, passphrase)
    screen.change_button.click()
    assert "changed" in screen.passphrase_status.text()
    assert screen.current.text() == ""
    vault_service.lock()
    vault_service.unlock(NEW)
    assert vault_service.is_unlocked


def test_change_refused_with_wrong_current_passphrase(screen, vault_service, passphrase):
    _fill(screen, "not my passphrase at all")
    screen.change_button.click()
    assert "Nothing was changed" in screen.passphrase_status.text()
    vault_service.lock()
    vault_service.unlock(passphrase)  # the old one still works


def test_weak_new_passphrase_refused_with_reason(screen, passphrase):
    _fill(screen, passphrase, "abc")
    screen.change_button.click()
    assert not screen.passphrase_form.message.isHidden()
    assert "very weak" in screen.passphrase_form.message.text()
    assert screen.passphrase_status.isHidden()


def test_new_passphrase_may_not_lean_on_the_workers_or_clients_names(
    qtbot, ctx, prefs, services, make_client, passphrase, vault_service
):
    services.profile.save(dataclasses.replace(services.profile.get(), name="Aroha Wirihana"))
    make_client("Tautahi", "Orchardbrook")
    weak = "Wirihana Tautahi Orchardbrook"  # strong to a stranger, not to whoever knows them
    screen = SettingsScreen(ctx, prefs)
    qtbot.addWidget(screen)
    _fill(screen, passphrase, weak)
    screen.change_button.click()
    assert not screen.passphrase_form.message.isHidden()
    vault_service.lock()
    vault_service.unlock(passphrase)  # nothing changed


def test_backup_written_to_the_chosen_file(screen, dialogs, tmp_path):
    dialogs.save_path = tmp_path / "backup.casedesk-backup"
    screen.backup_button.click()
    assert dialogs.save_path.exists()
    assert "verified" in screen.backup_status.text()
    assert screen.backup_button.isEnabled()
    assert screen.backup_progress.isHidden()
    assert "casedesk-backup-" in dialogs.calls[0].text  # suggested name names no client


def test_backup_cancelled_does_nothing(screen, dialogs):
    dialogs.save_path = None
    screen.backup_button.click()
    assert screen.backup_status.isHidden()


def test_backup_into_a_missing_folder_is_a_plain_message(screen, dialogs, tmp_path):
    dialogs.save_path = tmp_path / "missing-folder" / "backup.casedesk-backup"
    screen.backup_button.click()
    # Refused as soon as the place is chosen, before any work starts.
    assert dialogs.kinds() == ["save_file", "error"]
    assert "does not exist" in dialogs.calls[-1].text
    assert "Traceback" not in dialogs.calls[-1].text
    assert screen.backup_status.isHidden()
    assert screen.backup_button.isEnabled()


def test_about_shows_the_vault_location(screen, vault_service):
    assert screen.findChild(type(screen.backup_status), "vaultLocation").text() == str(
        vault_service.path
    )


def test_dispose_forgets_typed_passphrases(screen, passphrase):
    _fill(screen, passphrase)
    screen.dispose()
    assert screen.current.text() == ""
    assert screen.passphrase_form.passphrase == ""


def test_only_harmless_values_in_qsettings(screen, prefs, tmp_path, make_client):
    make_client("Zephyrine", "Quartermaine")
    screen.idle_minutes.setValue(7)
    prefs._settings.sync()
    text = (tmp_path / "prefs.ini").read_text()
    assert "Zephyrine" not in text and "Quartermaine" not in text
