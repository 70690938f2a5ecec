"""The Tasks screen: all derived tasks, grouped, with quick links to the client's record."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.clock import today as local_today
from casedesk.domain.tasks import Task, TaskKind
from casedesk.ui.context import AppContext
from casedesk.ui.messages import describe_error
from casedesk.ui.tasks_screen.base import TaskListScreen
from casedesk.ui.tasks_screen.models import (
    COL_CLIENT,
    COL_DUE,
    COL_KIND,
    COL_WHAT,
    GroupedTaskModel,
)
from casedesk.ui.widgets.basics import guarded, label

_KIND_FILTERS: tuple[tuple[str, frozenset[TaskKind]], ...] = (
    ("All kinds", frozenset()),
    ("Plan reviews", frozenset({TaskKind.PLAN_REVIEW})),
    ("Actions", frozenset({TaskKind.ACTION_DUE})),
    ("Referrals", frozenset({TaskKind.REFERRAL_FOLLOW_UP})),
    (
        "Consent",
        frozenset({TaskKind.CONSENT_EXPIRED, TaskKind.CONSENT_EXPIRING, TaskKind.CONSENT_MISSING}),
    ),
    ("No contact", frozenset({TaskKind.NO_CONTACT})),
    ("Risk reviews", frozenset({TaskKind.RISK_REVIEW})),
    ("After exit", frozenset({TaskKind.EXIT_FOLLOW_UP})),
)


class TaskTable(QTableView):
    """A table view where Enter on a task opens it, like a double-click."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter/Return activates the current task row."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.activated.emit(self.currentIndex())
            return
        super().keyPressEvent(event)


class TasksScreen(TaskListScreen):
    """Overdue, today and next-7-days tasks for the whole caseload."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._all: list[Task] = []
        self._today = local_today()
        self.setObjectName("tasksScreen")
        self.model = GroupedTaskModel(self)
        self._build()
        self._connect_signals()

    def _build(self) -> None:
        self.summary = label("", "muted")
        self.summary.setObjectName("tasksSummary")
        self.kind_filter = QComboBox()
        self.kind_filter.setObjectName("taskKindFilter")
        self.kind_filter.setAccessibleName(self.tr("Show tasks of kind"))
        for text, _ in _KIND_FILTERS:
            self.kind_filter.addItem(self.tr(text))
        self.view = TaskTable()
        self.view.setObjectName("taskTable")
        self.view.setAccessibleName(self.tr("Tasks"))
        self.view.setModel(self.model)
        self.view.setAlternatingRowColors(True)
        self.view.setShowGrid(False)
        self.view.setWordWrap(False)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        rows = self.view.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 14)
        header = self.view.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(COL_DUE, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_CLIENT, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_WHAT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_KIND, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(COL_DUE, 200)
        header.resizeSection(COL_CLIENT, 200)
        header.resizeSection(COL_KIND, 120)
        top = QHBoxLayout()
        titles = QVBoxLayout()
        titles.setSpacing(2)
        titles.addWidget(label(self.tr("Tasks"), "title"))
        titles.addWidget(self.summary)
        top.addLayout(titles)
        top.addStretch(1)
        top.addWidget(label(self.tr("Show")))
        top.addWidget(self.kind_filter)
        hint = label(
            self.tr(
                "Tasks come from the dates in each record (reviews, actions, referrals, consent, "
                "contact). Double-click or press Enter to open the client."
            ),
            "muted",
            wrap=True,
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 20)
        layout.setSpacing(12)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(hint)

    def _connect_signals(self) -> None:
        self.view.activated.connect(self._open)
        self.view.doubleClicked.connect(self._open)
        self.kind_filter.currentIndexChanged.connect(self._apply_filter)
        self.ctx.hub.changed.connect(self._on_changed)

    # ------------------------------------------------------------------ loading

    def reload(self) -> None:
        """Recompute every task (on the database thread)."""
        self._stale = False
        tasks = self.ctx.services.tasks
        self.ctx.tasks.run(
            tasks.due_tasks,
            guarded(self, self._show),
            guarded(self, lambda exc: self.summary.setText(describe_error(exc))),
            label="tasks",
        )

    def _show(self, tasks: list[Task]) -> None:
        self._today = local_today()
        self._all = tasks
        self._apply_filter()

    def _apply_filter(self) -> None:
        kinds = _KIND_FILTERS[max(self.kind_filter.currentIndex(), 0)][1]
        shown = [t for t in self._all if t.kind in kinds] if kinds else self._all
        self.view.clearSpans()
        self.model.set_tasks(shown, self._today)
        for row in self.model.heading_rows():
            self.view.setSpan(row, 0, 1, self.model.columnCount())
        overdue = sum(1 for t in shown if t.due < self._today)
        self.summary.setText(
            self.tr("{n} tasks in the next 7 days, {late} overdue").format(
                n=len(shown), late=overdue
            )
        )

    # ------------------------------------------------------------------ lifecycle

    def dispose(self) -> None:
        """Forget every task (on lock)."""
        self.disposed = True
        self._all = []
        self.model.clear()
        self.summary.clear()
