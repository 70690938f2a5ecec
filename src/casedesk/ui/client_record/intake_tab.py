"""The Intake tab: referral in, screening, the decision, rights and limits explained."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.enums import IntakeDecision, ScreeningOutcome
from casedesk.domain.validation import ValidationError
from casedesk.services.changes import Changes
from casedesk.services.intake import IntakeInput, IntakeView
from casedesk.ui.context import AppContext
from casedesk.ui.widgets.basics import Card, button, guarded, label
from casedesk.ui.widgets.client_fields import (
    FieldErrors,
    add_row,
    check_box,
    combo,
    date_edit,
    line_edit,
    select_data,
    text_box,
)
from casedesk.ui.widgets.form_draft import FormDraft, NamedFieldsDraft, draft_key

SOURCE_TYPES = ("self", "GP", "hospital", "community agency", "family", "other")


def _iso(value: object) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else ""


class IntakeTab(NamedFieldsDraft, QWidget):
    """Edit and save the client's intake.

    Signals:
        data_changed(object): a write happened (``Changes``); the record reloads.
    """

    data_changed = Signal(object)

    def __init__(self, ctx: AppContext, client_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.client_id = client_id
        self.disposed = False
        self.dirty = False
        self.errors = FieldErrors()
        self._build()
        self._connect_signals()
        self._decision_changed()
        self.draft = FormDraft(
            ctx,
            self,
            draft_key("intake", "edit", client_id),
            self.tr("Restore the intake you were filling in on {when}?"),
        )
        self.draft.restored.connect(lambda: setattr(self, "dirty", True))

    def draft_fields(self) -> dict[str, QWidget]:
        """The inputs kept in a draft."""
        return {
            "referral_date": self.referral_date,
            "source_type": self.source_type,
            "source_name": self.source_name,
            "reason": self.reason,
            "screening_outcome": self.screening_outcome,
            "screening_notes": self.screening_notes,
            "decision": self.decision,
            "decision_date": self.decision_date,
            "decline_reason": self.decline_reason,
            "referred_on_to": self.referred_on_to,
            "rights_explained_on": self.rights_explained_on,
            "limits_explained": self.limits_explained,
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
        self.referral_date = date_edit(tr("Referral date"))
        self.source_type: QComboBox = combo(
            tr("Referral source"), [(tr(s), s) for s in SOURCE_TYPES]
        )
        self.source_type.setEditable(True)
        self.source_name = line_edit(tr("Referrer name"), tr("Who referred (service or person)"))
        self.reason = text_box(tr("Reason for referral"), height=70)
        self.screening_outcome = combo(
            tr("Screening outcome"),
            [
                (tr("Not screened yet"), ScreeningOutcome.PENDING),
                (tr("Meets acceptance criteria"), ScreeningOutcome.ELIGIBLE),
                (tr("Does not meet criteria"), ScreeningOutcome.NOT_ELIGIBLE),
            ],
        )
        self.screening_notes = text_box(tr("Screening notes"), height=60)
        self.decision = combo(
            tr("Decision"),
            [
                (tr("Not decided yet"), IntakeDecision.PENDING),
                (tr("Accepted"), IntakeDecision.ACCEPTED),
                (tr("Declined"), IntakeDecision.DECLINED),
            ],
        )
        self.decision_date = date_edit(tr("Decision date"))
        self.decline_reason = text_box(tr("Why declined"), height=50)
        self.referred_on_to = line_edit(tr("Referred on to"), tr("Where the person was referred"))
        self.rights_explained_on = date_edit(tr("Rights and responsibilities explained on"))
        self.limits_explained = check_box(tr("Limits of the service explained"))
        self.save_button = button(tr("Save intake"), tr("Save intake"), primary=True)
        self.status = label("", "muted")
        e = self.errors
        referral = Card(tr("Referral"), self._holder)
        grid = QGridLayout()
        row = add_row(grid, 0, 0, tr("Referral date"), self.referral_date, e, "referral_date")
        row = add_row(grid, row, 0, tr("Source"), self.source_type, e, "source_type")
        row = add_row(grid, row, 0, tr("Referred by"), self.source_name, e, "source_name")
        add_row(grid, row, 0, tr("Reason"), self.reason, e, "reason")
        grid.setColumnStretch(1, 1)
        referral.body.addLayout(grid)
        screening = Card(tr("Screening and decision"), self._holder)
        grid2 = QGridLayout()
        row = add_row(grid2, 0, 0, tr("Outcome"), self.screening_outcome, e, "screening_outcome")
        row = add_row(grid2, row, 0, tr("Notes"), self.screening_notes, e, "screening_notes")
        row = add_row(grid2, row, 0, tr("Decision"), self.decision, e, "decision")
        row = add_row(grid2, row, 0, tr("Decided on"), self.decision_date, e, "decision_date")
        row = add_row(grid2, row, 0, tr("Why declined"), self.decline_reason, e, "decline_reason")
        add_row(grid2, row, 0, tr("Referred on to"), self.referred_on_to, e, "referred_on_to")
        grid2.setColumnStretch(1, 1)
        screening.body.addLayout(grid2)
        rights = Card(tr("Rights, responsibilities and limits"), self._holder)
        grid3 = QGridLayout()
        row = add_row(
            grid3, 0, 0, tr("Explained on"), self.rights_explained_on, e, "rights_explained_on"
        )
        grid3.addWidget(self.limits_explained, row, 1)
        grid3.setColumnStretch(1, 1)
        rights.body.addLayout(grid3)
        self._layout(referral, screening, rights)

    def _layout(self, referral: Card, screening: Card, rights: Card) -> None:
        inner = QVBoxLayout(self._holder)
        inner.setContentsMargins(12, 12, 12, 12)
        inner.setSpacing(12)
        columns = QHBoxLayout()
        columns.setSpacing(12)
        left = QVBoxLayout()
        left.addWidget(referral)
        left.addWidget(rights)
        left.addStretch(1)
        columns.addLayout(left, 1)
        columns.addWidget(screening, 1)
        inner.addLayout(columns)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.save_button)
        inner.addLayout(row)
        inner.addStretch(1)

    def _connect_signals(self) -> None:
        self.save_button.clicked.connect(self.save)
        self.decision.currentIndexChanged.connect(self._decision_changed)
        for widget in (
            self.referral_date,
            self.source_name,
            self.referred_on_to,
            self.decision_date,
            self.rights_explained_on,
        ):
            widget.textEdited.connect(self._mark_dirty)
        for box in (self.reason, self.screening_notes, self.decline_reason):
            box.textChanged.connect(self._mark_dirty)
        for choice in (self.source_type, self.screening_outcome, self.decision):
            choice.activated.connect(self._mark_dirty)
        self.limits_explained.toggled.connect(self._mark_dirty)

    def _mark_dirty(self, *_args: object) -> None:
        if not getattr(self, "_loading", False):
            self.dirty = True

    def _decision_changed(self, *_args: object) -> None:
        declined = self.decision.currentData() == IntakeDecision.DECLINED
        self.decline_reason.setEnabled(declined)
        self.referred_on_to.setEnabled(declined)

    # ------------------------------------------------------------------ data

    def set_intake(self, intake: IntakeView | None) -> None:
        """Show the stored intake (unless the worker is mid-edit)."""
        if self.dirty:
            return
        self._loading = True
        try:
            self.draft.refill(lambda: self._fill(intake))
        finally:
            self._loading = False
        self._decision_changed()
        if not self.draft.offered:
            self.draft.offer()  # typing left by a lock or crash goes over the stored intake

    def _fill(self, intake: IntakeView | None) -> None:
        self.referral_date.setText(_iso(intake.referral_date) if intake else "")
        source = intake.source_type if intake else ""
        index = self.source_type.findData(source)
        if index >= 0:
            self.source_type.setCurrentIndex(index)
        else:
            self.source_type.setEditText(source)
        self.source_name.setText(intake.source_name if intake else "")
        self.reason.setPlainText(intake.reason if intake else "")
        select_data(
            self.screening_outcome, intake.screening_outcome if intake else ScreeningOutcome.PENDING
        )
        self.screening_notes.setPlainText(intake.screening_notes if intake else "")
        select_data(self.decision, intake.decision if intake else IntakeDecision.PENDING)
        self.decision_date.setText(_iso(intake.decision_date) if intake else "")
        self.decline_reason.setPlainText(intake.decline_reason if intake else "")
        self.referred_on_to.setText(intake.referred_on_to if intake else "")
        self.rights_explained_on.setText(_iso(intake.rights_explained_on) if intake else "")
        self.limits_explained.setChecked(bool(intake and intake.limits_explained))

    def to_input(self) -> IntakeInput:
        """What the form holds, unvalidated."""
        return IntakeInput(
            referral_date=self.referral_date.text(),
            source_type=self.source_type.currentText(),
            source_name=self.source_name.text(),
            reason=self.reason.toPlainText(),
            screening_outcome=self.screening_outcome.currentData(),
            screening_notes=self.screening_notes.toPlainText(),
            decision=self.decision.currentData(),
            decision_date=self.decision_date.text(),
            decline_reason=self.decline_reason.toPlainText(),
            referred_on_to=self.referred_on_to.text(),
            rights_explained_on=self.rights_explained_on.text(),
            limits_explained=self.limits_explained.isChecked(),
        )

    def save(self) -> None:
        """Validate and save the intake."""
        data = self.to_input()
        intake, cid, key = self._ctx.services.intake, self.client_id, self.draft.key
        self.draft.flush()  # the last typing first: the save deletes it in its transaction
        self._ctx.tasks.run(
            lambda: intake.save_intake(cid, data, draft_key=key),
            guarded(self, self._on_saved),
            guarded(self, self._on_error),
            label="save intake",
        )

    def _on_saved(self, view: IntakeView) -> None:
        self.errors.clear()
        self.dirty = False
        self.set_intake(view)
        self.draft.mark_saved()
        self.status.setText(self.tr("Saved"))
        self.data_changed.emit(Changes.INTAKE | Changes.CLIENTS)

    def _on_error(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            self.errors.show(exc.errors)
            self.status.setText(self.tr("Please check the highlighted fields"))
            return
        self._ctx.dialogs.error(
            self, self.tr("Not saved"), self.tr("The intake could not be saved.")
        )

    def clear(self) -> None:
        """Empty every field (used on lock); typing not yet autosaved is saved first."""
        self.draft.release()
        self.dirty = False
        self.set_intake(None)
        self.errors.clear()
        self.status.clear()
