"""Table columns for the directory screen and the CSV import preview."""

from __future__ import annotations

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
)

from casedesk.domain.clients import name_key
from casedesk.domain.directory_csv import DirectoryRow, RowProblem
from casedesk.services.directory import ServiceView
from casedesk.ui.widgets.client_table_model import Column, RowTableModel


def _tr(text: str) -> str:
    return QCoreApplication.translate("Directory", text)


def service_model(parent: QObject | None = None) -> RowTableModel[ServiceView]:
    """Directory entries."""
    return RowTableModel(
        [
            Column(
                _tr("Name"), lambda s: s.name, tooltip=lambda s: s.organisation, bold=lambda s: True
            ),
            Column(_tr("Category"), lambda s: s.category),
            Column(_tr("Phone"), lambda s: s.phone),
            Column(_tr("Hours"), lambda s: s.hours),
            Column(_tr("Area served"), lambda s: s.area_served),
            Column(_tr("Eligibility"), lambda s: s.eligibility, tooltip=lambda s: s.eligibility),
        ],
        parent,
    )


def preview_model(parent: QObject | None = None) -> RowTableModel[DirectoryRow]:
    """Rows of a CSV file that are ready to import."""
    return RowTableModel(
        [
            Column(_tr("Line"), lambda r: str(r.line), sort=lambda r: r.line),
            Column(_tr("Name"), lambda r: r.name),
            Column(_tr("Organisation"), lambda r: r.organisation),
            Column(_tr("Category"), lambda r: r.category),
            Column(_tr("Phone"), lambda r: r.phone),
            Column(_tr("Area served"), lambda r: r.area_served),
        ],
        parent,
    )


def problem_model(parent: QObject | None = None) -> RowTableModel[RowProblem]:
    """Rows of a CSV file that can't be imported, with the reason."""
    return RowTableModel(
        [
            Column(_tr("Line"), lambda p: str(p.line), sort=lambda p: p.line),
            Column(_tr("Problem"), lambda p: p.message, tooltip=lambda p: p.message),
        ],
        parent,
    )


class WordFilterProxy(QSortFilterProxyModel):
    """Keeps rows whose entry contains every typed word in any field (case/accent-insensitive)."""

    def __init__(self, model: RowTableModel[ServiceView], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSourceModel(model)
        self.setSortRole(RowTableModel.SortRole)
        self._model = model
        self._words: list[str] = []

    def set_words(self, text: str) -> None:
        """Filter by the words in ``text`` (empty shows everything)."""
        self.beginFilterChange()
        self._words = [name_key(w) for w in text.split() if w.strip()]
        self.endFilterChange()

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        """Every word must appear somewhere in the entry."""
        if not self._words:
            return True
        entry = self._model.row_at(source_row)
        haystack = name_key(" ".join(entry.values().values()))
        return all(word in haystack for word in self._words)
