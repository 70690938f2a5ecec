from __future__ import annotations

import io

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from casedesk.export.signing import sign_plan_pdf
from casedesk.export.verify import VerificationStatus, verify_plan_pdf

from .pki import agency_ca, tsa
from .tampering import append_info_update, flip_byte_in_signed_range


def test_one_changed_byte_is_tampering(identity, built):
    signed = sign_plan_pdf(built.data, identity, built.layout)
    result = verify_plan_pdf(flip_byte_in_signed_range(signed.data))
    assert result.status is VerificationStatus.TAMPERED
    assert not result.ok and not result.intact
    assert "changed since it was signed" in result.reason


def test_appended_update_is_modified_after_signing(identity, built):
    signed = sign_plan_pdf(built.data, identity, built.layout)
    result = verify_plan_pdf(append_info_update(signed.data))
    assert result.status is VerificationStatus.MODIFIED_AFTER_SIGNING
    assert result.intact  # pyHanko alone would still call this signature valid
    assert not result.covers_whole_file and not result.ok
    assert "added to the file after it was signed" in result.reason


def test_unknown_hash_is_reported(identity, built):
    signed = sign_plan_pdf(built.data, identity, built.layout)
    result = verify_plan_pdf(signed.data, known_hashes={"0" * 64})
    assert result.status is VerificationStatus.UNKNOWN_VERSION
    assert result.hash_known is False and not result.ok
    assert verify_plan_pdf(signed.data, known_hashes={signed.sha256.upper()}).ok


def test_garbage_is_unreadable():
    for junk in (b"", b"hello", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"):
        assert verify_plan_pdf(junk).status is VerificationStatus.UNREADABLE


def test_truncated_signed_file_is_not_valid(identity, built):
    signed = sign_plan_pdf(built.data, identity, built.layout)
    assert not verify_plan_pdf(signed.data[: len(signed.data) // 2]).ok


def test_later_document_timestamp_is_accepted(identity, built):
    signed = sign_plan_pdf(built.data, identity, built.layout)
    authority = tsa(agency_ca())
    from pyhanko.keys.internal import (
        translate_pyca_cryptography_cert_to_asn1,
        translate_pyca_cryptography_key_to_asn1,
    )

    stamper = DummyTimeStamper(
        tsa_cert=translate_pyca_cryptography_cert_to_asn1(authority.cert),
        tsa_key=translate_pyca_cryptography_key_to_asn1(authority.key),
    )
    output = io.BytesIO()
    signers.PdfTimeStamper(stamper).timestamp_pdf(
        IncrementalPdfFileWriter(io.BytesIO(signed.data)), "sha256", output=output
    )
    result = verify_plan_pdf(output.getvalue())
    assert result.ok, result.reason
    assert result.document_timestamps == 1
    # ...but anything appended after the timestamp is still caught.
    assert (
        verify_plan_pdf(append_info_update(output.getvalue())).status
        is VerificationStatus.MODIFIED_AFTER_SIGNING
    )


def test_no_single_byte_change_in_the_signed_ranges_goes_unnoticed(identity, built):
    signed = sign_plan_pdf(built.data, identity, built.layout).data
    # /ByteRange [0 a b c]: everything except the signature value itself is signed.
    start = signed.rindex(b"/ByteRange")
    numbers = signed[start : signed.index(b"]", start)].split(b"[")[1].split()
    _, first_len, second_start, second_len = (int(n) for n in numbers)
    positions = [
        *range(0, first_len, first_len // 25),
        *range(second_start, second_start + second_len, second_len // 10),
    ]
    for position in positions:
        damaged = bytearray(signed)
        damaged[position] ^= 0x20
        result = verify_plan_pdf(bytes(damaged))  # must never raise
        assert not result.ok, position
