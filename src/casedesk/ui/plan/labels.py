"""Plain-language labels for plan vocabularies (translated), shared by plan, review and exit UI."""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from casedesk.domain.enums import (
    ActionStatus,
    ClosureReason,
    ExpressedBy,
    GoalAchievement,
    GoalLifecycle,
    GoalTerm,
    Intensity,
    Performer,
    PlanState,
    Priority,
    ReferralStatus,
)
from casedesk.ui.dialogs import Dialogs


def _tr(text: str) -> str:
    return QCoreApplication.translate("PlanLabels", text)


_TEXT: dict[Enum, str] = {
    Intensity.INTENSIVE: "Intensive",
    Intensity.HIGH: "High",
    Intensity.MODERATE: "Moderate",
    Intensity.LOW: "Low",
    PlanState.DRAFT: "Draft",
    PlanState.AGREED: "Agreed",
    PlanState.UNDER_REVIEW: "Under review",
    PlanState.CLOSED: "Closed",
    GoalTerm.SHORT: "Short term",
    GoalTerm.LONG: "Long term",
    Priority.HIGH: "High",
    Priority.MEDIUM: "Medium",
    Priority.LOW: "Low",
    GoalLifecycle.PROPOSED: "Proposed",
    GoalLifecycle.PLANNED: "Planned",
    GoalLifecycle.ACCEPTED: "Accepted (agreed)",
    GoalLifecycle.ACTIVE: "Active",
    GoalLifecycle.ON_HOLD: "On hold",
    GoalLifecycle.COMPLETED: "Completed",
    GoalLifecycle.CANCELLED: "Cancelled",
    GoalLifecycle.ENTERED_IN_ERROR: "Entered in error",
    GoalLifecycle.REJECTED: "Rejected",
    GoalAchievement.IN_PROGRESS: "In progress",
    GoalAchievement.IMPROVING: "Improving",
    GoalAchievement.WORSENING: "Worsening",
    GoalAchievement.NO_CHANGE: "No change",
    GoalAchievement.ACHIEVED: "Achieved",
    GoalAchievement.SUSTAINING: "Sustaining",
    GoalAchievement.NOT_ACHIEVED: "Not achieved",
    GoalAchievement.NO_PROGRESS: "No progress",
    GoalAchievement.NOT_ATTAINABLE: "Not attainable",
    ExpressedBy.CLIENT: "The client",
    ExpressedBy.CASE_MANAGER: "Case manager",
    ExpressedBy.FAMILY_CARER: "Family or carer",
    ExpressedBy.OTHER: "Someone else",
    Performer.CLIENT: "Client",
    Performer.CASE_MANAGER: "Case manager",
    Performer.FAMILY_CARER: "Family or carer",
    Performer.AGENCY: "Agency",
    ActionStatus.NOT_STARTED: "Not started",
    ActionStatus.IN_PROGRESS: "In progress",
    ActionStatus.ON_HOLD: "On hold",
    ActionStatus.DONE: "Done",
    ActionStatus.CANCELLED: "Cancelled",
    ReferralStatus.DRAFTED: "Drafted",
    ReferralStatus.SENT: "Sent",
    ReferralStatus.ACCEPTED: "Accepted",
    ReferralStatus.DECLINED: "Declined",
    ReferralStatus.ATTENDED: "Attended",
    ReferralStatus.CLOSED: "Closed",
    ClosureReason.GOALS_ACHIEVED: "Goals achieved",
    ClosureReason.CLIENT_CHOSE_TO_LEAVE: "Client chose to leave",
    ClosureReason.DISENGAGED: "Disengaged",
    ClosureReason.TRANSFERRED: "Transferred to another service",
    ClosureReason.MOVED_AWAY: "Moved away",
    ClosureReason.NO_LONGER_ELIGIBLE: "No longer eligible",
    ClosureReason.DIED: "Died",
    ClosureReason.OTHER: "Other",
}


def label_for(value: Enum | None) -> str:
    """The translated label of a vocabulary value ("" for None)."""
    if value is None:
        return ""
    return _tr(_TEXT.get(value, str(value.value).replace("_", " ").capitalize()))


def confirm_agreeing(
    dialogs: Dialogs, parent: QWidget, version: int, *, finishing_review: bool = False
) -> bool:
    """Ask before agreeing a plan version (it is frozen for good; Cancel is the default)."""
    lead = (
        _tr("Finish this review and agree the plan with the client as version {n}?")
        if finishing_review
        else _tr("Agree this plan with the client as version {n}?")
    )
    frozen = _tr(
        "The agreed version is frozen: later changes need a review and become the next version."
    )
    return dialogs.confirm(
        parent,
        _tr("Agree the new version") if finishing_review else _tr("Agree the plan"),
        f"{lead.format(n=version)} {frozen}",
        ok=_tr("Agree version {n}").format(n=version),
        irreversible=True,
    )
