"""The Conflicts screen: each conflict side by side, and a choice that syncs.

Review-required conflicts (risk, consent, safety) come first and stand out: nothing was decided
for them, so a person must choose. Other conflicts show the value every device kept (the later
edit) next to the other device's value; choosing the other one writes it as a normal edit.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from casedesk.services.sync_service import KEPT, OTHER, ConflictView
from casedesk.ui.context import AppContext
from casedesk.ui.messages import describe_error
from casedesk.ui.widgets.basics import Card, button, guarded, label

_TABLE_NAMES = {
    "client": "Client details",
    "risk_screen": "Risk screen",
    "consent": "Consent",
    "case_note": "Note",
}


def _plain(value: Any) -> str:
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _field_name(view: ConflictView) -> str:
    table = _TABLE_NAMES.get(view.table, view.table.replace("_", " ").capitalize())
    if view.delete_vs_edit:
        return f"{table}: deleted on one device, edited on another"
    return f"{table}: {view.field.replace('_', ' ')}"


class ConflictsScreen(QWidget):
    """Lists open conflicts; the selected one is shown side by side with two choices."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.disposed = False
        self.views: list[ConflictView] = []
        self.setObjectName("conflictsScreen")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 24, 28, 24)
        outer.setSpacing(14)
        outer.addWidget(label(self.tr("Sync conflicts"), "title"))
        self.summary = label("", "muted", wrap=True)
        self.summary.setObjectName("conflictSummary")
        outer.addWidget(self.summary)
        row = QHBoxLayout()
        self.list = QListWidget()
        self.list.setObjectName("conflictList")
        self.list.setAccessibleName(self.tr("Conflicts"))
        self.list.currentRowChanged.connect(self._show_selected)
        row.addWidget(self.list, 2)
        row.addWidget(self._build_detail(), 3)
        outer.addLayout(row, 1)
        self.reload()

    def _build_detail(self) -> Card:
        card = Card(self.tr("Side by side"))
        self.badge = label("", "error")
        self.badge.setObjectName("reviewBadge")
        self.field = label("", "heading", wrap=True)
        self.field.setObjectName("conflictField")
        grid = QGridLayout()
        grid.addWidget(label(self.tr("Kept now"), "subheading"), 0, 0)
        grid.addWidget(label(self.tr("Other device"), "subheading"), 0, 1)
        self.kept = label("", wrap=True)
        self.kept.setObjectName("keptValue")
        self.other = label("", wrap=True)
        self.other.setObjectName("otherValue")
        grid.addWidget(self.kept, 1, 0)
        grid.addWidget(self.other, 1, 1)
        self.when = label("", "muted")
        self.when.setObjectName("conflictWhen")
        self.keep_button = button(self.tr("Keep this value"), self.tr("Keep the value kept now"))
        self.keep_button.setObjectName("keepButton")
        self.other_button = button(
            self.tr("Use the other value"), self.tr("Use the other device's value")
        )
        self.other_button.setObjectName("otherButton")
        self.keep_button.clicked.connect(lambda: self.choose(KEPT))
        self.other_button.clicked.connect(lambda: self.choose(OTHER))
        buttons = QHBoxLayout()
        buttons.addWidget(self.keep_button)
        buttons.addWidget(self.other_button)
        buttons.addStretch(1)
        for widget in (self.badge, self.field):
            card.body.addWidget(widget)
        card.body.addLayout(grid)
        card.body.addWidget(self.when)
        card.body.addLayout(buttons)
        card.body.addStretch(1)
        self.badge.hide()
        return card

    # ------------------------------------------------------------------ data

    def reload(self) -> None:
        """Load open conflicts on the database thread."""
        self.ctx.tasks.run(
            self.ctx.services.sync.conflicts,
            guarded(self, self._populate),
            guarded(self, self._failed),
            label="load conflicts",
        )

    def _populate(self, views: list[ConflictView]) -> None:
        self.views = views
        self.list.clear()
        review = sum(1 for v in views if v.review_required)
        if not views:
            self.summary.setText(self.tr("No conflicts: every device agrees."))
        else:
            self.summary.setText(
                self.tr("{n} to look at, {r} needing a decision (risk, consent or safety).").format(
                    n=len(views), r=review
                )
            )
        for view in views:
            item = QListWidgetItem(
                ("⚠ Needs review: " if view.review_required else "") + _field_name(view)
            )
            if view.review_required:
                font = QFont()
                font.setBold(True)
                item.setFont(font)
                item.setForeground(Qt.GlobalColor.darkRed)
            self.list.addItem(item)
        enabled = bool(views)
        self.keep_button.setEnabled(enabled)
        self.other_button.setEnabled(enabled)
        if views:
            self.list.setCurrentRow(0)
        else:
            self._clear_detail()

    def _clear_detail(self) -> None:
        for widget in (self.field, self.kept, self.other, self.when):
            widget.setText("")
        self.badge.hide()

    def _show_selected(self, row: int) -> None:
        if not 0 <= row < len(self.views):
            return
        view = self.views[row]
        self.field.setText(_field_name(view))
        self.kept.setText(_plain(view.kept_value))
        self.other.setText(_plain(view.other_value))
        when = view.detected_at.astimezone().strftime("%d %b %Y %H:%M") if view.detected_at else ""
        self.when.setText(self.tr("Found {when}").format(when=when) if when else "")
        self.badge.setVisible(view.review_required)
        self.badge.setText(self.tr("Needs review: nothing was decided automatically."))

    def selected(self) -> ConflictView | None:
        """The conflict shown in the detail panel."""
        row = self.list.currentRow()
        return self.views[row] if 0 <= row < len(self.views) else None

    def choose(self, choice: str) -> None:
        """Resolve the selected conflict (the choice is a normal edit and syncs)."""
        view = self.selected()
        if view is None:
            return
        sync = self.ctx.services.sync
        self.ctx.tasks.run(
            lambda: sync.resolve(view.id, choice),
            guarded(self, self._resolved),
            guarded(self, self._failed),
            label="resolve conflict",
        )

    def _resolved(self, _view: ConflictView) -> None:
        self.ctx.services.sync.sync_now()
        self.reload()

    def _failed(self, exc: BaseException) -> None:
        self.ctx.dialogs.error(self, self.tr("Conflicts"), describe_error(exc))
