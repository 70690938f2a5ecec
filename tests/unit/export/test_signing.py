from __future__ import annotations

import hashlib

import pytest

from casedesk.domain.documents import RenderOptions
from casedesk.export.plan_pdf import build_plan_pdf
from casedesk.export.samples import sample_plan
from casedesk.export.signing import (
    IncompleteIdentityError,
    NotPkcs12Error,
    SigningError,
    WrongPasswordError,
    generate_self_signed_identity,
    load_signing_identity,
    sign_plan_pdf,
)
from casedesk.export.verify import VerificationStatus, verify_plan_pdf

from .pki import agency_ca, cert_only_p12, worker_p12


def test_generated_identity_loads_with_its_random_password(generated_identity):
    assert len(generated_identity.password) >= 32
    loaded = load_signing_identity(generated_identity.pkcs12, generated_identity.password)
    assert loaded.subject_name == "Sam Okafor"
    assert loaded.fingerprint_sha256 == generated_identity.fingerprint_sha256
    assert loaded.certificate_der == generated_identity.certificate_der


def test_each_generated_identity_is_new():
    a = generate_self_signed_identity("Sam Okafor")
    b = generate_self_signed_identity("Sam Okafor")
    assert a.password != b.password and a.fingerprint_sha256 != b.fingerprint_sha256


def test_wrong_password_is_reported_as_such(generated_identity):
    with pytest.raises(WrongPasswordError, match="password"):
        load_signing_identity(generated_identity.pkcs12, "not the password")


@pytest.mark.parametrize("junk", [b"", b"hello", b"%PDF-1.7\n...", b"0\x82\x01\x00garbage"])
def test_a_file_that_is_not_pkcs12_is_reported_as_such(junk):
    with pytest.raises(NotPkcs12Error, match="not a certificate file"):
        load_signing_identity(junk, "x")


def test_a_pkcs12_without_a_key_is_incomplete():
    with pytest.raises(IncompleteIdentityError, match="no private key"):
        load_signing_identity(cert_only_p12(agency_ca()), None)


def test_sign_returns_bytes_with_their_hash(identity, built):
    signed = sign_plan_pdf(built.data, identity, built.layout)
    assert signed.sha256 == hashlib.sha256(signed.data).hexdigest()
    assert signed.data.startswith(built.data)  # incremental: the plan bytes are untouched
    assert signed.signer_name == "Sam Okafor"
    result = verify_plan_pdf(signed.data, known_hashes={signed.sha256})
    assert result.ok, result.reason
    assert result.signer_name == "Sam Okafor"
    assert result.signed_at is not None
    assert not result.trusted  # self-signed and not passed as a trust root


def test_self_signed_identity_is_trusted_when_given_as_root(identity, built):
    signed = sign_plan_pdf(built.data, identity, built.layout)
    result = verify_plan_pdf(signed.data, trust_roots=[identity.certificate_der])
    assert result.ok and result.trusted


def test_agency_pkcs12_signs_and_chains_to_the_agency_ca():
    ca = agency_ca()
    identity = load_signing_identity(worker_p12(ca, b"s3cret"), "s3cret")
    assert identity.subject_name == "Jordan Lee"
    plan = sample_plan(2)
    built = build_plan_pdf(plan, RenderOptions())
    signed = sign_plan_pdf(built.data, identity, built.layout)
    result = verify_plan_pdf(signed.data, trust_roots=[ca.der])
    assert result.ok and result.trusted
    assert result.signer_name == "Jordan Lee"


def test_unicode_signer_name_signs():
    generated = generate_self_signed_identity("Σοφία Παπαδοπούλου-Zoë")
    identity = load_signing_identity(generated.pkcs12, generated.password)
    built = build_plan_pdf(sample_plan(1))
    signed = sign_plan_pdf(built.data, identity, built.layout)
    assert verify_plan_pdf(signed.data).signer_name == "Σοφία Παπαδοπούλου-Zoë"


def test_a_signed_plan_cannot_be_signed_again(identity, built):
    signed = sign_plan_pdf(built.data, identity, built.layout)
    with pytest.raises(SigningError, match="already been signed"):
        sign_plan_pdf(signed.data, identity, built.layout)


def test_signing_garbage_fails_clearly(identity, built):
    with pytest.raises(SigningError, match="not a readable PDF"):
        sign_plan_pdf(b"not a pdf", identity, built.layout)


def test_verify_status_for_unsigned_plan(built):
    result = verify_plan_pdf(built.data)
    assert result.status is VerificationStatus.NOT_SIGNED and not result.ok
