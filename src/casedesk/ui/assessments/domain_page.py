"""One life domain on the assessment form: the guide (prompts, scale) beside the fields."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.domain_sets import SCALE_MAX, SCALE_MIN, Domain
from casedesk.services.assessments import ReadingInput
from casedesk.ui.widgets.basics import Card, label

TEXT_HEIGHT = 74


class ScoreCombo(QComboBox):
    """A 1-10 score with the domain's band label, or "Not scored"."""

    def __init__(self, domain: Domain, accessible: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(accessible)
        self.addItem(self.tr("Not scored"), None)
        for score in range(SCALE_MIN, SCALE_MAX + 1):
            self.addItem(f"{score}  ·  {domain.band_for(score).label}", score)
        self.setMinimumWidth(260)

    def score(self) -> int | None:
        """The chosen score."""
        value = self.currentData()
        return int(value) if value is not None else None

    def set_score(self, score: int | None) -> None:
        """Select a score (None = not scored)."""
        index = self.findData(score) if score is not None else 0
        self.setCurrentIndex(max(index, 0))


def _text_edit(accessible: str, placeholder: str) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setAccessibleName(accessible)
    edit.setPlaceholderText(placeholder)
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(TEXT_HEIGHT)
    return edit


class DomainPage(QWidget):
    """Fields for one domain, with the domain's description, scale and prompts beside them.

    Signals:
        changed(): any field was edited by the user.
    """

    changed = Signal()

    def __init__(self, domain: Domain, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.domain = domain
        tr = self.tr
        name = domain.name
        self.client_score = ScoreCombo(domain, tr("Client's own score for {0}").format(name))
        self.worker_score = ScoreCombo(domain, tr("Worker observation score for {0}").format(name))
        self.strengths = _text_edit(
            tr("Strengths in {0}").format(name), tr("What is going well, what helps, who helps")
        )
        self.client_words = _text_edit(
            tr("Client's own words about {0}").format(name), tr("Write it the way they said it")
        )
        self.needs = _text_edit(
            tr("Needs in {0}").format(name), tr("What would make a difference here")
        )
        self.priority = QCheckBox(tr("Priority to work on (becomes a need for the plan)"))
        self.priority.setAccessibleName(tr("Priority to work on: {0}").format(name))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(18)
        layout.addLayout(self._fields(), 3)
        layout.addWidget(self._guide(), 2)
        self._connect()

    def _fields(self) -> QVBoxLayout:
        tr = self.tr
        column = QVBoxLayout()
        column.setSpacing(6)
        title = label(self.domain.name, "heading", wrap=True)
        column.addWidget(title)
        column.addWidget(label(self.domain.description, "muted", wrap=True))
        column.addSpacing(6)
        scores = QGridLayout()
        scores.setHorizontalSpacing(12)
        scores.setVerticalSpacing(6)
        scores.addWidget(label(tr("Client's own score"), "subheading"), 0, 0)
        scores.addWidget(label(tr("Worker observation (optional)"), "subheading"), 0, 1)
        scores.addWidget(self.client_score, 1, 0)
        scores.addWidget(self.worker_score, 1, 1)
        column.addLayout(scores)
        for caption, edit in (
            (tr("Strengths"), self.strengths),
            (tr("In the client's own words"), self.client_words),
            (tr("Needs"), self.needs),
        ):
            column.addSpacing(4)
            column.addWidget(label(caption, "subheading"))
            column.addWidget(edit)
        column.addSpacing(4)
        column.addWidget(self.priority)
        column.addStretch(1)
        return column

    def _guide(self) -> Card:
        tr = self.tr
        card = Card(tr("Ways in"))
        prompts = self.domain.prompts
        for caption, text in (
            (tr("What's going well"), prompts.going_well),
            (tr("Exceptions"), prompts.exceptions),
            (tr("Scaling question"), prompts.scaling),
            (tr("Miracle question"), prompts.miracle),
        ):
            card.body.addWidget(label(caption, "subheading"))
            card.body.addWidget(label(text, wrap=True))
        card.body.addSpacing(6)
        card.body.addWidget(label(tr("The scale"), "subheading"))
        for band in self.domain.scale:
            card.body.addWidget(self._band_row(band.min, band.max, band.label))
        card.body.addStretch(1)
        return card

    @staticmethod
    def _band_row(low: int, high: int, text: str) -> QLabel:
        span = f"{low}" if low == high else f"{low}–{high}"
        return label(f"<b>{span}</b>&nbsp;&nbsp;{text}", wrap=True)

    def _connect(self) -> None:
        for combo in (self.client_score, self.worker_score):
            combo.activated.connect(lambda _i: self.changed.emit())
        for edit in (self.strengths, self.client_words, self.needs):
            edit.textChanged.connect(self._text_changed)
        self.priority.clicked.connect(lambda _c: self.changed.emit())
        self._loading = False

    def _text_changed(self) -> None:
        if not self._loading:
            self.changed.emit()

    # ------------------------------------------------------------------ data

    def set_reading(self, reading: ReadingInput) -> None:
        """Show a saved reading (without signalling a change)."""
        self._loading = True
        try:
            self.client_score.set_score(reading.client_score)
            self.worker_score.set_score(reading.worker_score)
            self.strengths.setPlainText(reading.strengths)
            self.client_words.setPlainText(reading.client_words)
            self.needs.setPlainText(reading.needs)
            self.priority.setChecked(reading.priority)
        finally:
            self._loading = False

    def reading(self) -> ReadingInput:
        """What is entered now."""
        return ReadingInput(
            domain_key=self.domain.key,
            client_score=self.client_score.score(),
            worker_score=self.worker_score.score(),
            strengths=self.strengths.toPlainText(),
            needs=self.needs.toPlainText(),
            client_words=self.client_words.toPlainText(),
            priority=self.priority.isChecked(),
        )

    def set_read_only(self, read_only: bool) -> None:
        """Final assessments are shown, not edited."""
        for combo in (self.client_score, self.worker_score):
            combo.setEnabled(not read_only)
        for edit in (self.strengths, self.client_words, self.needs):
            edit.setReadOnly(read_only)
        self.priority.setEnabled(not read_only)
