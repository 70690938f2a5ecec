"""Forgeries of signed plan PDFs (the red team's findings), for unit, CLI and poppler tests.

Each helper appends an incremental update, the way any PDF editor or pyHanko/pypdf script would:
the genuine signature stays intact, and only an honest look at *all* revisions shows the change.
The timestamping authority is local (pyHanko's ``DummyTimeStamper``); nothing touches a network.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.keys.internal import (
    translate_pyca_cryptography_cert_to_asn1,
    translate_pyca_cryptography_key_to_asn1,
)
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from casedesk.export.signing import SigningIdentity

FORGED_TEXT = "FORGED: the client agrees to pay all costs"


def add_page_text(pdf: bytes, text: str = FORGED_TEXT) -> bytes:
    """Append an update that draws ``text`` on the last page (visible, and pdftotext finds it)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    kids = writer.root["/Pages"]["/Kids"]
    page = kids.raw_get(len(kids) - 1).get_object()
    font = writer.add_object(
        generic.DictionaryObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/Font"),
                generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
                generic.NameObject("/BaseFont"): generic.NameObject("/Helvetica"),
            }
        )
    )
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = generic.StreamObject(
        stream_data=f"BT /ForgedFont 14 Tf 60 760 Td ({escaped}) Tj ET".encode("latin-1")
    )
    contents = page.raw_get("/Contents")
    existing = list(contents) if isinstance(contents, generic.ArrayObject) else [contents]
    page[generic.NameObject("/Contents")] = generic.ArrayObject(
        [*existing, writer.add_object(stream)]
    )
    resources = page["/Resources"]
    # Indexing resolves an indirect /Font dictionary; .get() would return the bare reference.
    fonts = resources["/Font"] if "/Font" in resources else {}  # noqa: SIM401
    font_names = generic.DictionaryObject({**fonts, generic.NameObject("/ForgedFont"): font})
    page[generic.NameObject("/Resources")] = generic.DictionaryObject(
        {**resources, generic.NameObject("/Font"): font_names}
    )
    writer.update_container(page)
    return _written(writer)


def sign_again(pdf: bytes, identity: SigningIdentity, field_name: str = "Approval") -> bytes:
    """Sign ``pdf`` incrementally with ``identity`` in ``field_name`` (made if missing)."""
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason="Case plan version 3",
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    output = io.BytesIO()
    signers.PdfSigner(metadata, signer=identity.signer).sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdf)), output=output
    )
    return output.getvalue()


def strip_signature_values(pdf: bytes) -> bytes:
    """Append an update that empties every signature field (drops its ``/V``: the signature)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    for _name, _value, field_ref in list(fields.enumerate_sig_fields(writer, filled_status=True)):
        field = field_ref.get_object()
        del field["/V"]
        writer.update_container(field)
    return _written(writer)


def zero_signature_value(pdf: bytes) -> bytes:
    """Overwrite the last signature's value in place with zeros (its CMS data is gone)."""
    start = pdf.rindex(b"/Contents <") + len(b"/Contents <")
    end = pdf.index(b">", start)
    return pdf[:start] + b"0" * (end - start) + pdf[end:]


def add_visible_empty_field(pdf: bytes) -> bytes:
    """Append an empty, visible signature field on the last page (a form change, no signature)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    last_page = int(writer.root["/Pages"]["/Count"]) - 1
    fields.append_signature_field(
        writer, fields.SigFieldSpec("Witness", on_page=last_page, box=(60, 700, 300, 760))
    )
    return _written(writer)


class LocalTimestampAuthority:
    """A timestamping authority made up on the spot: self-signed, so nobody trusts it.

    Attributes:
        certificate_der: its certificate, to pass as a trust root when a test wants it trusted.
    """

    def __init__(self, name: str = "Untrusted Test TSA") -> None:
        key = rsa.generate_private_key(65537, 2048)  # pyHanko's dummy stamper signs with RSA
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        start = datetime.now(UTC) - timedelta(days=1)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + timedelta(days=365))
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
            )
            .sign(key, hashes.SHA256())
        )
        self._stamper = DummyTimeStamper(
            tsa_cert=translate_pyca_cryptography_cert_to_asn1(certificate),
            tsa_key=translate_pyca_cryptography_key_to_asn1(key),
        )
        self.certificate_der = certificate.public_bytes(serialization.Encoding.DER)

    def stamp(self, pdf: bytes) -> bytes:
        """Append a document timestamp (PAdES B-T style) to ``pdf``."""
        output = io.BytesIO()
        signers.PdfTimeStamper(self._stamper).timestamp_pdf(
            IncrementalPdfFileWriter(io.BytesIO(pdf)), "sha256", output=output
        )
        return output.getvalue()


def _written(writer: IncrementalPdfFileWriter) -> bytes:
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
