"""Small form helpers: inline field errors (gone once the field is edited), labelled inputs."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableView,
    QTextEdit,
    QWidget,
)

from casedesk.ui.widgets.theme import DANGER

DATE_PLACEHOLDER = "YYYY-MM-DD"


def on_edit(widget: QWidget, callback: Callable[[], object]) -> None:
    """Call ``callback`` whenever the value in ``widget`` changes (typed, picked or ticked)."""
    if isinstance(widget, QLineEdit):
        widget.textChanged.connect(lambda _text: callback())
    elif isinstance(widget, QPlainTextEdit | QTextEdit):
        widget.textChanged.connect(callback)
    elif isinstance(widget, QComboBox):
        widget.currentIndexChanged.connect(lambda _index: callback())
        if widget.isEditable():
            widget.editTextChanged.connect(lambda _text: callback())
    elif isinstance(widget, QAbstractButton):
        widget.toggled.connect(lambda _checked: callback())
    elif isinstance(widget, QAbstractSpinBox):  # spin boxes and date/time edits
        changed = getattr(widget, "valueChanged", None) or widget.dateTimeChanged
        changed.connect(lambda _value: callback())


class FieldErrors:
    """Inline error labels, one per field, shown under the field they belong to.

    ``show`` takes a ``ValidationError.errors`` mapping; unknown keys fall back to a general
    label (or are mapped through ``aliases``, e.g. ``identifier_0`` -> ``identifiers``).
    A watched field's message goes as soon as the field is changed: a message that stayed
    after the worker fixed the field would say the form is still wrong. Saving checks again.
    """

    def __init__(self, general: QLabel | None = None) -> None:
        self._labels: dict[str, QLabel] = {}
        self._messages: dict[str, str] = {}
        self._general = general
        self.aliases: dict[str, str] = {}

    def label_for(self, name: str, field: QWidget | None = None) -> QLabel:
        """The (hidden until needed) error label of a field; editing ``field`` hides it."""
        if field is not None:
            on_edit(field, lambda: self.dismiss(name))
        if name not in self._labels:
            widget = QLabel()
            widget.setObjectName(f"error_{name}")
            widget.setWordWrap(True)
            widget.setTextFormat(Qt.TextFormat.RichText)  # coloured by markup: no per-widget
            widget.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
            widget.hide()
            self._labels[name] = widget
        return self._labels[name]

    def show(self, errors: dict[str, str]) -> None:
        """Show each message next to its field; clear the others."""
        self.clear()
        leftovers = []
        for name, message in errors.items():
            key = self._resolve(name)
            if key in self._labels:
                self._messages[key] = message
                self._labels[key].setText(_error_markup(message))
                self._labels[key].show()
            else:
                leftovers.append(message)
        if self._general is not None and leftovers:
            self._general.setText("\n".join(leftovers))
            self._general.show()

    def message(self, name: str) -> str:
        """The visible message of a field ('' when none)."""
        widget = self._labels.get(name)
        visible = widget is not None and not widget.isHidden()
        return self._messages.get(name, "") if visible else ""

    def visible(self) -> dict[str, str]:
        """Every visible message by field."""
        return {k: self._messages.get(k, "") for k, w in self._labels.items() if not w.isHidden()}

    def dismiss(self, name: str) -> None:
        """Hide one field's message (its field was changed)."""
        widget = self._labels.get(name)
        if widget is not None and not widget.isHidden():
            self._messages.pop(name, None)
            widget.clear()
            widget.hide()

    def clear(self) -> None:
        """Hide every message."""
        self._messages.clear()
        for widget in self._labels.values():
            widget.clear()
            widget.hide()
        if self._general is not None:
            self._general.clear()
            self._general.hide()

    def _resolve(self, name: str) -> str:
        if name in self.aliases:
            return self.aliases[name]
        for prefix, target in self.aliases.items():
            if prefix.endswith("*") and name.startswith(prefix[:-1]):
                return target
        return name


