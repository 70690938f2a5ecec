"""The main window: a thin shell that hosts screens, with navigation, menus and a status bar.

Screens are built on first visit by :class:`ScreenHost` and destroyed together on lock, so no
record survives in a widget while the vault is closed. The window knows nothing about the
vault's lock state beyond "show this lock screen" and "show the workspace".
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QStackedWidget,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from casedesk import __version__
from casedesk.ui import messages
from casedesk.ui.client_record.record_screen import ClientRecordScreen
from casedesk.ui.clients.clients_screen import ClientsScreen
from casedesk.ui.context import AppContext
from casedesk.ui.directory import DirectoryScreen
from casedesk.ui.home import HomeScreen
from casedesk.ui.settings import SettingsScreen, UiPrefs
from casedesk.ui.sync.conflicts_screen import ConflictsScreen
from casedesk.ui.sync.controller import SyncController
from casedesk.ui.sync.settings_card import SyncCard
from casedesk.ui.tasks_screen import TasksScreen
from casedesk.ui.widgets.basics import Card, label
from casedesk.ui.widgets.busy import BusyIndicator
from casedesk.ui.widgets.icons import icon

log = logging.getLogger(__name__)

HOME, CLIENTS, TASKS, DIRECTORY, SETTINGS, RECORD = (
    "home",
    "clients",
    "tasks",
    "directory",
    "settings",
    "record",
)
CONFLICTS = "conflicts"
APP_TITLE = "casedesk"


@dataclass(frozen=True)
class PageSpec:
    """A navigation entry: key, title, icon name, and how to build its screen."""

    key: str
    title: str
    icon: str
    shortcut: str


def _tr(text: str) -> str:
    return QCoreApplication.translate("MainWindow", text)


def page_specs() -> list[PageSpec]:
    """The navigation, in order."""
    return [
        PageSpec(HOME, _tr("Home"), "home", "Ctrl+1"),
        PageSpec(CLIENTS, _tr("Clients"), "clients", "Ctrl+2"),
        PageSpec(TASKS, _tr("Tasks"), "tasks", "Ctrl+3"),
        PageSpec(DIRECTORY, _tr("Service directory"), "directory", "Ctrl+4"),
        PageSpec(SETTINGS, _tr("Settings"), "settings", "Ctrl+,"),
    ]


def placeholder(title: str, text: str) -> QWidget:
    """A plain page for a screen that is not built yet."""
    page = QWidget()
    card = Card(title)
    card.body.addWidget(label(text, "muted", wrap=True))
    card.setMaximumWidth(560)
    layout = QVBoxLayout(page)
    layout.setContentsMargins(28, 24, 28, 24)
    layout.addWidget(card)
    layout.addStretch(1)
    return page


class ScreenHost(QStackedWidget):
    """Builds each screen on first visit; ``dispose_all`` clears and destroys them (lock)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._screens: dict[str, QWidget] = {}

    def page(self, key: str) -> QWidget | None:
        """The screen built for ``key``, if any."""
        return self._screens.get(key)

    def screen(self, key: str | None = None) -> Any:
        """``screen(key)``: same as :meth:`page`; ``screen()``: QWidget's own (the QScreen)."""
        return super().screen() if key is None else self.page(key)

    def show_screen(self, key: str, build: Callable[[], QWidget]) -> QWidget:
        """Show the screen for ``key``, building it first if needed."""
        widget = self._screens.get(key)
        if widget is None:
            widget = build()
            self._screens[key] = widget
            self.addWidget(widget)
        self.setCurrentWidget(widget)
        return widget

    def dispose(self, key: str) -> None:
        """Clear and destroy one screen."""
        widget = self._screens.pop(key, None)
        if widget is None:
            return
        for method in ("dispose", "clear"):
            hook = getattr(widget, method, None)
            if callable(hook):
                try:
                    hook()
                except RuntimeError:  # already half-destroyed; deletion follows anyway
                    log.debug("screen %s failed to %s", key, method)
        widget.setProperty("disposed", True)
        self.removeWidget(widget)
        widget.hide()
        widget.setParent(None)
        widget.deleteLater()

    def dispose_all(self) -> None:
        """Clear and destroy every screen."""
        for key in list(self._screens):
            self.dispose(key)


