"""First run: passphrase strength, vault creation, recovery key shown once and checked, and My
details (skippable)."""

from __future__ import annotations

from pathlib import Path

import pytest

from casedesk.domain.my_details import MyDetails
from casedesk.services.profile import ProfileService
from casedesk.services.vault_service import VaultService
from casedesk.ui.welcome.welcome_dialog import (
    PAGE_CHECK,
    PAGE_DETAILS,
    PAGE_KEY,
    PAGE_PASSPHRASE,
    WelcomeDialog,
    normalise_group,
)

GOOD = "quiet river lantern 27"


@pytest.fixture
def new_vault(tmp_path: Path) -> VaultService:
    vault = VaultService(tmp_path / "first-vault")
    yield vault
    vault.lock()


@pytest.fixture
def welcome(qtbot, new_vault, task_runner, dialogs) -> WelcomeDialog:
    dialog = WelcomeDialog(new_vault, task_runner, dialogs)
    qtbot.addWidget(dialog)
    return dialog


def _type(dialog: WelcomeDialog, first: str, second: str | None = None) -> None:
    dialog.form.new_field.setText(first)
    dialog.form.confirm_field.setText(first if second is None else second)


def _create(dialog: WelcomeDialog, qtbot) -> str:
    _type(dialog, GOOD)
    with qtbot.waitSignal(dialog.created, timeout=5000):
        dialog.create_button.click()
    return dialog.key_label.text()


@pytest.mark.parametrize("weak", ["Password123!", "password1234", "P@ssw0rd2024", "casedesk2026"])
def test_weak_passphrase_is_refused_with_the_reason(welcome, new_vault, weak):
    _type(welcome, weak)
    welcome.create_button.click()
    assert welcome.pages.currentIndex() == PAGE_PASSPHRASE
    assert not welcome.form.message.isHidden()
    message = welcome.form.message.text()
    assert message.startswith("This passphrase is very weak.")
    assert "stolen laptop" in message and "four or more unrelated words" in message
    assert not new_vault.exists()


def test_three_common_words_are_not_strong_enough(welcome, new_vault):
    _type(welcome, "blue river window")
    welcome.create_button.click()
    assert "not strong enough" in welcome.form.message.text()
    assert welcome.form.meter.verdict.text() == "Not strong enough"
    assert not new_vault.exists()


def test_strength_meter_follows_typing(welcome):
    welcome.form.new_field.setText("abc")
    low = welcome.form.meter.bar.value()
    welcome.form.new_field.setText(GOOD)
    assert welcome.form.meter.bar.value() > low
    assert welcome.form.meter.verdict.text() in {"Strong", "Very strong"}
    assert "would need" in welcome.form.meter.advice.text()


def test_mismatched_confirmation_is_refused(welcome, new_vault):
    _type(welcome, GOOD, GOOD + "x")
    welcome.create_button.click()
    assert "don't match" in welcome.form.message.text()
    assert not new_vault.exists()


def test_create_shows_the_recovery_key_once_and_clears_passphrase(welcome, new_vault, qtbot):
    key = _create(welcome, qtbot)
    assert new_vault.exists() and new_vault.is_unlocked
    assert welcome.pages.currentIndex() == PAGE_KEY
    assert len(key.split("-")) == 13
    assert welcome.form.passphrase == ""


def test_wrong_group_is_refused_then_right_groups_finish(welcome, new_vault, qtbot):
    key = _create(welcome, qtbot)
    groups = key.split("-")
    welcome.key_next.click()
    assert welcome.pages.currentIndex() == PAGE_CHECK
    welcome.set_check_groups(2, 5)
    welcome.group_fields[0].setText(groups[1])
    welcome.group_fields[1].setText("ZZZZ")
    welcome.finish_button.click()
    assert not welcome.check_error.isHidden()
    assert "Group 5" in welcome.check_error.text()
    assert welcome.result() == 0
    welcome.group_fields[1].setText(groups[4].lower())
    welcome.finish_button.click()
    assert welcome.pages.currentIndex() == PAGE_DETAILS  # then My details, skippable
    assert welcome.key_label.text() == ""  # the key is not kept around
    with qtbot.waitSignal(welcome.accepted, timeout=2000):
        welcome.skip_details.click()
    assert ProfileService(new_vault.db).get() == MyDetails()


def _to_details_page(welcome: WelcomeDialog, qtbot) -> None:
    groups = _create(welcome, qtbot).split("-")
    welcome.key_next.click()
    first, second = welcome.check_groups
    welcome.group_fields[0].setText(groups[first - 1])
    welcome.group_fields[1].setText(groups[second - 1])
    welcome.finish_button.click()
    assert welcome.pages.currentIndex() == PAGE_DETAILS


