"""Plan document commands: export-plan and verify-pdf."""

from __future__ import annotations

import argparse
import os
import stat
from pathlib import Path
from typing import Any

from casedesk.cli.common import (
    EXIT_INVALID_DOC,
    EXIT_OK,
    PASSPHRASE_ENV,
    CliError,
    print_json,
    unlocked,
)
from casedesk.domain.documents import PaperSize
from casedesk.export.signature_checks import CertificateFacts
from casedesk.export.verify import (
    MAX_PDF_BYTES,
    SignatureKind,
    SignatureReport,
    VerificationResult,
    verify_plan_pdf,
)
from casedesk.services.plan_documents import ExportRequest, PlanDocumentService


def register(commands: Any) -> None:
    """Add the plan document commands to the parser."""
    export = commands.add_parser("export-plan", help="write a plan version as a PDF")
    export.add_argument("--client", required=True, metavar="ID")
    export.add_argument("--version", type=int, metavar="N", help="plan version (default: current)")
    export.add_argument("--out", required=True, metavar="FILE")
    export.add_argument("--file-copy", action="store_true", help="full detail for the file")
    export.add_argument("--large-print", action="store_true", help="14 pt body text")
    export.add_argument("--letter", action="store_true", help="US Letter paper (default A4)")
    export.add_argument("--sign", action="store_true", help="sign it digitally as the case manager")
    export.set_defaults(handler=cmd_export_plan)

    verify = commands.add_parser(
        "verify-pdf",
        help="check a plan PDF's signatures (exit 0 valid and unmodified, 5 otherwise)",
        description="Check who signed a plan PDF and whether it changed since. Works without a "
        "vault; with a vault passphrase (CASEDESK_PASSPHRASE or --passphrase-file) it also names "
        "your own signature and the stored plan version.",
    )
    verify.add_argument("file", metavar="FILE")
    verify.add_argument("--json", action="store_true", help="print the verdict as JSON")
    verify.add_argument(
        "--no-vault", action="store_true", help="check as a recipient would, without the vault"
    )
    verify.set_defaults(handler=cmd_verify_pdf)


def cmd_export_plan(args: argparse.Namespace) -> int:
    """Export (and optionally sign) a plan version; the copy is also kept in the vault."""
    request = ExportRequest(
        client_id=args.client,
        version_no=args.version,
        file_copy=args.file_copy,
        large_print=args.large_print,
        paper=PaperSize.LETTER if args.letter else PaperSize.A4,
        sign=args.sign,
    )
    with unlocked(args) as services:
        exported = PlanDocumentService(services.vault.db).export(request)
    _write_export(Path(args.out), exported.data)
    state = "signed" if exported.signed else "unsigned"
    print(f"Plan version {exported.version_no} written to {args.out} ({state}).")
    print(f"sha256 {exported.sha256}")
    return EXIT_OK


def _write_export(path: Path, data: bytes) -> None:
    # The user asked for this plaintext copy; it is created owner-only all the same.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except OSError as exc:
        raise CliError(f"Cannot write {path}: {exc.strerror}.") from None


def cmd_verify_pdf(args: argparse.Namespace) -> int:
    """Verify a plan PDF; with a vault passphrase available, also match it to a stored version."""
    data = _read_pdf(Path(args.file))
    wants_vault = os.environ.get(PASSPHRASE_ENV) is not None or args.passphrase_file
    if wants_vault and not args.no_vault:
        with unlocked(args) as services:
            result = PlanDocumentService(services.vault.db).verify(data)
    else:
        result = verify_plan_pdf(data)
    if args.json:
        print_json(result.to_dict())
    else:
        _print_result(result)
    return EXIT_OK if result.ok else EXIT_INVALID_DOC


def _read_pdf(path: Path) -> bytes:
    """The file's bytes, refusing anything but a regular file of a plausible size.

    Opened non-blocking and checked with ``fstat`` on the open descriptor, so a FIFO, a device
    (``/dev/zero``) or a directory is refused without reading, and no swap between check and
    read can slip one in.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise CliError(f"Cannot read {path}: {exc.strerror}.") from None
    try:
        _refuse_unless_plausible(path, os.fstat(fd))
    except CliError:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as handle:
        try:
            data = handle.read(MAX_PDF_BYTES + 1)
        except OSError as exc:
            raise CliError(f"Cannot read {path}: {exc.strerror}.") from None
    return data


def _refuse_unless_plausible(path: Path, info: os.stat_result) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise CliError(
            f"{path} is not a regular file, so it cannot be a PDF to check.", EXIT_INVALID_DOC
        )
    if info.st_size > MAX_PDF_BYTES:
        raise CliError(
            f"{path} is larger than {MAX_PDF_BYTES // 2**20} MB, far larger than any plan; "
            "it was not checked.",
            EXIT_INVALID_DOC,
        )


def _print_result(result: VerificationResult) -> None:
    print(f"status: {result.status.value}")
    print(f"reason: {result.reason}")
    if result.signer_name:
        print(
            f"signed by: {_signer_line(result.reference.certificate if result.reference else None)}"
        )
    if result.signer_fingerprint:
        print(f"certificate sha256: {result.signer_fingerprint}")
    if result.signed_at:
        print(f"signed at: {result.signed_at.isoformat()} (the signer's device clock)")
    print(f"whole file covered: {'yes' if result.covers_whole_file else 'no'}")
    if result.modification_level:
        print(f"changes after signing: {result.modification_level}")
    print(f"signatures: {len(result.signatures)}")
    for report in result.signatures:
        _print_signature(report)
    print(f"stored version: {_stored_version(result)}")
    print(f"sha256: {result.sha256}")


def _print_signature(report: SignatureReport) -> None:
    kind = "timestamp" if report.kind is SignatureKind.DOCUMENT_TIMESTAMP else "signature"
    print(
        f"  {report.position}. {kind} in field {report.field_name!r}, revision {report.revision}"
        + ("" if report.present else " (no longer in the file)")
    )
    certificate = report.certificate
    print(f"     by: {_signer_line(certificate)}")
    if certificate is not None:
        print(f"     certificate sha256: {certificate.fingerprint_sha256}")
        issuer = "self-signed" if certificate.self_signed else f"issued by {certificate.issuer}"
        print(f"     certificate: {issuer}, {'trusted' if report.trusted else 'not trusted'}")
    if report.vault_identity is not None:
        print(f"     vault: your own signing identity {report.vault_identity!r}")
    if report.signed_at is not None:
        print(f"     time: {report.signed_at.isoformat()}")
    print(
        f"     intact: {'yes' if report.intact else 'NO'}; coverage: {report.coverage or '-'}"
        + (f"; changes after it: {report.modification_level}" if report.modification_level else "")
    )
    print(f"     finding: {report.finding}")


def _signer_line(certificate: CertificateFacts | None) -> str:
    if certificate is None:
        return "unreadable certificate"
    parts = [certificate.name, certificate.organisation, certificate.email]
    return " · ".join(p for p in parts if p)


def _stored_version(result: VerificationResult) -> str:
    if result.hash_known is None:
        return "not checked (no vault passphrase given)"
    if not result.hash_known:
        return "NOT FOUND"
    version = f"plan version {result.plan_version}" if result.plan_version else "a stored document"
    if result.ok:
        return f"matches {version} ({result.plan_version_id or 'no version id'})"
    return f"the signed original is {version}, but this copy was changed after signing"
