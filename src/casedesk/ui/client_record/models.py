"""Table models for the record tabs, built on :class:`RowTableModel` with column specs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from PySide6.QtCore import QCoreApplication, QObject

from casedesk.domain.consent import ConsentState
from casedesk.services.audit import AuditEntry
from casedesk.services.consent import ConsentView
from casedesk.services.notes import NoteView
from casedesk.services.people import ProfessionalView, SupportPersonView
from casedesk.ui.widgets.client_table_model import Column, RowTableModel
from casedesk.ui.widgets.theme import DANGER, MUTED, SUCCESS, WARNING


def _tr(text: str) -> str:
    return QCoreApplication.translate("ClientRecord", text)


def fmt_date(value: date | None) -> str:
    """A date as shown in tables ('' when absent)."""
    return value.strftime("%d %b %Y") if value else ""


def fmt_when(value: datetime | None) -> str:
    """A stored UTC time shown in local time."""
    return value.astimezone().strftime("%d %b %Y %H:%M") if value else ""


def contact_label(value: str) -> str:
    """A contact type or scope value as words."""
    return _tr(value.replace("_", " ").capitalize())


# ----------------------------------------------------------------------------- notes


@dataclass(frozen=True)
class TimelineEntry:
    """A note in the timeline; amendments follow their original with ``depth`` > 0."""

    note: NoteView
    depth: int = 0

    @property
    def id(self) -> str:
        """The note id."""
        return self.note.id


def build_timeline(notes: Sequence[NoteView]) -> list[TimelineEntry]:
    """Originals newest first, each followed by its amendments (oldest amendment first)."""
    by_parent: dict[str, list[NoteView]] = {}
    known = {n.id for n in notes}
    roots = []
    for note in notes:
        if note.amends_id and note.amends_id in known:
            by_parent.setdefault(note.amends_id, []).append(note)
        else:
            roots.append(note)
    entries: list[TimelineEntry] = []

    def walk(note: NoteView, depth: int) -> None:
        entries.append(TimelineEntry(note, depth))
        for child in reversed(by_parent.get(note.id, [])):
            walk(child, depth + 1)

    for root in roots:
        walk(root, 0)
    return entries


def _summary(entry: TimelineEntry) -> str:
    first = entry.note.body.strip().splitlines()[0] if entry.note.body.strip() else ""
    first = first if len(first) <= 140 else first[:139] + "…"
    return ("↳ " * entry.depth) + first


def _note_state(entry: TimelineEntry) -> str:
    if entry.note.entered_in_error:
        return _tr("Entered in error")
    if entry.depth:
        return _tr("Amendment")
    return _tr("Locked") if entry.note.locked else _tr("Open")


def _note_state_colour(entry: TimelineEntry) -> str:
    if entry.note.entered_in_error:
        return DANGER
    return MUTED if entry.note.locked else SUCCESS


def _duration(entry: TimelineEntry) -> str:
    minutes = entry.note.duration_minutes
    return "" if minutes is None else _tr("{n} min").format(n=minutes)


class NoteTimelineModel(RowTableModel[TimelineEntry]):
    """Contacts, newest first, with amendments linked under the note they amend."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column(
                    _tr("When"),
                    lambda e: fmt_when(e.note.occurred_at),
                    sort=lambda e: e.note.occurred_at.timestamp(),
                ),
                Column(_tr("Contact"), lambda e: contact_label(e.note.contact_type.value)),
                Column(_tr("Length"), _duration),
                Column(_tr("Where"), lambda e: e.note.location),
                Column(_tr("Note"), _summary, tooltip=lambda e: e.note.body[:600]),
                Column(_tr("State"), _note_state, colour=_note_state_colour),
            ],
            parent,
        )


# ----------------------------------------------------------------------------- consent

