"""Verify a plan PDF: who signed it, and is it unchanged since?

A casedesk plan carries exactly one digital signature: the case manager's, in the field
``CaseManagerSignature``. The client's (and any co-signer's) drawn signature is an image placed
in the page *before* that signature, so the one signature covers it. Later, only an invisible
document timestamp may legitimately be appended.

The verdict considers every signature the file has carried in any revision
(:mod:`casedesk.export.signature_checks`), in signing order. The first ordinary signature is the
*reference*: the signature the verdict is about. Rules, in order (the first that fails decides):

1. The file is a readable PDF of at most :data:`MAX_PDF_BYTES` with at least one ordinary
   signature (``/Sig``); document timestamps alone do not make a signed document.
2. Every signature and timestamp, including ones a later revision removed, is intact: its digest
   matches the signed bytes and its CMS signature checks out. Otherwise: *tampered*.
3. No signature was removed or replaced in a later revision, no second ordinary signature follows
   the reference (whatever name its certificate claims), pyHanko's difference analysis of
   everything after the reference (under a stricter policy than pyHanko's default, see
   ``STRICT_DIFF_POLICY``) finds nothing beyond invisible document timestamps and validation
   data (``ModificationLevel.LTA_UPDATES`` at most), and the last signature or timestamp covers
   the whole file. Otherwise: *modified after signing*. No form fill is accepted: a plan has no
   form fields for anyone to fill, and what pyHanko rates ``FORM_FILLING`` here means new
   visible fields or signatures, which can show anything.
4. If the caller passes stored hashes (or a :class:`VaultMatch`), the file, or the file as it was
   when signed, is one of the stored documents. Otherwise: *unknown version*.

Trust is reported, not folded into the status: without a vault there is no trust anchor for a
self-signed certificate, so the verdict says what the certificate *claims* (name, organisation)
and gives its SHA-256 fingerprint to compare. A document timestamp from an authority outside the
trust roots is reported as untrusted; it never makes a change acceptable (rule 3 applies to
whatever it covers). Nothing is fetched from the network.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel

from casedesk.export.signature_checks import (
    CertificateFacts,
    CheckedSignature,
    TooComplexError,
    check_all_signatures,
    covers_entire_file,
)

# A plan is well under a megabyte; the limit only keeps a hostile or mistaken input (a disk
# image, a video) from being read into memory and parsed.
MAX_PDF_BYTES = 200 * 1024 * 1024


class VerificationStatus(StrEnum):
    """Outcome of verifying a plan PDF."""

    VALID = "valid"
    TAMPERED = "tampered"
    MODIFIED_AFTER_SIGNING = "modified_after_signing"
    NOT_SIGNED = "not_signed"
    UNKNOWN_VERSION = "unknown_version"
    UNREADABLE = "unreadable"


class SignatureKind(StrEnum):
    """What a signature entry is."""

    SIGNATURE = "signature"
    DOCUMENT_TIMESTAMP = "document_timestamp"


@dataclass(frozen=True, slots=True)
class SignatureReport:
    """One signature or document timestamp, as the verdict lists it.

    Attributes:
        position: 1-based place in signing order.
        kind: an ordinary signature or a document timestamp.
        field_name: the signature field holding it.
        revision: the revision of the file it signs (0 is the file as first written).
        present: the file still carries it (``False``: a later revision removed or replaced it).
        reference: this is the signature the verdict is about (the first ordinary signature).
        certificate: whose it is, as the certificate claims (``None`` if unreadable).
        signed_at: a signature's time as the signer's device claimed it; a timestamp's time as
            its authority states it.
        intact: the signature matches the bytes it signs.
        trusted: its certificate chains to a trust root the caller gave.
        coverage: how much of the file it signs (``entire_file``, ``entire_revision``, ...).
        modification_level: for the reference, the worst change after it (``none``,
            ``lta_updates``, ``form_filling``, ``annotations``, ``other``).
        finding: one plain sentence about this entry.
        vault_identity: the label of the vault's signing identity with this certificate, if
            the vault was checked and has it.
    """

    position: int
    kind: SignatureKind
    field_name: str
    revision: int
    present: bool
    reference: bool
    certificate: CertificateFacts | None
    signed_at: datetime | None
    intact: bool
    trusted: bool
    coverage: str | None
    modification_level: str | None
    finding: str
    vault_identity: str | None = None


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """What verification found, with a reason a person can read.

    Attributes:
        status: the outcome (see :class:`VerificationStatus`).
        reason: plain-language sentences explaining the status.
        sha256: SHA-256 of the file (hex).
        signer_name: the reference signer's name from their certificate, if signed.
        signed_at: the signing time the signer's device claimed (offline: not independently
            proven unless a trusted document timestamp was added later).
        intact: every signature matches the bytes it signs.
        covers_whole_file: nothing follows the last signature or timestamp.
        trusted: the reference signer's certificate chains to one of the given trust roots.
        hash_known: the file is a stored document (``None``: not checked).
        document_timestamps: number of document timestamps after the reference signature.
        signer_organisation: the reference signer's organisation, as the certificate claims.
        signer_fingerprint: SHA-256 of the reference signer's certificate (hex).
        signed_sha256: SHA-256 of the file as it was when the reference signature was made
            (the hash casedesk stored, even after timestamps were appended).
        modification_level: the worst change after the reference signature.
        signatures: every signature and timestamp, in signing order.
        own_signature: the reference certificate is one of the vault's signing identities
            (``None``: no vault checked).
        plan_version: the stored plan version this file is (when the vault knows it).
        plan_version_id: that version's id.
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
    signer_organisation: str = ""
    signer_fingerprint: str | None = None
    signed_sha256: str | None = None
    modification_level: str | None = None
    signatures: tuple[SignatureReport, ...] = ()
    own_signature: bool | None = None
    plan_version: int | None = None
    plan_version_id: str | None = None

    @property
    def ok(self) -> bool:
        """Signed, unchanged since signing and (if checked) a known version."""
        return self.status is VerificationStatus.VALID

    @property
    def reference(self) -> SignatureReport | None:
        """The signature the verdict is about, if the file has one."""
        return next((s for s in self.signatures if s.reference), None)

    def to_dict(self) -> dict[str, Any]:
        """The verdict as JSON-ready data (stable keys, ISO 8601 times)."""
        return {
            "status": self.status.value,
            "ok": self.ok,
            "reason": self.reason,
            "sha256": self.sha256,
            "signed_sha256": self.signed_sha256,
            "signer": _certificate_dict(self.reference.certificate if self.reference else None),
            "signed_at": _iso(self.signed_at),
            "intact": self.intact,
            "covers_whole_file": self.covers_whole_file,
            "trusted": self.trusted,
            "modification_level": self.modification_level,
            "document_timestamps": self.document_timestamps,
            "vault": None
            if self.hash_known is None
            else {
                "document_found": self.hash_known,
                "own_signature": self.own_signature,
                "plan_version": self.plan_version,
                "plan_version_id": self.plan_version_id,
            },
            "signatures": [_report_dict(s) for s in self.signatures],
        }


