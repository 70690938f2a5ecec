"""Render the Clients screen, the new client form and the client record tabs to PNG files.

``python -m casedesk.ui.screenshots`` (the shell's tool) calls :func:`render_client_screens`
with a context on a demo vault; it can also be run on its own::

    python -m casedesk.ui.clients.screenshots docs/screenshots
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from casedesk.domain.clients import ClientInput
from casedesk.domain.clock import today
from casedesk.domain.consent import ConsentState
from casedesk.domain.enums import ClientStatus, ContactType, RiskLevel
from casedesk.domain.notes import NoteInput
from casedesk.domain.validation import ValidationError
from casedesk.services.clients import ClientRow
from casedesk.ui.client_record.record_screen import ClientRecordScreen
from casedesk.ui.clients.clients_screen import ClientsScreen
from casedesk.ui.context import AppContext

SIZE = (1366, 768)
RECORD_TABS = {
    "client-profile.png": "Profile",
    "client-intake.png": "Intake",
    "client-consent.png": "Consent",
    "client-notes.png": "Notes",
    "client-history.png": "History",
}


def _grab(widget: QWidget, path: Path, size: tuple[int, int] = SIZE) -> Path:
    widget.resize(*size)
    widget.show()
    app = QApplication.instance()
    for _ in range(3):
        if app is not None:
            app.processEvents()
    widget.grab().save(str(path))
    return path


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


def render_clients_list(ctx: AppContext, outdir: Path) -> Path:
    """The caseload list with every status shown."""
    screen = ClientsScreen(ctx)
    screen.view.status_filter.setCurrentIndex(0)
    screen.view.table.sortByColumn(screen.model.COL_RISK, Qt.SortOrder.DescendingOrder)
    path = _grab(screen, outdir / "clients-list.png")
    screen.close()
    screen.deleteLater()
    return path


def render_new_client(ctx: AppContext, outdir: Path, twin: ClientRow | None) -> Path:
    """The new client form showing a validation message and the duplicate warning."""
    screen = ClientsScreen(ctx)
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
        data = form.to_input()
        from casedesk.domain.clients import validate_client

        validate_client(ClientInput(**{**data.__dict__}), today())
    except ValidationError as exc:
        form.show_errors(exc.errors)
    path = _grab(dialog, outdir / "new-client.png", (900, 760))
    dialog.reject()
    screen.deleteLater()
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


def render_record_tabs(ctx: AppContext, outdir: Path, client: ClientRow) -> list[Path]:
    """The record header and each tab."""
    amended = _seed_story(ctx, client.id)
    screen = ClientRecordScreen(ctx, client.id)
    paths = []
    for name, title in RECORD_TABS.items():
        screen.show_tab(screen.tr(title))
        if title == "Notes":
            screen.notes.select_note(amended)
        paths.append(_grab(screen, outdir / name))
    screen.close()
    screen.deleteLater()
    return paths


def render_client_screens(ctx: AppContext, outdir: Path) -> list[Path]:
    """Render every client screen into ``outdir``; returns the files written."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    client = _showcase_client(ctx)
    paths = [render_clients_list(ctx, outdir), render_new_client(ctx, outdir, client)]
    if client is not None:
        paths += render_record_tabs(ctx, outdir, client)
    return paths


def main(argv: list[str]) -> int:
    """Build a throw-away demo vault (300 clients, seed 7) and render into ``argv[0]``."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("CASEDESK_KDF", "test")
    from casedesk.services.bundle import Services
    from casedesk.services.demo import generate_demo_data
    from casedesk.services.vault_service import VaultService
    from casedesk.ui.context import ChangeHub
    from casedesk.ui.dialogs import Dialogs
    from casedesk.ui.tasks import TaskRunner
    from casedesk.ui.widgets.theme import apply_theme

    outdir = Path(argv[0] if argv else "docs/screenshots")
    app = QApplication.instance() or QApplication([])
    apply_theme(app)  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory() as tmp:
        vault = VaultService(Path(tmp) / "demo")
        vault.create("screenshot demo vault passphrase")
        generate_demo_data(vault.db, 300, seed=7)
        ctx = AppContext(Services.for_vault(vault), TaskRunner(inline=True), Dialogs(), ChangeHub())
        for path in render_client_screens(ctx, outdir):
            sys.stdout.write(f"{path}\n")
        vault.lock()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
