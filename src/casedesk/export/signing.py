"""Digital signing of plan PDFs (PAdES, visible field over the case manager's block).

The case manager signs with either a self-signed identity made at first use
(:func:`generate_self_signed_identity`; the caller stores the PKCS#12 bytes and its random
password encrypted in the vault) or an agency-issued PKCS#12 (:func:`load_signing_identity`).
Everything happens in memory; nothing is written to disk.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from asn1crypto import pkcs12 as asn1_pkcs12
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.keys.internal import (
    translate_pyca_cryptography_cert_to_asn1,
    translate_pyca_cryptography_key_to_asn1,
)
from pyhanko.pdf_utils import layout as pdf_layout
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from casedesk.domain.documents import SignatureRole
from casedesk.export.signature_panel import SignatureLayout

CASE_MANAGER_FIELD = "CaseManagerSignature"
KEY_SIZE = 3072
DEFAULT_VALIDITY_DAYS = 5 * 365
# The stamp text sits in the bottom strip of the case manager's box; a drawn signature (if any)
# is placed above it (see ``signature_images.CASE_MANAGER_INK_SHARE``).
STAMP_FONT_SIZE = 7


class SigningIdentityError(ValueError):
    """A signing identity could not be loaded; the message is fit to show to the user."""


class NotPkcs12Error(SigningIdentityError):
    """The file is not a PKCS#12 (.p12/.pfx) certificate file."""


class WrongPasswordError(SigningIdentityError):
    """The PKCS#12 file is fine but the password does not open it."""


class IncompleteIdentityError(SigningIdentityError):
    """The PKCS#12 file opens but lacks a private key or a certificate."""


class SigningError(RuntimeError):
    """The PDF could not be signed (for example, it is already signed)."""


@dataclass(frozen=True, slots=True)
class GeneratedIdentity:
    """A new self-signed identity, to be stored encrypted in the vault by the caller.

    Attributes:
        pkcs12: the key and certificate as PKCS#12 bytes, encrypted with ``password``.
        password: a random password for ``pkcs12`` (store it next to it, in the vault).
        fingerprint_sha256: SHA-256 of the DER certificate (hex), to record with signatures.
        subject_name: the certificate's common name.
        not_after: when the certificate expires (UTC).
        certificate_der: the public certificate alone; keep it next to the bundle to pass as a
            trust root to ``verify_plan_pdf`` without opening the PKCS#12 (which costs
            100-300 ms: key decryption and RSA key checks).
    """

    pkcs12: bytes
    password: str
    fingerprint_sha256: str
    subject_name: str
    not_after: datetime
    certificate_der: bytes


@dataclass(frozen=True, slots=True)
class SigningIdentity:
    """A loaded key and certificate, ready to sign with."""

    signer: signers.SimpleSigner
    subject_name: str
    fingerprint_sha256: str
    certificate_der: bytes


@dataclass(frozen=True, slots=True)
class SignedPdf:
    """A signed PDF and the facts the caller stores with the plan version."""

    data: bytes
    sha256: str
    signer_name: str
    certificate_fingerprint: str
    field_name: str


# ---------------------------------------------------------------- identities


def _subject(name: str, organisation: str, email: str) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, name)]
    if organisation:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    if email:
        attributes.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, email))
    return x509.Name(attributes)


def generate_self_signed_identity(
    name: str,
    organisation: str = "",
    email: str = "",
    *,
    valid_from: datetime | None = None,
    validity_days: int = DEFAULT_VALIDITY_DAYS,
) -> GeneratedIdentity:
    """Make an RSA-3072 key and a self-signed document-signing certificate.

    Args:
        name: the case manager's name (certificate common name).
        organisation: their organisation, if any.
        email: their email, if any.
        valid_from: start of validity (default: now, less an hour for clock skew).
        validity_days: how long the certificate is valid.

    Returns:
        The PKCS#12 bytes with a fresh random password, and certificate facts.
    """
    if not name.strip():
        raise ValueError("A signing identity needs the case manager's name.")
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    start = valid_from or (datetime.now(UTC) - timedelta(hours=1))
    subject = _subject(name.strip(), organisation.strip(), email.strip())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=validity_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    password = secrets.token_urlsafe(32)
    bundle = pkcs12.serialize_key_and_certificates(
        name=name.strip().encode("utf-8"),
        key=key,
        cert=certificate,
        cas=None,
        encryption_algorithm=serialization.BestAvailableEncryption(password.encode("utf-8")),
    )
    der = certificate.public_bytes(serialization.Encoding.DER)
    return GeneratedIdentity(
        pkcs12=bundle,
        password=password,
        fingerprint_sha256=hashlib.sha256(der).hexdigest(),
        subject_name=name.strip(),
        not_after=certificate.not_valid_after_utc,
        certificate_der=der,
    )


