"""Plan commands: plan agree, export-plan and verify-pdf."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from casedesk.cli.common import EXIT_INVALID_DOC, EXIT_OK, PASSPHRASE_ENV, CliError, unlocked
from casedesk.domain.documents import PaperSize
from casedesk.export.verify import VerificationResult, verify_plan_pdf
from casedesk.services.plan_documents import ExportRequest, PlanDocumentService


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
    export.add_argument("--version", type=int, metavar="N", help="plan version (default: current)")
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
    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        raise CliError(f"Cannot read {args.file}: {exc.strerror}.") from None
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
