"""``casedesk-hub``: run the sync hub and administer it.

Commands:
    serve           run the hub (schema created or migrated first)
    create-account  add an account and print its one-time enrollment token
    backup          copy a SQLite hub database (online, consistent)
    restore         put a SQLite backup in place and give the hub a new epoch
    rotate-epoch    new epoch after restoring by other means (e.g. pg_restore)
    list-devices    enrolled devices per account
    revoke-device   stop a lost device's token from working

Known problems (a database that is missing, unreachable or newer than this hub, a name the hub
cannot store, a device id held by several accounts) end with one plain sentence on stderr and an
exit code, never a traceback: 1 other, 2 usage, 4 database damaged or too new.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from casedesk import __version__
from casedesk.hub import db
from casedesk.hub.logs import configure_logging
from casedesk.hub.server import TlsFiles, serve
from casedesk.hub.store import AmbiguousDeviceError, HubStore, check_account_name

EXIT_OTHER = 1
EXIT_USAGE = 2
EXIT_DAMAGED = 4


class AdminError(Exception):
    """A known problem, told to the operator in one plain sentence, with an exit code."""

    def __init__(self, message: str, exit_code: int = EXIT_OTHER) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def _account_name(text: str) -> str:
    """Argparse type: an account name the hub can store (refused as a usage error)."""
    try:
        return check_account_name(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="casedesk-hub", description="casedesk sync hub")
    parser.add_argument("--version", action="version", version=f"casedesk-hub {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("serve", help="run the hub")
    run.add_argument("--db", required=True, help="sqlite:///path or postgresql+psycopg://...")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8765)
    run.add_argument("--tls-cert", help="PEM certificate chain (enables HTTPS)")
    run.add_argument("--tls-key", help="PEM private key")
    run.add_argument("--log-file", help="append JSON log lines here instead of stderr")

    account = commands.add_parser("create-account", help="add an account")
    account.add_argument("--db", required=True)
    account.add_argument("--name", required=True, type=_account_name,
                         help="who the account is for (at most 200 characters)")

    backup = commands.add_parser("backup", help="back up a SQLite hub database")
    backup.add_argument("--db", required=True)
    backup.add_argument("--out", required=True)

    restore = commands.add_parser("restore", help="restore a SQLite backup (new epoch)")
    restore.add_argument("--db", required=True)
    restore.add_argument("--from", dest="source", required=True)

    rotate = commands.add_parser("rotate-epoch", help="new epoch after an external restore")
    rotate.add_argument("--db", required=True)

    devices = commands.add_parser("list-devices", help="show enrolled devices")
    devices.add_argument("--db", required=True)

    revoke = commands.add_parser("revoke-device", help="stop a lost device's token working")
    revoke.add_argument("--db", required=True)
    revoke.add_argument("--device", required=True, help="device id (see list-devices)")
    revoke.add_argument("--account", help="account id (needed when several accounts have a "
                                          "device with this id)")
    return parser


def _parse_url(url: str) -> URL:
    try:
        return make_url(url)
    except ArgumentError:
        raise AdminError("--db is not a database URL: use sqlite:///path/hub.db or "
                         "postgresql+psycopg://user@host/database", EXIT_USAGE) from None


def _sqlite_path(url: str) -> Path:
    parsed = _parse_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        raise AdminError(
            "backup/restore here is for SQLite hubs; for PostgreSQL use pg_dump/pg_restore and "
            "then run: casedesk-hub rotate-epoch --db URL", EXIT_USAGE
        )
    return Path(parsed.database)


def _existing_sqlite(path: Path) -> Path:
    if not path.is_file():
        raise AdminError(f"there is no hub database at {path}; check --db")
    return path


def _existing_folder(path: Path) -> None:
    if not path.parent.is_dir():
        raise AdminError(f"the folder {path.parent} does not exist")


def _copy_sqlite(source: Path, target: Path) -> None:
    _existing_folder(target)
    with sqlite3.connect(source) as origin, sqlite3.connect(target) as destination:
        origin.backup(destination)


def _open_store(url: str, *, create: bool = False) -> HubStore:
    """The hub store at ``url``, its schema created or migrated.

    Args:
        url: The ``--db`` argument.
        create: Whether a SQLite file that does not exist yet may be created (serve and
            create-account); the other commands refuse, so a typo never makes an empty hub.
    """
    parsed = _parse_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        path = Path(parsed.database)
        if not create:
            _existing_sqlite(path)
        else:
            _existing_folder(path)
    engine = _engine(url)
    try:
        db.init_schema(engine)
    except BaseException:
        engine.dispose()
        raise
    return HubStore(engine)


@contextmanager
def _opened(url: str, *, create: bool = False) -> Iterator[HubStore]:
    """The store for one admin command; its connections are closed afterwards."""
    store = _open_store(url, create=create)
    try:
        yield store
    finally:
        store.engine.dispose()


def _engine(url: str) -> Engine:
    try:
        return db.make_engine(url)
    except ValueError as error:
        raise AdminError(str(error), EXIT_USAGE) from None


def _database_problem(error: DBAPIError) -> AdminError:
    """One plain sentence for a database error (the driver's message, never parameters)."""
    detail = " ".join(str(error.orig).split()) if error.orig else type(error).__name__
    detail = detail.split("FATAL:", 1)[-1].strip()
    if "does not exist" in detail:
        return AdminError(f"cannot open the hub database: {detail}; create it first "
                          f"(createdb) or check --db")
    if "not a database" in detail:
        return AdminError(f"the hub database is damaged or not a hub database: {detail}",
                          EXIT_DAMAGED)
    return AdminError(f"cannot use the hub database: {detail}")


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the hub in the foreground."""
    if bool(args.tls_cert) != bool(args.tls_key):
        print("give both --tls-cert and --tls-key, or neither", file=sys.stderr)
        return 2
    configure_logging(args.log_file)
    store = _open_store(args.db, create=True)
    tls = TlsFiles(args.tls_cert, args.tls_key) if args.tls_cert else None
    serve(store, args.host, args.port, tls)
    return 0


def cmd_create_account(args: argparse.Namespace) -> int:
    """Create an account and print its enrollment token once."""
    with _opened(args.db, create=True) as store:
        account_id, token = store.create_account(args.name)
    print(f"account: {account_id}")
    print(f"enrollment token (shown once, works once): {token}")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    """Online backup of a SQLite hub."""
    _copy_sqlite(_existing_sqlite(_sqlite_path(args.db)), Path(args.out))
    print(f"backup written to {args.out}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Replace the hub database with a backup, then rotate the epoch. Stop the hub first."""
    source = Path(args.source)
    if not source.is_file():
        raise AdminError(f"there is no backup at {source}", EXIT_USAGE)
    _copy_sqlite(source, _sqlite_path(args.db))
    epoch = _rotate(args.db)
    print(f"restored; new epoch {epoch}: devices will re-send what the backup lacks")
    return 0


def cmd_rotate_epoch(args: argparse.Namespace) -> int:
    """Give the hub a new epoch."""
    print(f"new epoch {_rotate(args.db)}")
    return 0


def _rotate(url: str) -> str:
    with _opened(url) as store:
        return db.rotate_epoch(store.engine)


def cmd_list_devices(args: argparse.Namespace) -> int:
    """Print one line per enrolled device."""
    with _opened(args.db) as store:
        devices = store.list_devices()
    print("account  device  state  last seen (ms)  device name  (account name)")
    for device in devices:
        state = "revoked" if device["revoked"] else "active"
        print(f"{device['account_id']}  {device['device_id']}  {state}  "
              f"{device['last_seen_at_ms'] or '-'}  {device['name']}  ({device['account_name']})")
    return 0


def cmd_revoke_device(args: argparse.Namespace) -> int:
    """Revoke a device token; the device must be paired again to sync."""
    try:
        with _opened(args.db) as store:
            account_id = store.revoke_device(args.device, args.account)
    except AmbiguousDeviceError as error:
        raise AdminError(str(error), EXIT_USAGE) from None
    if account_id is None:
        where = f" in account {args.account}" if args.account else ""
        raise AdminError(f"no device {args.device}{where} (see list-devices)")
    print(f"revoked device {args.device} of account {account_id}; it can no longer sync "
          f"until paired again")
    return 0


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "serve": cmd_serve,
    "create-account": cmd_create_account,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "rotate-epoch": cmd_rotate_epoch,
    "list-devices": cmd_list_devices,
    "revoke-device": cmd_revoke_device,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``casedesk-hub``."""
    args = _parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except DBAPIError as error:
        problem = _database_problem(error)
    except db.SchemaTooNewError as error:
        problem = AdminError(str(error), EXIT_DAMAGED)
    except AdminError as error:
        problem = error
    print(f"casedesk-hub: {problem}", file=sys.stderr)
    return problem.exit_code


if __name__ == "__main__":
    raise SystemExit(main())
