"""Forged plans must never verify: the red team's three forgeries and their relatives.

Every forgery keeps the genuine signature intact and appends revisions; pyHanko and pdfsig still
call each signature valid, so only the verdict over all signatures and all revisions catches them.
"""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from casedesk.export.signing import (
    generate_self_signed_identity,
    load_signing_identity,
    sign_plan_pdf,
)
from casedesk.export.verify import VerificationStatus, verify_plan_pdf
from pdfforge import (
    LocalTimestampAuthority,
    add_page_text,
    add_visible_empty_field,
    sign_again,
    strip_signature_values,
    zero_signature_value,
)

from .tampering import append_info_update

MODIFIED = VerificationStatus.MODIFIED_AFTER_SIGNING


@pytest.fixture(scope="module")
def lookalike():
    """A fresh self-signed certificate with the genuine signer's name and organisation."""
    generated = generate_self_signed_identity("Sam Okafor", "Riverbend Community Support")
    return load_signing_identity(generated.pkcs12, generated.password)


@pytest.fixture(scope="module")
def authority() -> LocalTimestampAuthority:
    return LocalTimestampAuthority()


@pytest.fixture
def genuine(identity, built) -> bytes:
    return sign_plan_pdf(built.data, identity, built.layout).data


def _fingerprints(result) -> list[str]:
    return [s.certificate.fingerprint_sha256 for s in result.signatures]


def test_a_text_added_then_signed_by_a_lookalike_certificate(genuine, lookalike, identity):
    forged = sign_again(add_page_text(genuine), lookalike)
    result = verify_plan_pdf(forged)
    assert result.status is MODIFIED and not result.ok
    assert _fingerprints(result) == [identity.fingerprint_sha256, lookalike.fingerprint_sha256]
    first, second = result.signatures
    assert first.reference and first.intact and first.modification_level == "other"
    assert not second.reference and second.certificate.name == "Sam Okafor"
    assert "a different certificate" in result.reason
    assert lookalike.fingerprint_sha256[:4] in result.reason
    # The verdict is about the genuine signer, whatever the look-alike claims.
    assert result.signer_fingerprint == identity.fingerprint_sha256


def test_b_signature_removed_text_added_and_resigned(genuine, lookalike, identity):
    forged = sign_again(
        add_page_text(strip_signature_values(genuine)), lookalike, "CaseManagerSignature"
    )
    # The latest revision carries only the look-alike's signature, covering the whole file...
    reader = PdfFileReader(io.BytesIO(forged))
    assert [s.field_name for s in reader.embedded_signatures] == ["CaseManagerSignature"]
    # ...but the genuine one is still in an earlier revision, and its removal is a change.
    result = verify_plan_pdf(forged)
    assert result.status is MODIFIED and not result.ok
    assert _fingerprints(result) == [identity.fingerprint_sha256, lookalike.fingerprint_sha256]
    assert [s.present for s in result.signatures] == [False, True]
    assert "removed or replaced" in result.reason


def test_b_signature_removed_without_resigning_is_not_unsigned(genuine, identity):
    result = verify_plan_pdf(add_page_text(strip_signature_values(genuine)))
    assert result.status is MODIFIED
    assert result.signatures[0].certificate.fingerprint_sha256 == identity.fingerprint_sha256


def test_b_signature_value_zeroed_in_place_is_tampered(genuine, lookalike):
    result = verify_plan_pdf(sign_again(zero_signature_value(genuine), lookalike))
    assert result.status is VerificationStatus.TAMPERED and not result.ok
    assert result.signatures[0].finding.startswith("Cannot be read")


def test_c_text_added_then_untrusted_timestamp(genuine, authority):
    forged = authority.stamp(add_page_text(genuine))
    result = verify_plan_pdf(forged)
    assert result.status is MODIFIED and not result.ok
    stamp = result.signatures[1]
    assert stamp.kind == "document_timestamp" and not stamp.trusted
    assert "untrusted authority" in stamp.finding
    assert "untrusted authority" in result.reason
    # A trusted authority does not excuse the change either.
    trusted = verify_plan_pdf(forged, trust_roots=[authority.certificate_der])
    assert trusted.signatures[1].trusted
    assert trusted.status is MODIFIED


