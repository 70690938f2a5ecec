"""Plan document commands: export-plan and verify-pdf."""

from __future__ import annotations

import argparse
import os
from typing import Any

from casedesk.cli.common import EXIT_INVALID_DOC, EXIT_OK, PASSPHRASE_ENV, unlocked
from casedesk.domain.documents import PaperSize
from casedesk.export.verify import VerificationResult, verify_plan_pdf
from casedesk.services.files import check_output_path, read_input_file
from casedesk.services.plan_documents import ExportRequest, PlanDocumentService

MAX_VERSION_NUMBER = 1_000_000
MAX_PDF_BYTES = 100 * 1024 * 1024  # a plan PDF is well under this, scanned pages included


def register(commands: Any) -> None:
    """Add the plan document commands to the parser."""
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
        help="check a plan PDF's signature (exit 0 valid and unmodified, 5 otherwise)",
    )
    verify.add_argument("file", metavar="FILE")
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
    data = read_input_file(args.file, MAX_PDF_BYTES)  # never a device or an endless file
    if os.environ.get(PASSPHRASE_ENV) is not None or args.passphrase_file:
        with unlocked(args) as services:
            result = PlanDocumentService(services.vault.db).verify(data)
    else:
        result = verify_plan_pdf(data)
    _print_result(result)
    return EXIT_OK if result.ok else EXIT_INVALID_DOC


def _print_result(result: VerificationResult) -> None:
    print(f"status: {result.status.value}")
    print(f"reason: {result.reason}")
    if result.signer_name:
        print(f"signed by: {result.signer_name}")
    if result.signed_at:
        print(f"signed at: {result.signed_at.isoformat()}")
    print(f"whole file covered: {'yes' if result.covers_whole_file else 'no'}")
    if result.hash_known is None:
        print("stored version: not checked (no vault passphrase given)")
    else:
        print(f"stored version: {'matches' if result.hash_known else 'NOT FOUND'}")
    print(f"sha256: {result.sha256}")
