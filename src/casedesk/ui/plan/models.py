"""Table columns for the plan screens (goals, actions, versions, changes), on RowTableModel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from PySide6.QtCore import QAbstractItemModel, QCoreApplication, QObject, QSortFilterProxyModel

from casedesk.domain.clock import today
from casedesk.domain.enums import (
    ActionStatus,
    ExpressedBy,
    GoalAchievement,
    GoalLifecycle,
    GoalTerm,
    Performer,
    PlanVersionState,
    Priority,
)
from casedesk.domain.plans import PlanChange
from casedesk.domain.smart import SmartReport
from casedesk.services.plans import ActionView, GoalView, VersionInfo
from casedesk.ui.plan.labels import label_for
from casedesk.ui.widgets.client_table_model import Column, RowTableModel

OVERDUE_COLOUR = "#b3261e"
ACHIEVED_COLOUR = "#1b7a3d"


def _tr(text: str) -> str:
    return QCoreApplication.translate("PlanModels", text)


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


@dataclass(frozen=True)
class GoalRow:
    """A goal with its SMART report, for the goals table."""

    number: int
    goal: GoalView
    report: SmartReport
    domain_name: str

    @property
    def due(self) -> date | None:
        """The earliest target date."""
        dues = [t.due_on for t in self.goal.targets if t.due_on]
        return min(dues) if dues else None


def _goal_tooltip(r: GoalRow) -> str:
    parts = [
        r.goal.worker_framing,
        label_for(r.goal.term),
        _tr("priority: ") + label_for(r.goal.priority),
    ]
    return "\n".join(p for p in parts if p)


def goal_model(parent: QObject | None = None) -> RowTableModel[GoalRow]:
    """Goals: number, goal, domain, status, SMART, due (term and priority in the tooltip)."""
    return RowTableModel(
        [
            Column(_tr("#"), lambda r: str(r.number), sort=lambda r: r.number),
            Column(_tr("Goal"), lambda r: r.goal.label, tooltip=_goal_tooltip),
            Column(_tr("Domain"), lambda r: r.domain_name),
            Column(
                _tr("Status"),
                lambda r: f"{label_for(r.goal.lifecycle)} \u00b7 {label_for(r.goal.achievement)}",
                colour=lambda r: (
                    ACHIEVED_COLOUR
                    if r.goal.achievement in (GoalAchievement.ACHIEVED, GoalAchievement.SUSTAINING)
                    else None
                ),
            ),
            Column(
                _tr("SMART"),
                lambda r: f"{r.report.met_count}/5",
                sort=lambda r: r.report.met_count,
                tooltip=lambda r: " ".join(h.text for h in r.report.hints),
            ),
            Column(_tr("Due"), lambda r: _day(r.due), sort=lambda r: r.due or date.max),
        ],
        parent,
    )


def _action_overdue(a: ActionView) -> bool:
    return (
        a.due_on is not None
        and a.due_on < today()
        and a.status not in (ActionStatus.DONE, ActionStatus.CANCELLED)
    )


def action_model(parent: QObject | None = None) -> RowTableModel[ActionView]:
    """Actions of one goal: what, who, due, status."""
    return RowTableModel(
        [
            Column(_tr("What"), lambda a: a.description, tooltip=lambda a: a.notes),
            Column(
                _tr("Who"),
                lambda a: (
                    label_for(a.performer) + (f": {a.performer_name}" if a.performer_name else "")
                ),
            ),
            Column(
                _tr("Due"),
                lambda a: _day(a.due_on) + (_tr(" (overdue)") if _action_overdue(a) else ""),
                sort=lambda a: a.due_on or date.max,
                colour=lambda a: OVERDUE_COLOUR if _action_overdue(a) else None,
            ),
            Column(_tr("Status"), lambda a: label_for(a.status)),
        ],
        parent,
    )


def version_model(parent: QObject | None = None) -> RowTableModel[VersionInfo]:
    """Agreed versions: number, agreed on, state, content hash."""
    return RowTableModel(
        [
            Column(_tr("Version"), lambda v: str(v.version_no), sort=lambda v: v.version_no),
            Column(_tr("Agreed on"), lambda v: _day(v.agreed_on)),
            Column(
                _tr("State"),
                lambda v: (
                    _tr("Current") if v.state is PlanVersionState.CURRENT else _tr("Superseded")
                ),
                bold=lambda v: v.state is PlanVersionState.CURRENT,
            ),
            Column(_tr("Content hash"), lambda v: v.content_sha256[:12]),
        ],
        parent,
    )


_FIELD_VOCABULARY: dict[str, type[StrEnum]] = {
    "achievement": GoalAchievement,
    "lifecycle": GoalLifecycle,
    "status": ActionStatus,
    "performer": Performer,
    "term": GoalTerm,
    "priority": Priority,
    "expressed_by": ExpressedBy,
}


def _value(field_name: str, value: object) -> str:
    if value is None or value == "":
        return _tr("(none)")
    if isinstance(value, date):
        return value.isoformat()
    vocabulary = _FIELD_VOCABULARY.get(field_name)
    if vocabulary is not None:
        try:
            return label_for(vocabulary(str(value)))
        except ValueError:
            pass
    return str(value)


def change_details(change: PlanChange) -> str:
    """The changed fields of a change, as "field: old \u2192 new" lines."""
    return "; ".join(
        f"{f.field.replace('_', ' ')}: {_value(f.field, f.old)} \u2192 {_value(f.field, f.new)}"
        for f in change.fields
    )


def change_model(parent: QObject | None = None) -> RowTableModel[PlanChange]:
    """Differences between two versions."""
    return RowTableModel(
        [
            Column(_tr("Item"), lambda c: c.item.value.capitalize()),
            Column(_tr("Change"), lambda c: c.change.value.capitalize()),
            Column(_tr("What"), lambda c: c.label),
            Column(_tr("Details"), change_details, tooltip=change_details),
        ],
        parent,
    )


def proxy_for(model: QAbstractItemModel, parent: QObject | None = None) -> QSortFilterProxyModel:
    """A proxy over a row model, sorting by its sort role, filtering on every column."""
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(RowTableModel.SortRole)
    proxy.setFilterKeyColumn(-1)
    proxy.setFilterCaseSensitivity(proxy.filterCaseSensitivity().CaseInsensitive)
    return proxy
