"""Choosing a passphrase: two fields, a live strength meter, and the reason a choice is refused."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.passphrase import Strength, estimate
from casedesk.ui.widgets import theme
from casedesk.ui.widgets.basics import label

_METER_COLOURS = (theme.DANGER, theme.DANGER, theme.WARNING, theme.SUCCESS, theme.SUCCESS)


class StrengthMeter(QWidget):
    """A bar from very weak to very strong, the label, and how long guessing it would take."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setRange(0, 4)
        self.bar.setTextVisible(False)
        self.bar.setAccessibleName(self.tr("Passphrase strength"))
        self.verdict = label("", "muted")
        self.verdict.setMinimumWidth(90)
        self.advice = label("", "muted", wrap=True)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.bar, 1)
        row.addWidget(self.verdict)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(row)
        layout.addWidget(self.advice)
        self.show_strength(estimate(""))

    def show_strength(self, strength: Strength) -> None:
        """Show an estimate."""
        self.bar.setValue(strength.score if strength.score else 0)
        colour = _METER_COLOURS[strength.score]
        self.bar.setStyleSheet(f"QProgressBar::chunk {{ background: {colour}; }}")
        self.verdict.setText(self.tr(strength.label))
        self.advice.setText(self.tr(strength.summary))


class PassphraseForm(QWidget):
    """New passphrase plus confirmation, with a live strength meter.

    Signals:
        edited(): either field changed (callers re-check ``problem()`` to enable buttons).
    """

    edited = Signal()

    def __init__(self, parent: QWidget | None = None, *, label_text: str = "") -> None:
        super().__init__(parent)
        self._user_inputs: tuple[str, ...] = ()
        self.new_field = QLineEdit()
        self.new_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_field.setObjectName("newPassphrase")
        self.new_field.setAccessibleName(self.tr("New passphrase"))
        self.new_field.setPlaceholderText(self.tr("A few unrelated words work well"))
        self.confirm_field = QLineEdit()
        self.confirm_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm_field.setObjectName("confirmPassphrase")
        self.confirm_field.setAccessibleName(self.tr("Repeat the new passphrase"))
        self.meter = StrengthMeter()
        self.message = label("", "error", wrap=True)
        self.message.setObjectName("passphraseProblem")
        self.message.hide()
        form = self._form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setVerticalSpacing(10)
        form.addRow(*self._label(label_text or self.tr("Passphrase"), self.new_field))
        form.addRow("", self.meter)
        form.addRow(*self._label(self.tr("Repeat it"), self.confirm_field))
        form.addRow(self.message)
        self.new_field.textChanged.connect(self._on_changed)
        self.confirm_field.textChanged.connect(self._on_changed)

    def set_user_inputs(self, words: Sequence[str]) -> None:
        """Names an attacker who knows the worker would try first (e.g. the worker's name)."""
        self._user_inputs = tuple(w for w in words if w)
        if self.passphrase:
            self.meter.show_strength(self.strength())

    def strength(self) -> Strength:
        """The estimate for what is typed now."""
        return estimate(self.passphrase, self._user_inputs)

    def _label(self, text: str, buddy: QWidget) -> tuple[QLabel, QWidget]:
        widget = QLabel(text)
        widget.setBuddy(buddy)
        return widget, buddy

    def insert_row(self, text: str, field: QWidget) -> None:
        """Add a field above the new passphrase (e.g. the current one), aligned with the rest."""
        self._form.insertRow(0, *self._label(text, field))

    @property
    def passphrase(self) -> str:
        """What was typed in the first field."""
        return self.new_field.text()

    def problem(self) -> str | None:
        """Why the passphrase can't be used yet (None when it can)."""
        strength = self.strength()
        if not strength.acceptable:
            reason = strength.advice or self.tr("Please choose a stronger passphrase.")
            return self.tr("This passphrase is {label}. {reason}").format(
                label=self.tr(strength.label).lower(), reason=self.tr(reason)
            )
        if self.confirm_field.text() != self.passphrase:
            return self.tr("The two passphrases don't match yet.")
        return None

    def validate(self) -> bool:
        """Show the reason a passphrase is refused inline; True when it can be used."""
        problem = self.problem()
        self.message.setText(problem or "")
        self.message.setVisible(problem is not None)
        return problem is None

    def clear(self) -> None:
        """Forget what was typed."""
        self.new_field.clear()
        self.confirm_field.clear()
        self.message.hide()

    def _on_changed(self) -> None:
        self.meter.show_strength(self.strength())
        self.message.hide()
        self.edited.emit()
