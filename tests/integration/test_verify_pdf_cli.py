"""``casedesk verify-pdf``: genuine plans pass and forgeries fail, with and without the vault.

The plans come from a real vault through the real export; the forgeries are the red team's
(see ``tests/pdfforge.py``). poppler's pdfsig is the independent reader: it still calls every
forged signature valid, which is why the verdict reads all signatures in all revisions.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from casedesk.export.signing import generate_self_signed_identity, load_signing_identity
from casedesk.export.verify import MAX_PDF_BYTES, verify_plan_pdf
from casedesk.services.bundle import Services
from casedesk.services.plan_documents import ExportRequest, PlanDocumentService
from casedesk.services.vault_service import VaultService
from casedesk.storage.keys import TEST_KDF
from pdfforge import (
    FORGED_TEXT,
    LocalTimestampAuthority,
    add_page_text,
    sign_again,
    strip_signature_values,
)
from vaultkit import PASSPHRASE, InProcessCli, client_with_plan, demo_vault

needs_poppler = pytest.mark.skipif(
    not all(shutil.which(t) for t in ("pdfsig", "pdftotext")), reason="poppler-utils missing"
)


@dataclass(frozen=True)
class SignedPlan:
    data: bytes
    version_no: int
    fingerprint: str
    identity_label: str
    certificate_der: bytes


@pytest.fixture(scope="module")
def vault_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_vault(tmp_path_factory.mktemp("verify") / "vault", clients=4, seed=5)


@pytest.fixture(scope="module")
def plan(vault_dir: Path) -> SignedPlan:
    """A plan version exported and signed by the vault's own (self-signed) identity."""
    vault = VaultService(vault_dir, TEST_KDF)
    vault.unlock(PASSPHRASE)
    try:
        services = Services.for_vault(vault)
        documents = PlanDocumentService(services.vault.db)
        exported = documents.export(ExportRequest(client_with_plan(services), sign=True))
        identity = documents.signing_identity()
    finally:
        vault.lock()
    return SignedPlan(
        exported.data,
        exported.version_no,
        identity.fingerprint_sha256,
        identity.subject_name,
        identity.certificate_der,
    )


@pytest.fixture(scope="module")
def lookalike(plan: SignedPlan):
    """A fresh self-signed certificate claiming exactly the genuine signer's name and agency."""
    subject = x509.load_der_x509_certificate(plan.certificate_der).subject
    name, organisation = (
        str(subject.get_attributes_for_oid(oid)[0].value)
        for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME)
    )
    generated = generate_self_signed_identity(name, organisation)
    return load_signing_identity(generated.pkcs12, generated.password)


