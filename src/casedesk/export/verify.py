"""Verify a plan PDF: is it signed, unchanged since signing, and one of ours?

Rules, in order (the first that fails decides the result):

1. The file must be a readable PDF with at least one signature (``/Sig``).
2. Every signature must be intact: its digest matches the signed bytes and the CMS signature
   checks out. Otherwise the file was *tampered with*.
3. The whole file must be covered. pyHanko still reports a signature as valid after an
   incremental update is appended, so coverage is checked separately: anything after the last
   signature means *modified after signing*. The one allowed exception is a later document
   timestamp (an upgrade to PAdES B-T added at sync); then the timestamp must be intact and
   itself cover the whole file.
4. If the caller passes the SHA-256 hashes stored with plan versions, the file's hash must be one
   of them (otherwise: a good signature, but not a version in this vault).

Trust in the signer's certificate is reported separately (``trusted``), not folded into the
status: a sole practitioner's self-signed certificate is only trusted when the caller passes it
in ``trust_roots``. Nothing is fetched from the network.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext


class _QuietUntrustedCertificates(logging.Filter):
    """Drop pyHanko's per-check warning (with a traceback) about an untrusted certificate.

    An untrusted self-signed certificate is an expected outcome here, reported in
    ``VerificationResult.trusted``; the traceback would only alarm someone reading the CLI output.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not (
            record.levelno == logging.WARNING
            and record.getMessage().startswith("Validation error [cert context")
        )


logging.getLogger("pyhanko.sign.validation.generic_cms").addFilter(_QuietUntrustedCertificates())


class VerificationStatus(StrEnum):
    """Outcome of verifying a plan PDF."""

    VALID = "valid"
    TAMPERED = "tampered"
    MODIFIED_AFTER_SIGNING = "modified_after_signing"
    NOT_SIGNED = "not_signed"
    UNKNOWN_VERSION = "unknown_version"
    UNREADABLE = "unreadable"


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """What verification found, with a reason a person can read.

    Attributes:
        status: the outcome (see :class:`VerificationStatus`).
        reason: one or two plain-language sentences explaining the status.
        sha256: SHA-256 of the file (hex).
        signer_name: the signer's name from their certificate, if signed.
        signed_at: the signing time the signer's device claimed (offline: not independently
            proven unless a document timestamp was added later).
        intact: every signature matches the bytes it signs.
        covers_whole_file: nothing was appended after the last signature or timestamp.
        trusted: the signer's certificate chains to one of the given trust roots.
        hash_known: the file's hash is one of the known stored hashes (``None``: not checked).
        document_timestamps: number of intact document timestamps after the signature.
    """

    status: VerificationStatus
    reason: str
    sha256: str
    signer_name: str | None = None
    signed_at: datetime | None = None
    intact: bool = False
    covers_whole_file: bool = False
    trusted: bool = False
    hash_known: bool | None = None
    document_timestamps: int = 0

    @property
    def ok(self) -> bool:
        """Signed, unchanged since signing and (if checked) a known version."""
        return self.status is VerificationStatus.VALID


_REASONS = {
    VerificationStatus.TAMPERED: (
        "The file has been changed since it was signed: the signature no longer matches its "
        "contents. Do not rely on it; use the copy stored in casedesk."
    ),
    VerificationStatus.MODIFIED_AFTER_SIGNING: (
        "Something was added to the file after it was signed, so what you see may not be what "
        "was signed. Use the copy stored in casedesk."
    ),
    VerificationStatus.NOT_SIGNED: "This PDF has no digital signature.",
    VerificationStatus.UNREADABLE: "This file is not a readable PDF.",
}


@dataclass(frozen=True, slots=True)
class _SignatureFacts:
    intact: bool
    trusted: bool
    covers_whole_file: bool
    signer_name: str | None
    signed_at: datetime | None


