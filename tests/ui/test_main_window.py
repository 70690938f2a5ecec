"""The shell: navigation, menus and shortcuts, status bar; and one end-to-end run.

End to end, through the real UI: create a vault (welcome flow) -> add a client (new client form)
-> add a note (Notes tab) -> lock -> unlock -> the note is still there, and nothing identifying
survived the lock.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QSpinBox,
)

from casedesk.services.changes import Changes
from casedesk.services.vault_service import VaultService
from casedesk.ui.app import AppController
from casedesk.ui.main_window import MainWindow
from casedesk.ui.settings.prefs import UiPrefs
from casedesk.ui.unlock.lock_screen import LockScreen
from casedesk.ui.welcome import WelcomeDialog

GOOD = "quiet river lantern 27"


@pytest.fixture
def window(qtbot, ctx) -> MainWindow:
    widget = MainWindow(ctx, UiPrefs())
    qtbot.addWidget(widget)
    widget.show_page("home")
    return widget


def test_navigation_lists_every_area(window):
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert titles == ["Home", "Clients", "Tasks", "Service directory", "Settings"]
    window.nav.setCurrentRow(2)
    assert window.current_key() == "tasks"
    window.nav.setCurrentRow(3)
    assert window.current_key() == "directory"


def test_shortcuts_for_every_action(window):
    shortcuts = {
        window.new_client_action: "Ctrl+N",
        window.find_action: "Ctrl+F",
        window.lock_action: "Ctrl+L",
        window.quit_action: "Ctrl+Q",
        window.go_actions["settings"]: "Ctrl+,",
        window.go_actions["home"]: "Ctrl+1",
        window.go_actions["tasks"]: "Ctrl+3",
    }
    for action, keys in shortcuts.items():
        assert action.shortcut().toString() == keys, action.text()
    assert not window.help_action.shortcut().isEmpty()


def test_status_bar_has_vault_sync_area_and_lock(window, vault_service):
    assert vault_service.name in window.vault_label.text()
    sync = window.statusBar().findChild(QLabel, "syncStatus")
    assert sync is not None and sync.text() == "Sync not set up"
    assert window.lock_button.accessibleName()
    assert window.windowTitle() == f"casedesk — {vault_service.name}"


def test_lock_button_and_menu_ask_for_a_lock(window, qtbot):
    with qtbot.waitSignal(window.lock_requested, timeout=1000):
        window.lock_button.click()
    with qtbot.waitSignal(window.lock_requested, timeout=1000):
        window.lock_action.trigger()


def test_every_interactive_widget_has_an_accessible_name(window):
    for key in ("home", "tasks", "settings", "directory"):
        window.show_page(key)
    kinds = (QLineEdit, QComboBox, QSpinBox, QAbstractItemView)
    unnamed = []
    def internal(widget) -> bool:  # Qt's own parts of a view (corner button, headers)
        return widget.objectName().startswith("qt_") or isinstance(widget, QHeaderView)

    for widget in window.findChildren(QAbstractButton):
        if widget.isVisibleTo(window) and not (widget.accessibleName() or widget.text()):
            unnamed.append(widget)
    for kind in kinds:
        for widget in window.findChildren(kind):
            if widget.isVisibleTo(window) and not widget.accessibleName():
                unnamed.append(widget)
    unnamed = [w for w in unnamed if not internal(w)]
    mine = [
        w
        for w in unnamed
        if not any(
            window.host.screen(k) is not None and window.host.screen(k).isAncestorOf(w)
            for k in ("clients", "record")
        )
    ]
    assert mine == [], [f"{type(w).__name__}#{w.objectName()}" for w in mine]


def test_directory_page_builds(window):
    page = window.show_page("directory")
    assert window.current_key() == "directory"
    texts = " ".join(label.text() for label in page.findChildren(QLabel))
    assert "Service directory" in texts


def test_find_and_new_client_go_to_the_clients_screen(window):
    window.find_action.trigger()
    assert window.current_key() == "clients"
    window.new_client_action.trigger()
    assert window.current_key() == "clients"


def test_open_client_shows_the_record_under_clients(window, make_client):
    client = make_client("Rowan", "Record")
    window.ctx.hub.open_client.emit(client.id)
    assert window.current_key() in {"record", "clients"}
    assert window.nav.currentRow() == 1


def test_show_locked_destroys_screens_and_disables_actions(window, ctx, task_runner):
    from casedesk.ui.unlock import UnlockPanel

    for key in ("home", "tasks", "settings"):
        window.show_page(key)
    window.show_locked(LockScreen(UnlockPanel(ctx.services.vault, task_runner)))
    assert window.host.count() == 0
    assert not window.lock_action.isEnabled()
    assert window.quit_action.isEnabled()
    assert window.windowTitle() == "casedesk — locked"


def _menus(window: MainWindow) -> dict[str, QMenu]:
    return {
        action.text().replace("&", ""): action.menu()
        for action in window.menuBar().actions()
        if action.menu() is not None
    }


def test_locked_window_offers_nothing_that_needs_the_vault(window, ctx, task_runner):
    """Issue 20 item 9: every menu entry but Quit and Help is off while locked, and back after."""
    from casedesk.ui.unlock import UnlockPanel

    without_vault = {window.quit_action, window.help_action, window.about_action}
    window.show_locked(LockScreen(UnlockPanel(ctx.services.vault, task_runner)))
    menus = _menus(window)
    for name, menu in menus.items():
        for action in menu.actions():
            if not action.isSeparator():
                assert action.isEnabled() == (action in without_vault), (name, action.text())
    assert not menus["Edit"].isEnabled() and not menus["Go"].isEnabled()
    assert menus["File"].isEnabled() and menus["Help"].isEnabled()
    window.show_unlocked()
    assert all(a.isEnabled() for m in menus.values() for a in m.actions())
    assert all(m.isEnabled() for m in menus.values())


def _darkest_text(image: QImage, rect: QRect) -> int:
    """The darkest pixel (sum of RGB) inside ``rect``: the text colour of an item."""
    return min(
        sum(image.pixelColor(x, y).getRgb()[:3])
        for x in range(rect.left(), rect.right())
        for y in range(rect.top(), rect.bottom())
    )


def test_disabled_menu_entries_look_disabled_in_the_house_style(qtbot):
    """The style sheet's text colour used to override Qt's grey for disabled entries."""
    from casedesk.ui.widgets.theme import STYLE_SHEET

    menu = QMenu()
    qtbot.addWidget(menu)
    menu.setStyleSheet(STYLE_SHEET)
    usable = menu.addAction("Usable entry")
    locked = menu.addAction("Locked entry")
    locked.setEnabled(False)
    menu.adjustSize()
    image = menu.grab().toImage()
    usable_ink = _darkest_text(image, menu.actionGeometry(usable))
    locked_ink = _darkest_text(image, menu.actionGeometry(locked))
    assert locked_ink > usable_ink + 200  # clearly lighter, not the same ink


def test_end_to_end_create_add_lock_unlock(
    qtbot, tmp_path: Path, task_runner, dialogs, canary, leak_scan
):
    controller = AppController(
        VaultService(tmp_path / "new-vault"), tasks=task_runner, dialogs=dialogs, prefs=UiPrefs()
    )
    welcome = controller.start()
    assert isinstance(welcome, WelcomeDialog)
    welcome.form.new_field.setText(GOOD)
    welcome.form.confirm_field.setText(GOOD)
    with qtbot.waitSignal(welcome.created, timeout=5000):
        welcome.create_button.click()
    groups = welcome.key_label.text().split("-")
    welcome.key_next.click()
    first, second = welcome.check_groups
    welcome.group_fields[0].setText(groups[first - 1])
    welcome.group_fields[1].setText(groups[second - 1])
    welcome.finish_button.click()
    welcome.details_form.name.setText("Ana Lima")  # first run offers My details
    welcome.details_form.phone.setText("02 5550 1234")
    with qtbot.waitSignal(controller.ready, timeout=5000):
        welcome.save_details.click()
    assert controller.ctx.services.profile.get().ready_for_agreeing
    window = controller.window
    qtbot.addWidget(window)
    # Add a client through the real new-client form (Ctrl+N) ...
    window.new_client_action.trigger()
    dialog = window.host.screen("clients").new_client_dialog
    dialog.form.given_name.setText(canary)
    dialog.form.family_name.setText("Example")
    dialog.form.date_of_birth.setText("1990-03-04")
    with qtbot.waitSignal(dialog.created, timeout=5000) as created:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    client_id = created.args[0].id
    # ... which opens the record; add a note in its Notes tab.
    record = window.host.screen("record")
    assert record is not None and record.client_id == client_id
    record.notes.editor.body.setFocus()
    qtbot.keyClicks(record.notes.editor.body, f"First visit with {canary}.")
    qtbot.mouseClick(record.notes.editor.save_button, Qt.MouseButton.LeftButton)
    assert controller.ctx.services.notes.list_notes(client_id)
    controller.hub.announce(Changes.CLIENTS | Changes.NOTES)
    window.show_page("tasks")
    window.open_client(client_id)
    window.show_page("home")
    assert leak_scan(canary)

    with qtbot.waitSignal(controller.locked, timeout=3000):
        window.lock_action.trigger()
    assert leak_scan(canary) == []
    assert not controller.vault.is_unlocked

    panel = window.outer.currentWidget().panel
    panel.passphrase.setText(GOOD)
    with qtbot.waitSignal(controller.ready, timeout=5000):
        panel.submit()
    notes = controller.ctx.services.notes.list_notes(client_id)
    assert [n.body for n in notes] == [f"First visit with {canary}."]
    assert window.current_key() == "home"
    controller.quit()
    assert not controller.vault.is_unlocked


def test_run_gui_starts_on_the_welcome_flow_and_quits(qapp, tmp_path, monkeypatch):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from casedesk.ui import app as app_module

    monkeypatch.setattr(app_module, "harden_process", lambda: None)  # tested in test_lock
    seen: list[str] = []

    def leave() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, WelcomeDialog) and widget.isVisible():
                seen.append(widget.windowTitle())
                widget.reject()
                return
        QTimer.singleShot(20, leave)

    QTimer.singleShot(0, leave)
    assert app_module.run_gui(tmp_path / "vault") == 0
    assert seen == ["Welcome to casedesk"]
    assert not (tmp_path / "vault").exists()


def test_go_menu_actions_switch_pages(window):
    for key in ("tasks", "settings", "directory", "home"):
        window.go_actions[key].trigger()
        assert window.current_key() == key
    assert window.host.screen() is not None  # QWidget.screen() still answers the QScreen


def test_busy_indicator_shows_only_for_slow_work(qtbot):
    from casedesk.ui.widgets.busy import BusyIndicator

    busy = BusyIndicator(delay_ms=10)
    qtbot.addWidget(busy)
    busy.set_busy(True)
    assert busy.isHidden()  # not at once: quick jobs never flash a bar
    qtbot.waitUntil(lambda: not busy.isHidden(), timeout=2000)
    busy.set_busy(False)
    assert busy.isHidden()


def test_known_errors_read_plainly_and_bugs_leak_nothing():
    from casedesk.services import errors
    from casedesk.ui.messages import describe_error

    assert "Nothing was changed" in describe_error(errors.WrongPassphrase("Wrong passphrase."))
    assert "newer version" in describe_error(errors.VaultTooNew("x"))
    assert "damaged" in describe_error(errors.VaultDamaged("key file unreadable"))
    assert "disk is full" in describe_error(errors.DiskFull("x"))
    text = describe_error(RuntimeError("client Jane Secret crashed"))
    assert "Jane" not in text and "RuntimeError" in text


def test_messages_reach_the_status_bar(window):
    from casedesk.ui import messages

    messages.info("Backup written")
    assert window.statusBar().currentMessage() == "Backup written"


def test_first_day_home_leads_to_the_new_client_form_and_sync(window, qtbot):
    window.show()
    qtbot.waitExposed(window)
    home = window.host.page("home")
    assert home.start.isVisibleTo(home)  # an empty vault
    home.start.add_button.click()
    assert window.current_key() == "clients"
    assert window.host.page("clients").new_client_dialog is not None
    window.show_page("home")
    home.start.bring_button.click()
    assert window.current_key() == "settings"