@pytest.fixture
def verify_cli(
    vault_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> Callable[..., tuple[Any, dict[str, Any] | None]]:
    """Run ``verify-pdf`` on bytes, as the vault's owner or as a recipient with no vault at all."""
    cli = InProcessCli(monkeypatch, capsys, {"CASEDESK_KDF": "test"})

    def run(data: bytes, *, vault: bool, as_json: bool = True) -> tuple[Any, dict[str, Any] | None]:
        path = tmp_path / "plan.pdf"
        path.write_bytes(data)
        env = (
            {"CASEDESK_VAULT": str(vault_dir), "CASEDESK_PASSPHRASE": PASSPHRASE}
            if vault
            else {"CASEDESK_VAULT": str(tmp_path / "no-vault-here")}
        )
        args = ["verify-pdf", *(["--json"] if as_json else []), str(path)]
        result = cli(*args, **env)
        return result, json.loads(result.stdout) if as_json and result.stdout else None

    return run


@pytest.fixture
def built_plan() -> Callable[[Any], bytes]:
    from casedesk.domain.documents import RenderOptions
    from casedesk.export.plan_pdf import build_plan_pdf
    from casedesk.export.samples import sample_plan
    from casedesk.export.signing import sign_plan_pdf

    def build(identity: Any) -> bytes:
        built = build_plan_pdf(sample_plan(3), RenderOptions())
        return sign_plan_pdf(built.data, identity, built.layout).data

    return build


def _forge_a(plan: SignedPlan, lookalike: Any) -> bytes:
    return sign_again(add_page_text(plan.data), lookalike)


def _forge_b(plan: SignedPlan, lookalike: Any) -> bytes:
    stripped = add_page_text(strip_signature_values(plan.data))
    return sign_again(stripped, lookalike, "CaseManagerSignature")


def _forge_c(plan: SignedPlan, _lookalike: Any) -> bytes:
    return LocalTimestampAuthority().stamp(add_page_text(plan.data))


FORGERIES = {"a": _forge_a, "b": _forge_b, "c": _forge_c}


# ---------------------------------------------------------------- genuine


def test_recipient_without_a_vault_can_verify_a_genuine_plan(plan, verify_cli):
    result, data = verify_cli(plan.data, vault=False)
    assert result.returncode == 0, result.stdout
    assert data["status"] == "valid" and data["vault"] is None
    (only,) = data["signatures"]
    assert only["signer"]["name"] == data["signer"]["name"] == plan.identity_label
    assert only["signer"]["fingerprint_sha256"] == plan.fingerprint
    assert "T" in only["signed_at"] and only["coverage"] == "entire_file"
    text, _ = verify_cli(plan.data, vault=False, as_json=False)
    assert text.returncode == 0
    assert f"certificate sha256: {plan.fingerprint}" in text.stdout
    assert "stored version: not checked" in text.stdout


def test_owner_with_the_vault_sees_their_own_signature_and_the_plan_version(plan, verify_cli):
    result, data = verify_cli(plan.data, vault=True)
    assert result.returncode == 0, result.stdout
    assert data["vault"]["own_signature"] is True
    assert data["vault"]["plan_version"] == plan.version_no
    assert data["signatures"][0]["vault_identity"] == plan.identity_label
    text, _ = verify_cli(plan.data, vault=True, as_json=False)
    assert "your own signing identity" in text.stdout
    assert f"matches plan version {plan.version_no}" in text.stdout


def test_a_timestamped_copy_is_still_the_stored_plan_version(plan, verify_cli):
    result, data = verify_cli(LocalTimestampAuthority().stamp(plan.data), vault=True)
    assert result.returncode == 0, result.stdout
    assert data["vault"]["plan_version"] == plan.version_no
    assert data["signed_sha256"] == hashlib.sha256(plan.data).hexdigest()
    assert "untrusted authority" in data["signatures"][1]["finding"]


def test_a_plan_signed_elsewhere_is_not_this_vaults(plan, lookalike, verify_cli, built_plan):
    result, data = verify_cli(built_plan(lookalike), vault=True)
    assert result.returncode == 5
    assert data["status"] == "unknown_version"
    assert data["vault"]["own_signature"] is False


# ---------------------------------------------------------------- forgeries


@pytest.mark.parametrize("kind", sorted(FORGERIES))
@pytest.mark.parametrize("vault", [False, True], ids=["no-vault", "vault"])
def test_forgery_fails_with_and_without_the_vault(plan, lookalike, verify_cli, kind, vault):
    forged = FORGERIES[kind](plan, lookalike)
    text, _ = verify_cli(forged, vault=vault, as_json=False)
    assert text.returncode == 5, text.stdout
    assert "status: modified_after_signing" in text.stdout and "  2. " in text.stdout
    result, data = verify_cli(forged, vault=vault)
    assert result.returncode == 5
    first, second = data["signatures"]
    assert first["reference"] and first["signer"]["fingerprint_sha256"] == plan.fingerprint
    assert second["signer"]["fingerprint_sha256"] != plan.fingerprint
    if vault:
        assert first["vault_identity"] == plan.identity_label
        assert second["vault_identity"] is None
        assert data["vault"]["document_found"] is True  # the signed original is in the vault


@needs_poppler
@pytest.mark.parametrize("kind", sorted(FORGERIES))
def test_poppler_sees_the_forged_text_and_calls_the_signatures_valid(
    plan, lookalike, tmp_path, kind
):
    path = tmp_path / "forged.pdf"
    path.write_bytes(FORGERIES[kind](plan, lookalike))
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert FORGED_TEXT in text  # the forgery shows on the page
    pdfsig = subprocess.run(
        ["pdfsig", str(path)], capture_output=True, text=True, check=False
    ).stdout
    if kind == "b":
        # poppler sees only the look-alike signature, over the whole file: fooled outright.
        assert "Signature #2" not in pdfsig and "Total document signed" in pdfsig
    else:
        first = pdfsig.split("Signature #2")[0]
        assert "Signature is Valid." in first and "Not total document signed" in first
    assert not verify_plan_pdf(path.read_bytes()).ok


# ---------------------------------------------------------------- bad input


def test_bad_input_gets_a_plain_message(tmp_path, monkeypatch, capsys):
    cli = InProcessCli(monkeypatch, capsys, {"CASEDESK_VAULT": str(tmp_path / "none")})
    huge = tmp_path / "huge.pdf"
    with huge.open("wb") as handle:
        handle.truncate(MAX_PDF_BYTES + 1)  # sparse: no disk space used
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)
    expected = {
        "/dev/zero": "not an ordinary file",
        str(tmp_path): "not an ordinary file",
        str(fifo): "not an ordinary file",
        str(huge): "too large",
    }
    for path, message in expected.items():
        result = cli("verify-pdf", path)
        assert result.returncode == 2, path  # refused as input, before any PDF is parsed
        assert message in result.stderr and "Traceback" not in result.stderr
    not_pdf = tmp_path / "notes.pdf"
    not_pdf.write_bytes(b"just some text, not a PDF")
    result = cli("verify-pdf", "--json", str(not_pdf))
    assert result.returncode == 5 and json.loads(result.stdout)["status"] == "unreadable"
