"""Building blocks with the house style: labels by role, cards, buttons, guarded callbacks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

T = TypeVar("T")


def label(
    text: str, role: str = "", *, wrap: bool = False, parent: QWidget | None = None
) -> QLabel:
    """A label styled by role (title, heading, subheading, muted, error, notice, ok, metric)."""
    widget = QLabel(text, parent)
    if role:
        widget.setProperty("role", role)
    widget.setWordWrap(wrap)
    widget.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    return widget


def set_role(widget: QWidget, role: str) -> None:
    """Change a widget's style role and re-polish it so the new look applies."""
    widget.setProperty("role", role)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)


def button(
    text: str,
    accessible: str,
    *,
    primary: bool = False,
    link: bool = False,
    parent: QWidget | None = None,
) -> QPushButton:
    """A push button with an accessible name (every interactive widget must have one)."""
    widget = QPushButton(text, parent)
    widget.setAccessibleName(accessible)
    if primary:
        widget.setProperty("role", "primary")
        widget.setDefault(True)
    elif link:
        widget.setProperty("role", "link")
        widget.setCursor(Qt.CursorShape.PointingHandCursor)
        widget.setAutoDefault(False)
    return widget


def save_cancel_buttons(
    dialog: QDialog,
    save_name: str,
    on_save: Callable[[], Any] | None = None,
    *,
    save_text: str = "",
) -> QDialogButtonBox:
    """Save and Cancel buttons for a form dialog, with accessible names.

    Args:
        dialog: the dialog (Cancel rejects it; Save accepts it unless ``on_save`` is given).
        save_name: the accessible name of the Save button, e.g. "Save referral".
        on_save: what Save does instead of accepting (e.g. validate, then store off-thread).
        save_text: a label for the Save button other than "Save".
    """
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
    )
    save = buttons.button(QDialogButtonBox.StandardButton.Save)
    save.setAccessibleName(save_name)
    if save_text:
        save.setText(save_text)
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName(dialog.tr("Cancel"))
    buttons.accepted.connect(on_save or dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


class Card(QFrame):
    """A white, bordered panel with an optional heading; add content to ``body``."""

    def __init__(self, heading: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", "card")
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(18, 16, 18, 16)
        self.body.setSpacing(10)
        self.heading: QLabel | None = None
        if heading:
            self.heading = label(heading, "heading")
            self.body.addWidget(self.heading)


def guarded(owner: QWidget, callback: Callable[[T], Any]) -> Callable[[T], None]:
    """Wrap a task callback so it is skipped once ``owner`` is gone (e.g. after a lock).

    Background results can arrive after the screen that asked for them was destroyed; calling
    into a deleted widget would raise. The guard also honours a ``disposed`` attribute set by
    screens that are being torn down.
    """

    def call(value: T) -> None:
        if shiboken6.isValid(owner) and not getattr(owner, "disposed", False):
            callback(value)

    return call


class PageSwitcher(QWidget):
    """Shows one of several pages; hidden pages take no space (unlike QStackedWidget).

    QStackedWidget sizes itself for its tallest page (height-for-width ignores hidden pages'
    size policies), which leaves a gap under a short page with word-wrapped text.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pages: list[QWidget] = []
        self._current = -1
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    def addWidget(self, page: QWidget) -> int:
        """Add a page (the first one added is shown)."""
        self._pages.append(page)
        self._layout.addWidget(page)
        if self._current < 0:
            self._current = 0
        else:
            page.hide()
        return len(self._pages) - 1

    def setCurrentIndex(self, index: int) -> None:
        """Show page ``index`` and hide the others."""
        self._current = index
        for number, page in enumerate(self._pages):
            page.setVisible(number == index)

    def currentIndex(self) -> int:
        """Index of the page on show."""
        return self._current

    def count(self) -> int:
        """Number of pages."""
        return len(self._pages)

    def widget(self, index: int) -> QWidget:
        """Page ``index``."""
        return self._pages[index]
