"""The Home screen's list of recently seen clients."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from casedesk.domain.enums import RiskLevel
from casedesk.services.tasks import RecentClient
from casedesk.ui.tasks_screen.models import CLIENT_ID_ROLE
from casedesk.ui.widgets import theme

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


def _tr(text: str) -> str:
    return QCoreApplication.translate("home", text)


def ago(when: datetime, now: datetime) -> str:
    """How long ago a contact was: today, yesterday, 3 days ago, 5 weeks ago."""
    days = (now.astimezone().date() - when.astimezone().date()).days
    if days <= 0:
        return _tr("today")
    if days == 1:
        return _tr("yesterday")
    if days < 14:
        return _tr("{n} days ago").format(n=days)
    if days < 70:
        return _tr("{n} weeks ago").format(n=days // 7)
    return _tr("on {date}").format(date=when.astimezone().date().isoformat())


class RecentClientsModel(QAbstractListModel):
    """Clients with the most recent contacts, newest first."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[RecentClient] = []
        self._now = datetime.now(UTC)

    def set_rows(self, rows: Sequence[RecentClient], now: datetime | None = None) -> None:
        """Replace the rows."""
        self.beginResetModel()
        self._rows = list(rows)
        self._now = now or datetime.now(UTC)
        self.endResetModel()

    def clear(self) -> None:
        """Forget every row (on lock)."""
        self.set_rows([])

    def rowCount(self, parent: Index = _ROOT) -> int:
        """One row per client."""
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Name and when they were last seen; high-risk clients marked."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            text = f"{row.display_name} — {ago(row.last_contact, self._now)}"
            if row.risk_level is RiskLevel.HIGH:
                text += "  " + _tr("· high risk")
            return text
        if role == Qt.ItemDataRole.ForegroundRole and row.risk_level is RiskLevel.HIGH:
            return QBrush(QColor(theme.DANGER))
        if role == CLIENT_ID_ROLE:
            return row.client_id
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tr("Open {name}").format(name=row.display_name)
        return None
