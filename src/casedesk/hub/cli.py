"""``casedesk-hub``: run the sync hub and administer it.

Commands:
    serve           run the hub (schema created or migrated first)
    create-account  add an account and print its one-time enrollment token
    backup          copy a SQLite hub database (online, consistent)
    restore         put a SQLite backup in place and give the hub a new epoch
    rotate-epoch    new epoch after restoring by other means (e.g. pg_restore)
    list-devices    enrolled devices per account
    revoke-device   stop a lost device's token from working
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.engine import make_url

from casedesk.hub import db
from casedesk.hub.logs import configure_logging
from casedesk.hub.server import TlsFiles, open_store, serve


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="casedesk-hub", description="casedesk sync hub")
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
    account.add_argument("--name", required=True)

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
    revoke.add_argument("--account", help="limit to one account id")
    return parser


def _sqlite_path(url: str) -> Path:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        raise SystemExit(
            "backup/restore here is for SQLite hubs; for PostgreSQL use pg_dump/pg_restore and "
            "then run: casedesk-hub rotate-epoch --db URL"
        )
    return Path(parsed.database)


def _copy_sqlite(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as origin, sqlite3.connect(target) as destination:
        origin.backup(destination)


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the hub in the foreground."""
    if bool(args.tls_cert) != bool(args.tls_key):
        print("give both --tls-cert and --tls-key, or neither", file=sys.stderr)
        return 2
    configure_logging(args.log_file)
    store = open_store(args.db)
    tls = TlsFiles(args.tls_cert, args.tls_key) if args.tls_cert else None
    serve(store, args.host, args.port, tls)
    return 0


def cmd_create_account(args: argparse.Namespace) -> int:
    """Create an account and print its enrollment token once."""
    store = open_store(args.db)
    account_id, token = store.create_account(args.name)
    print(f"account: {account_id}")
    print(f"enrollment token (shown once, works once): {token}")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    """Online backup of a SQLite hub."""
    _copy_sqlite(_sqlite_path(args.db), Path(args.out))
    print(f"backup written to {args.out}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Replace the hub database with a backup, then rotate the epoch. Stop the hub first."""
    source = Path(args.source)
    if not source.is_file():
        print(f"no backup at {source}", file=sys.stderr)
        return 2
    _copy_sqlite(source, _sqlite_path(args.db))
    epoch = _rotate(args.db)
    print(f"restored; new epoch {epoch}: devices will re-send what the backup lacks")
    return 0


def cmd_rotate_epoch(args: argparse.Namespace) -> int:
    """Give the hub a new epoch."""
    print(f"new epoch {_rotate(args.db)}")
    return 0


def _rotate(url: str) -> str:
    engine = db.make_engine(url)
    try:
        db.init_schema(engine)
        return db.rotate_epoch(engine)
    finally:
        engine.dispose()


def cmd_list_devices(args: argparse.Namespace) -> int:
    """Print one line per enrolled device."""
    for device in open_store(args.db).list_devices():
        state = "revoked" if device["revoked"] else "active"
        print(f"{device['account_id']}  {device['device_id']}  {state}  "
              f"last seen {device['last_seen_at_ms'] or '-'}  {device['name']}")
    return 0


def cmd_revoke_device(args: argparse.Namespace) -> int:
    """Revoke a device token; the device must be paired again to sync."""
    count = open_store(args.db).revoke_device(args.device, args.account)
    if count == 0:
        print(f"no device {args.device}", file=sys.stderr)
        return 1
    print(f"revoked {count} device(s); they can no longer sync until paired again")
    return 0


_COMMANDS = {
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
    return _COMMANDS[args.command](args)


if __name__ == "__main__":
    raise SystemExit(main())
