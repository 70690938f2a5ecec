"""The Consent tab: records, a warning banner, add and withdraw."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.clock import today
from casedesk.domain.consent import (
    CONSENT_METHODS,
    ConsentInput,
    ConsentProblem,
    ConsentState,
    ConsentSummary,
)
from casedesk.domain.enums import ConsentScope
from casedesk.domain.validation import ValidationError
from casedesk.services.changes import Changes
from casedesk.services.consent import ConsentView
from casedesk.ui.client_record.models import ConsentModel, fmt_date, scope_label
from casedesk.ui.context import AppContext
from casedesk.ui.widgets.basics import Card, button, guarded, label, set_role
from casedesk.ui.widgets.client_fields import (
    QT_TRANSLATE_NOOP,
    FieldErrors,
    add_row,
    combo,
    date_edit,
    left_aligned_headers,
    line_edit,
    text_box,
)
from casedesk.ui.widgets.form_draft import FormDraft, NamedFieldsDraft, draft_key

SCOPE_LABELS = {
    ConsentScope.COLLECT_STORE: QT_TRANSLATE_NOOP(
        "ConsentTab", "Collect, use and store information"
    ),
    ConsentScope.SHARE: QT_TRANSLATE_NOOP("ConsentTab", "Share information with named agencies"),
    ConsentScope.REFERRAL: QT_TRANSLATE_NOOP("ConsentTab", "Refer on to named agencies"),
    ConsentScope.CONTACT_FAMILY: QT_TRANSLATE_NOOP(
        "ConsentTab", "Talk with named family or carers"
    ),
    ConsentScope.PHOTO_MEDIA: QT_TRANSLATE_NOOP("ConsentTab", "Photos and media"),
}


_PROBLEM_TEMPLATES = {
    ConsentState.MISSING: QT_TRANSLATE_NOOP(
        "ConsentTab",
        "No consent to collect and store information is recorded. Record it before keeping notes.",
    ),
    ConsentState.WITHDRAWN: QT_TRANSLATE_NOOP(
        "ConsentTab", "Withdrawn {when}: {scope}{who}. Do not act on it."
    ),
    ConsentState.EXPIRED: QT_TRANSLATE_NOOP(
        "ConsentTab", "Expired {when}: {scope}{who}. Renew it or stop."
    ),
    ConsentState.EXPIRING_SOON: QT_TRANSLATE_NOOP(
        "ConsentTab", "Expires {when}: {scope}{who}. Renew it soon."
    ),
}


def problem_text(problem: ConsentProblem) -> str:
    """One line of the warning banner, translated."""
    label = SCOPE_LABELS.get(problem.scope, "Consent") if problem.scope else "Consent"
    scope = QCoreApplication.translate("ConsentTab", label)
    who = f" ({', '.join(problem.agencies)})" if problem.agencies else ""
    template = _PROBLEM_TEMPLATES.get(problem.state, "{scope}")
    return QCoreApplication.translate("ConsentTab", template).format(
        when=fmt_date(problem.on), scope=scope, who=who
    )


class ConsentTab(NamedFieldsDraft, QWidget):
    """Consent records with state, a banner for problems, and the add form.

    Signals:
        data_changed(object): a write happened (``Changes``); the record reloads.
    """

    data_changed = Signal(object)

    def __init__(self, ctx: AppContext, client_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.client_id = client_id
        self.disposed = False
        self.today: date = today()
        self.model = ConsentModel(self.today, self)
        self.errors = FieldErrors()
        self._build()
        self._connect_signals()
        self.draft = FormDraft(
            ctx,
            self,
            draft_key("consent", "new", client_id),
            self.tr("Restore the consent you were recording on {when}?"),
        )

    def draft_fields(self) -> dict[str, QWidget]:
        """The inputs of the "Record consent" form kept in a draft."""
        return {
            "scope": self.scope,
            "agencies": self.agencies,
            "given_on": self.given_on,
            "expires_on": self.expires_on,
            "method": self.method,
            "notes": self.notes,
        }

    def _build(self) -> None:
        tr = self.tr
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        layout.addWidget(scroll)
        self._holder = QWidget()
        scroll.setWidget(self._holder)  # while empty: filled trees are never re-parented
        self.banner = label("", "error", wrap=True)
        self.banner.setAccessibleName(tr("Consent warning"))
        self.banner.hide()
        self.table = QTableView()
        self.table.setAccessibleName(tr("Consent records"))
        self.table.setMinimumHeight(90)
        self.table.setMaximumHeight(170)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        left_aligned_headers(self.table)
        header = self.table.horizontalHeader()
        for column, width in enumerate((230, 220, 100, 100, 100, 80, 110)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.withdraw_button = button(tr("Record withdrawal"), tr("Withdraw selected consent"))
        self.scope = combo(
            tr("What the consent covers"),
            [(tr(text), scope) for scope, text in SCOPE_LABELS.items()],
        )
        self.agencies = line_edit(tr("Agencies"), tr("Agency names, separated by commas"))
        self.given_on = date_edit(tr("Date given"))
        self.given_on.setText(self.today.isoformat())
        self.expires_on = date_edit(tr("Expiry date"))
        self.method = combo(
            tr("How consent was given"), [(tr(m.capitalize()), m) for m in CONSENT_METHODS]
        )
        self.notes = text_box(tr("Consent notes"), height=40)
        self.notes.setMaximumHeight(60)
        self.add_button = button(tr("Add consent"), tr("Add consent record"), primary=True)
        self._layout()

    def _layout(self) -> None:
        tr, e = self.tr, self.errors
        records = Card(tr("Consent records"), self._holder)
        records.body.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addWidget(
            label(tr("Withdrawn consents stay in the record with their date."), "muted"), 1
        )
        row.addWidget(self.withdraw_button)
        records.body.addLayout(row)
        add = Card(tr("Record consent"), self._holder)
        grid = QGridLayout()
        grid.setVerticalSpacing(2)
        r = add_row(grid, 0, 0, tr("Covers"), self.scope, e, "scope")
        r = add_row(grid, r, 0, tr("Agencies"), self.agencies, e, "agencies")
        r = add_row(grid, r, 0, tr("How"), self.method, e, "method")
        grid.setRowStretch(r, 1)
        r2 = add_row(grid, 0, 2, tr("Given on"), self.given_on, e, "given_on")
        r2 = add_row(grid, r2, 2, tr("Expires on"), self.expires_on, e, "expires_on")
        add_row(grid, r2, 2, tr("Notes"), self.notes, e, "notes")
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(3, 1)
        add.body.addLayout(grid)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.add_button)
        add.body.addLayout(buttons)
        inner = QVBoxLayout(self._holder)
        inner.setContentsMargins(12, 12, 12, 12)
        inner.setSpacing(12)
        inner.addWidget(self.banner)
        inner.addWidget(records)
        inner.addWidget(add)
        inner.addStretch(1)

    def _connect_signals(self) -> None:
        self.add_button.clicked.connect(self.add_consent)
        self.withdraw_button.clicked.connect(self._withdraw_selected)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        self._update_buttons()

    # ------------------------------------------------------------------ data

    def set_consents(self, consents: Sequence[ConsentView], summary: ConsentSummary) -> None:
        """Show the records and the banner."""
        self.model.set_rows(consents)
        self.show_summary(summary)
        if not self.draft.offered:
            self.draft.offer()

    def show_summary(self, summary: ConsentSummary) -> None:
        """A red banner for missing, withdrawn or expired; amber for expiring soon."""
        if not summary.problems:
            self.banner.hide()
            self.banner.clear()
            return
        serious = any(p.state is not ConsentState.EXPIRING_SOON for p in summary.problems)
        set_role(self.banner, "error" if serious else "notice")
        lines = [problem_text(p) for p in summary.problems]
        self.banner.setText("\n".join(lines))
        self.banner.show()

    def selected(self) -> ConsentView | None:
        """The selected consent record."""
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    # ------------------------------------------------------------------ actions

    def add_consent(self) -> None:
        """Validate and store a new consent."""
        data = ConsentInput(
            client_id=self.client_id,
            scope=self.scope.currentData(),
            given_on=self.given_on.text(),
            expires_on=self.expires_on.text(),
            agencies=tuple(a.strip() for a in self.agencies.text().split(",")),
            method=self.method.currentData(),
            notes=self.notes.toPlainText(),
        )
        consent, key = self._ctx.services.consent, self.draft.key
        self.draft.flush()  # the last typing first: the save deletes it in its transaction
        self._ctx.tasks.run(
            lambda: consent.add_consent(data, draft_key=key),
            guarded(self, self._on_added),
            guarded(self, self._on_error),
            label="add consent",
        )

    def withdraw(self, consent_id: str) -> None:
        """Record that the client withdrew a consent (today)."""
        consent = self._ctx.services.consent
        self._ctx.tasks.run(
            lambda: consent.withdraw(consent_id),
            guarded(self, lambda _v: self.data_changed.emit(Changes.CONSENT)),
            guarded(self, self._on_error),
            label="withdraw consent",
        )

    def _withdraw_selected(self) -> None:
        record = self.selected()
        if record is None:
            return
        what = scope_label(record.scope.value)
        if self._ctx.dialogs.confirm(
            self,
            self.tr("Record withdrawal"),
            self.tr("Record that the client withdrew consent ({what}) today?").format(what=what),
            ok=self.tr("Record withdrawal"),
        ):
            self.withdraw(record.id)

    def _on_added(self, _view: ConsentView) -> None:
        self.errors.clear()
        self.draft.refill(self._clear_form)
        self.draft.mark_saved()
        self.data_changed.emit(Changes.CONSENT)

    def _clear_form(self) -> None:
        self.agencies.clear()
        self.expires_on.clear()
        self.notes.clear()

    def _on_error(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            self.errors.show(exc.errors)
            if "withdrawn_on" in exc.errors:
                self._ctx.dialogs.warn(self, self.tr("Not recorded"), exc.errors["withdrawn_on"])
            return
        self._ctx.dialogs.error(self, self.tr("Not saved"), self.tr("Consent could not be saved."))

    def _update_buttons(self, *_args: object) -> None:
        record = self.selected()
        self.withdraw_button.setEnabled(record is not None and record.withdrawn_on is None)

    def clear(self) -> None:
        """Empty everything (used on lock); typing not yet autosaved is saved first."""
        self.draft.release()
        self.model.clear()
        self.banner.clear()
        self.banner.hide()
        self._clear_form()
        self.errors.clear()
