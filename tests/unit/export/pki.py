"""Test PKI: an agency CA, a worker certificate issued by it, and a timestamping authority."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

START = datetime(2025, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Issued:
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    cert: x509.Certificate

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _issue(cn: str, issuer: Issued | None, *, ca: bool = False, tsa: bool = False) -> Issued:
    # pyHanko's dummy timestamper only signs with RSA.
    key = rsa.generate_private_key(65537, 2048) if tsa else ec.generate_private_key(ec.SECP256R1())
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(issuer.cert.subject if issuer else _name(cn))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(START)
        .not_valid_after(START + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=not tsa,
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
    if tsa:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
    signing_key = issuer.key if issuer else key
    return Issued(key, builder.sign(signing_key, hashes.SHA256()))


def agency_ca() -> Issued:
    return _issue("Riverbend Agency Signing CA", None, ca=True)


def worker_p12(ca: Issued, password: bytes, name: str = "Jordan Lee") -> bytes:
    worker = _issue(name, ca)
    return pkcs12.serialize_key_and_certificates(
        b"worker",
        worker.key,
        worker.cert,
        [ca.cert],
        serialization.BestAvailableEncryption(password),
    )


def cert_only_p12(ca: Issued) -> bytes:
    return pkcs12.serialize_key_and_certificates(
        b"cert", None, None, [ca.cert], serialization.NoEncryption()
    )


def tsa(ca: Issued) -> Issued:
    return _issue("Test TSA", ca, tsa=True)
