"""Plan documents end to end: a real vault, the real CLI, and poppler as an independent reader."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from pyhanko.pdf_utils.generic import NameObject, TextStringObject
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from casedesk.domain.enums import SignerRole
from casedesk.export.content_hash import qr_payload
from casedesk.services.bundle import Services
from casedesk.services.errors import NotFound
from casedesk.services.plan_documents import ExportRequest, PlanDocumentService
from casedesk.services.vault_service import VaultService
from casedesk.storage.keys import TEST_KDF
from vaultkit import PASSPHRASE, demo_vault
from vaultkit import client_with_plan as _client_with_plan

needs_poppler = pytest.mark.skipif(
    not all(shutil.which(t) for t in ("pdfsig", "pdftotext")), reason="poppler-utils missing"
)


@pytest.fixture(scope="module")
def vault_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_vault(tmp_path_factory.mktemp("plans") / "vault", clients=12, seed=3)


@pytest.fixture
def services(vault_dir: Path):
    vault = VaultService(vault_dir, TEST_KDF)
    vault.unlock(PASSPHRASE)
    try:
        yield Services.for_vault(vault)
    finally:
        vault.lock()


def _cli(vault_dir: Path, tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.update(
        CASEDESK_VAULT=str(vault_dir), CASEDESK_PASSPHRASE=PASSPHRASE, CASEDESK_KDF="test",
        TMPDIR=str(tmp), HOME=str(tmp),
    )
    return subprocess.run(
        [sys.executable, "-m", "casedesk", *args], capture_output=True, text=True, env=env,
        timeout=120, check=False,
    )


def _append_info_update(pdf: bytes) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    info_ref = writer.trailer.raw_get("/Info")
    info_ref.get_object()[NameObject("/Title")] = TextStringObject("changed after signing")
    writer.mark_update(info_ref)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_same_version_exported_twice_gives_identical_bytes(services):
    client_id = _client_with_plan(services)
    documents = PlanDocumentService(services.vault.db)
    first = documents.export(ExportRequest(client_id))
    second = documents.export(ExportRequest(client_id))
    assert first.data == second.data
    assert first.sha256 == second.sha256
    assert len(documents.documents(client_id)) >= 2  # each export is kept in the vault


@needs_poppler
def test_cli_signs_and_poppler_and_verify_pdf_agree(services, vault_dir, tmp_path):
    client_id = _client_with_plan(services)
    services.vault.lock()
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    out = tmp_path / "signed.pdf"
    exported = _cli(vault_dir, scratch, "export-plan", "--client", client_id, "--out", str(out),
                    "--sign")
    assert exported.returncode == 0, exported.stderr
    pdfsig = subprocess.run(["pdfsig", str(out)], capture_output=True, text=True, check=False)
    assert "Signature is Valid." in pdfsig.stdout
    assert "Total document signed" in pdfsig.stdout
    verified = _cli(vault_dir, scratch, "verify-pdf", str(out))
    assert verified.returncode == 0, verified.stdout
    assert "stored version: matches" in verified.stdout
    assert list(scratch.iterdir()) == []  # nothing written to TMPDIR by export, sign or verify


@needs_poppler
def test_one_changed_byte_fails_both_verifiers(services, vault_dir, tmp_path):
    client_id = _client_with_plan(services)
    signed = PlanDocumentService(services.vault.db).export(ExportRequest(client_id, sign=True))
    data = bytearray(signed.data)
    index = data.index(b"/Contents", 200) - 40  # inside the first signed range
    data[index] = (data[index] + 1) % 256
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    services.vault.lock()
    pdfsig = subprocess.run(["pdfsig", str(tampered)], capture_output=True, text=True,
                            check=False)
    assert "Digest Mismatch." in pdfsig.stdout
    result = _cli(vault_dir, tmp_path, "verify-pdf", str(tampered))
    assert result.returncode == 5
    assert "status: tampered" in result.stdout


def test_appended_update_is_reported_as_modified_after_signing(services, vault_dir, tmp_path):
    client_id = _client_with_plan(services)
    signed = PlanDocumentService(services.vault.db).export(ExportRequest(client_id, sign=True))
    updated = tmp_path / "updated.pdf"
    updated.write_bytes(_append_info_update(signed.data))
    services.vault.lock()
    result = _cli(vault_dir, tmp_path, "verify-pdf", str(updated))
    assert result.returncode == 5
    assert "modified_after_signing" in result.stdout


def test_unknown_file_is_not_a_stored_version(services, tmp_path):
    client_id = _client_with_plan(services)
    documents = PlanDocumentService(services.vault.db)
    signed = documents.export(ExportRequest(client_id, sign=True))
    assert documents.verify(signed.data).ok
    assert documents.verify(b"%PDF-1.7 not really").ok is False


@needs_poppler
def test_client_copy_text_has_goals_in_client_words_and_review_date(services, tmp_path):
    client_id = _client_with_plan(services)
    documents = PlanDocumentService(services.vault.db)
    document = documents.plan_document(client_id)
    pdf = tmp_path / "client.pdf"
    pdf.write_bytes(documents.export(ExportRequest(client_id)).data)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = " ".join(text.split())
    for goal in document.goals:
        assert " ".join(goal.client_words.split()) in flat
    assert document.next_review_on is not None
    review = f"{document.next_review_on.day} {document.next_review_on:%B %Y}"
    assert review in flat


def test_qr_code_finds_the_version_and_wet_ink_is_recorded(services):
    client_id = _client_with_plan(services)
    documents = PlanDocumentService(services.vault.db)
    exported = documents.export(ExportRequest(client_id))
    found = documents.find_by_qr(qr_payload(exported.version_id, exported.content_hash))
    assert (found.client_id, found.version_no, found.content_matches) == (
        client_id, exported.version_no, True,
    )
    scan = b"%PDF-1.4 scanned paper copy"
    documents.mark_signed_on_paper(
        exported.version_id, SignerRole.CLIENT, "Client", date(2026, 11, 2), scan
    )
    kinds = {row.kind.value for row in documents.documents(client_id)}
    assert "scan" in kinds
    signers = documents.signatures(exported.version_id)
    assert any(method.value == "wet_ink" for _role, _name, method, _on in signers)


def test_a_code_for_another_vault_is_not_found(services):
    documents = PlanDocumentService(services.vault.db)
    with pytest.raises(NotFound):
        documents.find_by_qr(qr_payload("0193a3f4-5b6c-7d8e-9f01-23456789abcd", "ab" * 32))


def test_the_preview_is_the_unsigned_export_and_is_not_kept(services: Services) -> None:
    client_id = _client_with_plan(services)
    documents = PlanDocumentService(services.vault.db)
    before = documents.documents(client_id)
    request = ExportRequest(client_id, large_print=True)
    preview = documents.preview(request)
    assert documents.documents(client_id) == before  # reading it through stores nothing
    assert preview == documents.export(request).data  # the same bytes an export makes
