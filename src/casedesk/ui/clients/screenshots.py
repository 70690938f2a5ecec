"""Shots of the Clients list, the new client form and the client record's own tabs.

Called by ``python -m casedesk.ui.screenshots`` with a window on a throw-away demo vault; it can
also be run on its own: ``python -m casedesk.ui.clients.screenshots OUTDIR``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt

from casedesk.domain.clients import ClientInput, validate_client
from casedesk.domain.clock import today
from casedesk.domain.consent import ConsentState
from casedesk.domain.enums import ClientStatus, ContactType, RiskLevel
from casedesk.domain.notes import NoteInput
from casedesk.domain.validation import ValidationError
from casedesk.services.clients import ClientRow
from casedesk.ui.client_record.record_screen import ClientRecordScreen
from casedesk.ui.clients.clients_screen import ClientsScreen
from casedesk.ui.context import AppContext
from casedesk.ui.main_window import CLIENTS, MainWindow
from casedesk.ui.screenshot_kit import grab

RECORD_TABS = {
    "client-profile": "Profile",
    "client-intake": "Intake",
    "client-consent": "Consent",
    "client-notes": "Notes",
    "client-history": "History",
}
SHOTS = ("clients-list", "new-client", *RECORD_TABS)


def _showcase_client(ctx: AppContext) -> ClientRow | None:
    """An active client that shows off the record: high risk, consent warnings, people."""
    rows = [r for r in ctx.services.clients.list_clients() if r.status is ClientStatus.ACTIVE]
    on = today()

    def score(row: ClientRow) -> tuple[bool, bool, int]:
        summary = ctx.services.consent.summary(row.id, on)
        warned = any(p.state is not ConsentState.MISSING for p in summary.problems)
        people = len(ctx.services.people.support_network(row.id))
        pros = len(ctx.services.people.professionals(row.id))
        return (row.risk_level is RiskLevel.HIGH, warned, min(people, 2) + min(pros, 2))

    candidates = rows
    return max(candidates, key=score) if candidates else None


def render_clients_list(window: MainWindow, out: Path) -> Path:
    """The caseload list with every status shown, highest risk first."""
    screen = window.show_page(CLIENTS)
    assert isinstance(screen, ClientsScreen)
    screen.view.status_filter.setCurrentIndex(screen.view.status_filter.count() - 1)
    screen.view.table.sortByColumn(screen.model.COL_RISK, Qt.SortOrder.DescendingOrder)
    path = grab(window, out, "clients-list")
    screen.view.status_filter.setCurrentIndex(0)
    return path


def render_new_client(window: MainWindow, out: Path, twin: ClientRow | None) -> Path:
    """The new client form showing a validation message and the duplicate warning."""
    screen = window.show_page(CLIENTS)
    assert isinstance(screen, ClientsScreen)
    dialog = screen.new_client()
    form = dialog.form
    if twin is not None and twin.date_of_birth is not None:
        form.given_name.setText(twin.given_name[:3])
        form.family_name.setText(twin.family_name)
        form.date_of_birth.setText(twin.date_of_birth.isoformat())
        dialog.save()  # shows the duplicate warning (nothing is saved)
    form.phone.setText("0412 345 678")
    form.email.setText("not-an-email")
    try:
        validate_client(form.to_input(), today())
    except ValidationError as exc:
        form.show_errors(exc.errors)
    path = grab(dialog, out, "new-client", (900, 740))
    dialog.reject()
    return path


def _seed_story(ctx: AppContext, client_id: str) -> str:
    """A few real actions on the (throw-away) demo vault so History and amendments show.

    Returns:
        The id of a locked note that now has an amendment.
    """
    services = ctx.services
    record = services.clients.get_client(client_id)
    data = {k: getattr(record, k) for k in ClientInput.__dataclass_fields__ if k != "identifiers"}
    data["interpreter_needed"] = True
    services.clients.update_client(client_id, ClientInput(**data, identifiers=record.identifiers))
    note = services.notes.add_note(
        NoteInput(
            client_id,
            "Phoned about the housing inspection. The letter has arrived and they will bring it "
            "on Thursday. Agreed I will call the landlord's agent first.",
            contact_type=ContactType.PHONE,
            duration_minutes=15,
            location="Office",
        ),
        lock=True,
    )
    services.notes.amend_note(note.id, "Correction: the inspection is on Friday, not Thursday.")
    return note.id


def render_record_tabs(window: MainWindow, out: Path, client: ClientRow) -> list[Path]:
    """The record header and each of the record's own tabs, in the window."""
    amended = _seed_story(window.ctx, client.id)
    window.open_client(client.id)
    screen = window.host.screen("record")
    assert isinstance(screen, ClientRecordScreen)
    paths = []
    for name, title in RECORD_TABS.items():
        screen.show_tab(screen.tr(title))
        if title == "Notes":
            screen.notes.select_note(amended)
        paths.append(grab(window, out, name))
    return paths


def render_client_screens(window: MainWindow, out: Path) -> list[Path]:
    """Render every client screen into ``out``; returns the files written."""
    client = _showcase_client(window.ctx)
    paths = [render_clients_list(window, out), render_new_client(window, out, client)]
    if client is not None:
        paths += render_record_tabs(window, out, client)
    return paths


if __name__ == "__main__":
    from casedesk.ui.screenshots import render_only

    raise SystemExit(render_only(sys.argv[1:], render_client_screens))