def test_first_run_saves_my_details(welcome, new_vault, qtbot):
    _to_details_page(welcome, qtbot)
    form = welcome.details_form
    form.name.setText("Ana Lima")
    form.role.setText("Case manager")
    form.phone.setText("ring me")  # not a phone number: shown inline, nothing saved
    welcome.save_details.click()
    assert "phone number" in form.errors.message("phone")
    assert welcome.result() == 0 and ProfileService(new_vault.db).get() == MyDetails()
    form.phone.setText("02 5550 1234")
    form.address.setPlainText("12 River Street\nRiverbend")
    with qtbot.waitSignal(welcome.accepted, timeout=2000):
        welcome.save_details.click()
    saved = ProfileService(new_vault.db).get()
    assert (saved.name, saved.role, saved.phone) == ("Ana Lima", "Case manager", "02 5550 1234")
    assert saved.address == "12 River Street\nRiverbend" and saved.ready_for_agreeing


def test_check_groups_are_two_distinct_groups(welcome, qtbot):
    _create(welcome, qtbot)
    first, second = welcome.check_groups
    assert 1 <= first < second <= 13


def test_save_writes_the_key_to_the_chosen_file(welcome, qtbot, dialogs, tmp_path):
    key = _create(welcome, qtbot)
    dialogs.save_path = tmp_path / "kept" / "key.txt"
    dialogs.save_path.parent.mkdir()
    welcome.save_button.click()
    assert key in dialogs.save_path.read_text()
    assert (dialogs.save_path.stat().st_mode & 0o077) == 0
    assert "Saved" in welcome.key_status.text()


def test_save_cancelled_writes_nothing(welcome, qtbot, dialogs, tmp_path):
    _create(welcome, qtbot)
    dialogs.save_path = None
    welcome.save_button.click()
    assert welcome.key_status.isHidden()
    assert dialogs.kinds() == ["save_file"]


def test_print_uses_the_print_hook(welcome, qtbot):
    key = _create(welcome, qtbot)
    printed: list[tuple[str, str]] = []
    welcome.print_fn = lambda parent, text, name: printed.append((text, name)) or True
    welcome.print_button.click()
    assert printed == [(key, "first-vault")]
    assert "printer" in welcome.key_status.text()


def test_group_comparison_forgives_case_and_lookalikes():
    assert normalise_group("ab0i") == normalise_group("ABOI")
    assert normalise_group("b1-") == "BI"


def test_quit_leaves_without_creating(welcome, new_vault, qtbot):
    with qtbot.waitSignal(welcome.rejected, timeout=1000):
        welcome.quit_button.click()
    assert not new_vault.exists()


def test_demo_setup_creates_and_fills_a_vault(qtbot, tmp_path, task_runner):
    from casedesk.ui.welcome import DemoSetupDialog
    from casedesk.ui.welcome.demo_setup import DEMO_PASSPHRASE

    vault = VaultService(tmp_path / "demo-vault")
    dialog = DemoSetupDialog(vault, task_runner, clients=3)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.accepted, timeout=20000):
        dialog.start()
    assert vault.is_unlocked
    vault.lock()
    vault.unlock(DEMO_PASSPHRASE)
    vault.lock()


def test_demo_setup_by_default_builds_one_workers_caseload(qtbot, tmp_path, task_runner):
    from casedesk.services.clients import ClientService
    from casedesk.services.demo_story import WORKER_CASELOAD_CLIENTS
    from casedesk.ui.welcome import DemoSetupDialog

    vault = VaultService(tmp_path / "demo-vault")
    dialog = DemoSetupDialog(vault, task_runner)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.accepted, timeout=60000):
        dialog.start()
    try:
        assert len(ClientService(vault.db).list_clients()) == WORKER_CASELOAD_CLIENTS
        assert f"{WORKER_CASELOAD_CLIENTS} fictional clients" in dialog.status.text()
    finally:
        vault.lock()


def test_demo_setup_failure_is_shown(qtbot, tmp_path, task_runner, vault_service):
    from casedesk.ui.welcome import DemoSetupDialog

    dialog = DemoSetupDialog(VaultService(vault_service.path), task_runner, clients=1)
    qtbot.addWidget(dialog)
    dialog.start()  # a vault already exists there: refused, nothing overwritten
    assert not dialog.error.isHidden()
    assert "untouched" in dialog.error.text()
