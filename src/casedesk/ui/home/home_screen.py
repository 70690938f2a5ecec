"""Home: what needs doing today, who was seen recently, and the caseload at a glance."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
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
from casedesk.ui.messages import describe_error
from casedesk.ui.tasks_screen.base import TaskListScreen
from casedesk.ui.tasks_screen.models import (
    COL_CLIENT,
    COL_DUE,
    COL_WHAT,
    TaskTableModel,
)
from casedesk.ui.widgets.basics import Card, button, guarded, label

DUE_NOW_ROWS = 200


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
    """A big number with a caption (overdue, due today...)."""

    def __init__(self, caption: str, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.setObjectName(object_name)
        self.value = label("–", "metric")
        self.caption = label(caption, "muted")
        self.body.setSpacing(2)
        self.body.setContentsMargins(18, 10, 18, 10)
        self.body.addWidget(self.value)
        self.body.addWidget(self.caption)

    def set_value(self, value: int | None) -> None:
        """Show a number (None: blank)."""
        self.value.setText("–" if value is None else f"{value:,}")


class HomeScreen(TaskListScreen):
    """Today's work at a glance.

    Signals:
        show_tasks(): the user asked for the full Tasks screen.
    """

    show_tasks = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("homeScreen")
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
        self.active_tile = Tile(self.tr("Active clients"), "tileActive")
        tiles = QHBoxLayout()
        tiles.setSpacing(14)
        for tile in (*self.tiles.values(), self.active_tile):
            tiles.addWidget(tile, 1)
        lists = QHBoxLayout()
        lists.setSpacing(14)
        lists.addWidget(self._build_due_card(), 3)
        lists.addWidget(self._build_recent_card(), 2)
        self.caseload = CaseloadPanel()
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(28, 20, 28, 20)
        column.setSpacing(14)
        titles = QVBoxLayout()
        titles.setSpacing(2)
        titles.addWidget(label(self.tr("Today"), "title"))
        titles.addWidget(self.subtitle)
        column.addLayout(titles)
        column.addLayout(tiles)
        column.addLayout(lists, 1)
        column.addWidget(self.caseload)
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

    def _show(self, result: tuple[HomeSummary, list[Task]]) -> None:
        summary, urgent = result
        today = summary.today
        self.subtitle.setText(_long_date(today))
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
