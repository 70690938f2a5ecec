"""The review form: progress per goal, achievements celebrated, barriers, new supports."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.enums import GoalAchievement
from casedesk.domain.plans import PlanTransitionError
from casedesk.services.errors import ValidationError
from casedesk.services.plans import GoalView, PlanView
from casedesk.services.reviews import GoalReviewInput, ReviewInput, ReviewOutcome, ReviewView
from casedesk.ui.context import AppContext
from casedesk.ui.messages import describe_error
from casedesk.ui.plan.fields import DateField, EnumCombo
from casedesk.ui.plan.labels import confirm_agreeing
from casedesk.ui.widgets.basics import Card, button, guarded, label
from casedesk.ui.widgets.client_fields import ErrorSummary

NOT_ASKED = -1


class _GoalRow:
    """One goal's review fields."""

    def __init__(self, owner: QWidget, goal: GoalView) -> None:
        tr = owner.tr
        self.goal = goal
        self.achievement = EnumCombo(
            GoalAchievement, tr("Achievement for {g}").format(g=goal.label)
        )
        self.achievement.set_value(goal.achievement)
        self.score = QSpinBox()
        self.score.setRange(NOT_ASKED, 10)
        self.score.setSpecialValueText(tr("not asked"))
        self.score.setValue(NOT_ASKED)
        self.score.setAccessibleName(
            tr("Client's scaling score 0 to 10 for {g}").format(g=goal.label)
        )
        self.note = QLineEdit()
        self.note.setAccessibleName(tr("Progress note for {g}").format(g=goal.label))
        self.note.setPlaceholderText(tr("Progress, in a sentence"))

    def value(self) -> GoalReviewInput:
        score = self.score.value()
        return GoalReviewInput(
            self.goal.id,
            self.achievement.value(),
            self.note.text(),
            None if score == NOT_ASKED else score,
        )


