"""Home: what needs doing today, who was seen recently, and the caseload at a glance.

A vault with no clients yet shows where to start instead (add a client, bring clients from
another device, or look around the demo), not empty tables and zeros.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QProcess, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QListView,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.tasks import Bucket, Task, severity
from casedesk.services.tasks import HomeSummary
from casedesk.ui.context import AppContext
from casedesk.ui.home.caseload_panel import CaseloadPanel
from casedesk.ui.home.models import RecentClientsModel
from casedesk.ui.messages import describe_error, info
from casedesk.ui.tasks_screen.base import TaskListScreen
from casedesk.ui.tasks_screen.models import (
    COL_CLIENT,
    COL_DUE,
    COL_WHAT,
    TaskTableModel,
)
from casedesk.ui.widgets.basics import Card, button, guarded, label

DUE_NOW_ROWS = 200

DemoLauncher = Callable[[], bool]


def launch_demo() -> bool:
    """Start ``casedesk --demo`` as a separate program: its own throw-away vault and window.

    Returns:
        Whether the program could be started.
    """
    started, _pid = QProcess.startDetached(sys.executable, ["-m", "casedesk", "--demo"])
    return bool(started)


class _EnterOpens:
    """Mixin: Enter/Return on the current row emits ``activated`` (like a double-click)."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter/Return activates the current row."""
        view: Any = self
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and view.currentIndex().isValid():
            view.activated.emit(view.currentIndex())
            return
        super().keyPressEvent(event)  # type: ignore[misc]


class DueTable(_EnterOpens, QTableView):
    """The "needs attention" table."""


class RecentList(_EnterOpens, QListView):
    """The "seen recently" list."""


class Tile(Card):
    """A big number with a caption (overdue, due today...); ``one`` captions a count of 1."""

    def __init__(
        self, caption: str, object_name: str, parent: QWidget | None = None, *, one: str = ""
    ) -> None:
        super().__init__("", parent)
        self.setObjectName(object_name)
        self._captions = (one or caption, caption)
        self.value = label("–", "metric")
        self.caption = label(caption, "muted")
        self.body.setSpacing(2)
        self.body.setContentsMargins(18, 10, 18, 10)
        self.body.addWidget(self.value)
        self.body.addWidget(self.caption)

    def set_value(self, value: int | None) -> None:
        """Show a number (None: blank)."""
        self.value.setText("–" if value is None else f"{value:,}")
        self.caption.setText(self._captions[0] if value == 1 else self._captions[1])


class StartCard(Card):
    """Where a new vault starts: add a client, bring clients from another device, or the demo.

    Signals:
        add_client(): "Add your first client".
        bring_clients(): "Bring clients from another device" (sync, in Settings).
        open_demo(): "Open the demo".
    """

    add_client = Signal()
    bring_clients = Signal()
    open_demo = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Start here"), parent)
        self.setObjectName("homeStart")
        tr = self.tr
        self.body.addWidget(
            label(
                tr("Your vault is ready and empty. Nothing needs doing yet; choose how to begin."),
                "muted",
                wrap=True,
            )
        )
        self.add_button = button(tr("Add your first client…"), tr("Add a client"), primary=True)
        self.bring_button = button(
            tr("Bring clients from another device…"),
            tr("Join a sync account or import a bundle in Settings"),
        )
        self.demo_button = button(tr("Open the demo"), tr("Open the demo in its own window"))
        steps = (
            (self.add_button, tr("Type their details; the record opens so you can go on.")),
            (
                self.bring_button,
                tr(
                    "Already use casedesk on another computer? Join its sync account or import "
                    "an offline bundle (Settings, Sync)."
                ),
            ),
            (
                self.demo_button,
                tr(
                    "Look around first: 300 fictional clients in a separate, throw-away vault "
                    "and window. Your own vault is not touched."
                ),
            ),
        )
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(12)
        for row, (action, text) in enumerate(steps):
            action.setMinimumWidth(300)
            grid.addWidget(action, row, 0)
            grid.addWidget(label(text, "muted", wrap=True), row, 1)
        grid.setColumnStretch(1, 1)
        self.body.addLayout(grid)
        self.add_button.clicked.connect(self.add_client)
        self.bring_button.clicked.connect(self.bring_clients)
        self.demo_button.clicked.connect(self.open_demo)


