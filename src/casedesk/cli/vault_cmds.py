"""Vault commands: init, check, passwd, recover, backup, restore, stats."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from casedesk.cli.common import (
    EXIT_DAMAGED,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    print_json,
    read_new_passphrase,
    read_passphrase,
    read_secret_file,
    unlocked,
    vault_service,
)
from casedesk.domain.passphrase import estimate
from casedesk.services.errors import VaultError
from casedesk.services.files import check_output_path
from casedesk.services.passphrase_words import passphrase_words
from casedesk.services.stats import table_counts
from casedesk.services.vault_service import VaultService


def register(commands: Any) -> None:
    """Add the vault commands to the parser."""
    init = commands.add_parser("init", help="create a new vault")
    init.add_argument("--recovery-key-file", metavar="FILE", help="write the recovery key here")
    init.set_defaults(handler=cmd_init)

    check = commands.add_parser("check", help="check schema version and integrity")
    check.set_defaults(handler=cmd_check)

    passwd = commands.add_parser("passwd", help="change the passphrase")
    passwd.set_defaults(handler=cmd_passwd)

    recover = commands.add_parser("recover", help="set a new passphrase using the recovery key")
    recover.add_argument("--recovery-key-file", metavar="FILE", required=True)
    recover.set_defaults(handler=cmd_recover)

    backup = commands.add_parser("backup", help="write an encrypted, verified backup")
    backup.add_argument("--out", metavar="FILE", required=True)
    backup.set_defaults(handler=cmd_backup)

    restore = commands.add_parser("restore", help="restore a backup into the vault location")
    restore.add_argument("file", metavar="FILE")
    restore.add_argument(
        "--recovery-key-file", metavar="FILE", help="open the backup with the recovery key"
    )
    restore.set_defaults(handler=cmd_restore)

    stats = commands.add_parser("stats", help="count records per table")
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(handler=cmd_stats)


def cmd_init(args: argparse.Namespace) -> int:
    """Create the vault and print (or save) the recovery key."""
    vault = vault_service(args)
    if args.recovery_key_file:  # refuse a bad place before the key exists, not after
        check_output_path(args.recovery_key_file, (vault.path,))
    passphrase = read_passphrase(args, prompt="Choose a passphrase: ")
    _refuse_weak(passphrase)
    recovery_key = vault.create(passphrase)
    vault.lock()
    if args.recovery_key_file:
        _save_recovery_key(vault, args.recovery_key_file, recovery_key)
        print(f"Vault created at {vault.path}. Recovery key written to {args.recovery_key_file}.")
    else:
        _show_recovery_key(vault, recovery_key)
    return EXIT_OK


def _show_recovery_key(vault: VaultService, recovery_key: str) -> None:
    print(f"Vault created at {vault.path}.")
    print("Recovery key (write it down and keep it safe; it is shown only once):")
    print(recovery_key)


def _save_recovery_key(vault: VaultService, path: str, recovery_key: str) -> None:
    try:
        vault.write_user_file(path, (recovery_key + "\n").encode("utf-8"))
    except VaultError as exc:
        # The vault exists now: losing its only recovery key to a full disk is not an option.
        _show_recovery_key(vault, recovery_key)
        raise CliError(f"{exc} The recovery key is shown above instead.") from None


def cmd_check(args: argparse.Namespace) -> int:
    """Report schema revision, integrity and open-time warnings; exit 0 only when sound."""
    with unlocked(args, warn=False) as services:
        health = services.vault.check()
    print(f"schema: {health.schema_revision}")
    for warning in health.warnings:
        print(f"warning: {warning}")
    if health.sound:
        print("integrity: ok")
        print("cipher integrity: ok")
        return EXIT_OK
    for problem in health.problems:
        print(f"problem: {problem}")
    return EXIT_DAMAGED


def cmd_passwd(args: argparse.Namespace) -> int:
    """Change the passphrase (re-wraps the key; the database is untouched)."""
    vault = vault_service(args)
    vault.unlock(read_passphrase(args, prompt="Current passphrase: "))
    try:
        new = read_new_passphrase(args)
        _refuse_weak(new, passphrase_words(vault.db))
        vault.change_passphrase(new)
    finally:
        vault.lock()
    print("Passphrase changed.")
    return EXIT_OK


def cmd_recover(args: argparse.Namespace) -> int:
    """Use the recovery key to set a new passphrase."""
    recovery_key = _read_recovery_key(Path(args.recovery_key_file))
    vault = vault_service(args)
    new = read_new_passphrase(args)
    _refuse_weak(new)  # before the recovery key opens anything: names are not known yet
    try:
        vault.recover(recovery_key, new)
    finally:
        vault.lock()
    print("New passphrase set.")
    return EXIT_OK


def _refuse_weak(passphrase: str, names: list[str] | None = None) -> None:
    """Exit 2 with the reason and a suggestion when the passphrase is too easy to guess."""
    strength = estimate(passphrase, names or ())
    if not strength.acceptable:
        raise CliError(
            f"That passphrase is too weak ({strength.label.lower()}). {strength.advice}",
            EXIT_USAGE,
        )


def _read_recovery_key(path: Path) -> str:
    return read_secret_file(path, "recovery key file").strip()


def cmd_backup(args: argparse.Namespace) -> int:
    """Write a verified, encrypted backup."""
    with unlocked(args) as services:
        out = services.vault.backup(Path(args.out))
    print(f"Backup written to {out} and verified.")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    """Restore a backup; an existing vault is moved aside, never deleted."""
    vault = vault_service(args)
    if args.recovery_key_file:
        moved = vault.restore(
            Path(args.file), recovery_key=_read_recovery_key(Path(args.recovery_key_file))
        )
    else:
        moved = vault.restore(Path(args.file), passphrase=read_passphrase(args))
    if moved != vault.path:
        print(f"The previous vault was kept at {moved}.")
    print(f"Backup restored to {vault.path}.")
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    """Print record counts per table."""
    with unlocked(args) as services:
        counts = table_counts(services.vault.db)
    if args.json:
        print_json(counts)
    else:
        width = max(len(name) for name in counts)
        for name, count in counts.items():
            print(f"{name:<{width}}  {count:>9,}")
    return EXIT_OK
