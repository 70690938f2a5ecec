"""The Clients screen: search-as-you-type over the whole caseload, filters, sorting."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from casedesk.domain.clock import today
from casedesk.domain.enums import ClientStatus
from casedesk.services.changes import Changes
from casedesk.ui.clients.client_list_model import (
    ID_ROLE,
    ClientFilterProxy,
    ClientQuery,
    ClientTableModel,
    ListEntry,
    hidden_by_status,
    prepare_entries,
)
from casedesk.ui.clients.clients_view import ClientsView
from casedesk.ui.clients.new_client_dialog import NewClientDialog
from casedesk.ui.context import AppContext
from casedesk.ui.messages import plural
from casedesk.ui.widgets.basics import guarded

# "1 closed client matches" / "2 closed clients match", and the button that shows them.
_HIDDEN_WORDS = {
    ClientStatus.CLOSED: ("%Ln closed client matches.", "%Ln closed clients match.", "Show closed"),
    ClientStatus.DECLINED: (
        "%Ln declined referral matches.",
        "%Ln declined referrals match.",
        "Show declined",
    ),
    ClientStatus.ACTIVE: ("%Ln active client matches.", "%Ln active clients match.", "Show active"),
    ClientStatus.REFERRAL: ("%Ln referral matches.", "%Ln referrals match.", "Show referrals"),
}


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
        v.show_hidden.clicked.connect(self.show_hidden_matches)
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

    def show_hidden_matches(self) -> None:
        """Widen the status filter to the statuses of the matches it hides."""
        hidden = hidden_by_status(self.model.entries(), self.proxy.query)
        combo = self.view.status_filter
        wanted = frozenset(hidden) if len(hidden) == 1 else None
        # findData can't compare Python sets; the choices are few, so look at each.
        choices = [combo.itemData(i) for i in range(combo.count())]
        combo.setCurrentIndex(choices.index(wanted if wanted in choices else None))

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        of_total = plural("ClientsScreen", total, "{shown} of %Ln client", "{shown} of %Ln clients")
        self.view.count.setText(of_total.format(shown=f"{shown:,}"))
        hidden_text, button_text = self._empty_text(shown, total)
        self.view.empty.setText(hidden_text)
        self.view.empty.setVisible(bool(hidden_text))
        self.view.show_hidden.setText(button_text)
        self.view.show_hidden.setVisible(bool(button_text))

    def _empty_text(self, shown: int, total: int) -> tuple[str, str]:
        """What to say when nothing shows, and the button that would show the matches."""
        if not total:
            text = self.tr("No clients yet. Use New client to add the first.")
            return (text if self.loaded else "", "")
        if shown:
            return ("", "")
        hidden = hidden_by_status(self.model.entries(), self.proxy.query)
        if len(hidden) == 1:
            status, count = next(iter(hidden.items()))
            one, many, show = _HIDDEN_WORDS[status]
            return (plural("ClientsScreen", count, one, many), self.tr(show))
        if hidden:
            count = sum(hidden.values())
            text = plural(
                "ClientsScreen",
                count,
                "%Ln client with another status matches.",
                "%Ln clients with other statuses match.",
            )
            return (text, self.tr("Show all statuses"))
        text = self.tr(
            "No client matches. Check the spelling, try part of a name, or change the filters."
        )
        return (text, "")

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
