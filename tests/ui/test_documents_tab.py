"""Documents tab: sign on screen, make copies, preview and print from memory, verify, wet ink."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtPrintSupport import QPrinter

from casedesk.domain.documents import RenderOptions, SignatureRole
from casedesk.export.plan_pdf import plan_layout
from casedesk.services.demo import generate_demo_data
from casedesk.services.errors import NotFound
from casedesk.services.plan_documents import ExportRequest
from casedesk.ui.documents.documents_tab import DocumentsModel, DocumentsTab
from casedesk.ui.documents.preview import PdfPreviewDialog
from casedesk.ui.documents.signature_pad import SignaturePad


@pytest.fixture
def client_id(services) -> str:
    generate_demo_data(services.vault.db, 6, seed=5, anchor=date(2026, 11, 1))
    for row in services.clients.list_clients():
        try:
            services.documents.plan_document(row.id)
        except NotFound:
            continue
        return row.id
    raise AssertionError("no client with an agreed plan")


@pytest.fixture
def tab(qtbot, ctx, client_id) -> DocumentsTab:
    widget = DocumentsTab(ctx, client_id)
    qtbot.addWidget(widget)
    return widget


def _scribble(pad: SignaturePad) -> None:
    pad.add_stroke([QPointF(20 + i * 6, 60 + (i % 5) * 8) for i in range(40)])
    pad.add_stroke([QPointF(40, 100), QPointF(200, 40)])


def test_signature_pad_draws_with_the_mouse_undoes_and_clears(qtbot):
    pad = SignaturePad("test pad")
    qtbot.addWidget(pad)
    pad.resize(400, 160)
    pad.show()
    assert pad.is_empty and pad.to_png() == b""
    qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(30, 60))
    for x in range(40, 200, 10):
        qtbot.mouseMove(pad, QPoint(x, 60 + x % 30))
    qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(200, 70))
    assert not pad.is_empty
    png = pad.to_png()
    assert png.startswith(b"\x89PNG")
    _scribble(pad)
    assert pad.stroke_count() == 3
    pad.undo()
    assert pad.stroke_count() == 2
    pad.clear()
    assert pad.is_empty


def test_documents_model_passes_qtmodeltester(qtmodeltester, ctx, services, client_id):
    services.documents.export(ExportRequest(client_id))
    model = DocumentsModel()
    model.set_rows(services.documents.documents(client_id))
    assert model.rowCount() == 1
    qtmodeltester.check(model)


def test_sign_on_screen_then_verify(qtbot, tab, services, client_id, tmp_path):
    dialog = tab.open_sign_dialog()
    assert dialog is not None
    dialog.sign()  # nobody has signed yet
    assert "Both the client and the case manager" in dialog.message.text()
    _scribble(dialog.client.pad)
    _scribble(dialog.worker.pad)
    with qtbot.waitSignal(dialog.signed):
        dialog.sign()
        assert dialog.message.text() == ""
    rows = tab.model.rows()
    assert len(rows) == 1 and rows[0].digitally_signed
    tab.table.selectRow(0)
    tab.verify_selected()
    assert "unchanged since it was signed" in tab.status.text()
    if shutil.which("pdftoppm"):
        _assert_ink_in_client_box(services, client_id, rows[0].id, tmp_path)


def _assert_ink_in_client_box(services, client_id, document_id, tmp_path: Path) -> None:
    data = services.documents.document_bytes(document_id)
    pdf = tmp_path / "signed.pdf"
    pdf.write_bytes(data)
    layout = plan_layout(services.documents.plan_document(client_id), RenderOptions())
    pages = int(
        next(
            line.split()[-1]
            for line in subprocess.run(
                ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True
            ).stdout.splitlines()
            if line.startswith("Pages:")
        )
    )
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "72",
            "-f",
            str(pages),
            "-l",
            str(pages),
            "-png",
            str(pdf),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    box = layout.box(SignatureRole.CLIENT).rect
    x1, y1, x2, y2 = (int(v) for v in box)
    height = image.height
    crop = image.crop((x1 + 3, height - y2 + 3, x2 - 3, height - y1 - 3))
    dark = sum(crop.histogram()[:128])
    assert dark > 30  # the drawn signature is inside the client's box


def test_make_copy_preview_and_print_without_temp_files(qtbot, tab, tmp_path, monkeypatch):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    tab.large_print.setChecked(True)
    tab.make_copy()
    assert tab.model.rowCount() == 1
    assert "large print" in tab.model.data(tab.model.index(0, 1))
    data = tab._ctx.services.documents.document_bytes(tab.model.rows()[0].id)
    dialog = PdfPreviewDialog(data, "preview", chooser=lambda printer, parent: True)
    qtbot.addWidget(dialog)
    assert dialog.page_count >= 1
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))  # stands in for a real printer
    printer.setResolution(72)
    assert dialog.print_document(printer) == dialog.page_count
    assert (tmp_path / "printed.pdf").stat().st_size > 0
    assert list(scratch.iterdir()) == []


def test_paper_signature_with_scan_and_code_lookup(qtbot, tab, dialogs, tmp_path):
    tab.make_copy()
    tab.table.selectRow(0)
    dialog = tab.open_paper_dialog()
    assert dialog is not None
    dialog.submit()
    assert "name of the person" in dialog.message.text()
    bad = tmp_path / "scan.exe"
    bad.write_bytes(b"MZ")
    dialog.set_scan(bad)
    assert "PDF, PNG or JPEG" in dialog.message.text()
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4 scanned signed paper")
    dialogs.open_path = scan
    dialog.choose_scan()
    dialog.name.setText("Client Name")
    with qtbot.waitSignal(dialog.accepted):
        dialog.submit()
    kinds = [row.kind.value for row in tab.model.rows()]
    assert "scan" in kinds

    from casedesk.export.content_hash import qr_payload

    row = next(r for r in tab.model.rows() if r.kind.value == "client_copy")
    tab.qr_input.setText(qr_payload(row.plan_version_id, row.options["content_hash"]).lower())
    tab.find_code()
    assert "matches the stored version" in tab.status.text()


def test_save_copy_uses_a_name_without_client_data(tab, dialogs, tmp_path, services, client_id):
    tab.make_copy()
    tab.table.selectRow(0)
    dialogs.save_path = tmp_path / "out.pdf"
    tab.save_selected()
    suggested = dialogs.calls[-1].text
    record = services.clients.get_client(client_id)
    assert record.family_name not in suggested and record.given_name not in suggested
    assert (tmp_path / "out.pdf").read_bytes().startswith(b"%PDF")


def test_clear_forgets_everything(tab):
    tab.make_copy()
    tab.qr_input.setText("something")
    tab.clear()
    assert tab.model.rowCount() == 0 and tab.qr_input.text() == "" and tab.status.text() == ""


def _page_text(document, page: int) -> str:
    return document.getAllText(page).text()


def test_signing_shows_the_pages_that_will_be_signed(
    qtbot, tab, services, client_id, tmp_path, monkeypatch
):
    """Issue 20 item 1: "Read the plan through together first" showed no plan at all."""
    from casedesk.ui.documents.preview import load_pdf

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    dialog = tab.open_sign_dialog()
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.page_count > 0)
    assert dialog.pages.document() is dialog.document
    plan = services.documents.plan_document(client_id)
    first = _page_text(dialog.document, 0)
    assert plan.client_display_name in first and "Version 1" in first
    last = _page_text(dialog.document, dialog.page_count - 1)
    assert f"{dialog.page_count} page" in dialog.pages_status.text()
    assert tab.model.rowCount() == 0 and services.documents.documents(client_id) == []  # not kept
    regular = dialog.page_count
    dialog.large_print.setChecked(True)
    qtbot.waitUntil(lambda: dialog.page_count > regular)
    large = dialog.page_count
    shown = [_page_text(dialog.document, page) for page in range(large)]
    _scribble(dialog.client.pad)
    _scribble(dialog.worker.pad)
    with qtbot.waitSignal(dialog.signed) as signed:
        dialog.sign()
    document, _buffer = load_pdf(signed.args[0].data)
    # Exactly the pages shown were signed: same count, same words on every page.
    assert [_page_text(document, page) for page in range(document.pageCount())] == shown
    assert "Sign" in last or "sign" in last  # the signature page was shown before signing
    assert dialog.document is None  # released with the dialog
    assert list(scratch.iterdir()) == []
