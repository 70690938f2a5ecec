"""CSV import preview: the validation report, the rows ready, the rows with problems.

Nothing is written until the user chooses: **Import** (only offered when the file has no
problems) or **Skip bad rows and import** (only when some rows are fine). Either way the
import is one transaction.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.directory_csv import CsvReport
from casedesk.services.directory import ImportResult
from casedesk.ui.context import AppContext
from casedesk.ui.directory.models import preview_model, problem_model
from casedesk.ui.messages import describe_error
from casedesk.ui.plan.models import proxy_for
from casedesk.ui.widgets.basics import button, guarded, label, set_role


def _table(accessible: str) -> QTableView:
    view = QTableView()
    view.setAccessibleName(accessible)
    view.verticalHeader().hide()
    view.setSortingEnabled(True)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class ImportDialog(QDialog):
    """Shows a :class:`CsvReport` and imports on request.

    Signals:
        imported(ImportResult): the rows were written.
    """

    imported = Signal(object)

    def __init__(self, ctx: AppContext, report: CsvReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.report = report
        self.disposed = False
        tr = self.tr
        self.setWindowTitle(tr("Import service directory"))
        self.setAccessibleName(self.windowTitle())
        self.summary = label(report.summary(), "heading", wrap=True)
        set_role(self.summary, "ok" if report.ok else "error")
        self.summary.setAccessibleName(tr("Import report"))
        self.warnings = label("\n".join(report.warnings), "muted", wrap=True)
        self.warnings.setVisible(bool(report.warnings))
        self.explain = label(self._explanation(), "muted", wrap=True)
        self.ready = preview_model(self)
        self.ready_proxy = proxy_for(self.ready, self)
        self.ready.set_rows(report.rows)
        self.problems = problem_model(self)
        self.problem_proxy = proxy_for(self.problems, self)
        self.problems.set_rows(report.problems)
        self.ready_view = _table(tr("Rows ready to import"))
        self.ready_view.setModel(self.ready_proxy)
        self.problem_view = _table(tr("Rows with problems"))
        self.problem_view.setModel(self.problem_proxy)
        self.problem_view.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.import_button = button(tr("Import"), tr("Import every row"), primary=True)
        self.skip_button = button(
            tr("Skip {n} bad rows and import {m}").format(
                n=len(report.problems), m=len(report.rows)
            ),
            tr("Skip the rows with problems and import the rest"),
        )
        self.cancel_button = button(tr("Cancel"), tr("Close without importing"))
        self.import_button.setEnabled(report.ok)
        self.skip_button.setVisible(bool(report.problems) and report.can_skip_bad_rows)
        self.error = label("", "error", wrap=True)
        self.error.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.skip_button)
        buttons.addWidget(self.import_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.warnings)
        layout.addWidget(self.explain)
        if report.problems:
            layout.addWidget(label(tr("Rows with problems"), "subheading"))
            layout.addWidget(self.problem_view, 1)
        if report.rows:
            layout.addWidget(label(tr("Rows ready to import"), "subheading"))
            layout.addWidget(self.ready_view, 2)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.import_button.clicked.connect(lambda: self.run_import(skip_bad_rows=False))
        self.skip_button.clicked.connect(lambda: self.run_import(skip_bad_rows=True))
        self.cancel_button.clicked.connect(self.reject)
        self.resize(860, 600)

    def _explanation(self) -> str:
        tr = self.tr
        if self.report.file_error is not None:
            return tr("Nothing was imported. Fix the file and try again.")
        if self.report.problems:
            return tr(
                "Nothing has been imported. Fix the rows below and import again, or skip them "
                "and import the rest. Entries with the same name and organisation as one "
                "already in the directory update it."
            )
        return tr(
            "Entries with the same name and organisation as one already in the directory "
            "update it; the rest are added."
        )

    def run_import(self, *, skip_bad_rows: bool) -> None:
        """Write the rows in one transaction."""
        directory, report = self._ctx.services.directory, self.report
        self._ctx.tasks.run(
            lambda: directory.import_rows(report, skip_bad_rows=skip_bad_rows),
            guarded(self, self._on_done),
            guarded(self, self._on_error),
            label="import directory",
        )

    def _on_done(self, result: ImportResult) -> None:
        self.imported.emit(result)
        self.accept()

    def _on_error(self, exc: BaseException) -> None:
        self.error.setText(describe_error(exc))
        self.error.show()
