"""My details in Settings (with the logo), the note-lock period and the device's name, and the
gate on agreeing a plan in the Plan tab."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QSettings

from casedesk.domain.clock import today
from casedesk.domain.my_details import AGREE_NEEDS_DETAILS, MyDetails
from casedesk.services.goals import GoalInput, TargetInput
from casedesk.services.vault_service import VaultService
from casedesk.ui.plan import PlanTab
from casedesk.ui.settings import SettingsScreen, UiPrefs
from casedesk.ui.welcome.welcome_dialog import PAGE_DETAILS, WelcomeDialog

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def screen(qtbot, ctx, tmp_path) -> SettingsScreen:
    prefs = UiPrefs(QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat))
    widget = SettingsScreen(ctx, prefs)
    qtbot.addWidget(widget)
    return widget


def _png(path: Path) -> Path:
    out = io.BytesIO()
    Image.new("RGB", (90, 30), (10, 120, 60)).save(out, format="PNG")
    path.write_bytes(out.getvalue())
    return path


def test_my_details_saved_and_shown_again(screen, ctx, services, dialogs, tmp_path, qtbot):
    form = screen.my_details.form
    assert form.name.text() == "Test Worker"  # loaded from the vault
    form.name.setText("Ana Lima")
    form.role.setText("Case manager")
    form.organisation.setText("Riverbend Community Support")
    form.phone.setText("02 5550 1234")
    form.email.setText("ana.lima@example.org")
    form.hours.setText("Mon-Fri 9am-5pm")
    form.out_of_hours.setPlainText("Call 13 11 14 at any time.")
    form.address.setPlainText("12 River Street\nRiverbend 2999")
    dialogs.open_path = _png(tmp_path / "logo.png")
    form.choose_logo_button.click()
    assert not form.logo_preview.pixmap().isNull()
    assert services.profile.logo() is None  # stored only when saved
    screen.my_details.save_button.click()
    assert screen.my_details.status.text() == "Saved."

    saved = services.profile.get()
    assert saved.name == "Ana Lima" and saved.address == "12 River Street\nRiverbend 2999"
    assert saved.out_of_hours_help == "Call 13 11 14 at any time."
    logo = services.profile.logo()
    assert logo is not None and logo.data == dialogs.open_path.read_bytes()

    again = SettingsScreen(ctx, screen.prefs)
    qtbot.addWidget(again)
    assert again.my_details.form.details() == saved
    assert not again.my_details.form.logo_preview.pixmap().isNull()


def test_bad_input_is_shown_inline_and_nothing_saved(screen, services, dialogs, tmp_path):
    before = services.profile.get()
    form = screen.my_details.form
    text_file = tmp_path / "logo.png"
    text_file.write_text("not an image", encoding="utf-8")
    dialogs.open_path = text_file
    form.choose_logo_button.click()
    assert "not a PNG or JPEG" in form.errors.message("logo")
    assert form.pending_logo is None
    form.name.setText("Changed")
    form.email.setText("ana at example")
    screen.my_details.save_button.click()
    assert "email address" in form.errors.message("email")
    assert "check the marked fields" in screen.my_details.status.text()
    assert services.profile.get() == before


def test_note_lock_period_and_device_name(screen, services):
    assert screen.note_lock.hours.value() == 72
    screen.note_lock.hours.setValue(24)
    screen.note_lock.save_button.click()
    assert services.notes.auto_lock_hours() == 24
    assert "24 hours" in screen.note_lock.status.text()
    screen.device.name.setText("Laptop-2")
    screen.device.save_button.click()
    assert services.vault.device_name() == "Laptop-2"
    screen.device.name.setText("   ")
    screen.device.save_button.click()
    assert "required" in screen.device.status.text()
    assert services.vault.device_name() == "Laptop-2"


def test_my_details_fit_a_1366x768_screen(screen, qtbot, tmp_path, task_runner, dialogs):
    # Settings sits beside the 210 px sidebar, inside 28 px margins, under menus and status bar.
    for card in (screen.my_details, screen.note_lock, screen.device):
        assert card.sizeHint().width() <= 1366 - 210 - 2 * 28
    welcome = WelcomeDialog(VaultService(tmp_path / "v"), task_runner, dialogs)
    qtbot.addWidget(welcome)
    welcome.pages.setCurrentIndex(PAGE_DETAILS)
    hint = welcome.sizeHint().expandedTo(welcome.minimumSize())
    assert hint.width() <= 1366 and hint.height() <= 768 - 60  # title bar and taskbar


# ----------------------------------------------------------------------------- agreeing


@pytest.fixture
def plan_tab(qtbot, ctx, services, make_client):
    client = make_client("Mere", "Parata")
    plan = services.plans.start_plan(client.id)
    target = TargetInput("Rent paid", "0", "4 of 4", today() + timedelta(days=60))
    services.goals.add_goal(plan.id, GoalInput("Keep my flat", targets=(target,)))
    tab = PlanTab(ctx, client.id)
    qtbot.addWidget(tab)
    return tab


def test_agree_is_refused_with_where_to_add_the_details(plan_tab, services, dialogs):
    services.profile.save(MyDetails(name="Ana Lima"))  # no phone number
    plan_tab.agree()
    assert dialogs.kinds() == ["warn"]  # no "agree?" question first
    assert dialogs.calls[0].text == AGREE_NEEDS_DETAILS
    assert services.plans.current_plan(plan_tab.plan.client_id).current_version is None


def test_agree_asks_first_and_no_leaves_the_plan_a_draft(plan_tab, services, dialogs):
    dialogs.confirm_answer = False
    plan_tab.agree()
    assert dialogs.kinds() == ["confirm"] and "version 1" in dialogs.calls[0].text
    assert dialogs.calls[0].irreversible
    assert services.plans.current_plan(plan_tab.plan.client_id).current_version is None
    dialogs.confirm_answer = True
    plan_tab.agree()
    assert services.plans.current_plan(plan_tab.plan.client_id).current_version == 1
