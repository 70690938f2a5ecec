"""The client list: one table model of ``ClientRow`` DTOs and a filtering proxy.

Search-as-you-type must stay instant with 10,000 clients, so nothing per keystroke touches the
database or walks Qt's per-row callbacks more than once:

* rows load once, off the GUI thread, each with a precomputed lowercase, accent-folded search
  key (:func:`search_key`) and its age;
* the proxy works out the visible rows in one tight Python pass over those keys (narrowing
  the previous result when the new text extends the old) and resets;
* sorting is one Python ``sorted`` call over precomputed keys.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractProxyModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont

from casedesk.domain.clients import name_key
from casedesk.domain.enums import ClientStatus, Intensity, RiskLevel
from casedesk.services.clients import ClientRow
from casedesk.ui.widgets.client_fields import QT_TRANSLATE_NOOP
from casedesk.ui.widgets.theme import DANGER, DANGER_SOFT, MUTED, WARNING

Index = QModelIndex | QPersistentModelIndex

SORT_ROLE = Qt.ItemDataRole.UserRole
OBJECT_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2

_RISK_ORDER = {None: 0, RiskLevel.NONE: 1, RiskLevel.LOW: 2, RiskLevel.MEDIUM: 3, RiskLevel.HIGH: 4}
_INTENSITY_ORDER = {
    Intensity.LOW: 0,
    Intensity.MODERATE: 1,
    Intensity.HIGH: 2,
    Intensity.INTENSIVE: 3,
}
OPEN_STATUSES = frozenset({ClientStatus.ACTIVE, ClientStatus.REFERRAL})
_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.FontRole,
        Qt.ItemDataRole.BackgroundRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.AccessibleTextRole,
        SORT_ROLE,
        OBJECT_ROLE,
        ID_ROLE,
    }
)


def search_key(row: ClientRow) -> str:
    """Everything search-as-you-type matches, folded (case, accents, spacing)."""
    return name_key(
        " ".join((row.given_name, row.family_name, row.preferred_name, row.identifiers))
    )


@dataclass(frozen=True)
class ListEntry:
    """A client row with what the list precomputes off-thread."""

    row: ClientRow
    key: str
    age: int | None
    name_order: tuple[str, str] = ("", "")


def prepare_entries(rows: Sequence[ClientRow], today: date) -> list[ListEntry]:
    """Build list entries (search and sort keys, ages) on the worker thread."""
    return [
        ListEntry(r, search_key(r), r.age(today), (name_key(r.family_name), name_key(r.given_name)))
        for r in rows
    ]


@dataclass(frozen=True)
class ClientQuery:
    """What the worker typed and chose in the filters.

    Attributes:
        text: search text (names, preferred name, identifiers); blank matches everyone.
        statuses: statuses to show (None: all).
        intensity: one intensity (None: any).
        min_risk: lowest risk level to show; ``"unscreened"`` shows clients never screened.
    """

    text: str = ""
    statuses: frozenset[ClientStatus] | None = OPEN_STATUSES
    intensity: Intensity | None = None
    min_risk: RiskLevel | str | None = None

    @property
    def tokens(self) -> tuple[str, ...]:
        """The folded words of the search text."""
        return tuple(name_key(self.text).split())

    def same_filters(self, other: ClientQuery) -> bool:
        """Whether only the text differs."""
        return (self.statuses, self.intensity, self.min_risk) == (
            other.statuses,
            other.intensity,
            other.min_risk,
        )


def _fmt_last(when: datetime | None) -> str:
    return "—" if when is None else when.astimezone().strftime("%d %b %Y")


_WORDS = {
    None: QT_TRANSLATE_NOOP("ClientTableModel", "Not screened"),
    RiskLevel.NONE: QT_TRANSLATE_NOOP("ClientTableModel", "None"),
    RiskLevel.LOW: QT_TRANSLATE_NOOP("ClientTableModel", "Low"),
    RiskLevel.MEDIUM: QT_TRANSLATE_NOOP("ClientTableModel", "Medium"),
    RiskLevel.HIGH: QT_TRANSLATE_NOOP("ClientTableModel", "High"),
    Intensity.INTENSIVE: QT_TRANSLATE_NOOP("ClientTableModel", "Intensive"),
    Intensity.MODERATE: QT_TRANSLATE_NOOP("ClientTableModel", "Moderate"),
    ClientStatus.ACTIVE: QT_TRANSLATE_NOOP("ClientTableModel", "Active"),
    ClientStatus.REFERRAL: QT_TRANSLATE_NOOP("ClientTableModel", "Referral"),
    ClientStatus.CLOSED: QT_TRANSLATE_NOOP("ClientTableModel", "Closed"),
    ClientStatus.DECLINED: QT_TRANSLATE_NOOP("ClientTableModel", "Declined"),
}


def _risk_text(level: RiskLevel | None) -> str:
    return _WORDS[level]


class ClientTableModel(QAbstractTableModel):
    """Every loaded client, one per row (the proxy hides what the filters exclude)."""

    COL_NAME, COL_AGE, COL_RISK, COL_INTENSITY, COL_STATUS, COL_LAST, COL_IDS = range(7)
    HEADERS = (
        QT_TRANSLATE_NOOP("ClientTableModel", "Name"),
        QT_TRANSLATE_NOOP("ClientTableModel", "Age"),
        QT_TRANSLATE_NOOP("ClientTableModel", "Risk"),
        QT_TRANSLATE_NOOP("ClientTableModel", "Intensity"),
        QT_TRANSLATE_NOOP("ClientTableModel", "Status"),
        QT_TRANSLATE_NOOP("ClientTableModel", "Last contact"),
        QT_TRANSLATE_NOOP("ClientTableModel", "Identifiers"),
    )

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._entries: list[ListEntry] = []
        self._bold = QFont()
        self._bold.setBold(True)

    # ------------------------------------------------------------------ public

    def set_entries(self, entries: Sequence[ListEntry]) -> None:
        """Replace every row."""
        self.beginResetModel()
        self._entries = list(entries)
        self.endResetModel()

    def clear(self) -> None:
        """Forget every client (used on lock)."""
        self.set_entries([])

    def entries(self) -> list[ListEntry]:
        """The entries in model order (the proxy filters over these)."""
        return self._entries

    def entry(self, row: int) -> ListEntry:
        """The entry at a source row."""
        return self._entries[row]

    # ------------------------------------------------------------------ Qt overrides

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt override
        """Flat table: rows only under the root."""
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt override
        """Flat table: columns only under the root."""
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Translated column headers."""
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.tr(self.HEADERS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Role dispatch: display, sort key, the row object and the high-risk styling."""
        if not index.isValid() or index.row() >= len(self._entries):
            return None
        return self.entry_data(index.row(), index.column(), role)

    def entry_data(self, row: int, column: int, role: int) -> Any:
        """What ``data`` returns for a source row and column (also used by the proxy)."""
        if role not in _ROLES:
            return None
        entry = self._entries[row]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(entry, column)
        if role == SORT_ROLE:
            return self.sort_key(entry, column)
        if role in (OBJECT_ROLE, ID_ROLE):
            return entry.row if role == OBJECT_ROLE else entry.row.id
        return self._style(entry, column, role)

    # ------------------------------------------------------------------ helpers

    def _display(self, entry: ListEntry, column: int) -> str:
        row = entry.row
        if column == self.COL_NAME:
            return f"{row.family_name}, {row.preferred_name or row.given_name}".strip(", ")
        if column == self.COL_AGE:
            return "" if entry.age is None else str(entry.age)
        if column == self.COL_RISK:
            return self.tr(_risk_text(row.risk_level))
        if column == self.COL_INTENSITY:
            return self.tr(_WORDS.get(row.intensity, row.intensity.value.capitalize()))
        if column == self.COL_STATUS:
            return self.tr(_WORDS.get(row.status, row.status.value.capitalize()))
        if column == self.COL_LAST:
            return _fmt_last(row.last_contact_at)
        return row.identifiers

    def sort_key(self, entry: ListEntry, column: int) -> Any:
        """The value a column sorts by."""
        row = entry.row
        if column == self.COL_NAME:
            return entry.name_order
        if column == self.COL_AGE:
            return -1 if entry.age is None else entry.age
        if column == self.COL_RISK:
            return _RISK_ORDER[row.risk_level]
        if column == self.COL_INTENSITY:
            return _INTENSITY_ORDER[row.intensity]
        if column == self.COL_STATUS:
            return row.status.value
        if column == self.COL_LAST:
            return row.last_contact_at.timestamp() if row.last_contact_at else 0.0
        return row.identifiers

    def _style(self, entry: ListEntry, column: int, role: int) -> Any:
        high = entry.row.risk_level is RiskLevel.HIGH
        if role == Qt.ItemDataRole.BackgroundRole and high and column == self.COL_RISK:
            return QBrush(QColor(DANGER_SOFT))
        if role == Qt.ItemDataRole.ForegroundRole and column == self.COL_RISK:
            level = entry.row.risk_level
            colour = {RiskLevel.HIGH: DANGER, RiskLevel.MEDIUM: WARNING, None: MUTED}.get(level)
            return QBrush(QColor(colour)) if colour else None
        if role == Qt.ItemDataRole.FontRole and high and column in (self.COL_NAME, self.COL_RISK):
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole and column == self.COL_NAME:
            return entry.row.display_name
        if role == Qt.ItemDataRole.AccessibleTextRole and column == self.COL_RISK and high:
            return self.tr("High risk")
        return None


class ClientFilterProxy(QAbstractProxyModel):
    """Filters and sorts the client table by a :class:`ClientQuery`, in bulk, in Python.

    Why not ``QSortFilterProxyModel``: it asks Python once per row on every filter change
    (``filterAcceptsRow``) and once per comparison when sorting; measured with 10,000 clients
    that cost 70-120 ms per keystroke and over a second per sort. This proxy keeps a plain list
    of visible source rows instead: a keystroke is one Python pass over precomputed keys plus
    a model reset, and views only ask about the rows they paint.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._query = ClientQuery()
        self._order: list[int] = []  # every source row, in the current sort order
        self._visible: list[int] = []  # the source rows shown, in sort order
        self._proxy_row: dict[int, int] = {}
        self._last_tokens: tuple[str, ...] = ()
        self._sort_column = ClientTableModel.COL_NAME
        self._sort_order = Qt.SortOrder.AscendingOrder

    # ------------------------------------------------------------------ public

    @property
    def query(self) -> ClientQuery:
        """The query in force."""
        return self._query

    def setSourceModel(self, model: QAbstractItemModel) -> None:
        """Attach the client table; a reset of the table re-sorts and re-filters."""
        super().setSourceModel(model)
        model.modelReset.connect(self.refresh)
        model.dataChanged.connect(self._source_data_changed)
        self.refresh()

    def set_query(self, query: ClientQuery) -> None:
        """Apply a new query (called on every keystroke)."""
        entries = self._entries()
        pool = [entries[r] for r in self._visible] if self._narrows(query) else entries
        matched = _matching(pool, query)
        self.beginResetModel()
        self._query = query
        self._last_tokens = query.tokens
        if matched is None:
            self._visible = list(self._order)
        else:
            keep = {id(e) for e in matched}
            self._visible = [r for r in self._order if id(entries[r]) in keep]
        self._proxy_row = {source: row for row, source in enumerate(self._visible)}
        self.endResetModel()

    def refresh(self) -> None:
        """Re-sort and re-filter after the source rows were replaced."""
        self._last_tokens = ()
        self._order = self._sorted_rows(self._sort_column, self._sort_order)
        self.set_query(self._query)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort with one Python ``sorted`` call on precomputed keys."""
        if not 0 <= column < len(ClientTableModel.HEADERS):
            return
        self._sort_column, self._sort_order = column, order
        self._order = self._sorted_rows(column, order)
        position = {source: i for i, source in enumerate(self._order)}
        self.layoutAboutToBeChanged.emit()
        old = self._visible
        self._visible = sorted(old, key=position.__getitem__)
        self._proxy_row = {source: row for row, source in enumerate(self._visible)}
        for index in self.persistentIndexList():
            source_row = old[index.row()] if index.row() < len(old) else None
            new_row = self._proxy_row.get(source_row, -1) if source_row is not None else -1
            target = self.index(new_row, index.column()) if new_row >= 0 else QModelIndex()
            self.changePersistentIndex(index, target)
        self.layoutChanged.emit()

    # ------------------------------------------------------------------ Qt overrides

    def index(
        self,
        row: int,
        column: int,
        parent: Index = QModelIndex(),  # noqa: B008 - Qt override
    ) -> QModelIndex:
        """Flat table: an index for every visible row and column under the root."""
        if parent.isValid() or not (0 <= row < len(self._visible)):
            return QModelIndex()
        if not 0 <= column < self.columnCount():
            return QModelIndex()
        return self.createIndex(row, column)

    def parent(  # type: ignore[override]
        self,
        child: Index = QModelIndex(),  # noqa: B008 - Qt override
    ) -> QModelIndex:
        """Flat table: no item has a parent."""
        return QModelIndex()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt override
        """Visible rows."""
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt override
        """The source's columns."""
        return 0 if parent.isValid() else len(ClientTableModel.HEADERS)

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008 - Qt override
        """Only the root has children."""
        return not parent.isValid() and bool(self._visible)

    def mapToSource(self, proxy_index: Index) -> QModelIndex:
        """Proxy cell -> table cell."""
        source = self.sourceModel()
        if source is None or not proxy_index.isValid():
            return QModelIndex()
        row = proxy_index.row()
        if row >= len(self._visible):
            return QModelIndex()
        return source.index(self._visible[row], proxy_index.column())

    def mapFromSource(self, source_index: Index) -> QModelIndex:
        """Table cell -> proxy cell (invalid when filtered out)."""
        if not source_index.isValid():
            return QModelIndex()
        row = self._proxy_row.get(source_index.row())
        return QModelIndex() if row is None else self.index(row, source_index.column())

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column headers from the table; row headers are plain numbers."""
        source = self.sourceModel()
        if orientation == Qt.Orientation.Horizontal and source is not None:
            return source.headerData(section, orientation, role)
        if role == Qt.ItemDataRole.DisplayRole:
            return section + 1
        return None

    # ------------------------------------------------------------------ private

    def _entries(self) -> list[ListEntry]:
        source = self.sourceModel()
        return source.entries() if isinstance(source, ClientTableModel) else []

    def _sorted_rows(self, column: int, order: Qt.SortOrder) -> list[int]:
        source = self.sourceModel()
        entries = self._entries()
        if not isinstance(source, ClientTableModel):
            return []
        reverse = order == Qt.SortOrder.DescendingOrder
        return sorted(
            range(len(entries)), key=lambda r: source.sort_key(entries[r], column), reverse=reverse
        )

    def _narrows(self, query: ClientQuery) -> bool:
        """True when the new query can only match a subset of the rows shown now."""
        if not query.same_filters(self._query) or not self._last_tokens:
            return False
        new, old = query.tokens, self._last_tokens
        return len(new) >= len(old) and all(n.startswith(o) for n, o in zip(new, old, strict=False))

    def _source_data_changed(self, top: QModelIndex, bottom: QModelIndex, roles: Any = ()) -> None:
        for source_row in range(top.row(), bottom.row() + 1):
            row = self._proxy_row.get(source_row)
            if row is not None:
                self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))


def hidden_by_status(entries: Sequence[ListEntry], query: ClientQuery) -> Counter[ClientStatus]:
    """Clients the search matches but the status filter hides, counted by status."""
    if query.statuses is None:
        return Counter()
    matched = _matching(entries, dataclasses.replace(query, statuses=None))
    pool = entries if matched is None else matched
    return Counter(e.row.status for e in pool if e.row.status not in query.statuses)


def _matching(pool: Sequence[ListEntry], query: ClientQuery) -> list[ListEntry] | None:
    """Entries matching the query (None when the query accepts everyone)."""
    tokens = query.tokens
    if not tokens and query.statuses is None and query.intensity is None and not query.min_risk:
        return None
    result = list(pool)
    if query.statuses is not None:
        statuses = query.statuses
        result = [e for e in result if e.row.status in statuses]
    if query.intensity is not None:
        intensity = query.intensity
        result = [e for e in result if e.row.intensity is intensity]
    if query.min_risk == "unscreened":
        result = [e for e in result if e.row.risk_level is None]
    elif isinstance(query.min_risk, RiskLevel):
        floor = _RISK_ORDER[query.min_risk]
        result = [e for e in result if _RISK_ORDER[e.row.risk_level] >= floor]
    for token in tokens:
        result = [e for e in result if token in e.key]
    return result
