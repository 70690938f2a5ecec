"""The exit form's "Still open" list: each open goal, action and referral, and how to close it."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QScrollArea, QVBoxLayout, QWidget

from casedesk.domain.enums import ActionStatus, GoalAchievement, ReferralStatus
from casedesk.domain.exits import ExitItemKind
from casedesk.services.exits import OpenItem
from casedesk.ui.messages import plural
from casedesk.ui.plan.fields import DataCombo
from casedesk.ui.plan.labels import label_for
from casedesk.ui.widgets.basics import label

_VOCABULARY: dict[ExitItemKind, type[Enum]] = {
    ExitItemKind.GOAL: GoalAchievement,
    ExitItemKind.ACTION: ActionStatus,
    ExitItemKind.REFERRAL: ReferralStatus,
}
_KIND_WORD = {
    ExitItemKind.GOAL: "Goal",
    ExitItemKind.ACTION: "Action",
    ExitItemKind.REFERRAL: "Referral to",
}


def _status(item: OpenItem, value: str) -> str:
    return label_for(_VOCABULARY[item.kind](value))


class OpenItemsPanel(QWidget):
    """Lists what is still open when support ends, each with a closing status to choose.

    Every item starts on its suggested closing status; "Leave as it is" keeps it open.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items: list[OpenItem] = []
        self.choices: dict[str, DataCombo] = {}
        self.summary = label(self.tr("Looking for open goals, actions and referrals…"), "muted")
        self.summary.setWordWrap(True)
        self._rows = QWidget()
        self._grid = QGridLayout(self._rows)
        self._grid.setContentsMargins(0, 0, 4, 0)
        self._grid.setHorizontalSpacing(10)
        self._grid.setVerticalSpacing(8)
        self._grid.setColumnStretch(0, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self._rows)
        self.scroll = scroll
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(label(self.tr("Still open"), "subheading"))
        layout.addWidget(self.summary)
        layout.addWidget(scroll, 1)

    def show_items(self, items: Sequence[OpenItem]) -> None:
        """Show the open items, each on its suggested closing status."""
        self.items = list(items)
        self.choices.clear()
        while self._grid.count():
            taken = self._grid.takeAt(0)
            widget = taken.widget() if taken is not None else None
            if widget is not None:
                widget.deleteLater()
        self.summary.setText(self._summary_text())
        self.scroll.setVisible(bool(self.items))
        for row, item in enumerate(self.items):
            self._grid.addWidget(self._describe(item), row, 0)
            self._grid.addWidget(self._combo(item), row, 1, Qt.AlignmentFlag.AlignTop)
        self._grid.setRowStretch(len(self.items), 1)

    def closings(self) -> dict[str, str]:
        """Item id -> closing status, for every item not left as it is."""
        return {
            item_id: value
            for item_id, combo in self.choices.items()
            if (value := combo.value()) is not None
        }

    def _summary_text(self) -> str:
        if not self.items:
            return self.tr("Nothing is left open: every goal, action and referral is finished.")
        counted = plural(
            "OpenItemsPanel",
            len(self.items),
            "%Ln item is still open.",
            "%Ln items are still open.",
        )
        return (
            counted
            + " "
            + self.tr(
                "Each is closed as shown when support ends, so the record doesn't contradict "
                "itself; choose another status, or leave an item as it is."
            )
        )

    def _describe(self, item: OpenItem) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        title = label(f"{self.tr(_KIND_WORD[item.kind])}: {item.label}", wrap=True)
        column.addWidget(title)
        now = self.tr("now {status}").format(status=_status(item, item.status).lower())
        if item.goal_label:
            now = self.tr("for “{goal}” · {now}").format(goal=item.goal_label, now=now)
        column.addWidget(label(now, "muted", wrap=True))
        return box

    def _combo(self, item: OpenItem) -> DataCombo:
        combo = DataCombo(self.tr("How to close: {item}").format(item=item.label))
        options = [(_status(item, value), value) for value in item.choices]
        combo.set_items([*options, (self.tr("Leave as it is"), None)], item.suggested)
        self.choices[item.id] = combo
        return combo
