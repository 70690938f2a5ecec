"""The goal editor: the goal in the client's words, framing, links, status, targets, SMART coach."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.clock import today
from casedesk.domain.enums import (
    ExpressedBy,
    GoalAchievement,
    GoalLifecycle,
    GoalTerm,
    Priority,
)
from casedesk.domain.smart import ActionFacts, GoalFacts, TargetFacts, coach_goal
from casedesk.services.errors import ValidationError
from casedesk.services.goals import GoalInput, TargetInput, validate_goal
from casedesk.services.plans import GoalView, PlanView
from casedesk.ui.plan.fields import DataCombo, DateField, EnumCombo
from casedesk.ui.plan.smart_panel import SmartPanel
from casedesk.ui.widgets.basics import button, label
from casedesk.ui.widgets.client_fields import ErrorSummary
from casedesk.ui.widgets.form_draft import DraftDialog, field_state, restore_fields

MAX_TARGET_ROWS = 10


@dataclass(frozen=True)
class GoalChoices:
    """What the editor's pickers offer: life domains and the client's needs."""

    domains: Sequence[tuple[str, str]] = ()  # (key, name)
    needs: Sequence[tuple[str, str]] = ()  # (need id, label)


class _TargetRow:
    """One target's fields in the targets grid."""

    def __init__(self, owner: GoalEditor, target_id: str | None) -> None:
        tr = owner.tr
        self.id = target_id
        self.measure = QLineEdit()
        self.measure.setAccessibleName(tr("Target measure"))
        self.measure.setPlaceholderText(tr("What is measured"))
        self.baseline = QLineEdit()
        self.baseline.setAccessibleName(tr("Target baseline"))
        self.baseline.setPlaceholderText(tr("Now"))
        self.target = QLineEdit()
        self.target.setAccessibleName(tr("Target value"))
        self.target.setPlaceholderText(tr("Aim"))
        self.due = DateField(tr("Target due date"))
        self.remove = button(tr("Remove"), tr("Remove this target"), link=True)

    def widgets(self) -> list[QWidget]:
        return [self.measure, self.baseline, self.target, self.due, self.remove]

    def fields(self) -> dict[str, QWidget]:
        return {
            "measure": self.measure,
            "baseline": self.baseline,
            "target": self.target,
            "due": self.due,
        }

    def value(self) -> TargetInput:
        return TargetInput(
            self.measure.text(), self.baseline.text(), self.target.text(), self.due.value(), self.id
        )