@dataclass(frozen=True, slots=True)
class VaultMatch:
    """What a vault knows about a verified file (filled by the service that reads the vault).

    Attributes:
        document_found: the file, or the file as signed, is a document stored in the vault.
        identities: certificate fingerprint -> label of the vault's signing identities
            (``None``: identities not checked).
        plan_version: the stored document's plan version number.
        plan_version_id: the stored document's plan version id.
    """

    document_found: bool
    identities: Mapping[str, str] | None = None
    plan_version: int | None = None
    plan_version_id: str | None = None


_ADVICE = "Do not rely on it; ask the case manager for the copy stored in casedesk."
_REASONS = {
    VerificationStatus.TAMPERED: "The file has been changed since it was signed: ",
    VerificationStatus.NOT_SIGNED: "This PDF has no digital signature.",
    VerificationStatus.UNREADABLE: "This file is not a readable PDF.",
}


def verify_plan_pdf(
    pdf: bytes,
    *,
    known_hashes: Collection[str] | None = None,
    trust_roots: Sequence[bytes] = (),
) -> VerificationResult:
    """Check every signature in a plan PDF, what changed after signing, and (optionally) its hash.

    Args:
        pdf: the file's bytes.
        known_hashes: SHA-256 hex digests of stored documents; ``None`` skips the check. The
            file matches if its own hash or its hash as signed is one of them.
        trust_roots: DER certificates to trust (an agency CA, a timestamping authority).

    Returns:
        The verification result; never raises for a bad file.
    """
    digest = hashlib.sha256(pdf).hexdigest()
    if len(pdf) > MAX_PDF_BYTES:
        return _unreadable(
            digest,
            f"This file is larger than {MAX_PDF_BYTES // 2**20} MB, far "
            "larger than any plan, so it was not checked.",
        )
    try:
        checked = check_all_signatures(PdfFileReader(io.BytesIO(pdf), strict=False), trust_roots)
    except TooComplexError:
        return _unreadable(
            digest,
            "This file was saved over, or signed, far more often than any plan, so it was not "
            "checked.",
        )
    except Exception:  # any parse failure means the same thing to a user
        return _unreadable(digest, _REASONS[VerificationStatus.UNREADABLE])
    result = _verdict(pdf, digest, checked)
    if known_hashes is None:
        return result
    known = {h.lower() for h in known_hashes}
    return with_vault_match(result, VaultMatch(document_found=bool(_hashes(result) & known)))


