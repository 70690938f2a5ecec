"""Shared CLI plumbing: passphrases, opening the vault, error-to-exit-code mapping."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from casedesk.domain.plans import PlanTransitionError
from casedesk.paths import resolve_vault_dir
from casedesk.services.bundle import Services
from casedesk.services.errors import (
    KNOWN_DB_ERRORS,
    ValidationError,
    VaultError,
    translate_db_error,
)
from casedesk.services.vault_service import VaultService

PASSPHRASE_ENV = "CASEDESK_PASSPHRASE"
# A passphrase or recovery-key file is a line of text; anything larger was named by mistake
# (and /dev/zero must not be read to the end).
MAX_SECRET_FILE_BYTES = 64 * 1024
NEW_PASSPHRASE_ENV = "CASEDESK_NEW_PASSPHRASE"
EXIT_OK, EXIT_OTHER, EXIT_USAGE, EXIT_WRONG_KEY, EXIT_DAMAGED, EXIT_INVALID_DOC = 0, 1, 2, 3, 4, 5

Handler = Callable[[argparse.Namespace], int]


class CliError(Exception):
    """A failure with a plain message and an exit code."""

    def __init__(self, message: str, exit_code: int = EXIT_OTHER) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def run_command(args: argparse.Namespace) -> int:
    """Run the handler chosen by the parser, mapping known errors to exit codes."""
    handler: Handler = args.handler
    try:
        return handler(args)
    except VaultError as exc:
        raise CliError(str(exc), exc.exit_code) from None
    except PlanTransitionError as exc:  # e.g. agreeing before My details are set
        raise CliError(str(exc), EXIT_OTHER) from None
    except ValidationError as exc:
        details = "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in exc.errors.items())
        raise CliError(details, EXIT_USAGE) from None
    except KeyboardInterrupt:
        raise CliError("cancelled", EXIT_OTHER) from None
    except KNOWN_DB_ERRORS as exc:
        # e.g. "database disk image is malformed" on a damaged page read mid-command.
        known = translate_db_error(exc)
        if isinstance(known, VaultError):
            raise CliError(str(known), known.exit_code) from None
        raise


def read_passphrase(args: argparse.Namespace, *, prompt: str = "Passphrase: ") -> str:
    """The passphrase from the environment, ``--passphrase-file`` or an interactive prompt."""
    from_env = os.environ.get(PASSPHRASE_ENV)
    if from_env is not None:
        return from_env
    if args.passphrase_file:
        text = read_secret_file(Path(args.passphrase_file), "passphrase file")
        return text.splitlines()[0] if text else ""
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    raise CliError(
        f"No passphrase given: set {PASSPHRASE_ENV}, use --passphrase-file, or run interactively.",
        EXIT_USAGE,
    )


def read_new_passphrase(args: argparse.Namespace, env: str = NEW_PASSPHRASE_ENV) -> str:
    """A new passphrase from ``env`` or a prompt (asked twice)."""
    from_env = os.environ.get(env)
    if from_env is not None:
        return from_env
    if not sys.stdin.isatty():
        raise CliError(f"No new passphrase given: set {env} or run interactively.", EXIT_USAGE)
    first = getpass.getpass("New passphrase: ")
    if getpass.getpass("Repeat the new passphrase: ") != first:
        raise CliError("The two passphrases differ; nothing was changed.", EXIT_USAGE)
    return first


def read_secret_file(path: Path, what: str) -> str:
    """The text of a small secret file (a pipe such as ``<(pass show x)`` is fine).

    Raises:
        CliError: (usage) unreadable, too large, or not text.
    """
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_SECRET_FILE_BYTES + 1)
    except OSError as exc:
        raise CliError(f"Cannot read the {what}: {exc.strerror}.", EXIT_USAGE) from None
    if len(data) > MAX_SECRET_FILE_BYTES:
        raise CliError(f"The {what} is far too large; is it the right file?", EXIT_USAGE)
    return _text_or_refuse(data, what)


def _text_or_refuse(data: bytes, what: str) -> str:
    try:
        text: str | None = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is None or any(ord(char) < 32 and char not in "\t\r\n" for char in text):
        raise CliError(f"The {what} is not a text file; is it the right file?", EXIT_USAGE)
    return text


def vault_service(args: argparse.Namespace) -> VaultService:
    """The vault named by ``--vault``, ``CASEDESK_VAULT`` or the default location."""
    return VaultService(resolve_vault_dir(args.vault))


@contextmanager
def unlocked(args: argparse.Namespace, *, warn: bool = True) -> Iterator[Services]:
    """Unlock the vault for one command and always lock it again.

    Args:
        args: the parsed command line.
        warn: print what the unlock warned about to stderr (``check`` reports it itself).
    """
    vault = vault_service(args)
    vault.unlock(read_passphrase(args))
    for warning in vault.open_warnings if warn else ():
        print(f"warning: {warning}", file=sys.stderr)
    try:
        yield Services.for_vault(vault)
    finally:
        vault.lock()


def print_json(value: Any) -> None:
    """Print JSON for scripts (dates as ISO strings)."""
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str))
