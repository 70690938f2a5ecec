"""The History tab: the client's audit trail, newest first."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QVBoxLayout, QWidget

from casedesk.services.audit import AuditEntry
from casedesk.ui.client_record.models import HistoryModel
from casedesk.ui.widgets.basics import label
from casedesk.ui.widgets.client_fields import left_aligned_headers


class HistoryTab(QWidget):
    """Who did what to this record, and when (read-only)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = HistoryModel(self)
        self.table = QTableView()
        self.table.setAccessibleName(self.tr("Record history"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        left_aligned_headers(self.table)
        header = self.table.horizontalHeader()
        for column, width in enumerate((150, 150, 200)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(
            label(
                self.tr("Every change to this record is kept here and cannot be edited."), "muted"
            )
        )
        layout.addWidget(self.table, 1)
        self.empty = label(self.tr("No changes recorded for this client yet."), "muted")
        self.empty.hide()
        layout.addWidget(self.empty)

    def set_history(self, entries: Sequence[AuditEntry]) -> None:
        """Show the audit entries."""
        self.model.set_rows(entries)
        self.empty.setVisible(not entries)

    def clear(self) -> None:
        """Forget the entries (used on lock)."""
        self.model.clear()