def _looks_like_pkcs12(data: bytes) -> bool:
    """Whether ``data`` parses as a PKCS#12 PFX structure (without decrypting anything)."""
    try:
        pfx = asn1_pkcs12.Pfx.load(data, strict=True)
        return pfx["version"].native == "v3" and pfx["auth_safe"]["content_type"].native in {
            "data",
            "signed_data",
        }
    except (ValueError, TypeError, KeyError):
        return False


def _common_name(certificate: x509.Certificate) -> str:
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if names:
        value = names[0].value
        return value if isinstance(value, str) else value.decode("utf-8", "replace")
    return certificate.subject.rfc4514_string()


def load_signing_identity(pkcs12_data: bytes, password: str | bytes | None) -> SigningIdentity:
    """Open a PKCS#12 (.p12/.pfx) signing identity from memory.

    Args:
        pkcs12_data: the file's bytes.
        password: its password (``None`` or ``""`` for an unprotected file).

    Raises:
        NotPkcs12Error: the bytes are not a PKCS#12 file.
        WrongPasswordError: the password does not open it.
        IncompleteIdentityError: it holds no private key or no certificate.
    """
    if not _looks_like_pkcs12(pkcs12_data):
        raise NotPkcs12Error("This file is not a certificate file (PKCS#12, usually .p12 or .pfx).")
    secret = password.encode("utf-8") if isinstance(password, str) else password
    try:
        key, certificate, extra = pkcs12.load_key_and_certificates(pkcs12_data, secret or None)
    except ValueError as error:
        raise WrongPasswordError(
            "The password does not open this certificate file. Check it and try again."
        ) from error
    if key is None:
        raise IncompleteIdentityError("This certificate file has no private key to sign with.")
    if certificate is None:
        raise IncompleteIdentityError("This certificate file has no certificate.")
    return _identity_from(key, certificate, extra)


class _PreloadedKeySigner(signers.SimpleSigner):
    """A ``SimpleSigner`` that signs with a key object loaded once.

    pyHanko's ``SimpleSigner.sign_raw`` re-parses the private key for every signature, and
    parsing re-validates an RSA key (about 130 ms for RSA-3072, twice per PDF). Keeping the
    parsed key brings signing well under the 300 ms budget.
    """

    def __init__(self, private_key: PrivateKeyTypes, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._private_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        hash_algorithm = get_pyca_cryptography_hash(digest_algorithm)
        key = self._private_key
        if mechanism == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, PKCS1v15(), hash_algorithm)
        if mechanism == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(hash_algorithm))
        return bytes(super().sign_raw(data, digest_algorithm))


def _identity_from(
    key: PrivateKeyTypes, certificate: x509.Certificate, extra: Sequence[x509.Certificate]
) -> SigningIdentity:
    registry = SimpleCertificateStore()  # type: ignore[no-untyped-call]
    registry.register_multiple(translate_pyca_cryptography_cert_to_asn1(c) for c in extra)
    try:
        signer = _PreloadedKeySigner(
            key,
            signing_cert=translate_pyca_cryptography_cert_to_asn1(certificate),
            signing_key=translate_pyca_cryptography_key_to_asn1(key),
            cert_registry=registry,
        )
    except (ValueError, NotImplementedError) as error:  # key types pyHanko cannot sign with
        raise IncompleteIdentityError(
            f"This certificate file cannot be used to sign: {error}"
        ) from error
    der = certificate.public_bytes(serialization.Encoding.DER)
    return SigningIdentity(
        signer=signer,
        subject_name=_common_name(certificate),
        fingerprint_sha256=hashlib.sha256(der).hexdigest(),
        certificate_der=der,
    )