class ReviewDialog(QDialog):
    """Record a review and finish it: agree a new version, keep the plan, or edit it first.

    Signals:
        finished_review(PlanView): the review was finished; the plan as it now stands.
    """

    finished_review = Signal(object)

    def __init__(
        self, ctx: AppContext, plan: PlanView, review: ReviewView, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._plan = plan
        self._review = review
        self.disposed = False
        self.setWindowTitle(self.tr("Plan review"))
        self.setAccessibleName(self.windowTitle())
        self.rows = [_GoalRow(self, g) for g in plan.goals]
        self._build()
        self._fill(review)
        self.resize(900, 700)

    def _build(self) -> None:
        tr = self.tr
        self.held_on = DateField(tr("Review date"))
        self.held_on.set_date(self._review.held_on)
        goals = Card(tr("Progress on each goal"))
        grid = QGridLayout()
        for col, heading in enumerate(
            (tr("Goal"), tr("Achievement"), tr("Client's score (0-10)"), tr("Progress"))
        ):
            grid.addWidget(label(heading, "muted"), 0, col)
        for i, row in enumerate(self.rows, start=1):
            goal_label = label(row.goal.label, wrap=True)
            goal_label.setMinimumWidth(220)
            grid.addWidget(goal_label, i, 0)
            grid.addWidget(row.achievement, i, 1)
            grid.addWidget(row.score, i, 2)
            grid.addWidget(row.note, i, 3)
        grid.setColumnStretch(3, 1)
        goals.body.addLayout(grid)
        self.achievements = self._text(tr("Achievements to celebrate"))
        self.barriers = self._text(tr("Barriers named"))
        self.new_supports = self._text(tr("New supports"))
        self.summary = self._text(tr("Review summary"))
        self.risk = QCheckBox(tr("Risk re-checked at this review"))
        self.risk.setAccessibleName(tr("Risk re-checked"))
        self.error = label("", "error", wrap=True)
        self.error.hide()
        self.errors = ErrorSummary(self.error, {"held_on": self.held_on})
        self.celebrate = label("", "ok", wrap=True)
        self.celebrate.setAccessibleName(tr("Goals achieved"))
        self.celebrate.hide()
        for row in self.rows:
            row.achievement.currentIndexChanged.connect(self._update_celebration)
        body = QWidget()
        layout = QVBoxLayout(body)
        date_row = QHBoxLayout()
        date_row.addWidget(label(tr("Review held on"), "subheading"))
        date_row.addWidget(self.held_on)
        date_row.addStretch(1)
        layout.addLayout(date_row)
        layout.addWidget(goals)
        layout.addWidget(self.celebrate)
        for title, edit in (
            (tr("Achievements to celebrate"), self.achievements),
            (tr("Barriers"), self.barriers),
            (tr("New supports"), self.new_supports),
            (tr("Summary"), self.summary),
        ):
            layout.addWidget(label(title, "subheading"))
            layout.addWidget(edit)
        layout.addWidget(self.risk)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        self.save_button = button(tr("Save and close"), tr("Save the review and finish later"))
        self.agree_button = button(
            tr("Finish and agree new version"),
            tr("Finish the review and agree the next plan version"),
            primary=True,
        )
        # It can't be undone: Enter must not press it (it asks first, too).
        self.agree_button.setDefault(False)
        self.agree_button.setAutoDefault(False)
        self.keep_button = button(tr("Finish, plan unchanged"), tr("Finish; keep current version"))
        self.edit_button = button(
            tr("Finish, then change goals"), tr("Finish the review and change the plan first")
        )
        self.cancel_button = button(tr("Cancel"), tr("Close without saving"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        for b in (self.save_button, self.edit_button, self.keep_button, self.agree_button):
            buttons.addWidget(b)
        outer = QVBoxLayout(self)
        outer.addWidget(scroll, 1)
        outer.addWidget(self.error)
        outer.addLayout(buttons)
        self.save_button.clicked.connect(self.save)
        self.agree_button.clicked.connect(self.finish_and_agree)
        self.keep_button.clicked.connect(lambda: self.finish(ReviewOutcome.KEEP_CURRENT))
        self.edit_button.clicked.connect(lambda: self.finish(ReviewOutcome.CONTINUE_EDITING))
        self.cancel_button.clicked.connect(self.reject)

    def _update_celebration(self) -> None:
        done = [
            r.goal.label for r in self.rows if r.achievement.value() is GoalAchievement.ACHIEVED
        ]
        self.celebrate.setText(
            self.tr("Worth celebrating together: {goals}").format(goals="; ".join(done))
        )
        self.celebrate.setVisible(bool(done))

    @staticmethod
    def _text(accessible: str) -> QPlainTextEdit:
        edit = QPlainTextEdit()
        edit.setAccessibleName(accessible)
        edit.setFixedHeight(64)
        return edit

    def _fill(self, review: ReviewView) -> None:
        self.achievements.setPlainText(review.achievements)
        self.barriers.setPlainText(review.barriers)
        self.new_supports.setPlainText(review.new_supports)
        self.summary.setPlainText(review.summary)
        self.risk.setChecked(review.risk_rechecked)
        self._update_celebration()
        saved = {g.goal_id: g for g in review.goals}
        for row in self.rows:
            found = saved.get(row.goal.id)
            if found is not None:
                row.achievement.set_value(found.achievement)
                row.score.setValue(
                    NOT_ASKED if found.scaling_score is None else found.scaling_score
                )
                row.note.setText(found.progress_note)
        self._update_celebration()

    def review_input(self) -> ReviewInput:
        """The form as a :class:`ReviewInput`."""
        return ReviewInput(
            held_on=self.held_on.value() or None,
            achievements=self.achievements.toPlainText(),
            barriers=self.barriers.toPlainText(),
            new_supports=self.new_supports.toPlainText(),
            summary=self.summary.toPlainText(),
            risk_rechecked=self.risk.isChecked(),
            goals=tuple(r.value() for r in self.rows),
        )

    def save(self) -> None:
        """Save the draft review and close."""
        data, rid, reviews = self.review_input(), self._review.id, self._ctx.services.reviews
        self._ctx.tasks.run(
            lambda: reviews.save_review(rid, data),
            guarded(self, lambda _r: self.accept()),
            guarded(self, self._on_error),
            label="save review",
        )

    def finish_and_agree(self) -> None:
        """Ask, then finish the review and agree the next version (which can't be undone)."""
        version = (self._plan.current_version or 0) + 1
        if confirm_agreeing(self._ctx.dialogs, self, version, finishing_review=True):
            self.finish(ReviewOutcome.AGREE_NEW_VERSION)

    def finish(self, outcome: ReviewOutcome) -> None:
        """Finish the review with the chosen outcome."""
        data, rid, reviews = self.review_input(), self._review.id, self._ctx.services.reviews
        self._ctx.tasks.run(
            lambda: reviews.finish_review(rid, data, outcome),
            guarded(self, self._on_finished),
            guarded(self, self._on_error),
            label="finish review",
        )

    def _on_finished(self, result: Any) -> None:
        _review, plan = result
        self.finished_review.emit(plan)
        self.accept()

    def _on_error(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            self.errors.show(exc.errors)
        elif isinstance(exc, PlanTransitionError):
            self.errors.show_text(str(exc))
        else:
            self.errors.show_text(describe_error(exc))