def verify_plan_pdf(
    pdf: bytes,
    *,
    known_hashes: Collection[str] | None = None,
    trust_roots: Sequence[bytes] = (),
) -> VerificationResult:
    """Check a plan PDF's signature, coverage and (optionally) its stored hash.

    Args:
        pdf: the file's bytes.
        known_hashes: SHA-256 hex digests stored with plan versions; ``None`` skips the check.
        trust_roots: DER certificates to trust (the agency CA, or the worker's own
            self-signed certificate).

    Returns:
        The verification result; never raises for a bad file.
    """
    digest = hashlib.sha256(pdf).hexdigest()
    try:
        signatures = list(PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures)
    except Exception:  # any parse failure means the same thing to a user
        return _result(VerificationStatus.UNREADABLE, digest)
    try:
        regular = [s for s in signatures if s.sig_object_type == "/Sig"]
    except Exception:
        return _result(VerificationStatus.UNREADABLE, digest)
    if not regular:
        return _result(VerificationStatus.NOT_SIGNED, digest)
    context = _validation_context(trust_roots)
    facts = [_check_signature(signature, context) for signature in regular]
    main = facts[-1]
    base = {
        "signer_name": main.signer_name,
        "signed_at": main.signed_at,
        "intact": all(f.intact for f in facts),
        "trusted": all(f.trusted for f in facts),
    }
    if not base["intact"]:
        return _result(VerificationStatus.TAMPERED, digest, **base)
    timestamps = _timestamps_after(signatures, regular[-1])
    covered = main.covers_whole_file or _timestamps_cover_rest(timestamps, context)
    if not covered:
        return _result(VerificationStatus.MODIFIED_AFTER_SIGNING, digest, **base)
    hash_known = None if known_hashes is None else digest in {h.lower() for h in known_hashes}
    status = VerificationStatus.UNKNOWN_VERSION if hash_known is False else VerificationStatus.VALID
    return VerificationResult(
        status=status,
        reason=_valid_reason(status, main),
        sha256=digest,
        covers_whole_file=True,
        hash_known=hash_known,
        document_timestamps=len(timestamps),
        **base,  # type: ignore[arg-type]
    )


def _result(status: VerificationStatus, digest: str, **facts: object) -> VerificationResult:
    return VerificationResult(
        status=status,
        reason=_REASONS[status],
        sha256=digest,
        **facts,  # type: ignore[arg-type]
    )


def _validation_context(trust_roots: Sequence[bytes]) -> ValidationContext:
    roots = [asn1_x509.Certificate.load(der) for der in trust_roots]
    return ValidationContext(trust_roots=roots, allow_fetching=False)


def _check_signature(
    signature: EmbeddedPdfSignature, context: ValidationContext
) -> _SignatureFacts:
    try:
        status = validate_pdf_signature(signature, signer_validation_context=context)
    except Exception:
        # A signature so damaged it cannot even be evaluated (bad DER, broken byte range,
        # unreadable objects) is a broken signature, whatever pyHanko raises.
        return _SignatureFacts(False, False, False, None, None)
    return _SignatureFacts(
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted),
        covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        signer_name=_signer_name(status.signing_cert),
        signed_at=status.signer_reported_dt,
    )


def _signer_name(certificate: asn1_x509.Certificate) -> str:
    subject = certificate.subject.native
    name = subject.get("common_name")
    return str(name) if name else str(certificate.subject.human_friendly)


def _timestamps_after(
    signatures: list[EmbeddedPdfSignature], last_signature: EmbeddedPdfSignature
) -> list[EmbeddedPdfSignature]:
    later = signatures[signatures.index(last_signature) + 1 :]
    return [s for s in later if s.sig_object_type == "/DocTimeStamp"]


def _timestamps_cover_rest(
    timestamps: list[EmbeddedPdfSignature], context: ValidationContext
) -> bool:
    """A later document timestamp may follow the signature, if it is intact and covers the rest."""
    if not timestamps:
        return False
    for timestamp in timestamps:
        try:
            status = validate_pdf_timestamp(timestamp, validation_context=context)
        except Exception:  # same reasoning as for signatures: unevaluable means not valid
            return False
        if not (status.intact and status.valid):
            return False
    return timestamps[-1].evaluate_signature_coverage() == SignatureCoverageLevel.ENTIRE_FILE


def _valid_reason(status: VerificationStatus, facts: _SignatureFacts) -> str:
    who = facts.signer_name or "an unknown signer"
    when = f" on {facts.signed_at:%d %b %Y at %H:%M %Z}".rstrip() if facts.signed_at else ""
    signed = f"Signed by {who}{when}, and unchanged since it was signed."
    if not facts.trusted:
        signed += (
            " The signer's certificate is not from an authority this check trusts (for example,"
            " it was made on the worker's own device)."
        )
    if status is VerificationStatus.UNKNOWN_VERSION:
        return signed + " But it does not match any plan version stored in casedesk."
    return signed
