"""Item models for derived tasks: grouped (Tasks screen) and a plain list (Home).

Both are fed plain :class:`casedesk.domain.tasks.Task` tuples and expose the client id through
``CLIENT_ID_ROLE`` so views can open the client's record.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont

from casedesk.domain.tasks import Bucket, Severity, Task, TaskKind, severity
from casedesk.ui.widgets import theme

CLIENT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
TASK_ROLE = Qt.ItemDataRole.UserRole + 2
SORT_ROLE = Qt.ItemDataRole.UserRole + 3

COL_DUE, COL_CLIENT, COL_WHAT, COL_KIND = range(4)
SHOWN_BUCKETS = (Bucket.OVERDUE, Bucket.TODAY, Bucket.NEXT_7_DAYS)

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


def _tr(text: str) -> str:
    return QCoreApplication.translate("tasks", text)


def kind_label(kind: TaskKind) -> str:
    """A short, translated name for a kind of task."""
    labels = {
        TaskKind.PLAN_REVIEW: _tr("Plan review"),
        TaskKind.ACTION_DUE: _tr("Action"),
        TaskKind.REFERRAL_FOLLOW_UP: _tr("Referral"),
        TaskKind.CONSENT_EXPIRING: _tr("Consent"),
        TaskKind.CONSENT_EXPIRED: _tr("Consent"),
        TaskKind.CONSENT_MISSING: _tr("Consent"),
        TaskKind.NO_CONTACT: _tr("No contact"),
        TaskKind.EXIT_FOLLOW_UP: _tr("After exit"),
        TaskKind.RISK_REVIEW: _tr("Risk review"),
    }
    return labels.get(kind, str(kind))


def bucket_label(which: Bucket) -> str:
    """Translated heading for a group."""
    return {
        Bucket.OVERDUE: _tr("Overdue"),
        Bucket.TODAY: _tr("Due today"),
        Bucket.NEXT_7_DAYS: _tr("Next 7 days"),
        Bucket.LATER: _tr("Later"),
    }[which]


def due_text(due: date, today: date) -> str:
    """How a due date reads: "3 days overdue", "Today", "Tomorrow" or "Wed 25 Nov"."""
    days = (due - today).days
    if days < 0:
        late = -days
        return _tr("1 day overdue") if late == 1 else _tr("{n} days overdue").format(n=late)
    if days == 0:
        return _tr("Today")
    if days == 1:
        return _tr("Tomorrow")
    return f"{due:%a} {due.day} {due:%b}"


def _task_cell(task: Task, column: int, today: date) -> str:
    if column == COL_DUE:
        return due_text(task.due, today)
    if column == COL_CLIENT:
        return task.client_name
    if column == COL_WHAT:
        return task.title
    return kind_label(task.kind)


def _task_colour(task: Task, today: date) -> QBrush | None:
    level = severity(task, today)
    if level is Severity.ALERT:
        return QBrush(QColor(theme.DANGER))
    if level is Severity.HIGH:
        return QBrush(QColor(theme.WARNING))
    return None


def _headers() -> tuple[str, ...]:
    return (_tr("Due"), _tr("Client"), _tr("What needs doing"), _tr("Kind"))


class GroupedTaskModel(QAbstractTableModel):
    """Tasks in one flat table with a heading row before each group.

    Groups are "Overdue", "Due today" and "Next 7 days" (every group present, with its
    count). A flat table, not a tree: a tree view expands by visiting every child row, which
    stalls the GUI with tens of thousands of tasks; a table view only asks for the rows on
    screen.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._today = date.today()
        self._rows: list[Task | Bucket] = list(SHOWN_BUCKETS)
        self._counts: dict[Bucket, int] = dict.fromkeys(SHOWN_BUCKETS, 0)

    # ------------------------------------------------------------------ feeding

    def set_tasks(self, tasks: Sequence[Task], today: date) -> None:
        """Replace every task (sorted input keeps its order within each group)."""
        week_end = today.toordinal() + 7
        overdue: list[Task] = []
        due_today: list[Task] = []
        week: list[Task] = []
        for task in tasks:
            if task.due < today:
                overdue.append(task)
            elif task.due == today:
                due_today.append(task)
            elif task.due.toordinal() <= week_end:
                week.append(task)
        self.beginResetModel()
        self._today = today
        self._counts = {
            Bucket.OVERDUE: len(overdue),
            Bucket.TODAY: len(due_today),
            Bucket.NEXT_7_DAYS: len(week),
        }
        rows: list[Task | Bucket] = [Bucket.OVERDUE, *overdue, Bucket.TODAY, *due_today]
        rows += [Bucket.NEXT_7_DAYS, *week]
        self._rows = rows
        self.endResetModel()

    def clear(self) -> None:
        """Forget every task (on lock)."""
        self.set_tasks([], self._today)

    def task_count(self) -> int:
        """Number of tasks held."""
        return sum(self._counts.values())

    def count(self, which: Bucket) -> int:
        """Number of tasks in one group."""
        return self._counts.get(which, 0)

    def heading_rows(self) -> list[int]:
        """Rows that are group headings (views span them across every column)."""
        first = self._counts[Bucket.OVERDUE] + 1
        return [0, first, first + self._counts[Bucket.TODAY] + 1]

    def task_at(self, index: Index) -> Task | None:
        """The task at ``index`` (None for a heading row)."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item = self._rows[index.row()]
        return None if isinstance(item, Bucket) else item

    # ------------------------------------------------------------------ Qt overrides

    def rowCount(self, parent: Index = _ROOT) -> int:
        """Headings plus tasks."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _ROOT) -> int:
        """Due, client, what, kind."""
        return 0 if parent.isValid() else 4

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Text, colour and the client id for views."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item = self._rows[index.row()]
        if isinstance(item, Bucket):
            return self._heading_data(item, index.column(), role)
        if role == Qt.ItemDataRole.DisplayRole:
            return _task_cell(item, index.column(), self._today)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{item.client_name}: {item.title} ({item.due.isoformat()})"
        if role == Qt.ItemDataRole.ForegroundRole and index.column() in (COL_DUE, COL_WHAT):
            return _task_colour(item, self._today)
        if role == CLIENT_ID_ROLE:
            return item.client_id
        if role == TASK_ROLE:
            return item
        return None

    def _heading_data(self, which: Bucket, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{bucket_label(which)}  ({self._counts[which]})" if column == 0 else ""
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(theme.ACCENT_SOFT))
        if role == Qt.ItemDataRole.AccessibleTextRole and column == 0:
            return f"{bucket_label(which)}, {self._counts[which]}"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        """Headings are enabled only; tasks can be selected."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if isinstance(self._rows[index.row()], Bucket):
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles."""
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < 4:
            return _headers()[section]
        return None


