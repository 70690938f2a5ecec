"""The exit form: why support ends, what was achieved, supports in place, feedback, follow-up.

Beside the form, "Still open" lists the goals, actions and referrals not yet finished, each
with the status it will be closed with (see :mod:`casedesk.domain.exits`).
"""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.clock import today
from casedesk.domain.enums import ClosureReason
from casedesk.services.errors import ValidationError
from casedesk.services.exits import FOLLOW_UP_WEEKS, EpisodeRecord, ExitInput, OpenItem
from casedesk.ui.context import AppContext
from casedesk.ui.exit.open_items import OpenItemsPanel
from casedesk.ui.messages import describe_error
from casedesk.ui.plan.fields import DataCombo, DateField, EnumCombo
from casedesk.ui.widgets.basics import guarded, label, save_cancel_buttons
from casedesk.ui.widgets.client_fields import ErrorSummary
from casedesk.ui.widgets.form_draft import DraftDialog, FormDraft, draft_key


class ExitDialog(DraftDialog):
    """End support. Saving closes the episode and plan, and sets the client's status to closed.

    The open goals, actions and referrals chosen in "Still open" are closed in the same save.

    Signals:
        exited(EpisodeRecord): the episode was closed.
    """

    exited = Signal(object)

    def __init__(self, ctx: AppContext, client_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._client_id = client_id
        self.disposed = False
        tr = self.tr
        self.setWindowTitle(tr("End support"))
        self.setAccessibleName(self.windowTitle())
        self.closed_on = DateField(tr("Exit date"))
        self.closed_on.set_date(today())
        self.reason = EnumCombo(
            ClosureReason, tr("Why support is ending"), empty=tr("Choose\u2026")
        )
        self.detail = QLineEdit()
        self.detail.setAccessibleName(tr("More about the reason"))
        self.summary = self._text(tr("Exit summary"))
        self.achievements = self._text(tr("Achievements"))
        self.supports = self._text(tr("Supports in place"))
        self.rating = DataCombo(tr("Client's rating of the service"))
        self.rating.set_items(
            [(tr("Not given"), None)] + [(tr("{n} of 5").format(n=n), n) for n in (5, 4, 3, 2, 1)]
        )
        self.comments = self._text(tr("Client's comments"))
        self.follow_up = DateField(tr("Follow-up contact date"))
        self.follow_up.set_date(today() + timedelta(weeks=FOLLOW_UP_WEEKS))
        self.open_items = OpenItemsPanel()
        self.error = label("", "error", wrap=True)
        self.error.hide()
        self.errors = ErrorSummary(
            self.error,
            {
                "closed_on": self.closed_on,
                "reason": self.reason,
                "reason_detail": self.detail,
                "follow_up_on": self.follow_up,
            },
        )
        form = QFormLayout()
        form.addRow(tr("Exit date"), self.closed_on)
        form.addRow(tr("Reason"), self.reason)
        form.addRow(tr("About the reason"), self.detail)
        form.addRow(tr("Exit summary"), self.summary)
        form.addRow(tr("Achievements"), self.achievements)
        form.addRow(tr("Supports in place"), self.supports)
        form.addRow(tr("Client's rating"), self.rating)
        form.addRow(tr("Client's comments"), self.comments)
        form.addRow(tr("Follow-up contact"), self.follow_up)
        hint = label(
            tr(
                "A follow-up contact about six weeks after exit is good practice; it appears in "
                "Tasks until you record it. Reopening later starts a new episode and keeps all "
                "history."
            ),
            "muted",
            wrap=True,
        )
        buttons = save_cancel_buttons(
            self, tr("End support and close the case"), self.save, save_text=tr("End support")
        )
        left = QVBoxLayout()
        left.addLayout(form)
        left.addWidget(hint)
        left.addStretch(1)
        columns = QHBoxLayout()
        columns.setSpacing(24)
        columns.addLayout(left, 1)
        columns.addWidget(self.open_items, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.reason.currentIndexChanged.connect(self._sync_follow_up)
        self.closed_on.textChanged.connect(self._sync_follow_up)
        self.resize(1040, 660)
        self.draft = FormDraft(
            ctx,
            self,
            draft_key("exit", "new", client_id),
            tr("Restore the exit form you were filling in on {when}?"),
        )
        self._load_open_items()

    def draft_fields(self) -> dict[str, QWidget]:
        """The inputs kept in a draft."""
        return {
            "closed_on": self.closed_on,
            "reason": self.reason,
            "detail": self.detail,
            "summary": self.summary,
            "achievements": self.achievements,
            "supports": self.supports,
            "rating": self.rating,
            "comments": self.comments,
            "follow_up": self.follow_up,
        }

    def _load_open_items(self) -> None:
        exits, cid = self._ctx.services.exits, self._client_id
        self._ctx.tasks.run(
            lambda: exits.open_items(cid),
            guarded(self, self._show_open_items),
            guarded(self, self._on_error),
            label="open items at exit",
        )

    def _show_open_items(self, items: list[OpenItem]) -> None:
        self.open_items.show_items(items)

    @staticmethod
    def _text(accessible: str) -> QPlainTextEdit:
        edit = QPlainTextEdit()
        edit.setAccessibleName(accessible)
        edit.setFixedHeight(60)
        return edit

    def _sync_follow_up(self) -> None:
        died = self.reason.value() is ClosureReason.DIED
        self.follow_up.setEnabled(not died)
        closed = self.closed_on.parsed()
        if closed is not None and not self.follow_up.isModified():
            self.follow_up.set_date(closed + timedelta(weeks=FOLLOW_UP_WEEKS))

    def exit_input(self) -> ExitInput:
        """The form as an :class:`ExitInput`."""
        return ExitInput(
            closed_on=self.closed_on.value() or None,
            reason=self.reason.value(),
            reason_detail=self.detail.text(),
            exit_summary=self.summary.toPlainText(),
            achievements=self.achievements.toPlainText(),
            supports_in_place=self.supports.toPlainText(),
            feedback_rating=self.rating.value(),
            feedback_comments=self.comments.toPlainText(),
            follow_up_on=self.follow_up.value() or None,
        )

    def save(self) -> None:
        """Close the episode, and the open items as chosen."""
        data, cid, exits = self.exit_input(), self._client_id, self._ctx.services.exits
        key = self.begin_save()
        closings = self.open_items.closings()
        self._ctx.tasks.run(
            lambda: exits.exit_client(cid, data, closings, draft_key=key),
            guarded(self, self._on_saved),
            guarded(self, self._on_error),
            label="end support",
        )

    def _on_saved(self, record: EpisodeRecord) -> None:
        self.exited.emit(record)
        self.accept()

    def _on_error(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            self.errors.show(exc.errors)
        else:
            self.errors.show_text(describe_error(exc))
