"""Plan commands: plan agree, export-plan and verify-pdf."""

from __future__ import annotations

import argparse
import os
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
from casedesk.services.files import check_output_path, read_input_file
from casedesk.services.plan_documents import ExportRequest, PlanDocumentService

MAX_VERSION_NUMBER = 1_000_000


def register(commands: Any) -> None:
    """Add the plan commands to the parser."""
    plan = commands.add_parser("plan", help="agree a client's case plan")
    plan_cmds = plan.add_subparsers(dest="plan_command", metavar="ACTION", required=True)
    agree = plan_cmds.add_parser(
        "agree", help="agree the client's current plan as its next version (needs My details)"
    )
    agree.add_argument("--client", required=True, metavar="ID")
    agree.set_defaults(handler=cmd_plan_agree)
    export = commands.add_parser("export-plan", help="write a plan version as a PDF")
    export.add_argument("--client", required=True, metavar="ID")
    export.add_argument(
        "--version", type=version_number, metavar="N", help="plan version (default: current)"
    )
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


def cmd_plan_agree(args: argparse.Namespace) -> int:
    """Agree the client's current plan (refused until your name and phone are set)."""
    with unlocked(args) as services:
        plan = services.plans.current_plan(args.client)
        if plan is None:
            raise CliError("This client has no case plan yet.")
        agreed = services.plans.agree(plan.id)
    print(f"Plan version {agreed.current_version} agreed.")
    return EXIT_OK


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
        check_output_path(args.out, (services.vault.path,))  # before the export is recorded
        exported = PlanDocumentService(services.vault.db).export(request)
        # The user asked for this plaintext copy; it is created owner-only all the same.
        services.vault.write_user_file(args.out, exported.data)
    state = "signed" if exported.signed else "unsigned"
    print(f"Plan version {exported.version_no} written to {args.out} ({state}).")
    print(f"sha256 {exported.sha256}")
    return EXIT_OK


def version_number(text: str) -> int:
    """A plan version number for argparse (a bounded positive whole number)."""
    try:
        number = int(text)
    except ValueError:
        number = 0
    if not 1 <= number <= MAX_VERSION_NUMBER:
        raise argparse.ArgumentTypeError(f"{text!r} is not a plan version number")
    return number


def cmd_verify_pdf(args: argparse.Namespace) -> int:
    """Verify a plan PDF; with a vault passphrase available, also match it to a stored version."""
    data = read_input_file(args.file, MAX_PDF_BYTES, "PDF")  # never a device or an endless file
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