def with_vault_match(result: VerificationResult, match: VaultMatch) -> VerificationResult:
    """The verdict with what the vault knows: whose certificate, which stored plan version.

    A file that verifies but is not a stored document becomes ``UNKNOWN_VERSION``; a failed
    verification keeps its status (the vault cannot excuse a change).
    """
    identities = match.identities
    reports = tuple(
        replace(s, vault_identity=_identity_label(s.certificate, identities))
        for s in result.signatures
    )
    reference = next((s for s in reports if s.reference), None)
    own = None if identities is None or reference is None else reference.vault_identity is not None
    matched = replace(
        result,
        signatures=reports,
        hash_known=match.document_found,
        own_signature=own,
        plan_version=match.plan_version,
        plan_version_id=match.plan_version_id,
    )
    if result.status not in (VerificationStatus.VALID, VerificationStatus.UNKNOWN_VERSION):
        return matched
    status = (
        VerificationStatus.VALID if match.document_found else VerificationStatus.UNKNOWN_VERSION
    )
    matched = replace(matched, status=status)
    return replace(matched, reason=_valid_reason(matched))


def _identity_label(
    certificate: CertificateFacts | None, identities: Mapping[str, str] | None
) -> str | None:
    if certificate is None or identities is None:
        return None
    return identities.get(certificate.fingerprint_sha256)


def _hashes(result: VerificationResult) -> set[str]:
    return {h for h in (result.sha256, result.signed_sha256) if h}


def _unreadable(digest: str, reason: str) -> VerificationResult:
    return VerificationResult(status=VerificationStatus.UNREADABLE, reason=reason, sha256=digest)


# ---------------------------------------------------------------- the verdict


def _verdict(pdf: bytes, digest: str, checked: list[CheckedSignature]) -> VerificationResult:
    ordinary = [c for c in checked if not c.timestamp]
    if not ordinary:
        return VerificationResult(
            status=VerificationStatus.NOT_SIGNED,
            reason=_REASONS[VerificationStatus.NOT_SIGNED]
            + (" It carries only a document timestamp." if checked else ""),
            sha256=digest,
            signatures=_reports(checked, None),
        )
    reference = ordinary[0]
    later = checked[checked.index(reference) + 1 :]
    last_present = [c for c in checked if c.present]
    result = VerificationResult(
        status=VerificationStatus.VALID,
        reason="",
        sha256=digest,
        signer_name=reference.certificate.name if reference.certificate else None,
        signed_at=reference.signed_at,
        intact=all(c.intact for c in checked),
        covers_whole_file=bool(last_present) and covers_entire_file(last_present[-1]),
        trusted=reference.trusted,
        document_timestamps=sum(1 for c in later if c.timestamp and c.present),
        signer_organisation=reference.certificate.organisation if reference.certificate else "",
        signer_fingerprint=(
            reference.certificate.fingerprint_sha256 if reference.certificate else None
        ),
        signed_sha256=(
            hashlib.sha256(pdf[: reference.signed_length]).hexdigest()
            if reference.signed_length and reference.intact
            else None
        ),
        modification_level=_level_name(reference.modification_level),
        signatures=_reports(checked, reference),
    )
    failure = _failure(result, reference, later)
    if failure is None:
        return replace(result, reason=_valid_reason(result))
    status, reason = failure
    return replace(result, status=status, reason=reason)


