"""Shots of the Documents tab, the signing dialog and the PDF pages casedesk makes.

Called by ``python -m casedesk.ui.screenshots`` with a window on a throw-away demo vault. The
pages are the app's own output (exported through the services, rendered with QtPdf from
memory): the client copy, the file copy, large print, the signed signature page and an
assessment summary.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF

from casedesk.domain.enums import ClientStatus
from casedesk.services.bundle import Services
from casedesk.services.errors import NotFound
from casedesk.services.plan_documents import ExportRequest
from casedesk.ui.documents.documents_tab import DocumentsTab
from casedesk.ui.documents.sign_dialog import SignPlanDialog
from casedesk.ui.documents.signature_pad import SignaturePad
from casedesk.ui.screenshot_kit import grab, save_pdf_page, settle, show_record_tab

if TYPE_CHECKING:
    from casedesk.ui.main_window import MainWindow

SHOTS = (
    "documents-tab",
    "sign-dialog",
    "pdf-client-copy",
    "pdf-file-copy",
    "pdf-large-print",
    "pdf-signature-page",
    "pdf-assessment-summary",
)


def _client_with_a_long_plan(services: Services) -> str:
    """An active client whose agreed plan has the most goals (a plan of several pages)."""
    best: tuple[int, str] | None = None
    for row in services.clients.list_clients():
        if row.status is not ClientStatus.ACTIVE:
            continue
        try:
            goals = len(services.documents.plan_document(row.id).goals)
        except NotFound:
            continue
        if best is None or goals > best[0]:
            best = (goals, row.id)
    if best is None:
        raise SystemExit("the demo caseload has no agreed plan")
    return best[1]


def _sign_like_a_person(pad: SignaturePad, height: float) -> None:
    """Loops and an underline that look like a hand-written name (the demo has no hands)."""
    middle, size = height * 0.55, height * 0.18
    pad.add_stroke(
        [
            QPointF(40 + t * 2.2 + size * 0.6 * math.cos(t / 3), middle + size * math.sin(t / 3))
            for t in range(0, 110)
        ]
    )
    pad.add_stroke([QPointF(50, height * 0.8), QPointF(300, height * 0.74)])


def _assessed_client(services: Services) -> str | None:
    """The client with the most finalised assessments (their summary shows change)."""
    best: tuple[int, str] | None = None
    for row in services.clients.list_clients():
        points = len(services.assessments.distance(row.id).points)
        if points and (best is None or points > best[0]):
            best = (points, row.id)
    return best[1] if best else None


def render_document_screens(window: MainWindow, out: Path) -> list[Path]:
    """Render the Documents tab, the signing dialog and PDF pages into ``out``."""
    services = window.ctx.services
    client_id = _client_with_a_long_plan(services)
    documents = services.documents
    tab = show_record_tab(window, client_id, "documents")
    assert isinstance(tab, DocumentsTab)
    paths = []
    dialog = tab.open_sign_dialog()
    assert isinstance(dialog, SignPlanDialog)
    settle()
    for pad in (dialog.client.pad, dialog.worker.pad):
        _sign_like_a_person(pad, pad.height())
    paths.append(grab(dialog, out, "sign-dialog"))
    signed: list[bytes] = []
    dialog.signed.connect(lambda exported: signed.append(exported.data))
    dialog.sign()
    paths.append(save_pdf_page(signed[0], -1, out, "pdf-signature-page"))
    paths.append(save_pdf_page(signed[0], 0, out, "pdf-client-copy"))
    file_copy = documents.export(ExportRequest(client_id, file_copy=True))
    paths.append(save_pdf_page(file_copy.data, 0, out, "pdf-file-copy"))
    large = documents.export(ExportRequest(client_id, large_print=True))
    paths.append(save_pdf_page(large.data, 0, out, "pdf-large-print"))
    tab.reload()
    signed_row = next(i for i, r in enumerate(tab.model.rows()) if r.digitally_signed)
    tab.table.selectRow(signed_row)
    tab.verify_selected()
    paths.append(grab(window, out, "documents-tab"))
    assessed = _assessed_client(services)
    if assessed is not None:
        latest = services.assessments.distance(assessed).points[-1].assessment_id
        summary = services.assessments.summary_pdf(latest)
        paths.append(save_pdf_page(summary, 0, out, "pdf-assessment-summary"))
    return paths