def test_title_changed_then_timestamped_is_modified(genuine, authority):
    result = verify_plan_pdf(authority.stamp(append_info_update(genuine)))
    assert result.status is MODIFIED
    assert result.signatures[0].modification_level == "other"


def test_visible_field_added_then_timestamped_is_modified(genuine, authority):
    result = verify_plan_pdf(authority.stamp(add_visible_empty_field(genuine)))
    assert result.status is MODIFIED
    assert result.signatures[0].modification_level == "form_filling"


def test_second_signature_by_the_same_certificate_is_a_change(genuine, identity):
    result = verify_plan_pdf(sign_again(genuine, identity))
    assert result.status is MODIFIED
    assert "the same certificate" in result.reason


def test_timestamp_alone_keeps_the_plan_valid_and_says_whether_it_is_trusted(
    genuine, authority, generated_identity
):
    stamped = authority.stamp(genuine)
    untrusted = verify_plan_pdf(stamped)
    assert untrusted.ok, untrusted.reason
    assert untrusted.signatures[0].modification_level == "lta_updates"
    assert "from an untrusted authority" in untrusted.reason
    trusted = verify_plan_pdf(stamped, trust_roots=[authority.certificate_der])
    assert trusted.ok and trusted.signatures[1].trusted
    assert "trusted authority shows it existed by" in trusted.reason
    # The stored hash is of the file as signed; it still identifies the timestamped copy.
    assert verify_plan_pdf(stamped, known_hashes={_sha(genuine)}).ok
    assert untrusted.signed_sha256 == _sha(genuine)


def test_genuine_verdict_names_the_signer_fully(genuine, generated_identity):
    result = verify_plan_pdf(genuine)
    assert result.ok
    (only,) = result.signatures
    assert only.reference and only.present and only.intact and only.coverage == "entire_file"
    assert only.certificate.name == "Sam Okafor"
    assert only.certificate.organisation == "Riverbend Community Support"
    assert only.certificate.fingerprint_sha256 == generated_identity.fingerprint_sha256
    assert only.certificate.self_signed and not only.trusted
    assert only.signed_at is not None and only.signed_at.tzinfo is not None
    assert "Riverbend Community Support" in result.reason
    assert generated_identity.fingerprint_sha256[:4] in result.reason


def test_json_verdict_has_stable_keys_and_iso_times(genuine, lookalike):
    data = json.loads(json.dumps(verify_plan_pdf(sign_again(genuine, lookalike)).to_dict()))
    assert data["status"] == "modified_after_signing" and data["ok"] is False
    assert set(data) >= {"status", "reason", "sha256", "signer", "signed_at", "signatures"}
    assert "T" in data["signed_at"]
    assert [s["position"] for s in data["signatures"]] == [1, 2]
    assert set(data["signatures"][0]["signer"]) == {
        "name",
        "organisation",
        "email",
        "fingerprint_sha256",
        "issuer",
        "self_signed",
    }
    assert all("T" in s["signed_at"] for s in data["signatures"])


def test_oversized_input_is_refused_without_parsing(genuine, monkeypatch):
    monkeypatch.setattr("casedesk.export.verify.MAX_PDF_BYTES", len(genuine) - 1)
    result = verify_plan_pdf(genuine)
    assert result.status is VerificationStatus.UNREADABLE and "larger than" in result.reason


def test_a_file_saved_over_and_over_is_refused(genuine, monkeypatch):
    monkeypatch.setattr("casedesk.export.signature_checks.MAX_REVISIONS", 1)
    result = verify_plan_pdf(genuine)
    assert result.status is VerificationStatus.UNREADABLE and "saved over" in result.reason


def test_a_file_with_very_many_signatures_is_refused(genuine, identity, monkeypatch):
    monkeypatch.setattr("casedesk.export.signature_checks.MAX_SIGNATURES", 1)
    result = verify_plan_pdf(sign_again(genuine, identity))
    assert result.status is VerificationStatus.UNREADABLE and "signed" in result.reason


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
