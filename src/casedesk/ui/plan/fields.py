"""Small form widgets for the plan screens: optional date fields and enum combo boxes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import Enum
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QCompleter, QLineEdit, QWidget

from casedesk.ui.plan.labels import label_for


class DateField(QLineEdit):
    """An optional date typed as YYYY-MM-DD (validated by the services, shown inline)."""

    def __init__(self, accessible: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText("YYYY-MM-DD")
        self.setAccessibleName(accessible)
        self.setMaximumWidth(130)

    def set_date(self, value: date | None) -> None:
        """Show a date (empty for None)."""
        self.setText(value.isoformat() if value else "")

    def value(self) -> str:
        """The typed text (the service parses and validates it)."""
        return self.text().strip()

    def parsed(self) -> date | None:
        """The date if the text is a valid one, else None."""
        try:
            return date.fromisoformat(self.value()) if self.value() else None
        except ValueError:
            return None


class EnumCombo(QComboBox):
    """A combo box over vocabulary values, showing their labels."""

    def __init__(
        self,
        values: Iterable[Enum],
        accessible: str,
        *,
        empty: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName(accessible)
        self._values: list[Enum | None] = []
        if empty is not None:
            self.addItem(empty)
            self._values.append(None)
        for value in values:
            self.addItem(label_for(value))
            self._values.append(value)

    def value(self) -> Any:
        """The chosen value, as its enum member (None for the empty choice)."""
        index = self.currentIndex()
        return self._values[index] if 0 <= index < len(self._values) else None

    def set_value(self, value: Any) -> None:
        """Select a value (the first item when it isn't listed)."""
        index = self._values.index(value) if value in self._values else 0
        self.setCurrentIndex(index)


class DataCombo(QComboBox):
    """A combo box of (label, data) pairs."""

    def __init__(self, accessible: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(accessible)

    def make_searchable(self) -> None:
        """Let the user type to find an item (matches anywhere in the text)."""
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        completer = self.completer()
        if completer is not None:
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)

    def set_items(self, items: Iterable[tuple[str, Any]], selected: Any = None) -> None:
        """Replace the items and select ``selected`` if present."""
        self.blockSignals(True)
        self.clear()
        for text, data in items:
            self.addItem(text, data)
        index = self.findData(selected)
        self.setCurrentIndex(max(index, 0))
        self.blockSignals(False)

    def value(self) -> Any:
        """The chosen data."""
        return self.currentData()
