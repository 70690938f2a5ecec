"""Every signature a PDF has ever carried, each checked with pyHanko (used by ``verify``).

A PDF keeps its history: each incremental update is a new *revision* appended to the file, and
earlier revisions stay readable. pyHanko's ``reader.embedded_signatures`` lists only the
signatures the *latest* revision still points to, so a forger who unlinks the genuine signature
in an update (and re-signs with a look-alike certificate) leaves a file that pyHanko, and poppler's
``pdfsig``, see as carrying one valid signature. This module therefore reads the signature fields
of every revision and keeps each signature it finds, noting whether the latest revision still
carries it.

Each signature is then validated: digest and CMS signature (``intact``), chain of trust against
the caller's roots (``trusted``), byte-range coverage, and for the first signature the difference
analysis of everything appended after it, under :data:`STRICT_DIFF_POLICY`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import HistoricalResolver, PdfFileReader, RawPdfPath
from pyhanko.sign.diff_analysis import (
    CatalogModificationRule,
    DiffResult,
    DSSCompareRule,
    FormUpdatingRule,
    GenericFieldModificationRule,
    ModificationLevel,
    ObjectStreamRule,
    ReferenceUpdate,
    SigFieldCreationRule,
    SigFieldModificationRule,
    StandardDiffPolicy,
    WhitelistRule,
    XrefStreamRule,
)
from pyhanko.sign.diff_analysis.commons import safe_whitelist
from pyhanko.sign.diff_analysis.rules_api import Context
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

# A plan as casedesk saves it has two or three revisions (built, drawn signatures placed,
# signed) and one signature, plus one of each per later document timestamp. Each revision costs
# a difference analysis and each signature a CMS check, so a file with far more is refused
# rather than analysed at length.
MAX_REVISIONS = 64
MAX_SIGNATURES = 32

# Keys in /Info that every PDF writer restamps on every save (pyHanko included, also when it
# adds a document timestamp). Any other /Info change after signing counts as a change.
_INFO_BOOKKEEPING_KEYS = frozenset({"/ModDate", "/Producer"})


class _QuietExpectedOutcomes(logging.Filter):
    """Drop pyHanko's warnings (with tracebacks) about outcomes this module reports itself.

    An untrusted self-signed certificate and a rejected change after signing are expected
    findings, reported in the verdict; a traceback in the log would only alarm its reader.
    """

    _PREFIXES = (
        "Validation error [cert context",
        "Failed to build path for",
        "Error in diff operation between revision",
        "Encountered signature with unsupported SubFilter",
    )

    def filter(self, record: logging.LogRecord) -> bool:
        return not (
            record.levelno == logging.WARNING and record.getMessage().startswith(self._PREFIXES)
        )


for _logger in (
    "pyhanko.sign.validation.generic_cms",
    "pyhanko.sign.validation.pdf_embedded",
    "pyhanko.sign.diff_analysis.policies",
):
    logging.getLogger(_logger).addFilter(_QuietExpectedOutcomes())


class _InfoBookkeepingRule(WhitelistRule):
    """Allow a later revision to rewrite ``/Info`` only to restamp its date and producer.

    pyHanko's own ``DocInfoRule`` accepts *any* change to ``/Info`` (title, author, subject),
    which a viewer shows as the document's title; here only :data:`_INFO_BOOKKEEPING_KEYS` may
    change, and anything else stays unexplained, so the difference analysis rates it ``OTHER``.
    """

    def apply(self, old: HistoricalResolver, new: HistoricalResolver) -> Iterable[ReferenceUpdate]:
        new_ref = new.trailer_view.get_value_as_reference("/Info", optional=True)
        if new_ref is None:
            return
        old_ref = old.trailer_view.get_value_as_reference("/Info", optional=True)
        old_info = _meaningful_info(old.get_object(old_ref)) if old_ref is not None else {}
        if _meaningful_info(new.get_object(new_ref)) != old_info:
            return
        yield from map(
            ReferenceUpdate.curry_ref(
                context_checked=Context.from_absolute(old, RawPdfPath("/Info"))
            ),
            safe_whitelist(old, old_ref, new_ref),
        )


def _meaningful_info(info: Any) -> dict[str, Any]:
    if not isinstance(info, generic.DictionaryObject):
        return {"": repr(info)}
    return {str(key): repr(info[key]) for key in info if str(key) not in _INFO_BOOKKEEPING_KEYS}


# pyHanko's default policy, less the two rules that allow any change to /Info and to the XMP
# metadata stream. What it still allows without rating it above LTA_UPDATES: invisible document
# timestamps, validation data (/DSS), object and xref streams, and /Info date stamps. New
# visible fields, filled fields and second signatures rate FORM_FILLING; anything else OTHER.
STRICT_DIFF_POLICY = StandardDiffPolicy(
    global_rules=[
        CatalogModificationRule(),  # type: ignore[no-untyped-call]
        _InfoBookkeepingRule().as_qualified(ModificationLevel.LTA_UPDATES),
        XrefStreamRule().as_qualified(ModificationLevel.LTA_UPDATES),
        ObjectStreamRule().as_qualified(ModificationLevel.LTA_UPDATES),
        DSSCompareRule().as_qualified(ModificationLevel.LTA_UPDATES),
    ],
    form_rule=FormUpdatingRule(
        field_rules=[
            SigFieldCreationRule(),  # type: ignore[no-untyped-call]
            SigFieldModificationRule(),
            GenericFieldModificationRule(),
        ],
    ),
)


class TooComplexError(ValueError):
    """The file has more revisions or signatures than any plan (see :data:`MAX_REVISIONS`)."""


@dataclass(frozen=True, slots=True)
class CertificateFacts:
    """Who a certificate names, and how to recognise it.

    Attributes:
        name: the subject's common name (or the whole subject when it has none).
        organisation: the subject's organisation, if named.
        email: the subject's email address, if named.
        fingerprint_sha256: SHA-256 of the DER certificate (hex, lower case).
        issuer: the issuer's name, as a person would read it.
        self_signed: the certificate names itself as issuer (nobody else vouches for it).
    """

    name: str
    organisation: str
    email: str
    fingerprint_sha256: str
    issuer: str
    self_signed: bool


@dataclass(frozen=True, slots=True)
class CheckedSignature:
    """One signature or document timestamp found in some revision of the file.

    Attributes:
        field_name: the signature field holding it.
        timestamp: ``True`` for a document timestamp (``/DocTimeStamp``).
        revision: the revision it signs (0 is the file as first written).
        present: the latest revision still carries it (``False``: removed or replaced later).
        readable: its signature data could be parsed at all.
        intact: the digest matches the signed bytes and the CMS signature checks out.
        trusted: the certificate chains to one of the caller's trust roots.
        coverage: pyHanko's coverage level, lower case (``entire_file``, ``entire_revision``, ...).
        modification_level: for a signature whose changes were analysed, the worst change after
            it (``none``, ``lta_updates``, ``form_filling``, ``annotations``, ``other``).
        certificate: the signer's (or timestamp authority's) certificate, if readable.
        signed_at: for a signature, the time its signer's device claimed; for a timestamp, the
            authority's time.
        signed_length: how many bytes of the file it signs (the file as it was when signed),
            when its byte range is the usual contiguous one from the start.
    """

    field_name: str
    timestamp: bool
    revision: int
    present: bool
    readable: bool
    intact: bool
    trusted: bool
    coverage: str | None
    modification_level: ModificationLevel | None
    certificate: CertificateFacts | None
    signed_at: datetime | None
    signed_length: int | None = None


@dataclass(frozen=True, slots=True)
class _Found:
    field_name: str
    field: generic.DictionaryObject | None
    first_revision: int
    present: bool


def check_all_signatures(
    reader: PdfFileReader, trust_roots: Sequence[bytes]
) -> list[CheckedSignature]:
    """Every signature the file has carried in any revision, checked, in signing order.

    Signing order is the order in which the revisions introduced them.

    The first ordinary signature (``/Sig``) also gets the difference analysis of all later
    revisions under :data:`STRICT_DIFF_POLICY`; the others are checked for integrity, trust and
    coverage only, since that one analysis already spans every later revision.

    Raises:
        TooComplexError: more than :data:`MAX_REVISIONS` revisions or :data:`MAX_SIGNATURES`
            signatures.
        Exception: the file's structure cannot be read (a parse error of any kind).
    """
    if reader.total_revisions > MAX_REVISIONS:
        raise TooComplexError(f"{reader.total_revisions} revisions")
    found = _find_signatures(reader)
    if len(found) > MAX_SIGNATURES:
        raise TooComplexError(f"{len(found)} signatures")
    context = _validation_context(trust_roots)
    checked: list[CheckedSignature] = []
    for item in sorted(found, key=lambda f: f.first_revision):
        signature = _embedded(reader, item)
        is_timestamp = _is_timestamp(signature, item)
        analyse = not is_timestamp and not any(not c.timestamp for c in checked)
        checked.append(_check(signature, item, is_timestamp, context, analyse))
    return checked


def _find_signatures(reader: PdfFileReader) -> list[_Found]:
    """Signature values in every revision, each once, keyed by their bytes and byte range."""
    latest = reader.total_revisions - 1
    seen: dict[tuple[bytes, str], _Found] = {}
    for revision in range(reader.total_revisions):
        resolver = reader.get_historical_resolver(revision)
        for name, value, field_ref in enumerate_sig_fields(resolver, filled_status=True):
            key = _signature_key(value)
            present = revision == latest
            earlier = seen.get(key)
            if earlier is None:
                seen[key] = _Found(str(name), _field_dict(field_ref), revision, present)
            elif present:
                seen[key] = _Found(earlier.field_name, earlier.field, earlier.first_revision, True)
    return list(seen.values())


def _signature_key(value: Any) -> tuple[bytes, str]:
    """What identifies one signature across revisions: its value and the bytes it signs."""
    try:
        signature = value.get_object()
        contents = signature.raw_get("/Contents")
        byte_range = signature.raw_get("/ByteRange")
    except Exception:  # no signature dictionary to speak of; it is reported as unreadable
        return (repr(value).encode(), "")
    raw = bytes(contents) if isinstance(contents, bytes) else repr(contents).encode()
    return (raw, repr(byte_range))


def _field_dict(field_ref: Any) -> generic.DictionaryObject | None:
    try:
        field = field_ref.get_object()
    except Exception:
        return None
    return field if isinstance(field, generic.DictionaryObject) else None


def _embedded(reader: PdfFileReader, item: _Found) -> EmbeddedPdfSignature | None:
    if item.field is None:
        return None
    try:
        return EmbeddedPdfSignature(reader, item.field, item.field_name)
    except Exception:  # bad DER, no /ByteRange, no /Contents: a signature that cannot be read
        return None


def _is_timestamp(signature: EmbeddedPdfSignature | None, item: _Found) -> bool:
    if signature is not None:
        return str(signature.sig_object_type) == "/DocTimeStamp"
    try:
        assert item.field is not None
        return str(item.field["/V"].get("/Type", "/Sig")) == "/DocTimeStamp"
    except Exception:
        return False


def _check(
    signature: EmbeddedPdfSignature | None,
    item: _Found,
    is_timestamp: bool,
    context: ValidationContext,
    analyse: bool,
) -> CheckedSignature:
    unreadable = CheckedSignature(
        field_name=item.field_name,
        timestamp=is_timestamp,
        revision=item.first_revision,
        present=item.present,
        readable=False,
        intact=False,
        trusted=False,
        coverage=None,
        modification_level=None,
        certificate=None,
        signed_at=None,
    )
    if signature is None:
        return unreadable
    certificate = _certificate_facts(signature)
    try:
        if is_timestamp:
            ts_status = validate_pdf_timestamp(
                signature, validation_context=context, skip_diff=True
            )
            status: Any = ts_status
            signed_at: datetime | None = ts_status.timestamp
        else:
            status = validate_pdf_signature(
                signature,
                signer_validation_context=context,
                diff_policy=STRICT_DIFF_POLICY,
                skip_diff=not analyse,
            )
            signed_at = status.signer_reported_dt
    except Exception:
        # A signature so damaged it cannot even be evaluated (broken byte range, unreadable
        # objects) is a broken signature, whatever pyHanko raises.
        return replace(unreadable, readable=True, certificate=certificate)
    return CheckedSignature(
        field_name=item.field_name,
        timestamp=is_timestamp,
        revision=int(signature.signed_revision),
        present=item.present,
        readable=True,
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted),
        coverage=status.coverage.name.lower() if status.coverage is not None else None,
        modification_level=_modification_level(status.diff_result) if analyse else None,
        certificate=certificate,
        signed_at=signed_at,
        signed_length=_signed_length(signature, status.coverage),
    )


def _signed_length(
    signature: EmbeddedPdfSignature, coverage: SignatureCoverageLevel | None
) -> int | None:
    if coverage is None or coverage < SignatureCoverageLevel.ENTIRE_REVISION:
        return None
    _, _, second_start, second_length = (int(n) for n in signature.byte_range)
    return second_start + second_length


def _modification_level(diff_result: object) -> ModificationLevel:
    if isinstance(diff_result, DiffResult):
        return diff_result.modification_level
    # pyHanko returns the SuspiciousModification it caught (or nothing, when coverage alone
    # could not be established): either way the change is unexplained.
    return ModificationLevel.OTHER


def covers_entire_file(signature: CheckedSignature) -> bool:
    """Whether nothing at all follows this signature in the file."""
    return signature.coverage == SignatureCoverageLevel.ENTIRE_FILE.name.lower()


def _validation_context(trust_roots: Sequence[bytes]) -> ValidationContext:
    roots = [asn1_x509.Certificate.load(der) for der in trust_roots]
    return ValidationContext(trust_roots=roots, allow_fetching=False)


def _certificate_facts(signature: EmbeddedPdfSignature) -> CertificateFacts | None:
    try:
        certificate = signature.signer_cert
        subject = certificate.subject.native
        return CertificateFacts(
            name=str(subject.get("common_name") or certificate.subject.human_friendly),
            organisation=_text(subject.get("organization_name")),
            email=_text(subject.get("email_address")),
            fingerprint_sha256=certificate.sha256.hex(),
            issuer=str(certificate.issuer.human_friendly),
            self_signed=certificate.self_signed != "no",
        )
    except Exception:
        return None


def _text(value: object) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value) if value else ""