# ---------------------------------------------------------------- signing


def _stamp_safe(text: str) -> str:
    """Text the stamp's standard font can show (WinAnsi): accents folded, the rest dropped.

    The stamp uses a PDF standard font (no embedded glyphs), so non-Latin names cannot appear in
    it. The signer's full name is printed in Unicode right above the box by the plan renderer.
    """
    folded = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in folded if not unicodedata.combining(c))
    return kept.encode("cp1252", "ignore").decode("cp1252").strip()


def _stamp_style(signer_name: str) -> TextStampStyle:
    name = _stamp_safe(signer_name)
    first_line = f"Digitally signed by {name}" if name else "Digitally signed"
    return TextStampStyle(
        stamp_text=first_line + "\n%(ts)s",
        timestamp_format="%Y-%m-%d %H:%M UTC",
        border_width=0,
        text_box_style=TextBoxStyle(font_size=STAMP_FONT_SIZE, leading=STAMP_FONT_SIZE + 2),
        inner_content_layout=pdf_layout.SimpleBoxLayoutRule(
            x_align=pdf_layout.AxisAlignment.ALIGN_MIN,
            y_align=pdf_layout.AxisAlignment.ALIGN_MIN,
            margins=pdf_layout.Margins(left=5, right=5, top=3, bottom=4),
            inner_content_scaling=pdf_layout.InnerScaling.SHRINK_TO_FIT,
        ),
    )


def _last_page_index(pdf: bytes) -> int:
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    return int(reader.root["/Pages"]["/Count"]) - 1


def sign_plan_pdf(
    pdf: bytes,
    identity: SigningIdentity,
    layout: SignatureLayout,
    *,
    page_index: int | None = None,
    reason: str = "Case plan agreed with the client",
    location: str | None = None,
) -> SignedPdf:
    """Sign a plan PDF as the case manager, with a visible field over their signature box.

    Args:
        pdf: the plan PDF (with any drawn signatures already placed).
        identity: the case manager's signing identity.
        layout: the plan's signature layout (from the build result or ``plan_layout``).
        page_index: page holding the signature blocks; default the last page.
        reason: the signing reason recorded in the signature.
        location: where it was signed, if the caller wants to record it.

    Returns:
        The signed bytes, their SHA-256 and signer facts.

    Raises:
        SigningError: the PDF cannot be read or is already signed by the case manager.
    """
    try:
        page = _last_page_index(pdf) if page_index is None else page_index
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    except Exception as error:
        raise SigningError("This file is not a readable PDF.") from error
    if any(name == CASE_MANAGER_FIELD for name, _, _ in fields.enumerate_sig_fields(writer)):
        raise SigningError("This plan has already been signed by the case manager.")
    box = layout.box(SignatureRole.CASE_MANAGER)
    fields.append_signature_field(
        writer, fields.SigFieldSpec(CASE_MANAGER_FIELD, on_page=page, box=_int_rect(box.rect))
    )
    metadata = signers.PdfSignatureMetadata(
        field_name=CASE_MANAGER_FIELD,
        reason=reason,
        location=location,
        name=identity.subject_name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    pdf_signer = signers.PdfSigner(
        metadata, signer=identity.signer, stamp_style=_stamp_style(identity.subject_name)
    )
    output = io.BytesIO()
    pdf_signer.sign_pdf(writer, output=output)
    data = output.getvalue()
    return SignedPdf(
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        signer_name=identity.subject_name,
        certificate_fingerprint=identity.fingerprint_sha256,
        field_name=CASE_MANAGER_FIELD,
    )


def _int_rect(rect: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
    """PyHanko wants whole points; round inwards so the field never exceeds the drawn box."""
    x1, y1, x2, y2 = rect
    return (int(x1 + 0.999), int(y1 + 0.999), int(x2), int(y2))