class GoalEditor(DraftDialog):
    """Add or change a goal. ``result_input()`` gives the :class:`GoalInput` after accept.

    The SMART coach panel updates as the worker types; it is advice and never blocks saving.
    Cancel (or Escape, or closing the window) asks before throwing away typed changes (the
    draft's question, see :class:`DraftDialog`).
    """

    def __init__(
        self,
        plan: PlanView,
        goal: GoalView | None = None,
        choices: GoalChoices | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._plan = plan
        self._goal = goal
        self._choices = choices or GoalChoices()
        self.setWindowTitle(self.tr("Change goal") if goal else self.tr("New goal"))
        self.setAccessibleName(self.windowTitle())
        self.rows: list[_TargetRow] = []
        self._build()
        self._fill(goal)
        self._connect()
        self.refresh_coach()
        self.resize(980, 640)

    # ------------------------------------------------------------------ building

    def _build(self) -> None:
        tr = self.tr
        self.client_words = QPlainTextEdit()
        self.client_words.setAccessibleName(tr("Goal in the client's own words"))
        self.client_words.setPlaceholderText(tr("In the client's own words"))
        self.client_words.setFixedHeight(64)
        self.worker_framing = QPlainTextEdit()
        self.worker_framing.setAccessibleName(tr("Worker framing"))
        self.worker_framing.setPlaceholderText(tr("How you would put it (optional)"))
        self.worker_framing.setFixedHeight(52)
        self.domain = DataCombo(tr("Life domain"))
        self.domain.set_items([(tr("Not linked"), "")] + [(n, k) for k, n in self._choices.domains])
        self.need = DataCombo(tr("Need addressed"))
        self.need.set_items([(tr("Not linked"), None)] + [(t, i) for i, t in self._choices.needs])
        self.term = EnumCombo(GoalTerm, tr("Short or long term"))
        self.priority = EnumCombo(Priority, tr("Priority"))
        self.lifecycle = EnumCombo(GoalLifecycle, tr("Goal status"))
        self.achievement = EnumCombo(GoalAchievement, tr("Achievement"))
        self.status_date = DateField(tr("Status date"))
        self.status_reason = QLineEdit()
        self.status_reason.setAccessibleName(tr("Reason for the status"))
        self.start_date = DateField(tr("Start date"))
        self.expressed_by = EnumCombo(ExpressedBy, tr("Who expressed the goal"))
        self.error = label("", "error", wrap=True)
        self.error.hide()
        self.errors = ErrorSummary(
            self.error,
            {
                "client_words": self.client_words,
                "status_date": self.status_date,
                "start_date": self.start_date,
            },
        )
        self.errors.watch("client_words", self.worker_framing)  # either one names the goal

        form = QFormLayout()
        form.addRow(tr("Goal (client's words)"), self.client_words)
        form.addRow(tr("Worker framing"), self.worker_framing)
        form.addRow(tr("Expressed by"), self.expressed_by)
        form.addRow(tr("Life domain"), self.domain)
        form.addRow(tr("Need addressed"), self.need)
        pair = QHBoxLayout()
        pair.addWidget(self.term)
        pair.addWidget(label(tr("Priority"), "muted"))
        pair.addWidget(self.priority)
        form.addRow(tr("Term"), pair)
        status = QHBoxLayout()
        status.addWidget(self.lifecycle)
        status.addWidget(self.achievement)
        form.addRow(tr("Status"), status)
        dates = QHBoxLayout()
        dates.addWidget(self.status_date)
        dates.addWidget(label(tr("Started"), "muted"))
        dates.addWidget(self.start_date)
        dates.addStretch(1)
        form.addRow(tr("Status date"), dates)
        form.addRow(tr("Status reason"), self.status_reason)

        self.targets_grid = QGridLayout()
        for col, heading in enumerate((tr("Measure"), tr("Baseline"), tr("Target"), tr("Due"))):
            self.targets_grid.addWidget(label(heading, "muted"), 0, col)
        self.add_target = button(tr("Add target"), tr("Add a target"), link=True)

        left = QVBoxLayout()
        left.addLayout(form)
        left.addWidget(label(tr("Targets"), "subheading"))
        left.addLayout(self.targets_grid)
        left.addWidget(self.add_target)
        left.addWidget(self.error)
        left.addStretch(1)

        self.coach = SmartPanel()
        self.coach.setMinimumWidth(320)
        top = QHBoxLayout()
        top.addLayout(left, 3)
        top.addWidget(self.coach, 2)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setAccessibleName(tr("Save goal"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName(tr("Cancel"))
        layout = QVBoxLayout(self)
        layout.addLayout(top, 1)
        layout.addWidget(self.buttons)

    def _fill(self, goal: GoalView | None) -> None:
        if goal is None:
            self.add_target_row()
            return
        self.client_words.setPlainText(goal.client_words)
        self.worker_framing.setPlainText(goal.worker_framing)
        self.domain.set_items(self._domain_items(goal.domain_key), goal.domain_key)
        if goal.need_id and self.need.findData(goal.need_id) < 0:
            self.need.addItem(self.tr("A need from an earlier assessment"), goal.need_id)
        self.need.setCurrentIndex(max(self.need.findData(goal.need_id), 0))
        self.term.set_value(goal.term)
        self.priority.set_value(goal.priority)
        self.lifecycle.set_value(goal.lifecycle)
        self.achievement.set_value(goal.achievement)
        self.status_date.set_date(goal.status_date)
        self.status_reason.setText(goal.status_reason)
        self.start_date.set_date(goal.start_date)
        self.expressed_by.set_value(goal.expressed_by)
        for t in goal.targets:
            row = self.add_target_row(t.id)
            row.measure.setText(t.measure)
            row.baseline.setText(t.baseline)
            row.target.setText(t.target)
            row.due.set_date(t.due_on)
        if not goal.targets:
            self.add_target_row()

    def _domain_items(self, key: str) -> list[tuple[str, str]]:
        items = [(self.tr("Not linked"), "")] + [(n, k) for k, n in self._choices.domains]
        if key and key not in {k for _, k in items}:
            items.append((key.replace("_", " ").capitalize(), key))
        return items

    def prefill(self, need_id: str, domain_key: str, client_words: str, framing: str) -> None:
        """Start from a need ("Create goal from this need")."""
        if self.need.findData(need_id) < 0:
            self.need.addItem(self.tr("The chosen need"), need_id)
        self.need.setCurrentIndex(self.need.findData(need_id))
        self.domain.set_items(self._domain_items(domain_key), domain_key)
        self.client_words.setPlainText(client_words)
        self.worker_framing.setPlainText(framing)
        self.refresh_coach()

    def _connect(self) -> None:
        self.buttons.accepted.connect(self._on_save)
        self.buttons.rejected.connect(self.reject)
        self.add_target.clicked.connect(lambda: self.add_target_row())
        for widget in (self.client_words, self.worker_framing):
            widget.textChanged.connect(self.refresh_coach)
        for combo in (self.domain, self.need, self.lifecycle):
            combo.currentIndexChanged.connect(self.refresh_coach)

    # ------------------------------------------------------------------ targets

    def add_target_row(self, target_id: str | None = None) -> _TargetRow:
        """Add an empty target row (at most ten)."""
        if len(self.rows) >= MAX_TARGET_ROWS:
            return self.rows[-1]
        row = _TargetRow(self, target_id)
        index = len(self.rows) + 1
        for col, widget in enumerate(row.widgets()):
            self.targets_grid.addWidget(widget, index, col)
        for edit in (row.measure, row.baseline, row.target, row.due):
            edit.textChanged.connect(self.refresh_coach)
            self.errors.watch(f"targets[{index - 1}]", edit)
        row.remove.clicked.connect(lambda: self._remove_row(row))
        self.rows.append(row)
        self.add_target.setEnabled(len(self.rows) < MAX_TARGET_ROWS)
        self._rows_changed()
        return row

    def _remove_row(self, row: _TargetRow) -> None:
        self.rows.remove(row)
        for widget in row.widgets():
            self.targets_grid.removeWidget(widget)
            widget.deleteLater()
        self.add_target.setEnabled(True)
        self.refresh_coach()
        self._rows_changed()

    # ------------------------------------------------------------------ coach and result

    def facts(self) -> GoalFacts:
        """The SMART coach's view of the form as it stands."""
        actions = self._goal.actions if self._goal else ()
        return GoalFacts(
            today=today(),
            client_words=self.client_words.toPlainText(),
            worker_framing=self.worker_framing.toPlainText(),
            targets=tuple(
                TargetFacts(r.measure.text(), r.baseline.text(), r.target.text(), r.due.parsed())
                for r in self.rows
            ),
            need_id=self.need.value(),
            domain_key=self.domain.value() or None,
            actions=tuple(
                ActionFacts(a.description, a.performer, a.due_on, a.performer_name) for a in actions
            ),
            plan_start=self._plan.period_start,
            plan_end=self._plan.period_end,
            lifecycle=self.lifecycle.value(),
        )

    def refresh_coach(self) -> None:
        """Re-read the form into the SMART coach panel."""
        self.coach.show_report(coach_goal(self.facts()))

    def result_input(self) -> GoalInput:
        """What to save."""
        return GoalInput(
            client_words=self.client_words.toPlainText(),
            worker_framing=self.worker_framing.toPlainText(),
            domain_key=self.domain.value() or "",
            need_id=self.need.value(),
            term=self.term.value(),
            priority=self.priority.value(),
            lifecycle=self.lifecycle.value(),
            achievement=self.achievement.value(),
            status_date=self.status_date.value() or None,
            status_reason=self.status_reason.text(),
            start_date=self.start_date.value() or None,
            expressed_by=self.expressed_by.value(),
            targets=tuple(r.value() for r in self.rows),
        )

    def draft_state(self) -> dict[str, Any]:
        """The form as JSON, targets included (for a draft)."""
        state = super().draft_state()
        state["targets"] = [{"id": r.id, **field_state(r.fields())} for r in self.rows]
        return state

    def restore_draft(self, state: Mapping[str, Any]) -> None:
        """Fill the form from :meth:`draft_state` output."""
        super().restore_draft(state)
        for row in list(self.rows):
            self._remove_row(row)
        for target in state.get("targets", ())[:MAX_TARGET_ROWS]:
            restore_fields(self.add_target_row(target.get("id")).fields(), target)
        if not self.rows:
            self.add_target_row()
        self.refresh_coach()

    def draft_fields(self) -> dict[str, QWidget]:
        """The goal's own inputs kept in a draft (targets are added by ``draft_state``)."""
        return {
            "client_words": self.client_words,
            "worker_framing": self.worker_framing,
            "expressed_by": self.expressed_by,
            "domain": self.domain,
            "need": self.need,
            "term": self.term,
            "priority": self.priority,
            "lifecycle": self.lifecycle,
            "achievement": self.achievement,
            "status_date": self.status_date,
            "start_date": self.start_date,
            "status_reason": self.status_reason,
        }

    def _rows_changed(self) -> None:
        if self.draft is not None:
            self.draft.watch_inputs()
            self.draft.schedule()

    def show_errors(self, errors: dict[str, str]) -> None:
        """Show validation messages from the service inline."""
        self.errors.show(errors)

    def _on_save(self) -> None:
        try:
            validate_goal(self.result_input())
        except ValidationError as exc:
            self.show_errors(exc.errors)
            return
        self.accept()