class TaskTableModel(QAbstractTableModel):
    """A flat list of tasks (the Home screen's "due now" list): due, client, what."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._today = date.today()
        self._tasks: list[Task] = []

    def set_tasks(self, tasks: Sequence[Task], today: date) -> None:
        """Replace the rows."""
        self.beginResetModel()
        self._today = today
        self._tasks = list(tasks)
        self.endResetModel()

    def clear(self) -> None:
        """Forget every row (on lock)."""
        self.set_tasks([], self._today)

    def rowCount(self, parent: Index = _ROOT) -> int:
        """One row per task."""
        return 0 if parent.isValid() else len(self._tasks)

    def columnCount(self, parent: Index = _ROOT) -> int:
        """Due, client, what."""
        return 0 if parent.isValid() else 3

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Text, colour and the client id."""
        if not index.isValid() or not 0 <= index.row() < len(self._tasks):
            return None
        task = self._tasks[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return _task_cell(task, index.column(), self._today)
        if role == Qt.ItemDataRole.ForegroundRole and index.column() in (COL_DUE, COL_WHAT):
            return _task_colour(task, self._today)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{task.title} ({kind_label(task.kind)})"
        if role == CLIENT_ID_ROLE:
            return task.client_id
        if role == TASK_ROLE:
            return task
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles."""
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < 3:
            return _headers()[section]
        return None
