"""The ``casedesk`` command: administer a vault without the GUI, or start the GUI.

Exit codes: 0 ok, 1 other failure, 2 usage, 3 wrong passphrase or recovery key,
4 vault damaged or too new, 5 a document failed verification.
Passphrases come from ``CASEDESK_PASSPHRASE``, ``--passphrase-file`` or a prompt, never from an
argument (arguments are visible to other users and end up in shell history).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from casedesk import __version__, crashlog
from casedesk.cli import (
    demo_cmds,
    exit_cmds,
    plan_cmds,
    record_cmds,
    referral_cmds,
    sync_cmds,
    vault_cmds,
)
from casedesk.cli.common import CliError, run_command
from casedesk.paths import resolve_vault_dir

COMMAND_MODULES = [
    vault_cmds,
    record_cmds,
    referral_cmds,
    exit_cmds,
    demo_cmds,
    plan_cmds,
    sync_cmds,
]


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (commands are registered by their modules)."""
    parser = argparse.ArgumentParser(
        prog="casedesk",
        description="Offline-first, encrypted case management. With no command, starts the app.",
        # No prefix matching: "--passphrase SECRET" must not be taken as "--passphrase-file".
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"casedesk {__version__}")
    parser.add_argument("--vault", metavar="DIR", help="vault directory (or CASEDESK_VAULT)")
    parser.add_argument(
        "--passphrase-file", metavar="FILE", help="read the passphrase from the first line of FILE"
    )
    parser.add_argument(
        "--demo", action="store_true", help="open a throw-away vault filled with demo data"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point for ``casedesk`` and ``python -m casedesk``.

    Args:
        argv: the arguments; None means this is the program itself (``sys.argv``), which then
            installs the crash reporter (:mod:`casedesk.crashlog`): a bug prints a plain
            message and leaves a report without client data, never a traceback. In-process
            callers (tests) pass ``argv`` and keep their own hooks.
    """
    program = argv is None
    if program:
        crashlog.install("cli", files_up_front=False)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from casedesk.ui.app import run_gui

        return run_gui(resolve_vault_dir(args.vault), demo=args.demo, report_crashes=program)
    try:
        return run_command(args)
    except CliError as exc:
        print(f"casedesk: {exc}", file=sys.stderr)
        return exc.exit_code
