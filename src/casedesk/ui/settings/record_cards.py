"""Settings cards for the record: when notes lock themselves, and this device's name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QSpinBox, QWidget

from casedesk.domain.notes import MAX_AUTO_LOCK_HOURS, MIN_AUTO_LOCK_HOURS
from casedesk.services.changes import Changes
from casedesk.services.errors import ValidationError
from casedesk.ui.context import AppContext
from casedesk.ui.messages import describe_error
from casedesk.ui.widgets.basics import Card, button, guarded, label, set_role


class _SettingCard(Card):
    """A card with one value, a Save button and a status line; saved off the GUI thread."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent=parent)
        self._ctx = ctx
        self.disposed = False
        self.status = label("", "ok", wrap=True)
        self.status.hide()

    def _add_row(self, caption: str, field: QWidget, save_name: str) -> None:
        self.save_button = button(self.tr("Save"), save_name)
        row = QHBoxLayout()
        row.addWidget(label(caption))
        row.addWidget(field)
        row.addWidget(self.save_button)
        row.addStretch(1)
        self.body.addLayout(row)
        self.body.addWidget(self.status)

    def _run(self, work: Callable[[], Any], done: Callable[[Any], None], name: str) -> None:
        self.save_button.setEnabled(False)

        def finished(result: Any) -> None:
            self.save_button.setEnabled(True)
            done(result)

        self._ctx.tasks.run(work, guarded(self, finished), guarded(self, self._failed), label=name)

    def _failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        text = "\n".join(exc.errors.values()) if isinstance(exc, ValidationError) else ""
        self._say(text or describe_error(exc), "error")

    def _say(self, text: str, role: str) -> None:
        self.status.setText(text)
        set_role(self.status, role)
        self.status.show()


class NoteLockCard(_SettingCard):
    """Case notes: how many hours after writing a note locks itself (synced to every device)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        tr = self.tr
        self.body.addWidget(label(tr("Case notes"), "heading"))
        self.hours = QSpinBox()
        self.hours.setObjectName("noteLockHours")
        self.hours.setRange(MIN_AUTO_LOCK_HOURS, MAX_AUTO_LOCK_HOURS)
        self.hours.setSuffix(tr(" hours"))
        self.hours.setAccessibleName(tr("Lock notes this many hours after they are written"))
        self.hours.setMinimumWidth(120)
        self._add_row(
            tr("Lock a note automatically"), self.hours, tr("Save when notes lock themselves")
        )
        self.body.addWidget(
            label(
                tr(
                    "Counted from when the note was written. A locked note can't be changed; "
                    "corrections are added as amendments. Notes are never deleted: one written "
                    "by mistake is marked “entered in error”."
                ),
                "muted",
                wrap=True,
            )
        )
        self.save_button.clicked.connect(self.save)
        notes = ctx.services.notes
        self._ctx.tasks.run(
            notes.auto_lock_hours,
            guarded(self, self.hours.setValue),
            guarded(self, self._failed),
            label="load note lock",
        )

    def save(self) -> None:
        """Store the period; notes already past it are locked now (so the lock syncs)."""
        notes, hours = self._ctx.services.notes, self.hours.value()

        def work() -> int:
            notes.set_auto_lock_hours(hours)
            return notes.lock_due_notes()

        self._run(work, self._saved, "save note lock")

    def _saved(self, locked: int) -> None:
        self._say(
            self.tr("Saved: notes lock {n} hours after they are written.").format(
                n=self.hours.value()
            ),
            "ok",
        )
        if locked:
            self._ctx.hub.announce(Changes.NOTES)


class DeviceNameCard(_SettingCard):
    """This device: its name in the history of every record ("Ana Lima on Laptop-2")."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        tr = self.tr
        self.body.addWidget(label(tr("This device"), "heading"))
        self.name = QLineEdit()
        self.name.setObjectName("deviceName")
        self.name.setAccessibleName(tr("This device's name"))
        self.name.setMaxLength(100)
        self.name.setMinimumWidth(240)
        self._add_row(tr("Name"), self.name, tr("Save this device's name"))
        self.body.addWidget(
            label(
                tr(
                    "Shown in each record's history next to your name, so you can tell which "
                    "computer a change was made on. It stays on this device."
                ),
                "muted",
                wrap=True,
            )
        )
        self.save_button.clicked.connect(self.save)
        self.name.returnPressed.connect(self.save)
        vault = ctx.services.vault
        self._ctx.tasks.run(
            vault.device_name,
            guarded(self, self.name.setText),
            guarded(self, self._failed),
            label="load device name",
        )

    def save(self) -> None:
        """Store the name."""
        vault, name = self._ctx.services.vault, self.name.text()
        self._run(lambda: vault.set_device_name(name), self._saved, "save device name")

    def _saved(self, name: str) -> None:
        self.name.setText(name)
        self._say(self.tr("Saved."), "ok")