def _failure(
    result: VerificationResult, reference: CheckedSignature, later: list[CheckedSignature]
) -> tuple[VerificationStatus, str] | None:
    """The first rule the file breaks (status and reason), or ``None`` if it breaks none."""
    broken = [s for s in result.signatures if not s.intact]
    if broken:
        which = ", ".join(f"{_what(s)} {s.position}" for s in broken)
        return VerificationStatus.TAMPERED, (
            f"{_REASONS[VerificationStatus.TAMPERED]}{which} no longer matches its contents. "
            + _ADVICE
        )
    modified = VerificationStatus.MODIFIED_AFTER_SIGNING
    removed = [s for s in result.signatures if not s.present]
    if removed:
        whose = "; ".join(f"{_what(s)} {s.position} by {_who(s.certificate)}" for s in removed)
        return modified, (
            f"A signature this file carried earlier has been removed or replaced ({whose}), so "
            f"what you see is not what was signed. {_ADVICE}"
        )
    added = [s for s in result.signatures if s.kind is SignatureKind.SIGNATURE and not s.reference]
    if added:
        whose = "; ".join(_added_signature(s, reference) for s in added)
        return modified, (
            f"After {_who(reference.certificate)} signed, the file was changed and signed again "
            f"({whose}), so what you see may not be what was signed. {_ADVICE}"
        )
    # No analysis result (it could not run) counts as a change: fail closed.
    level = reference.modification_level
    if level is None:
        level = ModificationLevel.OTHER
    if level > ModificationLevel.LTA_UPDATES or not result.covers_whole_file:
        return modified, (
            "Something was added to the file after it was signed, so what you see may not be "
            f"what was signed.{_untrusted_timestamp_note(later)} {_ADVICE}"
        )
    return None


def _added_signature(report: SignatureReport, reference: CheckedSignature) -> str:
    same = (
        report.certificate is not None
        and reference.certificate is not None
        and report.certificate.fingerprint_sha256 == reference.certificate.fingerprint_sha256
    )
    certificate = "the same certificate" if same else "a different certificate"
    fingerprint = report.certificate.fingerprint_sha256 if report.certificate else "unknown"
    return (
        f"signature {report.position} by {certificate} in the name of "
        f"{_who(report.certificate)}, fingerprint {_grouped(fingerprint)}"
    )


def _untrusted_timestamp_note(later: list[CheckedSignature]) -> str:
    if any(c.timestamp and not c.trusted for c in later):
        return (
            " A timestamp from an untrusted authority was added afterwards; it does not make "
            "the change acceptable."
        )
    return ""


def _valid_reason(result: VerificationResult) -> str:
    reference = result.reference
    certificate = reference.certificate if reference else None
    when = f" on {result.signed_at:%d %b %Y at %H:%M %Z}".rstrip() if result.signed_at else ""
    sentences = [f"Signed by {_who(certificate)}{when}, and unchanged since it was signed."]
    sentences.append(_whose_certificate(result, reference))
    sentences.extend(_timestamp_sentences(result))
    if result.status is VerificationStatus.UNKNOWN_VERSION:
        sentences.append("But it does not match any plan version stored in casedesk.")
    elif result.plan_version is not None:
        sentences.append(f"It is plan version {result.plan_version} as stored in this vault.")
    return " ".join(s for s in sentences if s)


