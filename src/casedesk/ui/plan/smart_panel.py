"""The SMART coach panel: a line per letter not met yet, with hints; the met letters in one line.

Letters already met are listed together rather than one row each, so the panel stays small
beside the actions table at 1366x768 and what is shown is what needs work.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from casedesk.domain.smart import SmartLetter, SmartReport
from casedesk.ui.widgets.basics import Card, label, set_role

_NAMES = {
    SmartLetter.SPECIFIC: "Specific",
    SmartLetter.MEASURABLE: "Measurable",
    SmartLetter.ACHIEVABLE: "Achievable",
    SmartLetter.RELEVANT: "Relevant",
    SmartLetter.TIME_BOUND: "Time-bound",
}


class SmartPanel(Card):
    """Shows a :class:`SmartReport`. Advice only: it never blocks saving."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent=parent)
        self.setAccessibleName(self.tr("SMART coach"))
        self.title = label(self.tr("SMART coach"), "heading")
        self.body.addWidget(self.title)
        self.body.addWidget(
            label(
                self.tr("Ideas to make the goal clearer. Nothing here stops you saving."),
                "muted",
                wrap=True,
            )
        )
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(6)
        self.badges: dict[SmartLetter, QLabel] = {}
        self.hints: dict[SmartLetter, QLabel] = {}
        self._rows: dict[SmartLetter, tuple[QLabel, ...]] = {}
        self.met_line = label("", "ok", wrap=True)
        self.met_line.setAccessibleName(self.tr("Letters met"))
        self.met_line.hide()
        for row, letter in enumerate(SmartLetter):
            badge = label(letter.value, "notice")
            badge.setMinimumWidth(44)
            badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
            name = label(self.tr(_NAMES[letter]), "subheading")
            hint = label("", "muted", wrap=True)
            grid.addWidget(badge, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(name, row, 1, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(hint, row, 2)
            self.badges[letter] = badge
            self.hints[letter] = hint
            self._rows[letter] = (badge, name, hint)
        grid.setColumnStretch(2, 1)
        self.body.addWidget(self.met_line)
        self.body.addLayout(grid)
        self.body.addStretch(1)
        self.report: SmartReport | None = None

    def show_report(self, report: SmartReport) -> None:
        """Show which letters are met and the hints for the others."""
        self.report = report
        for result in report.results:
            badge, hint = self.badges[result.letter], self.hints[result.letter]
            met = result.met
            set_role(badge, "ok" if met else "notice")
            badge.setText(f"{result.letter.value} \u2713" if met else result.letter.value)
            badge.setAccessibleName(
                self.tr("{name}: met").format(name=_NAMES[result.letter])
                if met
                else self.tr("{name}: not yet").format(name=_NAMES[result.letter])
            )
            hint.setText(self.tr("Met") if met else " ".join(h.text for h in result.hints))
            for widget in self._rows[result.letter]:
                widget.setVisible(not met)
        met_names = [self.tr(_NAMES[r.letter]) for r in report.results if r.met]
        self.met_line.setText(
            self.tr("\u2713 Met: {letters}.").format(letters=", ".join(met_names))
        )
        self.met_line.setVisible(bool(met_names))
        self.title.setText(
            self.tr("SMART coach \u2014 {count} of 5").format(count=report.met_count)
        )
