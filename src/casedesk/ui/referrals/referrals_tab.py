"""The Referrals tab: every referral out, its status and dates, follow-ups, consent warnings."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.clock import today
from casedesk.domain.enums import ReferralStatus
from casedesk.services.bundle import Services
from casedesk.services.changes import Changes
from casedesk.services.referrals import ReferralView
from casedesk.ui.context import AppContext
from casedesk.ui.messages import describe_error
from casedesk.ui.plan.fields import DateField, EnumCombo
from casedesk.ui.plan.labels import label_for
from casedesk.ui.plan.models import OVERDUE_COLOUR, proxy_for
from casedesk.ui.referrals.referral_dialog import ReferralDialog
from casedesk.ui.widgets.basics import Card, button, guarded, label
from casedesk.ui.widgets.client_table_model import (
    Column,
    RowTableModel,
    current_object,
    select_object,
)


def _tr(text: str) -> str:
    return QCoreApplication.translate("ReferralsTab", text)


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _long(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _follow_up_due(r: ReferralView) -> bool:
    return r.is_open and r.follow_up_on is not None and r.follow_up_on <= today()


def _status_text(r: ReferralView) -> str:
    when = {
        ReferralStatus.SENT: r.sent_on,
        ReferralStatus.ACCEPTED: r.responded_on,
        ReferralStatus.DECLINED: r.responded_on,
        ReferralStatus.ATTENDED: r.attended_on,
        ReferralStatus.CLOSED: r.closed_on,
    }.get(r.status)
    return label_for(r.status) + (f" {when.isoformat()}" if when else "")


def referral_model(parent: QObject | None = None) -> RowTableModel[ReferralView]:
    """Referrals: agency, reason, goal, status, drafted, follow-up, consent."""
    return RowTableModel(
        [
            Column(_tr("Agency"), lambda r: r.agency, bold=lambda r: r.is_open),
            Column(_tr("Reason"), lambda r: r.reason.split("\n")[0], tooltip=lambda r: r.reason),
            Column(_tr("Goal"), lambda r: r.goal_label),
            Column(_tr("Status"), _status_text, sort=lambda r: r.status.value),
            Column(_tr("Drafted"), lambda r: _day(r.drafted_on), sort=lambda r: r.drafted_on),
            Column(
                _tr("Follow up"),
                lambda r: _day(r.follow_up_on) if r.is_open else "",
                sort=lambda r: r.follow_up_on or date.max,
                colour=lambda r: OVERDUE_COLOUR if _follow_up_due(r) else None,
            ),
            Column(
                _tr("Consent"),
                lambda r: _tr("Covered") if r.consent_covered else _tr("No consent"),
                colour=lambda r: None if r.consent_covered else OVERDUE_COLOUR,
            ),
        ],
        parent,
    )


def load_referrals(services: Services, client_id: str) -> tuple[Any, Any, Any]:
    """Referrals, directory entries and plan goals (runs on the database thread)."""
    plan = services.plans.current_plan(client_id)
    goals = [(g.id, g.label) for g in plan.goals] if plan else []
    directory = [(s.label, s.id) for s in services.directory.list_services()]
    return services.referrals.list_referrals(client_id), directory, goals


class ReferralsTab(QWidget):
    """A client's referrals out."""

    def __init__(self, ctx: AppContext, client_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._client_id = client_id
        self.disposed = False
        self.dialog: QDialog | None = None
        self._directory: list[tuple[str, str]] = []
        self._goals: list[tuple[str, str]] = []
        self._announcing = False
        self.model = referral_model(self)
        self.proxy = proxy_for(self.model, self)
        self._build()
        ctx.hub.changed.connect(self._on_hub_changed)
        self.reload()

    def _build(self) -> None:
        tr = self.tr
        self.view = QTableView()
        self.view.setAccessibleName(tr("Referrals"))
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.new_button = button(tr("New referral\u2026"), tr("Make a new referral"), primary=True)
        self.edit_button = button(tr("Edit\u2026"), tr("Edit the selected referral"))
        self.status = EnumCombo(ReferralStatus, tr("New status for the referral"))
        self.status_on = DateField(tr("Date of the status change"))
        self.status_on.set_date(today())
        self.status_button = button(tr("Set status"), tr("Set the referral's status"))
        self.follow_up_hint = label("", "muted", wrap=True)
        self.follow_up_hint.setAccessibleName(tr("Follow-up date"))
        self.use_suggested = button("", tr("Use the suggested follow-up date"))
        self.warning = label("", "error", wrap=True)
        self.warning.setAccessibleName(tr("Consent warning"))
        self.warning.hide()
        self.summary = label("", "muted", wrap=True)
        row = QHBoxLayout()
        for widget in (self.new_button, self.edit_button):
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(label(tr("Move to"), "muted"))
        row.addWidget(self.status)
        row.addWidget(label(tr("on"), "muted"))
        row.addWidget(self.status_on)
        row.addWidget(self.status_button)
        card = Card(tr("Referrals out"))
        card.body.addWidget(
            label(
                tr("Each referral is followed up until it is closed; follow-ups appear in Tasks."),
                "muted",
                wrap=True,
            )
        )
        card.body.addLayout(row)
        hint = QHBoxLayout()
        hint.addWidget(self.follow_up_hint, 1)
        hint.addWidget(self.use_suggested)
        card.body.addLayout(hint)
        card.body.addWidget(self.view, 1)
        card.body.addWidget(self.warning)
        card.body.addWidget(self.summary)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(card)
        self.new_button.clicked.connect(lambda: self.edit(new=True))
        self.edit_button.clicked.connect(lambda: self.edit())
        self.status_button.clicked.connect(self.apply_status)
        self.use_suggested.clicked.connect(self.use_suggested_follow_up)
        self.view.doubleClicked.connect(lambda _i: self.edit())
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._on_selected())
        self._on_selected()

    # ------------------------------------------------------------------ data

    def reload(self) -> None:
        """Load referrals, the directory and goals off the GUI thread."""
        services, cid = self._ctx.services, self._client_id
        self._ctx.tasks.run(
            lambda: load_referrals(services, cid),
            guarded(self, self._on_loaded),
            guarded(self, self._on_error),
            label="load referrals",
        )

    def _on_loaded(self, result: Any) -> None:
        referrals, self._directory, self._goals = result
        selected = self.selected()
        self.model.set_rows(referrals)
        self.view.resizeColumnsToContents()
        open_count = sum(1 for r in referrals if r.is_open)
        self.summary.setText(
            self.tr("{open} open, {total} in all.").format(open=open_count, total=len(referrals))
        )
        if selected is not None:
            self.select(selected.id)
        self._on_selected()

    def selected(self) -> ReferralView | None:
        """The selected referral."""
        found: ReferralView | None = current_object(self.view)
        return found

    def select(self, referral_id: str) -> None:
        """Select a referral by id."""
        select_object(self.view, referral_id)

    def _on_selected(self) -> None:
        referral = self.selected()
        self.edit_button.setEnabled(referral is not None)
        self.status_button.setEnabled(referral is not None)
        self._show_follow_up(referral)
        if referral is None:
            self.warning.hide()
            return
        self.status.set_value(referral.status)
        self.warning.setText(
            self.tr(
                "No current consent covers sharing information with {agency}. Record the "
                "client's consent before sharing anything."
            ).format(agency=referral.agency)
        )
        self.warning.setVisible(referral.is_open and not referral.consent_covered)

    def _show_follow_up(self, referral: ReferralView | None) -> None:
        """The next follow-up, and the rule's date beside a date the worker chose."""
        due = referral.follow_up_on if referral is not None and referral.is_open else None
        suggested = referral.suggested_follow_up_on if referral is not None else None
        if due is None:
            self.follow_up_hint.clear()
        elif suggested is None:
            self.follow_up_hint.setText(self.tr("Next follow-up {d}.").format(d=_long(due)))
        else:
            self.follow_up_hint.setText(
                self.tr("Next follow-up {d} (your date, kept). Suggested: {s}.").format(
                    d=_long(due), s=_long(suggested)
                )
            )
        self.follow_up_hint.setVisible(due is not None)
        self.use_suggested.setText(
            self.tr("Use {d}").format(d=f"{suggested.day} {suggested:%b}") if suggested else ""
        )
        self.use_suggested.setVisible(due is not None and suggested is not None)

    # ------------------------------------------------------------------ actions

    def use_suggested_follow_up(self) -> None:
        """Take the suggested follow-up date for the selected referral."""
        referral = self.selected()
        if referral is None or referral.suggested_follow_up_on is None:
            return
        when, referrals = referral.suggested_follow_up_on, self._ctx.services.referrals
        self._ctx.tasks.run(
            lambda: referrals.set_follow_up(referral.id, when),
            guarded(self, self._after_save),
            guarded(self, self._on_error),
            label="referral follow-up",
        )

    def edit(self, *, new: bool = False) -> None:
        """Open the referral form."""
        referral = None if new else self.selected()
        if not new and referral is None:
            return
        dialog = ReferralDialog(
            self._ctx, self._client_id, self._directory, self._goals, referral, self
        )
        dialog.saved.connect(self._after_save)
        self.dialog = dialog
        dialog.open()

    def _after_save(self, view: ReferralView) -> None:
        self._announce()
        self.reload()
        self.select(view.id)

    def apply_status(self) -> None:
        """Move the selected referral to the chosen status."""
        referral = self.selected()
        if referral is None:
            return
        status, referrals = self.status.value(), self._ctx.services.referrals
        on = self.status_on.parsed() or today()
        self._ctx.tasks.run(
            lambda: referrals.set_status(referral.id, status, on),
            guarded(self, self._after_save),
            guarded(self, self._on_error),
            label="referral status",
        )

    def _announce(self) -> None:
        self._announcing = True
        try:
            self._ctx.hub.announce(Changes.REFERRALS)
        finally:
            self._announcing = False

    def _on_hub_changed(self, changes: Changes) -> None:
        if not self._announcing and changes & (
            Changes.REFERRALS | Changes.CONSENT | Changes.PLANS | Changes.DIRECTORY
        ):
            self.reload()

    def _on_error(self, exc: BaseException) -> None:
        self._ctx.dialogs.warn(self, self.tr("Referrals"), describe_error(exc))

    def clear(self) -> None:
        """Forget everything shown (on lock)."""
        self.model.clear()
        self._directory, self._goals = [], []
        if self.dialog is not None:
            self.dialog.reject()
