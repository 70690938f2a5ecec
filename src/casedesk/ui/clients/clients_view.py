"""Layout of the Clients screen (widgets only; behaviour lives in ``clients_screen``)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.enums import ClientStatus, Intensity, RiskLevel
from casedesk.ui.clients.client_list_model import OPEN_STATUSES
from casedesk.ui.widgets.basics import button, label
from casedesk.ui.widgets.client_fields import combo


class ClientsView(QWidget):
    """Search box, filters, count, the client table and the New client button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        tr = self.tr
        self.title = label(tr("Clients"), "title")
        self.count = label("", "muted")
        self.new_button = button(tr("New client"), tr("Add a new client"), primary=True)
        self.new_button.setToolTip(tr("New client (Ctrl+N)"))
        self.search = QLineEdit()
        self.search.setAccessibleName(tr("Search clients"))
        self.search.setPlaceholderText(tr("Search by name, preferred name or identifier…"))
        self.search.setClearButtonEnabled(True)
        self.status_filter = combo(
            tr("Status filter"),
            [
                (tr("Open (active and referrals)"), OPEN_STATUSES),
                (tr("Active"), frozenset({ClientStatus.ACTIVE})),
                (tr("Referrals"), frozenset({ClientStatus.REFERRAL})),
                (tr("Closed"), frozenset({ClientStatus.CLOSED})),
                (tr("Declined"), frozenset({ClientStatus.DECLINED})),
                (tr("All statuses"), None),
            ],
        )
        self.intensity_filter = combo(
            tr("Intensity filter"),
            [(tr("Any intensity"), None)] + [(tr(i.value.capitalize()), i) for i in Intensity],
        )
        self.risk_filter = combo(
            tr("Risk filter"),
            [
                (tr("Any risk"), None),
                (tr("High risk"), RiskLevel.HIGH),
                (tr("Medium or high"), RiskLevel.MEDIUM),
                (tr("Not screened"), "unscreened"),
            ],
        )
        self.table = QTableView()
        self.table.setAccessibleName(tr("Client list"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setSortingEnabled(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(30)
        self.table.horizontalHeader().setHighlightSections(False)
        self.table.horizontalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )
        self.table.horizontalHeader().setStretchLastSection(True)
        self.empty = label("", "muted", wrap=True)
        self.show_hidden = button("", tr("Show the clients the status filter hides"), link=True)
        self.show_hidden.hide()
        self._layout()

    def _layout(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 20, 24, 20)
        outer.setSpacing(12)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addSpacing(12)
        top.addWidget(self.count)
        top.addStretch(1)
        top.addWidget(self.new_button)
        outer.addLayout(top)
        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        filters.addWidget(self.status_filter, 1)
        filters.addWidget(self.intensity_filter, 1)
        filters.addWidget(self.risk_filter, 1)
        outer.addLayout(filters)
        outer.addWidget(self.table, 1)
        empty = QHBoxLayout()
        empty.addWidget(self.empty)
        empty.addWidget(self.show_hidden)
        empty.addStretch(1)
        outer.addLayout(empty)

    def size_columns(self) -> None:
        """Sensible column widths (fixed, so 10,000 rows are never measured)."""
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((260, 60, 110, 100, 90, 120)):
            header.resizeSection(column, width)
