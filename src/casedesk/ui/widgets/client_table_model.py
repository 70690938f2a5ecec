"""A small generic table model fed frozen row objects (DTOs), used by the client record tabs.

Each column is a :class:`Column`: a header and functions giving the display text, an optional
sort key, tooltip and foreground colour. ``ObjectRole`` returns the row object itself, so views
(and proxies) map a selection back to the record without touching storage.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView

R = TypeVar("R")
Index = QModelIndex | QPersistentModelIndex

SORT_ROLE = Qt.ItemDataRole.UserRole
OBJECT_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class Column(Generic[R]):
    """How one column shows a row."""

    header: str
    display: Callable[[R], str]
    sort: Callable[[R], Any] | None = None
    tooltip: Callable[[R], str] | None = None
    colour: Callable[[R], str | None] | None = None
    bold: Callable[[R], bool] | None = None


class RowTableModel(QAbstractTableModel, Generic[R]):
    """A read-only table of row objects.

    Args:
        columns: the columns, in order.
        parent: the Qt parent.
    """

    SortRole = SORT_ROLE
    ObjectRole = OBJECT_ROLE

    def __init__(self, columns: Sequence[Column[R]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._rows: list[R] = []
        self._bold = QFont()
        self._bold.setBold(True)

    # ------------------------------------------------------------------ public

    def set_rows(self, rows: Sequence[R]) -> None:
        """Replace every row."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def clear(self) -> None:
        """Forget every row (used on lock)."""
        self.set_rows([])

    def rows(self) -> list[R]:
        """The rows, in model order."""
        return list(self._rows)

    def row_at(self, row: int) -> R:
        """The row object at ``row``."""
        return self._rows[row]

    # ------------------------------------------------------------------ Qt overrides

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt override
        """Rows under the invisible root only (a flat table)."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt override
        """Columns under the invisible root only."""
        return 0 if parent.isValid() else len(self._columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column headers."""
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self._columns)
        ):
            return self._columns[section].header
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Dispatch on role."""
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.display(row)
        if role == SORT_ROLE:
            return column.sort(row) if column.sort else column.display(row)
        if role == OBJECT_ROLE:
            return row
        return self._decoration(row, column, role)

    def _decoration(self, row: R, column: Column[R], role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip:
            return column.tooltip(row) or None
        if role == Qt.ItemDataRole.ForegroundRole and column.colour:
            colour = column.colour(row)
            return QBrush(QColor(colour)) if colour else None
        if role == Qt.ItemDataRole.FontRole and column.bold and column.bold(row):
            return self._bold
        return None


def current_object(view: QAbstractItemView) -> Any | None:
    """The row object behind a view's current index (through any proxy), or None."""
    index = view.currentIndex()
    return view.model().data(index, OBJECT_ROLE) if index.isValid() else None


def select_object(view: QAbstractItemView, object_id: str) -> bool:
    """Make the row whose object has ``id == object_id`` current and selected."""
    model = view.model()
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        if getattr(model.data(index, OBJECT_ROLE), "id", None) == object_id:
            view.selectionModel().setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
            return True
    return False