class MainWindow(QMainWindow):
    """The shell: sidebar navigation, screen host, menus, shortcuts and status bar.

    Signals:
        lock_requested(): Ctrl+L, the lock button or the menu.
        quit_requested(): Ctrl+Q or the menu.
    """

    lock_requested = Signal()
    quit_requested = Signal()

    def __init__(self, ctx: AppContext, prefs: UiPrefs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.prefs = prefs
        self.locked = False
        self._client_id: str | None = None
        self._vault_actions: list[QAction] = []
        self._vault_menus: list[QMenu] = []
        self.setObjectName("mainWindow")
        self.setWindowIcon(icon("app"))
        self.setMinimumSize(QSize(960, 600))
        self.specs = page_specs()
        self.host = ScreenHost()
        self.outer = QStackedWidget()
        self.outer.addWidget(self._build_workspace())
        self.setCentralWidget(self.outer)
        self._build_status_bar()
        self._build_menus()
        self._connect_signals()
        self._reset_title()
        self.sync = SyncController(ctx, self)
        self.sync.attach(self.sync_status)
        self.sync.start()

    # ------------------------------------------------------------------ building

    def _build_workspace(self) -> QWidget:
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setAccessibleName(self.tr("Navigation"))
        self.nav.setIconSize(QSize(20, 20))
        for spec in self.specs:
            item = QListWidgetItem(icon(spec.icon), spec.title)
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            item.setToolTip(f"{spec.title} ({spec.shortcut})")
            self.nav.addItem(item)
        sidebar = QFrame()
        sidebar.setProperty("role", "sidebar")
        sidebar.setFixedWidth(210)
        column = QVBoxLayout(sidebar)
        column.setContentsMargins(0, 18, 0, 12)
        brand = label(APP_TITLE, "heading")
        brand.setContentsMargins(20, 0, 0, 12)
        column.addWidget(brand)
        column.addWidget(self.nav, 1)
        workspace = QWidget()
        row = QHBoxLayout(workspace)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(sidebar)
        row.addWidget(self.host, 1)
        self.workspace = workspace
        return workspace

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        bar.setSizeGripEnabled(False)
        self.vault_label = label(self.tr("Vault: {name}").format(name=self.ctx.services.vault.name))
        self.vault_label.setObjectName("vaultName")
        self.busy = BusyIndicator()
        self.sync_status = label(self.tr("Sync not set up"))
        self.sync_status.setObjectName("syncStatus")
        self.sync_status.setAccessibleName(self.tr("Sync status"))
        self.lock_button = QToolButton()
        self.lock_button.setObjectName("lockButton")
        self.lock_button.setIcon(icon("lock"))
        self.lock_button.setText(self.tr("Lock"))
        self.lock_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.lock_button.setAccessibleName(self.tr("Lock casedesk now"))
        self.lock_button.setToolTip(self.tr("Lock now (Ctrl+L)"))
        bar.addWidget(self.vault_label)
        bar.addWidget(self.busy)
        bar.addPermanentWidget(self.sync_status)
        bar.addPermanentWidget(self.lock_button)

    def _action(
        self, text: str, shortcut: QKeySequence | str | None, slot: Callable[[], object]
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def _go_to(self, key: str) -> Callable[..., object]:
        # QAction.triggered passes "checked"; it must not end up as the page key.
        return lambda *_: self.show_page(key)

    def _build_menus(self) -> None:
        menus = self.menuBar()
        file_menu = menus.addMenu(self.tr("&File"))
        self.new_client_action = self._action(self.tr("&New client…"), "Ctrl+N", self.new_client)
        self.backup_action = self._action(self.tr("Make a &backup…"), None, self._backup)
        self.lock_action = self._action(self.tr("&Lock"), "Ctrl+L", self.lock_requested.emit)
        self.quit_action = self._action(self.tr("&Quit"), "Ctrl+Q", self.quit_requested.emit)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        file_menu.addAction(self.new_client_action)
        file_menu.addAction(self.backup_action)
        file_menu.addSeparator()
        file_menu.addAction(self.lock_action)
        file_menu.addAction(self.quit_action)
        edit_menu = menus.addMenu(self.tr("&Edit"))
        self.find_action = self._action(self.tr("&Find client…"), "Ctrl+F", self.find_client)
        edit_menu.addAction(self.find_action)
        self.sync_now_action = self._action(self.tr("&Sync now"), "Ctrl+Shift+S", self.sync_now)
        self.conflicts_action = self._action(self.tr("Sync &conflicts…"), None, self.show_conflicts)
        file_menu.insertAction(self.lock_action, self.sync_now_action)
        file_menu.insertAction(self.lock_action, self.conflicts_action)
        go_menu = menus.addMenu(self.tr("&Go"))
        self.go_actions: dict[str, QAction] = {}
        for spec in self.specs:
            action = self._action(spec.title, spec.shortcut, self._go_to(spec.key))
            if spec.key == SETTINGS:
                action.setMenuRole(QAction.MenuRole.PreferencesRole)
            go_menu.addAction(action)
            self.go_actions[spec.key] = action
        help_menu = menus.addMenu(self.tr("&Help"))
        self.help_action = self._action(
            self.tr("User &guide"),
            QKeySequence(QKeySequence.StandardKey.HelpContents),
            self.show_guide,
        )
        self.about_action = self._action(self.tr("&About casedesk"), None, self.show_about)
        help_menu.addAction(self.help_action)
        help_menu.addAction(self.about_action)
        # Everything here but Quit and Help needs the open vault; menus holding nothing else
        # are disabled whole, so a locked window doesn't offer them at all.
        self._vault_actions = [
            self.new_client_action,
            self.backup_action,
            self.lock_action,
            self.find_action,
            self.sync_now_action,
            self.conflicts_action,
            *self.go_actions.values(),
        ]
        self._vault_menus = [edit_menu, go_menu]

    def _set_vault_actions_enabled(self, enabled: bool) -> None:
        for action in self._vault_actions:
            action.setEnabled(enabled)
        for menu in self._vault_menus:
            menu.setEnabled(enabled)
        self.lock_button.setEnabled(enabled)

    def _connect_signals(self) -> None:
        self.nav.currentRowChanged.connect(self._on_nav)
        self.lock_button.clicked.connect(self.lock_requested.emit)
        self.ctx.tasks.busy_changed.connect(self.busy.set_busy)
        self.ctx.hub.open_client.connect(self.open_client)
        messages.bridge().message.connect(self._on_message)

    # ------------------------------------------------------------------ navigation

    def show_page(self, key: str) -> QWidget:
        """Show a screen (building it if needed) and select it in the sidebar."""
        if key != RECORD:
            self._select_nav(key)
        return self.host.show_screen(key, lambda: self._build_screen(key))

    def current_key(self) -> str | None:
        """Key of the screen on show."""
        current = self.host.currentWidget()
        for key in (s.key for s in self.specs):
            if self.host.page(key) is current and current is not None:
                return key
        return RECORD if current is not None and current is self.host.page(RECORD) else None

    def _select_nav(self, key: str) -> None:
        keys = [s.key for s in self.specs]
        if key in keys:
            self.nav.blockSignals(True)
            self.nav.setCurrentRow(keys.index(key))
            self.nav.blockSignals(False)

    def _on_nav(self, row: int) -> None:
        if 0 <= row < len(self.specs):
            self.show_page(self.specs[row].key)

    def _build_screen(self, key: str) -> QWidget:
        # Screens are built inside the host: re-parenting a finished widget tree later makes Qt
        # re-apply the style sheet to all of it (a visible cost on the client record).
        ctx, host = self.ctx, self.host
        if key == HOME:
            home = HomeScreen(ctx, host)
            home.show_tasks.connect(lambda: self.show_page(TASKS))
            home.new_client.connect(self.new_client)
            home.show_sync.connect(lambda: self.show_page(SETTINGS))
            return home
        if key == TASKS:
            return TasksScreen(ctx, host)
        if key == SETTINGS:
            return SettingsScreen(ctx, self.prefs, extra_cards=(SyncCard(ctx, self.sync),))
        if key == CLIENTS:
            return ClientsScreen(ctx, host)
        if key == DIRECTORY:
            return DirectoryScreen(ctx, host)
        return placeholder(
            self.tr("Service directory"),
            self.tr(
                "The local service directory arrives with case plans. It will list agencies "
                "and community resources you can refer clients to, offline."
            ),
        )

    def open_client(self, client_id: str) -> None:
        """Show a client's record (under Clients in the sidebar)."""
        if self.locked:
            return
        if self._client_id != client_id:
            self.host.dispose(RECORD)
        self._client_id = client_id
        self.host.show_screen(RECORD, lambda: ClientRecordScreen(self.ctx, client_id, self.host))
        self._select_nav(CLIENTS)

    # ------------------------------------------------------------------ actions

    def new_client(self) -> None:
        """Ctrl+N: the Clients screen's new-client form."""
        screen = self.show_page(CLIENTS)
        hook = getattr(screen, "new_client", None)
        if callable(hook):
            hook()

    def find_client(self) -> None:
        """Ctrl+F: the Clients screen with the cursor in its search box."""
        screen = self.show_page(CLIENTS)
        hook = getattr(screen, "focus_search", None)
        if callable(hook):
            hook()

    def _backup(self) -> None:
        screen = self.show_page(SETTINGS)
        if isinstance(screen, SettingsScreen):
            screen.make_backup()

    def show_guide(self) -> None:
        """F1: the user guide in a simple reader."""
        dialog = QDialog(self)
        dialog.setWindowTitle(self.tr("casedesk user guide"))
        dialog.resize(760, 620)
        viewer = QTextBrowser()
        viewer.setAccessibleName(self.tr("User guide"))
        viewer.setOpenExternalLinks(False)
        guide = Path(__file__).resolve().parents[3] / "docs" / "USER_GUIDE.md"
        if guide.exists():
            viewer.setMarkdown(guide.read_text(encoding="utf-8"))
        else:
            viewer.setPlainText(self.tr("The user guide is in docs/USER_GUIDE.md."))
        layout = QVBoxLayout(dialog)
        layout.addWidget(viewer)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def show_about(self) -> None:
        """About casedesk."""
        self.ctx.dialogs.info(
            self,
            self.tr("About casedesk"),
            self.tr(
                "casedesk {v}\nOffline-first, encrypted case management.\nVault: {path}"
            ).format(v=__version__, path=self.ctx.services.vault.path),
        )

    def sync_now(self) -> None:
        """Run a sync round now (in the background)."""
        self.sync.sync_now()

    def show_conflicts(self) -> None:
        """Show the sync conflicts screen."""
        if not self.locked:
            self.host.dispose(CONFLICTS)
            self.host.show_screen(CONFLICTS, lambda: ConflictsScreen(self.ctx, self.host))

    def _on_message(self, level: str, text: str) -> None:
        if not self.locked:
            self.statusBar().showMessage(text, 8000 if level == "error" else 4000)

    # ------------------------------------------------------------------ lock state

    def show_locked(self, lock_screen: QWidget) -> None:
        """Destroy every screen, reset the title, and show ``lock_screen`` instead."""
        self.locked = True
        self.sync.stop()  # before the vault locks: a running round finishes first
        self.host.dispose_all()
        self._client_id = None
        self.statusBar().clearMessage()
        self._set_vault_actions_enabled(False)
        self.outer.addWidget(lock_screen)
        self.outer.setCurrentWidget(lock_screen)
        self._reset_title(locked=True)

    def show_unlocked(self) -> None:
        """Remove the lock screen and rebuild the Home screen."""
        lock_screen = self.outer.widget(1)
        if lock_screen is not None:
            self.outer.removeWidget(lock_screen)
            lock_screen.setParent(None)
            lock_screen.deleteLater()
        self.locked = False
        self._set_vault_actions_enabled(True)
        self.outer.setCurrentWidget(self.workspace)
        self._reset_title()
        self.sync.start()
        self.show_page(HOME)

    def _reset_title(self, *, locked: bool = False) -> None:
        if locked:
            self.setWindowTitle(self.tr("casedesk — locked"))
        else:
            self.setWindowTitle(
                self.tr("casedesk — {vault}").format(vault=self.ctx.services.vault.name)
            )

    # ------------------------------------------------------------------ Qt overrides

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing the window quits (after locking)."""
        self.prefs.set_window_geometry(self.saveGeometry())
        self.sync.stop()
        event.ignore()
        self.quit_requested.emit()