class ErrorSummary:
    """One error label for a whole form, listing the messages of the fields still wrong.

    A watched field's message leaves the list as soon as that field is changed; the label
    hides when nothing is left. Messages about no one field (or an unwatched one) stay until
    the next save.
    """

    def __init__(self, widget: QLabel, fields: Mapping[str, QWidget] | None = None) -> None:
        self.label = widget
        self._messages: dict[str, str] = {}
        for name, field in (fields or {}).items():
            self.watch(name, field)

    def watch(self, name: str, field: QWidget) -> None:
        """Drop the message about ``name`` whenever ``field`` changes."""
        on_edit(field, lambda: self.dismiss(name))

    def show(self, errors: Mapping[str, str]) -> None:
        """Show these messages (replacing any shown before)."""
        self._messages = dict(errors)
        self._render()

    def show_text(self, text: str) -> None:
        """Show one message about no particular field (e.g. a save that failed)."""
        self.show({"": text} if text else {})

    def dismiss(self, name: str) -> None:
        """Forget the message about one field."""
        if self._messages.pop(name, None) is not None:
            self._render()

    def clear(self) -> None:
        """Hide every message."""
        self.show({})

    def messages(self) -> dict[str, str]:
        """The messages on show, by field."""
        return dict(self._messages)

    def _render(self) -> None:
        self.label.setText("\n".join(self._messages.values()))
        self.label.setVisible(bool(self._messages))


def _error_markup(message: str) -> str:
    body = html.escape(message).replace("\n", "<br/>")
    return f"<span style='color:{DANGER}; font-size:9pt'>{body}</span>"


def line_edit(accessible: str, placeholder: str = "") -> QLineEdit:
    """A line edit with an accessible name."""
    widget = QLineEdit()
    widget.setAccessibleName(accessible)
    widget.setPlaceholderText(placeholder)
    return widget


def date_edit(accessible: str) -> QLineEdit:
    """A date typed as YYYY-MM-DD (free text, so a wrong date gets a clear message)."""
    widget = line_edit(accessible, DATE_PLACEHOLDER)
    widget.setMaximumWidth(160)
    return widget


def left_aligned_headers(view: QTableView) -> None:
    """Column headers aligned with the (left-aligned) cell text."""
    view.horizontalHeader().setDefaultAlignment(
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    )


def text_box(accessible: str, placeholder: str = "", height: int = 80) -> QPlainTextEdit:
    """A multi-line text box with an accessible name."""
    widget = QPlainTextEdit()
    widget.setAccessibleName(accessible)
    widget.setPlaceholderText(placeholder)
    widget.setMinimumHeight(height)
    widget.setMaximumHeight(height + 50)
    widget.setTabChangesFocus(True)
    return widget


def combo(accessible: str, items: list[tuple[str, object]]) -> QComboBox:
    """A combo box of (label, data) items with an accessible name."""
    widget = QComboBox()
    widget.setAccessibleName(accessible)
    for text, data in items:
        widget.addItem(text, data)
    return widget


def check_box(text: str, accessible: str = "") -> QCheckBox:
    """A check box with an accessible name."""
    widget = QCheckBox(text)
    widget.setAccessibleName(accessible or text)
    return widget


def select_data(widget: QComboBox, data: object) -> None:
    """Select the item carrying ``data`` (first item when absent)."""
    index = widget.findData(data)
    widget.setCurrentIndex(max(index, 0))


def add_row(
    grid: QGridLayout,
    row: int,
    column: int,
    caption: str,
    field: QWidget,
    errors: FieldErrors,
    name: str,
) -> int:
    """Put a caption, a field and its error label in a grid; returns the next free row."""
    caption_label = QLabel(caption)
    caption_label.setBuddy(field)
    caption_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    grid.addWidget(caption_label, row, column)
    if field.maximumWidth() < 10_000:  # fixed-width fields (dates) sit at the left
        grid.addWidget(field, row, column + 1, Qt.AlignmentFlag.AlignLeft)
    else:
        grid.addWidget(field, row, column + 1)
    grid.addWidget(errors.label_for(name, field), row + 1, column + 1)
    return row + 2


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Mark a constant for translation (``lupdate`` finds it by name); returns it unchanged.

    Qt's own ``QT_TRANSLATE_NOOP`` is typed as returning ``object``; this one keeps ``str``.
    """
    return text