class HomeScreen(TaskListScreen):
    """Today's work at a glance.

    Signals:
        show_tasks(): the user asked for the full Tasks screen.
        new_client(): "Add your first client" on a new vault's start card.
        show_sync(): "Bring clients from another device" (the sync settings).
    """

    show_tasks = Signal()
    new_client = Signal()
    show_sync = Signal()

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        demo_launcher: DemoLauncher = launch_demo,
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("homeScreen")
        self._launch_demo = demo_launcher
        self.due_model = TaskTableModel(self)
        self.recent_model = RecentClientsModel(self)
        self._build()
        self._connect_signals()

    # ------------------------------------------------------------------ building

    def _build(self) -> None:
        self.subtitle = label("", "muted")
        self.subtitle.setObjectName("homeSubtitle")
        self.tiles = {
            Bucket.OVERDUE: Tile(self.tr("Overdue"), "tileOverdue"),
            Bucket.TODAY: Tile(self.tr("Due today"), "tileToday"),
            Bucket.NEXT_7_DAYS: Tile(self.tr("Due in the next 7 days"), "tileWeek"),
        }
        self.active_tile = Tile(
            self.tr("Active clients"), "tileActive", one=self.tr("Active client")
        )
        self.start = StartCard()
        self.start.hide()
        tiles = QHBoxLayout()
        tiles.setSpacing(14)
        for tile in (*self.tiles.values(), self.active_tile):
            tiles.addWidget(tile, 1)
        self.overview = QWidget()  # everything a vault with clients shows
        lists = QHBoxLayout()
        lists.setSpacing(14)
        lists.addWidget(self._build_due_card(), 3)
        lists.addWidget(self._build_recent_card(), 2)
        self.caseload = CaseloadPanel()
        overview = QVBoxLayout(self.overview)
        overview.setContentsMargins(0, 0, 0, 0)
        overview.setSpacing(14)
        overview.addLayout(tiles)
        overview.addLayout(lists, 1)
        overview.addWidget(self.caseload)
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(28, 20, 28, 20)
        column.setSpacing(14)
        titles = QVBoxLayout()
        titles.setSpacing(2)
        titles.addWidget(label(self.tr("Today"), "title"))
        titles.addWidget(self.subtitle)
        column.addLayout(titles)
        column.addWidget(self.start)
        column.addWidget(self.overview, 1)
        column.addStretch(0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    def _build_due_card(self) -> Card:
        card = Card(self.tr("Needs attention"))
        self.due_view = DueTable()
        self.due_view.setObjectName("homeDueTable")
        self.due_view.setAccessibleName(self.tr("Tasks overdue or due today"))
        self.due_view.setModel(self.due_model)
        self.due_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.due_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.due_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.due_view.setShowGrid(False)
        self.due_view.setAlternatingRowColors(True)
        self.due_view.verticalHeader().hide()
        self.due_view.setMinimumHeight(190)
        header = self.due_view.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_WHAT, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(COL_DUE, 130)
        header.resizeSection(COL_CLIENT, 170)
        self.due_view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 14)
        self.all_tasks = button(self.tr("All tasks →"), self.tr("Open the Tasks screen"), link=True)
        self.all_tasks.setObjectName("homeAllTasks")
        if card.heading is not None:
            card.body.removeWidget(card.heading)
            top = QHBoxLayout()
            top.addWidget(card.heading)
            top.addStretch(1)
            top.addWidget(self.all_tasks)
            card.body.addLayout(top)
        card.body.addWidget(self.due_view, 1)
        return card

    def _build_recent_card(self) -> Card:
        card = Card(self.tr("Seen recently"))
        self.recent_view = RecentList()
        self.recent_view.setObjectName("plainList")
        self.recent_view.setAccessibleName(self.tr("Clients seen recently"))
        self.recent_view.setModel(self.recent_model)
        self.recent_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.recent_view.setMinimumHeight(190)
        card.body.addWidget(self.recent_view, 1)
        return card

    def _connect_signals(self) -> None:
        self.all_tasks.clicked.connect(self.show_tasks)
        self.start.add_client.connect(self.new_client)
        self.start.bring_clients.connect(self.show_sync)
        self.start.open_demo.connect(self.open_demo)
        for view in (self.due_view, self.recent_view):
            view.activated.connect(self._open)
            view.doubleClicked.connect(self._open)
        self.ctx.hub.changed.connect(self._on_changed)

    # ------------------------------------------------------------------ loading

    def reload(self) -> None:
        """Recompute the summary on the database thread."""
        self._stale = False
        tasks = self.ctx.services.tasks

        def work() -> tuple[HomeSummary, list[Task]]:
            summary = tasks.home_summary()
            return summary, most_urgent(summary.tasks, summary.today)

        self.ctx.tasks.run(
            work,
            guarded(self, self._show),
            guarded(self, lambda exc: self.subtitle.setText(describe_error(exc))),
            label="home",
        )

    def open_demo(self) -> None:
        """Start the demo as a program of its own (this vault stays as it is)."""
        if self._launch_demo():
            info(self.tr("The demo is starting in a window of its own."))
        else:
            self.ctx.dialogs.warn(
                self,
                self.tr("Demo"),
                self.tr("The demo could not be started. Run “casedesk --demo” to try it."),
            )

    def _show(self, result: tuple[HomeSummary, list[Task]]) -> None:
        summary, urgent = result
        today = summary.today
        self.subtitle.setText(_long_date(today))
        empty = summary.clients == 0
        self.start.setVisible(empty)
        self.overview.setVisible(not empty)
        for which, tile in self.tiles.items():
            tile.set_value(summary.counts.get(which, 0))
        self.active_tile.set_value(summary.figures.active)
        self.due_model.set_tasks(urgent, today)
        self.recent_model.set_rows(summary.recent)
        self.caseload.show_figures(summary.figures)

    # ------------------------------------------------------------------ lifecycle

    def dispose(self) -> None:
        """Forget everything shown (on lock)."""
        self.disposed = True
        self.due_model.clear()
        self.recent_model.clear()
        self.caseload.clear()
        for tile in (*self.tiles.values(), self.active_tile):
            tile.set_value(None)
        self.subtitle.clear()


def most_urgent(tasks: list[Task], today: date, limit: int = DUE_NOW_ROWS) -> list[Task]:
    """Tasks due by today, most urgent first (safety and consent, then high risk, then age).

    Runs on the database thread with the summary: sorting thousands of tasks is not GUI work.
    """
    due_now = [t for t in tasks if t.due <= today]
    due_now.sort(key=lambda t: (-severity(t, today), t.due, t.client_name))
    return due_now[:limit]


def _long_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"
