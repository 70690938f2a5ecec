"""The Service directory screen: search, browse, edit; CSV import (with preview) and export."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.directory_csv import CsvReport
from casedesk.services.changes import Changes
from casedesk.services.directory import ImportResult, ServiceView
from casedesk.services.errors import ValidationError
from casedesk.ui.context import AppContext
from casedesk.ui.directory.import_dialog import ImportDialog
from casedesk.ui.directory.models import WordFilterProxy, service_model
from casedesk.ui.directory.service_dialog import ServiceDialog
from casedesk.ui.messages import describe_error
from casedesk.ui.messages import info as show_info
from casedesk.ui.widgets.basics import button, guarded, label
from casedesk.ui.widgets.client_table_model import current_object, select_object


def entry_html(entry: ServiceView) -> str:
    """A readable card for one entry."""
    e = html.escape
    rows = [
        ("Organisation", entry.organisation),
        ("Category", entry.category),
        ("Phone", entry.phone),
        ("Email", entry.email),
        ("Website", entry.website),
        ("Address", entry.address),
        ("Hours", entry.hours),
        ("Eligibility", entry.eligibility),
        ("Area served", entry.area_served),
        ("Notes", entry.notes),
    ]
    body = "".join(
        f"<tr><td><b>{e(k)}</b></td><td>{e(v).replace(chr(10), '<br>')}</td></tr>"
        for k, v in rows
        if v
    )
    return f"<h3>{e(entry.name)}</h3><table cellpadding='3'>{body}</table>"


class DirectoryScreen(QWidget):
    """Agencies and services, offline."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.disposed = False
        self.dialog: QDialog | None = None
        self._announcing = False
        self.model = service_model(self)
        self.proxy = WordFilterProxy(self.model, self)
        self._build()
        ctx.hub.changed.connect(self._on_hub_changed)
        self.reload()

    def _build(self) -> None:
        tr = self.tr
        self.search = QLineEdit()
        self.search.setAccessibleName(tr("Search the directory"))
        self.search.setPlaceholderText(tr("Search by name, category, area, eligibility\u2026"))
        self.search.setClearButtonEnabled(True)
        self.add_button = button(tr("Add\u2026"), tr("Add a directory entry"), primary=True)
        self.edit_button = button(tr("Edit\u2026"), tr("Edit the selected entry"))
        self.remove_button = button(tr("Remove"), tr("Remove the selected entry"))
        self.import_button = button(tr("Import CSV\u2026"), tr("Import entries from a CSV file"))
        self.export_button = button(tr("Export CSV\u2026"), tr("Export the directory as CSV"))
        self.count = label("", "muted")
        self.view = QTableView()
        self.view.setAccessibleName(tr("Directory entries"))
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.setAlternatingRowColors(True)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in enumerate((0, 140, 104, 92, 104, 128)):
            if width:
                header.resizeSection(column, width)
        self.details = QTextBrowser()
        self.details.setAccessibleName(tr("Entry details"))
        self.details.setOpenExternalLinks(False)
        top = QHBoxLayout()
        top.addWidget(label(tr("Service directory"), "title"))
        top.addStretch(1)
        for b in (
            self.add_button,
            self.edit_button,
            self.remove_button,
            self.import_button,
            self.export_button,
        ):
            top.addWidget(b)
        search_row = QHBoxLayout()
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.count)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.view)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([900, 300])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 16)
        layout.addLayout(top)
        layout.addWidget(
            label(
                tr("Agencies and community resources you can refer clients to, kept offline."),
                "muted",
            )
        )
        layout.addLayout(search_row)
        layout.addWidget(splitter, 1)
        self.search.textChanged.connect(self._filter)
        self.add_button.clicked.connect(lambda: self.edit(new=True))
        self.edit_button.clicked.connect(lambda: self.edit())
        self.remove_button.clicked.connect(self.remove)
        self.import_button.clicked.connect(self.choose_import)
        self.export_button.clicked.connect(self.export)
        self.view.doubleClicked.connect(lambda _i: self.edit())
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._on_selected())
        self._on_selected()

    # ------------------------------------------------------------------ data

    def reload(self) -> None:
        """Load every entry (search filters in memory)."""
        directory = self._ctx.services.directory
        self._ctx.tasks.run(
            directory.list_services,
            guarded(self, self._on_loaded),
            guarded(self, self._on_error),
            label="load directory",
        )

    def _on_loaded(self, entries: list[ServiceView]) -> None:
        selected = self.selected()
        self.model.set_rows(entries)
        self._filter()
        if selected is not None:
            self.select(selected.id)
        self._on_selected()

    def _filter(self) -> None:
        self.proxy.set_words(self.search.text())
        self.count.setText(
            self.tr("{shown} of {total}").format(
                shown=self.proxy.rowCount(), total=self.model.rowCount()
            )
        )

    def selected(self) -> ServiceView | None:
        """The selected entry."""
        found: ServiceView | None = current_object(self.view)
        return found

    def select(self, entry_id: str) -> None:
        """Select an entry by id."""
        select_object(self.view, entry_id)

    def _on_selected(self) -> None:
        entry = self.selected()
        self.edit_button.setEnabled(entry is not None)
        self.remove_button.setEnabled(entry is not None)
        if entry is None:
            self.details.setHtml(
                "<p>" + html.escape(self.tr("Choose an entry to see its details.")) + "</p>"
            )
        else:
            self.details.setHtml(entry_html(entry))

    # ------------------------------------------------------------------ editing

    def edit(self, *, new: bool = False) -> None:
        """Open the entry form."""
        entry = None if new else self.selected()
        if not new and entry is None:
            return
        dialog = ServiceDialog(entry, self)
        dialog.accepted.connect(lambda: self._save(dialog))
        self.dialog = dialog
        dialog.open()

    def _save(self, dialog: ServiceDialog) -> None:
        values, directory = dialog.values(), self._ctx.services.directory
        entry_id = dialog.entry.id if dialog.entry else None

        def failed(exc: BaseException) -> None:
            if isinstance(exc, ValidationError):
                dialog.show_errors(exc.errors)
                dialog.open()
            else:
                self._on_error(exc)

        self._ctx.tasks.run(
            lambda: directory.save_service(values, entry_id),
            guarded(self, self._after_save),
            guarded(self, failed),
            label="save directory entry",
        )

    def _after_save(self, entry: ServiceView) -> None:
        self._changed()
        self.search.clear()
        self.reload()
        self.select(entry.id)

    def remove(self) -> None:
        """Remove the selected entry (after confirming)."""
        entry = self.selected()
        if entry is None or not self._ctx.dialogs.confirm(
            self,
            self.tr("Remove entry"),
            self.tr(
                "Remove {name} from the directory? Referrals that name it keep the name."
            ).format(name=entry.name),
            ok=self.tr("Remove"),
        ):
            return
        directory = self._ctx.services.directory
        self._ctx.tasks.run(
            lambda: directory.remove_service(entry.id),
            guarded(self, self._after_remove),
            guarded(self, self._on_error),
            label="remove directory entry",
        )

    def _after_remove(self, _result: object) -> None:
        self._changed()
        self.reload()

    # ------------------------------------------------------------------ CSV

    def choose_import(self) -> None:
        """Pick a CSV file and show its import preview."""
        path = self._ctx.dialogs.open_file(
            self, self.tr("Import service directory"), self.tr("CSV files (*.csv);;All files (*)")
        )
        if path is None:
            return
        directory = self._ctx.services.directory
        self._ctx.tasks.run(
            lambda: directory.preview(path),
            guarded(self, self.show_import),
            guarded(self, self._on_error),
            label="read directory file",
        )

    def show_import(self, report: CsvReport) -> None:
        """Show the validation report and let the user import (or not)."""
        dialog = ImportDialog(self._ctx, report, self)
        dialog.imported.connect(self._after_import)
        self.dialog = dialog
        dialog.open()

    def _after_import(self, result: ImportResult) -> None:
        self._changed()
        self.reload()
        show_info(
            self.tr("Directory import: {a} added, {u} updated, {s} rows skipped.").format(
                a=result.added, u=result.updated, s=result.skipped
            )
        )

    def export(self) -> None:
        """Save the directory as a CSV file."""
        path = self._ctx.dialogs.save_file(
            self,
            self.tr("Export service directory"),
            "service-directory.csv",
            self.tr("CSV files (*.csv)"),
        )
        if path is None:
            return
        directory = self._ctx.services.directory
        self._ctx.tasks.run(
            lambda: directory.export_csv(path),
            guarded(
                self,
                lambda n: show_info(self.tr("{n} directory entries exported.").format(n=n)),
            ),
            guarded(self, self._on_error),
            label="export directory",
        )

    # ------------------------------------------------------------------ helpers

    def _changed(self) -> None:
        self._announcing = True
        try:
            self._ctx.hub.announce(Changes.DIRECTORY)
        finally:
            self._announcing = False

    def _on_hub_changed(self, changes: Changes) -> None:
        if not self._announcing and changes & Changes.DIRECTORY:
            self.reload()

    def _on_error(self, exc: BaseException) -> None:
        self._ctx.dialogs.warn(self, self.tr("Service directory"), describe_error(exc))

    def clear(self) -> None:
        """Forget everything shown (on lock)."""
        self.model.clear()
        self.details.clear()
        self.search.clear()
