"""The Clients screen: search-as-you-type over the whole caseload, filters, sorting."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from casedesk.domain.clock import today
from casedesk.services.changes import Changes
from casedesk.ui.clients.client_list_model import (
    ID_ROLE,
    ClientFilterProxy,
    ClientQuery,
    ClientTableModel,
    ListEntry,
    prepare_entries,
)
from casedesk.ui.clients.clients_view import ClientsView
from casedesk.ui.clients.new_client_dialog import NewClientDialog
from casedesk.ui.context import AppContext
from casedesk.ui.widgets.basics import guarded


class ClientsScreen(QWidget):
    """The caseload list. Rows load once off-thread; every keystroke filters in memory."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.disposed = False
        self.model = ClientTableModel(self)
        self.proxy = ClientFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.view = ClientsView()
        self.view.table.setModel(self.proxy)
        self.view.size_columns()
        self.view.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.new_client_dialog: NewClientDialog | None = None
        self.loaded = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self._connect_signals()
        self.reload()

    # ------------------------------------------------------------------ public

    def focus_search(self) -> None:
        """Put the cursor in the search box (Ctrl+F)."""
        self.view.search.setFocus()
        self.view.search.selectAll()

    def new_client(self) -> NewClientDialog:
        """Open the new client form (Ctrl+N)."""
        dialog = NewClientDialog(self._ctx, self)
        dialog.created.connect(lambda record: self._ctx.hub.open_client.emit(record.id))
        self.new_client_dialog = dialog
        dialog.open()
        return dialog

    def reload(self) -> None:
        """Load every client off the GUI thread (search keys are built there too)."""
        clients = self._ctx.services.clients
        on = today()
        self._ctx.tasks.run(
            lambda: prepare_entries(clients.list_clients(), on),
            guarded(self, self._on_loaded),
            label="load clients",
        )

    def clear(self) -> None:
        """Forget every client and the search text (used on lock)."""
        self.model.clear()
        self.view.search.clear()
        self.view.count.clear()
        self.loaded = False
        if self.new_client_dialog is not None:
            self.new_client_dialog.form.clear()
            self.new_client_dialog.reject()
            self.new_client_dialog = None

    def visible_client_ids(self) -> list[str]:
        """Client ids in the order shown (for tests and keyboard navigation)."""
        return [self.proxy.index(r, 0).data(ID_ROLE) for r in range(self.proxy.rowCount())]

    def apply_filters(self) -> None:
        """Filter by what is in the search box and the filter combos."""
        v = self.view
        query = ClientQuery(
            text=v.search.text(),
            statuses=v.status_filter.currentData(),
            intensity=v.intensity_filter.currentData(),
            min_risk=v.risk_filter.currentData(),
        )
        self.proxy.set_query(query)
        self._update_count()

    # ------------------------------------------------------------------ private

    def _connect_signals(self) -> None:
        v = self.view
        v.search.textChanged.connect(self.apply_filters)
        v.status_filter.currentIndexChanged.connect(self.apply_filters)
        v.intensity_filter.currentIndexChanged.connect(self.apply_filters)
        v.risk_filter.currentIndexChanged.connect(self.apply_filters)
        v.table.activated.connect(self._open_index)
        v.new_button.clicked.connect(self.new_client)
        v.search.installEventFilter(self)
        self._ctx.hub.changed.connect(self._on_changed)

    def _on_loaded(self, entries: list[ListEntry]) -> None:
        self.model.set_entries(entries)  # the proxy re-sorts and re-filters on the reset
        self.loaded = True
        self._update_count()

    def _on_changed(self, changes: Changes) -> None:
        if changes & (Changes.CLIENTS | Changes.NOTES | Changes.RISK | Changes.INTAKE):
            self.reload()

    def _open_index(self, index: QModelIndex) -> None:
        client_id = index.data(ID_ROLE)
        if client_id:
            self._ctx.hub.open_client.emit(client_id)

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.view.count.setText(
            self.tr("{shown} of {total} clients").format(shown=f"{shown:,}", total=f"{total:,}")
        )
        if total and not shown:
            self.view.empty.setText(
                self.tr(
                    "No client matches. Check the spelling, try part of "
                    "a name, or change the filters."
                )
            )
        elif not total and self.loaded:
            self.view.empty.setText(self.tr("No clients yet. Use New client to add the first."))
        else:
            self.view.empty.clear()
        self.view.empty.setVisible(bool(self.view.empty.text()))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Down arrow moves from search to the list; Enter opens the first match."""
        if watched is self.view.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Down and self.proxy.rowCount():
                self.view.table.setFocus()
                self.view.table.selectRow(0)
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.proxy.rowCount():
                self._open_index(self.proxy.index(0, 0))
                return True
        return super().eventFilter(watched, event)
