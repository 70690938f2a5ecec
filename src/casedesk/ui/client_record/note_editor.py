"""The note editor: type, date/time, length, place, linked goals and the note itself."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QGridLayout,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.enums import ContactType
from casedesk.domain.notes import MAX_DURATION_MINUTES, NoteInput
from casedesk.services.episodes import GoalOption
from casedesk.services.notes import NoteView
from casedesk.ui.widgets.basics import button, label
from casedesk.ui.widgets.client_fields import (
    FieldErrors,
    combo,
    line_edit,
    select_data,
    text_box,
)

MODE_NEW, MODE_EDIT, MODE_AMEND = "new", "edit", "amend"


class NoteEditor(QWidget):
    """Write a new note, edit an open one, or amend a locked one.

    Signals:
        edited(): the user typed or changed a field (drives draft autosave).
        save_requested(bool): save; True means lock it at once.
        cancel_requested(): stop editing or amending.
    """

    edited = Signal()
    save_requested = Signal(bool)
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode = MODE_NEW
        self.target: NoteView | None = None
        self._loading = False
        self._time_set = False  # False: a new note is dated when it is saved
        self.errors = FieldErrors()
        self._build()
        self._connect()
        self.reset()

    # ------------------------------------------------------------------ build

    def _build(self) -> None:
        tr = self.tr
        self.heading = label(tr("New note"), "heading")
        self.target_info = label("", "muted", wrap=True)
        self.contact_type = combo(
            tr("Contact type"),
            [(tr(c.value.replace("_", " ").capitalize()), c) for c in ContactType],
        )
        self.occurred_at = QDateTimeEdit()
        self.occurred_at.setAccessibleName(tr("Date and time of contact"))
        self.occurred_at.setCalendarPopup(True)
        self.occurred_at.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.duration = QSpinBox()
        self.duration.setAccessibleName(tr("Length in minutes"))
        self.duration.setRange(0, MAX_DURATION_MINUTES)
        self.duration.setSingleStep(5)
        self.duration.setSuffix(tr(" min"))
        self.duration.setSpecialValueText(tr("Not recorded"))
        self.location = line_edit(tr("Location"), tr("e.g. client's home"))
        self.goals = QListWidget()
        self.goals.setAccessibleName(tr("Linked goals"))
        self.goals.setMaximumHeight(80)
        self.goals.setMinimumHeight(40)
        self.no_goals = label(
            tr("No goals yet: goals come from the case plan."), "muted", wrap=True
        )
        self.body = text_box(tr("Note text"), tr("What happened, in plain words…"), height=90)
        self.body.setMaximumHeight(16_777_215)  # the note body takes the free space
        self.save_button = button(tr("Save note"), tr("Save note"), primary=True)
        self.lock_button = button(tr("Save and lock"), tr("Save and lock note"))
        self.cancel_button = button(tr("Cancel"), tr("Cancel editing note"))
        self.saved_info = label("", "muted")
        self._layout()

    def _layout(self) -> None:
        tr = self.tr
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.heading)
        outer.addWidget(self.target_info)
        self.fields = QWidget(self)
        grid = QGridLayout(self.fields)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(2)
        row = 0
        for caption, widget, name in (
            (tr("Contact"), self.contact_type, "contact_type"),
            (tr("When"), self.occurred_at, "occurred_at"),
            (tr("Length"), self.duration, "duration_minutes"),
            (tr("Where"), self.location, "location"),
        ):
            grid.addWidget(label(caption), row, 0)
            grid.addWidget(widget, row, 1)
            grid.addWidget(self.errors.label_for(name, widget), row + 1, 1)
            row += 2
        grid.addWidget(label(tr("Goals")), row, 0, Qt.AlignmentFlag.AlignTop)
        goals_box = QVBoxLayout()
        goals_box.addWidget(self.goals)
        goals_box.addWidget(self.no_goals)
        grid.addLayout(goals_box, row, 1)
        grid.setColumnStretch(1, 1)
        outer.addWidget(self.fields)
        outer.addWidget(self.body, 1)
        outer.addWidget(self.errors.label_for("body", self.body))
        buttons = QHBoxLayout()
        buttons.addWidget(self.saved_info, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.lock_button)
        buttons.addWidget(self.save_button)
        outer.addLayout(buttons)

    def _connect(self) -> None:
        self.body.textChanged.connect(self._changed)
        self.location.textEdited.connect(self._changed)
        self.contact_type.activated.connect(self._changed)
        self.occurred_at.dateTimeChanged.connect(self._time_changed)
        self.duration.valueChanged.connect(self._changed)
        self.goals.itemChanged.connect(self._changed)
        self.save_button.clicked.connect(lambda: self.save_requested.emit(False))
        self.lock_button.clicked.connect(lambda: self.save_requested.emit(True))
        self.cancel_button.clicked.connect(self.cancel_requested)

    def _changed(self, *_args: object) -> None:
        if not self._loading:
            self._show_now_if_unset()
            self.edited.emit()

    def _show_now_if_unset(self) -> None:
        """Keep the shown time current while a new note's time is left to "when saved"."""
        if self.mode != MODE_NEW or self._time_set:
            return
        now = QDateTime.currentDateTime()
        if self.occurred_at.dateTime().secsTo(now) >= 60:
            self._loading = True
            try:
                self.occurred_at.setDateTime(now)
            finally:
                self._loading = False

    def _time_changed(self, *_args: object) -> None:
        if not self._loading:
            self._time_set = True
            self.edited.emit()

    # ------------------------------------------------------------------ modes

    def reset(self) -> None:
        """Back to an empty new note dated now."""
        self._load(MODE_NEW, None, {})

    def start_edit(self, note: NoteView) -> None:
        """Edit an open (unlocked) note."""
        self._load(MODE_EDIT, note, _note_payload(note))

    def start_amend(self, note: NoteView) -> None:
        """Write an amendment to a locked note."""
        self._load(MODE_AMEND, note, {"body": ""})

    def _load(self, mode: str, target: NoteView | None, data: dict[str, Any]) -> None:
        self.mode, self.target = mode, target
        tr = self.tr
        headings = {
            MODE_NEW: tr("New note"),
            MODE_EDIT: tr("Edit note"),
            MODE_AMEND: tr("Amend locked note"),
        }
        self.heading.setText(headings[mode])
        self.fields.setVisible(mode != MODE_AMEND)
        self.lock_button.setVisible(mode != MODE_AMEND)
        self.cancel_button.setVisible(mode != MODE_NEW)
        self.save_button.setText(tr("Save amendment") if mode == MODE_AMEND else tr("Save note"))
        if target is not None:
            when = target.occurred_at.astimezone().strftime("%d %b %Y %H:%M")
            info = (
                tr(
                    "The original stays in the file; this amendment is added under it "
                    "(note from {when})."
                )
                if mode == MODE_AMEND
                else tr("Note from {when}")
            )
            self.target_info.setText(info.format(when=when))
        else:
            self.target_info.clear()
        self.target_info.setVisible(target is not None)
        self.restore(data)
        self.errors.clear()

    # ------------------------------------------------------------------ data

    def set_goals(self, goals: tuple[GoalOption, ...]) -> None:
        """Offer the client's current goals for linking."""
        self._loading = True
        self.goals.clear()
        for goal in goals:
            item = QListWidgetItem(goal.label)
            item.setData(Qt.ItemDataRole.UserRole, goal.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.goals.addItem(item)
        self.goals.setVisible(bool(goals))
        self.no_goals.setVisible(not goals)
        self._loading = False

    def goal_ids(self) -> tuple[str, ...]:
        """Ids of the checked goals."""
        items = (self.goals.item(i) for i in range(self.goals.count()))
        return tuple(
            i.data(Qt.ItemDataRole.UserRole)
            for i in items
            if i.checkState() == Qt.CheckState.Checked
        )

    def occurred(self) -> datetime:
        """The contact time: as chosen, or now when a new note's time was left alone."""
        if self.mode == MODE_NEW and not self._time_set:
            return datetime.now().astimezone()
        value = self.occurred_at.dateTime().toPython()
        assert isinstance(value, datetime)
        return value.astimezone()

    def to_input(self, client_id: str) -> NoteInput:
        """What the editor holds, unvalidated."""
        minutes = self.duration.value()
        return NoteInput(
            client_id=client_id,
            body=self.body.toPlainText(),
            contact_type=self.contact_type.currentData(),
            occurred_at=self.occurred(),
            duration_minutes=minutes or None,
            location=self.location.text(),
            goal_ids=self.goal_ids(),
        )

    def has_text(self) -> bool:
        """Whether anything worth keeping was typed."""
        return bool(self.body.toPlainText().strip() or self.location.text().strip())

    def payload(self) -> dict[str, Any]:
        """Everything typed, as plain JSON (for a draft)."""
        return {
            "mode": self.mode,
            "target_id": self.target.id if self.target else None,
            "contact_type": str(self.contact_type.currentData()),
            "occurred_at": self.occurred().isoformat(),
            "time_set": self._time_set,
            "duration_minutes": self.duration.value(),
            "location": self.location.text(),
            "goal_ids": list(self.goal_ids()),
            "body": self.body.toPlainText(),
        }

    def restore(self, data: dict[str, Any]) -> None:
        """Fill the fields from :meth:`payload` output (without emitting ``edited``)."""
        self._loading = True
        try:
            select_data(self.contact_type, ContactType(data.get("contact_type", "home_visit")))
            when = data.get("occurred_at")
            stamp = datetime.fromisoformat(when) if when else datetime.now().astimezone()
            self.occurred_at.setDateTime(QDateTime.fromSecsSinceEpoch(int(stamp.timestamp())))
            self._time_set = bool(data.get("time_set", self.mode != MODE_NEW))
            self.duration.setValue(int(data.get("duration_minutes") or 0))
            self.location.setText(str(data.get("location", "")))
            wanted = set(data.get("goal_ids") or ())
            for i in range(self.goals.count()):
                item = self.goals.item(i)
                on = item.data(Qt.ItemDataRole.UserRole) in wanted
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            self.body.setPlainText(str(data.get("body", "")))
        finally:
            self._loading = False

    def clear(self) -> None:
        """Empty everything, including the goal list (used on lock)."""
        self.goals.clear()
        self.reset()
        self.saved_info.clear()


def _note_payload(note: NoteView) -> dict[str, Any]:
    return {
        "contact_type": note.contact_type.value,
        "occurred_at": note.occurred_at.isoformat(),
        "duration_minutes": note.duration_minutes or 0,
        "location": note.location,
        "goal_ids": list(note.goal_ids),
        "body": note.body,
    }
