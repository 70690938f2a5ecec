"""The risk screen: five structured items with notes, overall level, review date, history.

A new screen is drafted on this device (autosaved, it does not change the client's flag) and
finalised when agreed; the latest final screen is the client's risk level everywhere (header,
client list, Home) and its review date becomes a "risk review" task.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.clock import today
from casedesk.domain.enums import RiskLevel
from casedesk.services.changes import Changes
from casedesk.services.errors import ValidationError
from casedesk.services.risk import (
    RiskInput,
    RiskScreenView,
    suggested_overall,
    suggested_review,
    validate_risk,
)
from casedesk.ui.context import AppContext
from casedesk.ui.widgets.basics import Card, button, guarded, label, set_role

AUTOSAVE_MS = 1500
HISTORY_WIDTH = 280
NOTES_HEIGHT = 52
_ID = Qt.ItemDataRole.UserRole
_ITEMS = ("risk_to_self", "risk_to_others", "risk_from_others", "worker_safety")


def level_names(widget: QWidget) -> dict[RiskLevel, str]:
    """Display names for risk levels."""
    tr = widget.tr
    return {
        RiskLevel.NONE: tr("None known"),
        RiskLevel.LOW: tr("Low"),
        RiskLevel.MEDIUM: tr("Medium"),
        RiskLevel.HIGH: tr("High"),
    }


class LevelCombo(QComboBox):
    """Pick a risk level."""

    def __init__(
        self, accessible: str, levels: dict[RiskLevel, str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName(accessible)
        for level, name in levels.items():
            self.addItem(name, level)
        self.setMinimumWidth(140)

    def level(self) -> RiskLevel:
        """The chosen level."""
        return RiskLevel(self.currentData())

    def set_level(self, level: RiskLevel) -> None:
        """Select a level."""
        self.setCurrentIndex(max(self.findData(level), 0))


def _notes(accessible: str, placeholder: str) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setAccessibleName(accessible)
    edit.setPlaceholderText(placeholder)
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(NOTES_HEIGHT)
    return edit


class RiskTab(QWidget):
    """A client's risk screens: the current draft or a past screen, and the history.

    Signals:
        finalised(str): a screen was finalised (its id).
    """

    finalised = Signal(str)

    def __init__(self, ctx: AppContext, client_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.client_id = client_id
        self.history: list[RiskScreenView] = []
        self.viewing: RiskScreenView | None = None
        self._loading = False
        self._overall_touched = False
        self._review_touched = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(AUTOSAVE_MS)
        self._timer.timeout.connect(self.save_draft)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(14)
        layout.addWidget(self._history_card())
        right = QVBoxLayout()
        right.setSpacing(10)
        right.addWidget(self._form_area(), 1)
        right.addLayout(self._buttons())
        layout.addLayout(right, 1)
        self._connect()
        self.reload()

    # ------------------------------------------------------------------ layout

    def _history_card(self) -> Card:
        tr = self.tr
        card = Card(tr("Risk screens"))
        card.setFixedWidth(HISTORY_WIDTH)
        self.current = label("", "", wrap=True)
        self.new_button = button(tr("New screen"), tr("Start a new risk screen"), primary=True)
        self.new_button.clicked.connect(self.start_new)
        self.list = QListWidget()
        self.list.setObjectName("plainList")
        self.list.setAccessibleName(tr("Risk screen history, newest first"))
        self.list.itemClicked.connect(lambda item: self._show_item(item))
        card.body.addWidget(self.current)
        card.body.addWidget(self.new_button)
        card.body.addWidget(label(tr("History"), "subheading"))
        card.body.addWidget(self.list, 1)
        return card

    def _form_area(self) -> QScrollArea:
        tr = self.tr
        levels = level_names(self)
        self.title = label(tr("Risk screen"), "heading")
        self.banner = label("", "notice", wrap=True)
        self.banner.hide()
        self.screened_on = QDateEdit()
        self.screened_on.setCalendarPopup(True)
        self.screened_on.setDisplayFormat("d MMM yyyy")
        self.screened_on.setAccessibleName(tr("Date of the screen"))
        self.levels: dict[str, LevelCombo] = {}
        self.notes: dict[str, QPlainTextEdit] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(10)
        grid.setColumnStretch(2, 1)
        grid.addWidget(label(tr("Area"), "subheading"), 0, 0)
        grid.addWidget(label(tr("Level"), "subheading"), 0, 1)
        grid.addWidget(label(tr("Notes"), "subheading"), 0, 2)
        for row, (name, caption, hint) in enumerate(self._item_texts(), start=1):
            self.levels[name] = LevelCombo(tr("Level: {0}").format(caption), levels)
            self.notes[name] = _notes(tr("Notes: {0}").format(caption), hint)
            grid.addWidget(label(caption, wrap=True), row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(self.levels[name], row, 1, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(self.notes[name], row, 2)
        self.children_box = QCheckBox(tr("Children live in the home"))
        self.children_box.setAccessibleName(tr("Children live in the home"))
        self.children_notes = _notes(
            tr("Notes: children in the home"), tr("Ages, who cares for them, any concerns")
        )
        last = len(_ITEMS) + 1
        grid.addWidget(
            label(tr("Children in the home"), wrap=True), last, 0, Qt.AlignmentFlag.AlignTop
        )
        grid.addWidget(self.children_box, last, 1, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.children_notes, last, 2)
        grid.setColumnMinimumWidth(0, 190)
        items = Card(tr("What could cause harm"))
        items.body.addLayout(grid)
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 8, 0)
        column.setSpacing(12)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(label(tr("Date"), "subheading"))
        top.addWidget(self.screened_on)
        column.addLayout(top)
        column.addWidget(self.banner)
        column.addWidget(items)
        column.addWidget(self._outcome_card(levels))
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(page)
        return scroll

    def _item_texts(self) -> list[tuple[str, str, str]]:
        tr = self.tr
        return [
            ("risk_to_self", tr("Risk to self"), tr("Self-harm, suicide, self-neglect")),
            ("risk_to_others", tr("Risk to others"), tr("Violence, threats, anyone at risk")),
            (
                "risk_from_others",
                tr("Risk from others"),
                tr("Abuse, exploitation, violence at home"),
            ),
            (
                "worker_safety",
                tr("Worker safety on home visits"),
                tr("Dogs, weapons, other people, access; visit in pairs?"),
            ),
        ]

    def _outcome_card(self, levels: dict[RiskLevel, str]) -> Card:
        tr = self.tr
        card = Card(tr("Overall"))
        self.overall = LevelCombo(
            tr("Overall risk level"), {k: v for k, v in levels.items() if k != RiskLevel.NONE}
        )
        self.suggestion = label("", "muted")
        self.review_on = QDateEdit()
        self.review_on.setCalendarPopup(True)
        self.review_on.setDisplayFormat("d MMM yyyy")
        self.review_on.setAccessibleName(tr("Review the screen by"))
        self.review_hint = label("", "muted")
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(8)
        grid.addWidget(label(tr("Overall level"), "subheading"), 0, 0)
        grid.addWidget(self.overall, 0, 1)
        grid.addWidget(self.suggestion, 0, 2)
        grid.addWidget(label(tr("Review by"), "subheading"), 1, 0)
        grid.addWidget(self.review_on, 1, 1)
        grid.addWidget(self.review_hint, 1, 2)
        grid.setColumnStretch(2, 1)
        card.body.addLayout(grid)
        return card

    def _buttons(self) -> QHBoxLayout:
        tr = self.tr
        row = QHBoxLayout()
        self.saved_note = label("", "muted")
        self.discard_button = button(tr("Discard draft"), tr("Discard the draft risk screen"))
        self.save_button = button(tr("Save draft"), tr("Save the draft risk screen"))
        self.finalise_button = button(tr("Finalise…"), tr("Finalise the risk screen"), primary=True)
        self.discard_button.clicked.connect(self.discard_draft)
        self.save_button.clicked.connect(self.save_draft)
        self.finalise_button.clicked.connect(self.finalise)
        row.addWidget(self.saved_note, 1)
        row.addWidget(self.discard_button)
        row.addWidget(self.save_button)
        row.addWidget(self.finalise_button)
        return row

    def _connect(self) -> None:
        for combo in self.levels.values():
            combo.activated.connect(lambda _i: self._edited())
        for edit in (*self.notes.values(), self.children_notes):
            edit.textChanged.connect(self._edited)
        self.children_box.clicked.connect(lambda _c: self._edited())
        self.overall.activated.connect(self._overall_chosen)
        self.screened_on.dateChanged.connect(lambda _d: self._edited())
        self.review_on.dateChanged.connect(self._review_chosen)

    # ------------------------------------------------------------------ loading

    def reload(self) -> None:
        """Read history and the draft again; show the draft (or a fresh screen)."""
        service, client_id = self._ctx.services.risk, self.client_id

        def read() -> tuple[list[RiskScreenView], RiskInput | None]:
            return service.history(client_id), service.load_draft(client_id)

        self._ctx.tasks.run(read, guarded(self, self._show), label="load risk screens")

    def _show(self, loaded: tuple[list[RiskScreenView], RiskInput | None]) -> None:
        self.history, draft = loaded
        self._fill_history()
        if draft is not None:
            self._edit(draft, touched=True)
        elif self.history:
            self._view(self.history[0])
        else:
            self.start_new()

    def save_draft_now(self) -> None:
        """Save pending edits of the draft at once (before a lock)."""
        if self.save_pending:
            self.save_draft()

    def clear(self) -> None:
        """Forget everything shown (on lock); reload to show it again."""
        self._timer.stop()
        self.history = []
        self.list.clear()
        self.viewing = None
        self._put(RiskInput(today()))
        self._show_current(None)

    def _fill_history(self) -> None:
        tr = self.tr
        names = level_names(self)
        self.list.clear()
        for screen in self.history:
            data = screen.data
            text = tr("{0} · {1} risk").format(
                data.screened_on.strftime("%d %b %Y"), names[data.overall_level]
            )
            if data.review_on:
                text += "\n" + tr("Review by {0}").format(data.review_on.strftime("%d %b %Y"))
            item = QListWidgetItem(text)
            item.setData(_ID, screen.id)
            self.list.addItem(item)
        latest = self.history[0].overall_level if self.history else None
        self._show_current(latest)

    def _show_current(self, level: RiskLevel | None) -> None:
        tr = self.tr
        if level is None:
            self.current.setText(tr("Risk not screened yet"))
            set_role(self.current, "muted")
            return
        name = level_names(self)[level]
        if level == RiskLevel.HIGH:
            self.current.setText(tr("Current: HIGH RISK"))
        else:
            self.current.setText(tr("Current: {0} risk").format(name.lower()))
        set_role(self.current, "error" if level == RiskLevel.HIGH else "ok")

    def _show_item(self, item: QListWidgetItem) -> None:
        for screen in self.history:
            if screen.id == item.data(_ID):
                self._view(screen)

    def start_new(self) -> None:
        """A fresh screen, starting from the latest one's answers (if any)."""
        base = self.history[0].data if self.history else None
        start = today()
        if base is None:
            data = RiskInput(start, review_on=suggested_review(RiskLevel.LOW, start))
        else:
            level = base.overall_level
            data = RiskInput(
                **{
                    **base.__dict__,
                    "screened_on": start,
                    "review_on": suggested_review(level, start),
                }
            )
        self._edit(data, touched=False)

    def _edit(self, data: RiskInput, *, touched: bool) -> None:
        tr = self.tr
        self.viewing = None
        self._overall_touched = touched
        self._review_touched = touched
        self._put(data)
        self._set_read_only(False)
        self.title.setText(tr("New risk screen"))
        self._banner(
            tr(
                "A draft is kept on this device and does not change the client's risk flag "
                "until you finalise it."
            ),
            "notice",
        )
        self._update_suggestion()
        self.list.clearSelection()

    def _view(self, screen: RiskScreenView) -> None:
        tr = self.tr
        self.viewing = screen
        self._put(screen.data)
        self._set_read_only(True)
        self.title.setText(
            tr("Risk screen of {0}").format(screen.data.screened_on.strftime("%d %b %Y"))
        )
        self._banner(tr("Final screens cannot be changed; start a new screen instead."), "ok")
        self.suggestion.setText("")
        self.review_hint.setText("")

    def _banner(self, text: str, role: str) -> None:
        self.banner.setText(text)
        set_role(self.banner, role)
        self.banner.show()

    def _put(self, data: RiskInput) -> None:
        self._loading = True
        try:
            self.screened_on.setDate(QDate(data.screened_on))
            for name in _ITEMS:
                self.levels[name].set_level(getattr(data, name))
                self.notes[name].setPlainText(getattr(data, f"{name}_notes"))
            self.children_box.setChecked(data.children_in_home)
            self.children_notes.setPlainText(data.children_notes)
            self.overall.set_level(data.overall_level)
            review = data.review_on or suggested_review(data.overall_level, data.screened_on)
            self.review_on.setDate(QDate(review))
        finally:
            self._loading = False

    def _set_read_only(self, read_only: bool) -> None:
        for combo in (*self.levels.values(), self.overall):
            combo.setEnabled(not read_only)
        for edit in (*self.notes.values(), self.children_notes):
            edit.setReadOnly(read_only)
        for widget in (self.children_box, self.screened_on, self.review_on):
            widget.setEnabled(not read_only)
        for action in (self.save_button, self.finalise_button, self.discard_button):
            action.setVisible(not read_only)
        self.saved_note.setText("")

    # ------------------------------------------------------------------ editing

    def current_input(self) -> RiskInput:
        """What the form holds now."""
        values: dict[str, object] = {}
        for name in _ITEMS:
            values[name] = self.levels[name].level()
            values[f"{name}_notes"] = self.notes[name].toPlainText()
        return RiskInput(
            screened_on=self._date(self.screened_on),
            children_in_home=self.children_box.isChecked(),
            children_notes=self.children_notes.toPlainText(),
            overall_level=self.overall.level(),
            review_on=self._date(self.review_on),
            **values,  # type: ignore[arg-type]
        )

    @staticmethod
    def _date(edit: QDateEdit) -> date:
        value = edit.date().toPython()
        assert isinstance(value, date)
        return value

    def _edited(self) -> None:
        if self._loading or self.viewing is not None:
            return
        if not self._overall_touched:
            self._loading = True
            suggested = suggested_overall(self.current_input())
            self.overall.set_level(suggested)
            self._loading = False
        if not self._review_touched:
            self._loading = True
            level, screened = self.overall.level(), self._date(self.screened_on)
            self.review_on.setDate(QDate(suggested_review(level, screened)))
            self._loading = False
        self._update_suggestion()
        self.saved_note.setText(self.tr("Unsaved changes…"))
        self._timer.start()

    def _review_chosen(self) -> None:
        if self._loading:
            return
        self._review_touched = True
        self._edited()

    def _overall_chosen(self) -> None:
        if self._loading:
            return
        self._overall_touched = True
        self._edited()

    def _update_suggestion(self) -> None:
        tr = self.tr
        data = self.current_input()
        suggested = suggested_overall(data)
        self.suggestion.setText(
            tr("Suggested from the areas above: {0}").format(level_names(self)[suggested])
        )
        due = suggested_review(data.overall_level, data.screened_on)
        self.review_hint.setText(tr("Usual for this level: {0}").format(due.strftime("%d %b %Y")))

    @property
    def save_pending(self) -> bool:
        """Whether an autosave is scheduled."""
        return self._timer.isActive()

    def save_draft(self) -> None:
        """Keep the draft on this device now."""
        self._timer.stop()
        if self.viewing is not None:
            return
        data, service, client_id = self.current_input(), self._ctx.services.risk, self.client_id
        self._ctx.tasks.run(
            lambda: service.save_draft(client_id, data),
            guarded(self, lambda _r: self.saved_note.setText(self.tr("Draft saved"))),
            guarded(self, self._failed),
            label="save risk draft",
        )

    def discard_draft(self) -> None:
        """Throw the draft away (after asking)."""
        tr = self.tr
        if not self._ctx.dialogs.confirm(
            self, tr("Discard draft"), tr("Throw away this draft risk screen?"), ok=tr("Discard")
        ):
            return
        self._timer.stop()
        service, client_id = self._ctx.services.risk, self.client_id
        self._ctx.tasks.run(
            lambda: service.discard_draft(client_id),
            guarded(self, lambda _r: self.reload()),
            guarded(self, self._failed),
            label="discard risk draft",
        )

    def finalise(self) -> None:
        """Ask, then store the screen as final (it sets the flag and the review task)."""
        tr = self.tr
        data = self.current_input()
        try:
            validate_risk(data)
        except ValidationError as error:
            self._failed(error)
            return
        text = tr(
            "Record this screen as final with overall level {0}? It cannot be changed afterwards."
        ).format(level_names(self)[data.overall_level])
        if not self._ctx.dialogs.confirm(self, tr("Finalise risk screen"), text, ok=tr("Finalise")):
            return
        self._timer.stop()
        service, client_id = self._ctx.services.risk, self.client_id
        self._ctx.tasks.run(
            lambda: service.finalise(client_id, data),
            guarded(self, self._finalised),
            guarded(self, self._failed),
            label="finalise risk screen",
        )

    def _finalised(self, screen: RiskScreenView) -> None:
        self._ctx.hub.announce(Changes.RISK | Changes.CLIENTS)
        self.finalised.emit(screen.id)
        self.reload()

    def _failed(self, error: BaseException) -> None:
        tr = self.tr
        if isinstance(error, ValidationError):
            self._ctx.dialogs.warn(
                self, tr("Check the risk screen"), "\n".join(error.errors.values())
            )
            return
        self._ctx.dialogs.error(self, tr("Could not save"), str(error))
