"""The ``casedesk`` command: administer a vault without the GUI, or start the GUI.

Exit codes: 0 ok, 1 other failure, 2 usage, 3 wrong passphrase or recovery key,
4 vault damaged or too new, 5 a document failed verification.
Passphrases come from ``CASEDESK_PASSPHRASE``, ``--passphrase-file`` or a prompt, never from an
argument (arguments are visible to other users and end up in shell history). The global options
``--vault`` and ``--passphrase-file`` work before or after the command. Output into a pipe that
was closed early (``casedesk client list | head -1``) ends quietly with exit 1.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from casedesk import __version__, crashlog
from casedesk.cli import (
    demo_cmds,
    exit_cmds,
    me_cmds,
    plan_cmds,
    record_cmds,
    referral_cmds,
    sync_cmds,
    vault_cmds,
)
from casedesk.cli.common import EXIT_OTHER, CliError, run_command
from casedesk.paths import resolve_vault_dir

COMMAND_MODULES = [
    vault_cmds,
    record_cmds,
    referral_cmds,
    exit_cmds,
    me_cmds,
    demo_cmds,
    plan_cmds,
    sync_cmds,
]


def _add_global_options(parser: argparse.ArgumentParser, default: Any) -> None:
    parser.add_argument(
        "--vault", metavar="DIR", default=default, help="vault directory (or CASEDESK_VAULT)"
    )
    parser.add_argument(
        "--passphrase-file",
        metavar="FILE",
        default=default,
        help="read the passphrase from the first line of FILE",
    )


class CommandParser(argparse.ArgumentParser):
    """A command's parser: it also takes the global options, after the command name.

    Their default is "not given" (``SUPPRESS``), so a value given before the command is kept
    unless the same option comes again after it.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # No prefix matching: "--passphrase SECRET" must not be taken as "--passphrase-file".
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)
        _add_global_options(self, argparse.SUPPRESS)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (commands are registered by their modules)."""
    parser = argparse.ArgumentParser(
        prog="casedesk",
        description="Offline-first, encrypted case management. With no command, starts the app.",
        # No prefix matching: "--passphrase SECRET" must not be taken as "--passphrase-file".
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"casedesk {__version__}")
    _add_global_options(parser, None)
    parser.add_argument(
        "--demo", action="store_true", help="open a throw-away vault filled with demo data"
    )
    # Nested command parsers (client add, note add) inherit the class, so the options too.
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=CommandParser)
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
    try:
        code = _parse_and_run(argv, program)
        sys.stdout.flush()  # a closed pipe shows here, while it can still be handled
    except BrokenPipeError:
        # The reader (e.g. "| head -1") has all it wanted. Say nothing; in the real program
        # point stdout at devnull so the interpreter's final flush does not complain either.
        if program:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OTHER
    return code


def _parse_and_run(argv: Sequence[str] | None, program: bool) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        from casedesk.ui.app import run_gui

        return run_gui(resolve_vault_dir(args.vault), demo=args.demo, report_crashes=program)
    try:
        return run_command(args)
    except CliError as exc:
        print(f"casedesk: {exc}", file=sys.stderr)
        return exc.exit_code