CONSENT_STATE_TEXT = {
    ConsentState.CURRENT: "Current",
    ConsentState.EXPIRING_SOON: "Expiring soon",
    ConsentState.EXPIRED: "Expired",
    ConsentState.WITHDRAWN: "Withdrawn",
    ConsentState.MISSING: "Missing",
    ConsentState.NOT_YET: "Not yet in force",
}
_CONSENT_COLOUR = {
    ConsentState.CURRENT: SUCCESS,
    ConsentState.EXPIRING_SOON: WARNING,
    ConsentState.EXPIRED: DANGER,
    ConsentState.WITHDRAWN: DANGER,
}


SCOPE_SHORT = {
    "collect_store": "Keep information",
    "share": "Share information",
    "referral": "Refer on",
    "contact_family": "Contact family",
    "photo_media": "Photos and media",
}


def scope_label(value: str) -> str:
    """A consent scope in a few words."""
    return _tr(SCOPE_SHORT.get(value, value.replace("_", " ").capitalize()))


class ConsentModel(RowTableModel[ConsentView]):
    """A client's consent records with their state today."""

    def __init__(self, today: date, parent: QObject | None = None) -> None:
        self.today = today
        super().__init__(
            [
                Column(_tr("Covers"), lambda c: scope_label(c.scope.value)),
                Column(_tr("Agencies"), lambda c: ", ".join(c.agencies) or "—"),
                Column(_tr("Given"), lambda c: fmt_date(c.given_on)),
                Column(_tr("Expires"), lambda c: fmt_date(c.expires_on) or _tr("No expiry")),
                Column(_tr("Withdrawn"), lambda c: fmt_date(c.withdrawn_on)),
                Column(_tr("How"), lambda c: _tr(c.method.capitalize())),
                Column(
                    _tr("State"),
                    lambda c: _tr(CONSENT_STATE_TEXT[c.state(self.today)]),
                    colour=lambda c: _CONSENT_COLOUR.get(c.state(self.today)),
                    bold=lambda c: c.state(self.today) is not ConsentState.CURRENT,
                ),
            ],
            parent,
        )


# ----------------------------------------------------------------------------- people


class SupportPeopleModel(RowTableModel[SupportPersonView]):
    """The client's support network."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column(_tr("Name"), lambda p: p.name),
                Column(_tr("Relationship"), lambda p: p.relationship),
                Column(_tr("Phone"), lambda p: p.phone),
                Column(
                    _tr("Role"),
                    lambda p: ", ".join(
                        t
                        for t, on in (
                            (_tr("Carer"), p.is_carer),
                            (_tr("Emergency contact"), p.is_emergency_contact),
                        )
                        if on
                    ),
                ),
            ],
            parent,
        )


class ProfessionalsModel(RowTableModel[ProfessionalView]):
    """Other professionals involved."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column(_tr("Name"), lambda p: p.name),
                Column(_tr("Role"), lambda p: p.role),
                Column(_tr("Organisation"), lambda p: p.organisation),
                Column(_tr("Phone"), lambda p: p.phone),
            ],
            parent,
        )


# ----------------------------------------------------------------------------- history


def action_label(action: str) -> str:
    """An audit action code ("note.amended") as words ("Note amended")."""
    return _tr(action.replace(".", " ").replace("_", " ").capitalize())


def who_did_it(entry: AuditEntry) -> str:
    """Who did it: the worker's name then and the device, e.g. "Ana Lima on Laptop-2".

    Events from before names were recorded show what is known, else "Not recorded".
    """
    if entry.actor and entry.device_name:
        return _tr("{name} on {device}").format(name=entry.actor, device=entry.device_name)
    return entry.actor or entry.device_name or _tr("Not recorded")


class HistoryModel(RowTableModel[AuditEntry]):
    """The audit trail for a client, newest first."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column(
                    _tr("When"),
                    lambda a: fmt_when(a.occurred_at),
                    sort=lambda a: a.occurred_at.timestamp(),
                ),
                Column(_tr("Who"), who_did_it),
                Column(_tr("What"), lambda a: action_label(a.action)),
                Column(_tr("Details"), lambda a: a.summary),
            ],
            parent,
        )