def _whose_certificate(result: VerificationResult, reference: SignatureReport | None) -> str:
    if reference is not None and reference.vault_identity is not None:
        return f"This is your own signature (signing identity “{reference.vault_identity}”)."
    fingerprint = _grouped(result.signer_fingerprint or "unknown")
    not_ours = (
        " It was not made with a signing identity from this vault."
        if (result.own_signature is False)
        else ""
    )
    if result.trusted:
        return f"The certificate was issued by an authority this check trusts.{not_ours}"
    return (
        "Nobody vouches for the certificate (it was probably made on the signer's own device), "
        f"so compare its fingerprint, {fingerprint}, with the one the signer gave you.{not_ours}"
    )


def _timestamp_sentences(result: VerificationResult) -> list[str]:
    sentences = []
    for stamp in result.signatures:
        if stamp.kind is not SignatureKind.DOCUMENT_TIMESTAMP or not stamp.present:
            continue
        when = f"{stamp.signed_at:%d %b %Y at %H:%M %Z}" if stamp.signed_at else "an unknown time"
        if stamp.trusted:
            sentences.append(f"A timestamp from a trusted authority shows it existed by {when}.")
        else:
            sentences.append(
                f"Timestamp {stamp.position} is from an untrusted authority "
                f"({_who(stamp.certificate)}), so the time it states ({when}) is not proven."
            )
    return sentences


# ---------------------------------------------------------------- per-signature reports


def _reports(
    checked: list[CheckedSignature], reference: CheckedSignature | None
) -> tuple[SignatureReport, ...]:
    return tuple(
        SignatureReport(
            position=position,
            kind=SignatureKind.DOCUMENT_TIMESTAMP if c.timestamp else SignatureKind.SIGNATURE,
            field_name=c.field_name,
            revision=c.revision,
            present=c.present,
            reference=c is reference,
            certificate=c.certificate,
            signed_at=c.signed_at,
            intact=c.intact,
            trusted=c.trusted,
            coverage=c.coverage,
            modification_level=_level_name(c.modification_level),
            finding=_finding(c, reference),
        )
        for position, c in enumerate(checked, start=1)
    )


def _finding(signature: CheckedSignature, reference: CheckedSignature | None) -> str:
    if not signature.readable:
        return "Cannot be read: the signature data is damaged."
    if not signature.intact:
        return "Broken: the file's bytes no longer match this signature."
    if not signature.present:
        return "Removed or replaced by a later revision of the file."
    if signature.timestamp:
        if signature.trusted:
            return "Document timestamp from a trusted authority."
        return "Document timestamp from an untrusted authority: the time it states is not proven."
    if signature is reference:
        return "The signature this verdict is about (the first in the file); intact."
    return "Added after the first signature: a change to the signed document."


def _level_name(level: ModificationLevel | None) -> str | None:
    return None if level is None else level.name.lower()


def _what(report: SignatureReport) -> str:
    return "timestamp" if report.kind is SignatureKind.DOCUMENT_TIMESTAMP else "signature"


def _who(certificate: CertificateFacts | None) -> str:
    if certificate is None:
        return "an unknown signer"
    if certificate.organisation:
        return f"{certificate.name} ({certificate.organisation})"
    return certificate.name


def _grouped(fingerprint: str) -> str:
    """A hex fingerprint in groups of four, for reading and comparing by eye."""
    return " ".join(fingerprint[i : i + 4] for i in range(0, len(fingerprint), 4))


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _certificate_dict(certificate: CertificateFacts | None) -> dict[str, Any] | None:
    if certificate is None:
        return None
    return {
        "name": certificate.name,
        "organisation": certificate.organisation,
        "email": certificate.email,
        "fingerprint_sha256": certificate.fingerprint_sha256,
        "issuer": certificate.issuer,
        "self_signed": certificate.self_signed,
    }


def _report_dict(report: SignatureReport) -> dict[str, Any]:
    return {
        "position": report.position,
        "kind": report.kind.value,
        "field_name": report.field_name,
        "revision": report.revision,
        "present": report.present,
        "reference": report.reference,
        "signer": _certificate_dict(report.certificate),
        "signed_at": _iso(report.signed_at),
        "intact": report.intact,
        "trusted": report.trusted,
        "coverage": report.coverage,
        "modification_level": report.modification_level,
        "finding": report.finding,
        "vault_identity": report.vault_identity,
    }
