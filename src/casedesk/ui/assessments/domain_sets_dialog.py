"""Life-area sets: copy the built-in set, then rename or add areas (each change is a new version).

Everything is inline (no nested prompts): pick a set, see its areas, and use the fields below.
Old assessments keep the version they were made with.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.domain_sets import DomainSetError
from casedesk.services.changes import Changes
from casedesk.services.domain_sets_service import StoredDomainSet, new_domain, slug
from casedesk.services.errors import ValidationError
from casedesk.ui.context import AppContext
from casedesk.ui.widgets.basics import Card, button, guarded, label

_ID = Qt.ItemDataRole.UserRole


def _line(accessible: str, placeholder: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setAccessibleName(accessible)
    edit.setPlaceholderText(placeholder)
    return edit


class DomainSetsDialog(QDialog):
    """Manage sets of life areas.

    Signals:
        sets_changed(): a set was copied or a new version stored.
    """

    sets_changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.sets: list[StoredDomainSet] = []
        self.setWindowTitle(self.tr("Life areas"))
        self.resize(920, 600)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 16)
        layout.setSpacing(12)
        layout.addWidget(
            label(
                self.tr(
                    "Assessments use a set of life areas. The built-in set cannot be changed: "
                    "make a copy to rename areas or add your own. Each change makes a new "
                    "version; earlier assessments keep the version they used."
                ),
                "muted",
                wrap=True,
            )
        )
        lists = QHBoxLayout()
        lists.setSpacing(12)
        lists.addWidget(self._sets_card(), 2)
        lists.addWidget(self._areas_card(), 3)
        layout.addLayout(lists, 1)
        layout.addWidget(self._edit_card())
        close = button(self.tr("Close"), self.tr("Close life areas"))
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        self.message = label("", "muted", wrap=True)
        row.addWidget(self.message, 1)
        row.addWidget(close)
        layout.addLayout(row)
        self.reload()

    # ------------------------------------------------------------------ layout

    def _sets_card(self) -> Card:
        card = Card(self.tr("Sets"))
        self.set_list = QListWidget()
        self.set_list.setObjectName("plainList")
        self.set_list.setAccessibleName(self.tr("Sets of life areas"))
        self.set_list.currentRowChanged.connect(self._set_selected)
        card.body.addWidget(self.set_list, 1)
        return card

    def _areas_card(self) -> Card:
        card = Card(self.tr("Areas in this set"))
        self.area_list = QListWidget()
        self.area_list.setObjectName("plainList")
        self.area_list.setAccessibleName(self.tr("Areas in the chosen set"))
        card.body.addWidget(self.area_list, 1)
        return card

    def _edit_card(self) -> Card:
        tr = self.tr
        card = Card(tr("Change"))
        self.copy_name = _line(tr("Name for the copy"), tr("e.g. Our service's areas"))
        self.copy_button = button(tr("Make a copy"), tr("Copy the chosen set"))
        self.rename_to = _line(tr("New name for the chosen area"), tr("New name"))
        self.rename_button = button(tr("Rename area"), tr("Rename the chosen area"))
        self.add_name = _line(tr("Name of the new area"), tr("Name"))
        self.add_description = _line(
            tr("What the new area covers"), tr("What it covers, in plain words")
        )
        self.add_button = button(tr("Add area"), tr("Add the new area to the chosen set"))
        self.copy_button.clicked.connect(self.copy_set)
        self.rename_button.clicked.connect(self.rename_area)
        self.add_button.clicked.connect(self.add_area)
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(8)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 2)
        grid.addWidget(label(tr("Copy the set"), "subheading"), 0, 0)
        grid.addWidget(self.copy_name, 0, 1, 1, 2)
        grid.addWidget(self.copy_button, 0, 3)
        grid.addWidget(label(tr("Rename the chosen area"), "subheading"), 1, 0)
        grid.addWidget(self.rename_to, 1, 1, 1, 2)
        grid.addWidget(self.rename_button, 1, 3)
        grid.addWidget(label(tr("Add an area"), "subheading"), 2, 0)
        grid.addWidget(self.add_name, 2, 1)
        grid.addWidget(self.add_description, 2, 2)
        grid.addWidget(self.add_button, 2, 3)
        card.body.addLayout(grid)
        return card

    # ------------------------------------------------------------------ data

    def reload(self, select_key: str | None = None) -> None:
        """Read the newest version of every set."""
        service = self._ctx.services.domain_sets
        self._ctx.tasks.run(
            service.latest_versions,
            guarded(self, lambda sets: self._show(sets, select_key)),
            guarded(self, self._failed),
            label="load life-area sets",
        )

    def _show(self, sets: list[StoredDomainSet], select_key: str | None) -> None:
        self.sets = sets
        self.set_list.clear()
        row = 0
        for index, stored in enumerate(sets):
            suffix = self.tr(" · built-in") if stored.builtin else ""
            item = QListWidgetItem(stored.label + suffix)
            item.setData(_ID, stored.id)
            self.set_list.addItem(item)
            if stored.domain_set.key == select_key:
                row = index
        if sets:
            self.set_list.setCurrentRow(row)

    @property
    def current(self) -> StoredDomainSet | None:
        """The chosen set."""
        row = self.set_list.currentRow()
        return self.sets[row] if 0 <= row < len(self.sets) else None

    def _set_selected(self, _row: int) -> None:
        stored = self.current
        self.area_list.clear()
        if stored is None:
            return
        for domain in stored.domain_set.domains:
            item = QListWidgetItem(domain.name)
            item.setData(_ID, domain.key)
            self.area_list.addItem(item)
        editable = not stored.builtin
        for widget in (self.rename_to, self.rename_button, self.add_name):
            widget.setEnabled(editable)
        for widget in (self.add_description, self.add_button):
            widget.setEnabled(editable)

    # ------------------------------------------------------------------ actions

    def copy_set(self) -> None:
        """Copy the chosen set under the typed name."""
        stored, name = self.current, self.copy_name.text().strip()
        if stored is None or not name:
            self._say(self.tr("Type a name for the copy."))
            return
        key = slug(name, {s.domain_set.key for s in self.sets})
        service = self._ctx.services.domain_sets
        self._change(lambda: service.copy_set(stored.id, key, name), self.copy_name)

    def rename_area(self) -> None:
        """Rename the chosen area (a new version of the set)."""
        stored, item = self.current, self.area_list.currentItem()
        name = self.rename_to.text().strip()
        if stored is None or item is None or not name:
            self._say(self.tr("Choose an area and type its new name."))
            return
        key = str(item.data(_ID))
        service = self._ctx.services.domain_sets
        self._change(lambda: service.rename_domain(stored.id, key, name), self.rename_to)

    def add_area(self) -> None:
        """Add a new area (a new version of the set)."""
        stored, name = self.current, self.add_name.text().strip()
        if stored is None or not name:
            self._say(self.tr("Type a name for the new area."))
            return
        domain = new_domain(name, self.add_description.text(), stored.domain_set.domain_keys())
        service = self._ctx.services.domain_sets
        self._change(lambda: service.add_domain(stored.id, domain), self.add_name)

    def _change(self, work: Callable[[], StoredDomainSet], field: QLineEdit) -> None:
        def done(stored: StoredDomainSet) -> None:
            field.clear()
            self.add_description.clear()
            self._say(self.tr("Saved as {0}.").format(stored.label))
            self._ctx.hub.announce(Changes.ASSESSMENTS)
            self.sets_changed.emit()
            self.reload(stored.domain_set.key)

        self._ctx.tasks.run(
            work, guarded(self, done), guarded(self, self._failed), label="change life areas"
        )

    def _say(self, text: str) -> None:
        self.message.setText(text)

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, ValidationError):
            self._say("\n".join(error.errors.values()))
        elif isinstance(error, DomainSetError):
            self._say(str(error))
        else:
            self._ctx.dialogs.error(self, self.tr("Could not save"), str(error))
