"""The referral form: a directory entry or a typed agency, reason, goal, follow-up, notes.

A warning shows while no current consent covers sharing with the chosen agency (checked with
:func:`casedesk.domain.consent.covers_agency` through the referral service).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from casedesk.services.errors import ValidationError
from casedesk.services.referrals import ReferralInput, ReferralView
from casedesk.ui.context import AppContext
from casedesk.ui.messages import describe_error
from casedesk.ui.plan.fields import DataCombo, DateField
from casedesk.ui.widgets.basics import guarded, label, save_cancel_buttons
from casedesk.ui.widgets.client_fields import ErrorSummary
from casedesk.ui.widgets.form_draft import DraftDialog, FormDraft, draft_key


class ReferralDialog(DraftDialog):
    """Draft or change a referral.

    Signals:
        saved(ReferralView): the referral was stored.
    """

    saved = Signal(object)

    def __init__(
        self,
        ctx: AppContext,
        client_id: str,
        directory: Sequence[tuple[str, str]],
        goals: Sequence[tuple[str, str]],
        referral: ReferralView | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._client_id = client_id
        self._referral = referral
        self.disposed = False
        tr = self.tr
        self.setWindowTitle(tr("Change referral") if referral else tr("New referral"))
        self.setAccessibleName(self.windowTitle())
        self.service = DataCombo(tr("Service from the directory"))
        self.service.set_items([(tr("Not in the directory"), None), *directory])
        self.service.make_searchable()
        self.agency = QLineEdit()
        self.agency.setAccessibleName(tr("Agency name"))
        self.agency.setPlaceholderText(tr("Type the agency's name if it is not in the directory"))
        self.reason = QPlainTextEdit()
        self.reason.setAccessibleName(tr("Reason for the referral"))
        self.reason.setFixedHeight(70)
        self.goal = DataCombo(tr("Goal the referral supports"))
        self.goal.set_items([(tr("No goal"), None)] + [(text, gid) for gid, text in goals])
        self.follow_up = DateField(tr("Follow-up date"))
        self.notes = QPlainTextEdit()
        self.notes.setAccessibleName(tr("Referral notes"))
        self.notes.setFixedHeight(60)
        self.consent_warning = label("", "error", wrap=True)
        self.consent_warning.setAccessibleName(tr("Consent warning"))
        self.consent_warning.hide()
        self.error = label("", "error", wrap=True)
        self.error.hide()
        self.errors = ErrorSummary(
            self.error,
            {
                "agency_name": self.agency,
                "reason": self.reason,
                "follow_up_on": self.follow_up,
                "notes": self.notes,
            },
        )
        self.errors.watch("agency_name", self.service)  # choosing a directory entry fixes it
        form = QFormLayout()
        form.addRow(tr("Directory"), self.service)
        form.addRow(tr("Agency"), self.agency)
        form.addRow(tr("Reason"), self.reason)
        form.addRow(tr("Goal"), self.goal)
        form.addRow(tr("Follow up on"), self.follow_up)
        form.addRow(tr("Notes"), self.notes)
        buttons = save_cancel_buttons(self, tr("Save referral"), self.save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.consent_warning)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        if referral is not None:
            self.service.setCurrentIndex(max(self.service.findData(referral.service_id), 0))
            self.agency.setText("" if referral.service_id else referral.agency)
            self.reason.setPlainText(referral.reason)
            self.goal.setCurrentIndex(max(self.goal.findData(referral.goal_id), 0))
            self.follow_up.set_date(referral.follow_up_on)
            self.notes.setPlainText(referral.notes)
        self.service.currentIndexChanged.connect(self.check_consent)
        self.agency.editingFinished.connect(self.check_consent)
        self.resize(600, 480)
        self.check_consent()
        key = (
            draft_key("referral", "edit", referral.id)
            if referral
            else draft_key("referral", "new", client_id)
        )
        self.draft = FormDraft(
            ctx, self, key, tr("Restore the referral you were writing on {when}?")
        )

    def draft_fields(self) -> dict[str, QWidget]:
        """The inputs kept in a draft."""
        return {
            "service": self.service,
            "agency": self.agency,
            "reason": self.reason,
            "goal": self.goal,
            "follow_up": self.follow_up,
            "notes": self.notes,
        }

    def agency_text(self) -> str:
        """The agency as chosen: the directory entry's name, else the typed name."""
        if self.service.value() is not None:
            return self.service.currentText()
        return self.agency.text().strip()

    def check_consent(self) -> None:
        """Warn when no current consent names this agency."""
        agency = self.agency_text()
        if not agency:
            self.consent_warning.hide()
            return
        referrals, cid = self._ctx.services.referrals, self._client_id
        names = [agency, agency.split(" (")[0]]
        self._ctx.tasks.run(
            lambda: any(referrals.consent_covers(cid, n) for n in names),
            guarded(self, lambda covered: self._show_consent(agency, covered)),
            label="check consent",
        )

    def _show_consent(self, agency: str, covered: bool) -> None:
        self.consent_warning.setText(
            self.tr(
                "No current consent covers sharing information with {agency}. Record the "
                "client's consent (Consent tab) before sending the referral."
            ).format(agency=agency)
        )
        self.consent_warning.setVisible(not covered)

    def referral_input(self) -> ReferralInput:
        """The form as a :class:`ReferralInput`."""
        return ReferralInput(
            client_id=self._client_id,
            service_id=self.service.value(),
            agency_name=self.agency.text() if self.service.value() is None else "",
            reason=self.reason.toPlainText(),
            goal_id=self.goal.value(),
            drafted_on=self._referral.drafted_on if self._referral else None,
            follow_up_on=self.follow_up.value() or None,
            notes=self.notes.toPlainText(),
        )

    def save(self) -> None:
        """Store the referral."""
        data, referrals = self.referral_input(), self._ctx.services.referrals
        rid = self._referral.id if self._referral else None
        key = self.begin_save()
        work = (
            (lambda: referrals.add_referral(data, draft_key=key))
            if rid is None
            else (lambda: referrals.update_referral(rid, data, draft_key=key))
        )
        self._ctx.tasks.run(
            work,
            guarded(self, self._on_saved),
            guarded(self, self._on_error),
            label="save referral",
        )

    def _on_saved(self, view: ReferralView) -> None:
        self.saved.emit(view)
        self.accept()

    def _on_error(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            self.errors.show(exc.errors)
        else:
            self.errors.show_text(describe_error(exc))
