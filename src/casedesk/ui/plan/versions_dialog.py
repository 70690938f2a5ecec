"""Agreed plan versions: view any version's frozen content; compare two versions."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.enums import (
    ActionStatus,
    GoalAchievement,
    GoalLifecycle,
    Performer,
)
from casedesk.domain.plans import PlanChange, PlanSnapshot
from casedesk.services.plans import PlanView, VersionInfo
from casedesk.ui.context import AppContext
from casedesk.ui.messages import describe_error
from casedesk.ui.plan.fields import DataCombo
from casedesk.ui.plan.labels import label_for
from casedesk.ui.plan.models import change_model, proxy_for, version_model
from casedesk.ui.widgets.basics import button, guarded, label
from casedesk.ui.widgets.client_table_model import RowTableModel

NOW = -1  # "the living plan now" in the compare pickers
_DOT = " \u00b7 "


def _enum_label(kind: Any, value: str | None) -> str:
    if not value:
        return ""
    try:
        return label_for(kind(value))
    except ValueError:
        return value


def snapshot_html(snapshot: PlanSnapshot, title: str) -> str:
    """A readable rendering of a frozen plan version."""
    e = html.escape
    parts = [f"<h3>{e(title)}</h3>"]
    if snapshot.period_start or snapshot.period_end:
        start = snapshot.period_start.isoformat() if snapshot.period_start else ""
        end = snapshot.period_end.isoformat() if snapshot.period_end else ""
        parts.append(f"<p>{e(start)} \u2013 {e(end)}</p>")
    for number, goal in enumerate(snapshot.goals, start=1):
        words = goal.client_words or goal.worker_framing
        status = " \u00b7 ".join(
            x
            for x in (
                _enum_label(GoalLifecycle, goal.lifecycle),
                _enum_label(GoalAchievement, goal.achievement),
            )
            if x
        )
        parts.append(f"<h4>{number}. {e(words)}</h4>")
        if goal.worker_framing and goal.client_words:
            parts.append(f"<p><i>{e(goal.worker_framing)}</i></p>")
        parts.append(f"<p>{e(status)}</p><ul>")
        for t in goal.targets:
            bits = [t.measure or "", f"{t.baseline or '?'} \u2192 {t.target or '?'}"]
            if t.due:
                bits.append(t.due.isoformat())
            parts.append(f"<li>{e(_DOT.join(b for b in bits if b))}</li>")
        parts.append("</ul><ol>")
        for a in goal.actions:
            who = _enum_label(Performer, a.performer)
            if a.performer_name:
                who += f": {a.performer_name}"
            due = a.due.isoformat() if a.due else ""
            state = _enum_label(ActionStatus, a.status)
            parts.append(f"<li>{e(a.description)} \u2014 {e(who)} {e(due)} ({e(state)})</li>")
        parts.append("</ol>")
    return "".join(parts)


class VersionsDialog(QDialog):
    """Lists agreed versions, shows one, and compares two (or a version with the plan now)."""

    def __init__(self, ctx: AppContext, plan: PlanView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._plan = plan
        self.disposed = False
        self.changes_shown: tuple[PlanChange, ...] = ()
        tr = self.tr
        self.setWindowTitle(tr("Plan versions"))
        self.setAccessibleName(self.windowTitle())
        self.versions = version_model(self)
        self.version_proxy = proxy_for(self.versions, self)
        self.versions.set_rows(plan.versions)
        self.version_view = QTableView()
        self.version_view.setAccessibleName(tr("Agreed versions"))
        self.version_view.setModel(self.version_proxy)
        self.version_view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.version_view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.version_view.verticalHeader().hide()
        self.version_view.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((64, 96, 96)):
            self.version_view.horizontalHeader().resizeSection(column, width)
        self.viewer = QTextBrowser()
        self.viewer.setAccessibleName(tr("Version content"))
        choices = [(tr("Version {n}").format(n=v.version_no), v.version_no) for v in plan.versions]
        self.from_combo = DataCombo(tr("Compare from version"))
        self.to_combo = DataCombo(tr("Compare to version"))
        self.from_combo.set_items(choices, choices[0][1] if choices else None)
        now = [(tr("The plan now"), NOW)] if plan.editable else []
        to_choices = choices + now
        self.to_combo.set_items(to_choices, to_choices[-1][1] if to_choices else None)
        self.compare_button = button(tr("Compare"), tr("Show differences"), primary=True)
        self.changes = change_model(self)
        self.change_proxy = proxy_for(self.changes, self)
        self.change_view = QTableView()
        self.change_view.setAccessibleName(tr("Differences between versions"))
        self.change_view.setModel(self.change_proxy)
        self.change_view.verticalHeader().hide()
        self.change_view.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.change_note = label("", "muted", wrap=True)
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(self.version_view)
        top.addWidget(self.viewer)
        top.setStretchFactor(1, 2)
        top.setSizes([380, 620])
        compare = QHBoxLayout()
        compare.addWidget(label(tr("Compare"), "subheading"))
        compare.addWidget(self.from_combo)
        compare.addWidget(label(tr("with"), "muted"))
        compare.addWidget(self.to_combo)
        compare.addWidget(self.compare_button)
        compare.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setAccessibleName(tr("Close"))
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(top, 3)
        layout.addLayout(compare)
        layout.addWidget(self.change_note)
        layout.addWidget(self.change_view, 2)
        layout.addWidget(close)
        self.version_view.selectionModel().currentRowChanged.connect(lambda *_: self._show_one())
        self.compare_button.clicked.connect(self.compare)
        self.resize(1000, 700)
        if plan.versions:
            self.show_version(plan.versions[-1].version_no)

    def show_version(self, number: int) -> None:
        """Select and show one version."""
        for row in range(self.version_proxy.rowCount()):
            index = self.version_proxy.index(row, 0)
            info: VersionInfo = self.version_proxy.data(index, RowTableModel.ObjectRole)
            if info.version_no == number:
                self.version_view.setCurrentIndex(index)
                self._show_one()
                return

    def _show_one(self) -> None:
        index = self.version_view.currentIndex()
        if not index.isValid():
            return
        info: VersionInfo = self.version_proxy.data(index, RowTableModel.ObjectRole)
        plans, plan_id = self._ctx.services.plans, self._plan.id
        title = self.tr("Version {n}, agreed {d}").format(
            n=info.version_no, d=info.agreed_on.isoformat()
        )
        self._ctx.tasks.run(
            lambda: plans.version_snapshot(plan_id, info.version_no),
            guarded(self, lambda snap: self.viewer.setHtml(snapshot_html(snap, title))),
            guarded(self, lambda exc: self.viewer.setPlainText(describe_error(exc))),
            label="load plan version",
        )

    def compare(self) -> None:
        """Show the differences between the two chosen versions."""
        old, new = self.from_combo.value(), self.to_combo.value()
        if old is None or new is None:
            return
        plans, plan_id = self._ctx.services.plans, self._plan.id
        self._ctx.tasks.run(
            lambda: plans.compare(plan_id, old, None if new == NOW else new),
            guarded(self, self._show_changes),
            guarded(self, lambda exc: self.change_note.setText(describe_error(exc))),
            label="compare plan versions",
        )

    def _show_changes(self, changes: tuple[PlanChange, ...]) -> None:
        self.changes_shown = changes
        self.changes.set_rows(changes)
        self.change_view.resizeColumnsToContents()
        self.change_note.setText(
            self.tr("No differences.")
            if not changes
            else self.tr("{n} differences.").format(n=len(changes))
        )
