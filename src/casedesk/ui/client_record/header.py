"""The record header: who this is and what needs attention at a glance."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from casedesk.domain.clients import age_on
from casedesk.domain.consent import ConsentState, ConsentSummary
from casedesk.domain.enums import RiskLevel
from casedesk.services.clients import ClientRecord
from casedesk.services.episodes import CaseOverview
from casedesk.ui.widgets.basics import label
from casedesk.ui.widgets.client_fields import QT_TRANSLATE_NOOP
from casedesk.ui.widgets.theme import (
    ACCENT_DARK,
    ACCENT_SOFT,
    DANGER,
    DANGER_SOFT,
    MUTED,
    SUCCESS,
    SUCCESS_SOFT,
    WARNING,
    WARNING_SOFT,
)

_TONES = {
    "danger": (DANGER, DANGER_SOFT),
    "warning": (WARNING, WARNING_SOFT),
    "ok": (SUCCESS, SUCCESS_SOFT),
    "info": (ACCENT_DARK, ACCENT_SOFT),
    "muted": (MUTED, "#eef1f4"),
}

CONSENT_TEXT = {
    ConsentState.CURRENT: QT_TRANSLATE_NOOP("ClientHeader", "Consent current"),
    ConsentState.EXPIRING_SOON: QT_TRANSLATE_NOOP("ClientHeader", "Consent expiring soon"),
    ConsentState.EXPIRED: QT_TRANSLATE_NOOP("ClientHeader", "Consent expired"),
    ConsentState.WITHDRAWN: QT_TRANSLATE_NOOP("ClientHeader", "Consent withdrawn"),
    ConsentState.MISSING: QT_TRANSLATE_NOOP("ClientHeader", "No consent recorded"),
    ConsentState.NOT_YET: QT_TRANSLATE_NOOP("ClientHeader", "Consent not yet in force"),
}
CONSENT_TONE = {
    ConsentState.CURRENT: "ok",
    ConsentState.EXPIRING_SOON: "warning",
    ConsentState.EXPIRED: "danger",
    ConsentState.WITHDRAWN: "danger",
    ConsentState.MISSING: "danger",
    ConsentState.NOT_YET: "warning",
}


class Chip(QLabel):
    """A small rounded status label."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tone = "muted"
        self.set_tone("muted")

    def set_tone(self, tone: str) -> None:
        """Colour the chip (danger, warning, ok, info, muted)."""
        self.tone = tone
        fg, bg = _TONES[tone]
        weight = 700 if tone == "danger" else 600
        self.setStyleSheet(
            f"color: {fg}; background: {bg}; border-radius: 11px; padding: 3px 10px;"
            f" font-weight: {weight};"
        )


def _risk_chip(level: RiskLevel | None) -> tuple[str, str]:
    if level is None:
        return QT_TRANSLATE_NOOP("ClientHeader", "Risk not screened"), "muted"
    tone = {RiskLevel.HIGH: "danger", RiskLevel.MEDIUM: "warning"}.get(level, "ok")
    return _RISK_TEXT[level], tone


_RISK_TEXT = {
    RiskLevel.HIGH: QT_TRANSLATE_NOOP("ClientHeader", "HIGH RISK"),
    RiskLevel.MEDIUM: QT_TRANSLATE_NOOP("ClientHeader", "Medium risk"),
    RiskLevel.LOW: QT_TRANSLATE_NOOP("ClientHeader", "Low risk"),
    RiskLevel.NONE: QT_TRANSLATE_NOOP("ClientHeader", "No risk identified"),
}


class ClientHeader(QFrame):
    """Name, preferred name, age, pronouns and chips for risk, consent, review and intensity."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("clientHeader")
        self.setProperty("role", "card")  # the theme's white panel
        self.name = label("", "title")
        self.name.setAccessibleName(self.tr("Client name"))
        self.details = label("", "muted")
        self.risk = Chip()
        self.consent = Chip()
        self.review = Chip()
        self.intensity = Chip()
        self.status = Chip()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 12, 18, 12)
        layout.setSpacing(6)
        top = QHBoxLayout()
        top.addWidget(self.name)
        top.addSpacing(12)
        top.addWidget(self.details, 1)
        layout.addLayout(top)
        chips = QHBoxLayout()
        chips.setSpacing(8)
        for chip in (self.risk, self.consent, self.review, self.intensity, self.status):
            chips.addWidget(chip)
        chips.addStretch(1)
        layout.addLayout(chips)

    def show_record(
        self,
        client: ClientRecord,
        overview: CaseOverview | None,
        consent: ConsentSummary | None,
        today: date,
    ) -> None:
        """Fill the header."""
        tr = self.tr
        self.name.setText(client.display_name)
        bits = []
        if client.preferred_name:
            bits.append(
                tr("Legal name: {name}").format(name=f"{client.given_name} {client.family_name}")
            )
        age = age_on(client.date_of_birth, today)
        if age is not None:
            bits.append(tr("{age} years").format(age=age))
        if client.pronouns:
            bits.append(client.pronouns)
        self.details.setText("  ·  ".join(bits))
        risk_text, risk_tone = _risk_chip(overview.risk_level if overview else None)
        self.risk.setText(tr(risk_text))
        self.risk.set_tone(risk_tone)
        state = consent.state if consent else ConsentState.MISSING
        self.consent.setText(tr(CONSENT_TEXT[state]))
        self.consent.set_tone(CONSENT_TONE[state])
        self._show_review(overview, today)
        self.intensity.setText(
            tr("{level} intensity").format(level=client.intensity.value.capitalize())
        )
        self.intensity.set_tone("info")
        self.status.setText(tr(client.status.value.capitalize()))
        self.status.set_tone("muted")

    def _show_review(self, overview: CaseOverview | None, today: date) -> None:
        due = overview.next_review_on if overview else None
        ended = overview.closed_plan if overview else None
        if due is None and ended is not None:
            when = ended.closed_on.strftime("%d %b %Y") if ended.closed_on else ""
            text = (
                self.tr("Plan v{n} — closed at exit on {date}").format(n=ended.version, date=when)
                if ended.version
                else self.tr("Plan closed at exit on {date}").format(date=when)
            )
            self.review.setText(text)
            self.review.set_tone("muted")
            return
        if due is None:
            has_plan = overview is not None and overview.plan_state is not None
            self.review.setText(self.tr("No review date") if has_plan else self.tr("No plan yet"))
            self.review.set_tone("muted")
            return
        self.review.setText(self.tr("Next review {date}").format(date=due.strftime("%d %b %Y")))
        self.review.set_tone("danger" if due < today else "info")

    def clear(self) -> None:
        """Empty every label (used on lock)."""
        for widget in (
            self.name,
            self.details,
            self.risk,
            self.consent,
            self.review,
            self.intensity,
            self.status,
        ):
            widget.clear()
