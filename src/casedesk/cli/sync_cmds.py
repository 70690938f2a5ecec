"""Sync commands: sync-setup, pair-code, sync-join, sync, conflicts, sync-export, sync-import.

``casedesk sync`` exits 0 when everything is in sync and 1 with a plain reason otherwise
(offline, the hub refused, changes still waiting, records flagged, a mass deletion paused).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any

from casedesk.cli.common import EXIT_OK, EXIT_OTHER, EXIT_USAGE, CliError, print_json, unlocked
from casedesk.services.sync_service import KEPT, OTHER, ConflictView, SyncResult

SHORT_CODE_ENV = "CASEDESK_PAIRING_SHORT_CODE"


def register(commands: Any) -> None:
    """Add the sync commands to the parser."""
    setup = commands.add_parser("sync-setup", help="set up sync on the account's first device")
    setup.add_argument("--hub", required=True, metavar="URL", help="hub address")
    setup.add_argument("--token", required=True, help="one-time enrollment token from the hub")
    setup.set_defaults(handler=cmd_setup)

    pair = commands.add_parser("pair-code", help="show a pairing code for a new device")
    pair.add_argument("--json", action="store_true")
    pair.set_defaults(handler=cmd_pair_code)

    join = commands.add_parser("sync-join", help="join this device to an account")
    join.add_argument("--hub", metavar="URL", help="hub address (default: the one in the code)")
    join.add_argument("--pairing-code", required=True, metavar="CODE")
    join.set_defaults(handler=cmd_join)

    sync = commands.add_parser("sync", help="one full sync round (exit 0 when in sync)")
    sync.add_argument(
        "--allow-mass-deletion",
        action="store_true",
        help="apply a pull that deletes many records (only after checking why)",
    )
    sync.add_argument("--json", action="store_true")
    sync.set_defaults(handler=cmd_sync)

    conflicts = commands.add_parser("conflicts", help="list sync conflicts, or resolve one")
    conflicts.add_argument("--json", action="store_true")
    conflicts.add_argument("--all", action="store_true", help="include resolved conflicts")
    conflicts.add_argument("--resolve", metavar="ID", help="resolve this conflict")
    conflicts.add_argument("--keep", choices=[KEPT, OTHER], help="which value to keep")
    conflicts.set_defaults(handler=cmd_conflicts)

    export = commands.add_parser("sync-export", help="write an encrypted offline sync bundle")
    export.add_argument("--out", required=True, metavar="FILE")
    export.set_defaults(handler=cmd_export)

    imp = commands.add_parser("sync-import", help="apply an offline sync bundle")
    imp.add_argument("file", metavar="FILE")
    imp.set_defaults(handler=cmd_import)


def cmd_setup(args: argparse.Namespace) -> int:
    """Make the account key and enroll this device."""
    with unlocked(args) as services:
        services.sync.setup(args.hub, args.token)
    print("Sync is set up. Run 'casedesk pair-code' to add another device.")
    return EXIT_OK


def cmd_pair_code(args: argparse.Namespace) -> int:
    """Print a one-time pairing code and its short code."""
    with unlocked(args) as services:
        offer = services.sync.pairing_code()
    if args.json:
        print_json({"pairing_code": offer.text, "short_code": offer.short_code})
    else:
        print(offer.text)
        print(f"Short code: {offer.short_code}")
    return EXIT_OK


def cmd_join(args: argparse.Namespace) -> int:
    """Join an account with a pairing code (short code from the environment or a prompt)."""
    short = _short_code()
    with unlocked(args) as services:
        services.sync.join(args.pairing_code, short, args.hub)
    print("This device has joined. Run 'casedesk sync' to download the records.")
    return EXIT_OK


def _short_code() -> str:
    from_env = os.environ.get(SHORT_CODE_ENV)
    if from_env:
        return from_env
    if sys.stdin.isatty():
        return getpass.getpass("Short code (shown next to the pairing code): ")
    raise CliError(f"No short code given: set {SHORT_CODE_ENV} or run interactively.", EXIT_USAGE)


def cmd_sync(args: argparse.Namespace) -> int:
    """One round; exit 0 when in sync."""
    with unlocked(args) as services:
        result = services.sync.sync_once(allow_mass_deletion=args.allow_mass_deletion)
    if args.json:
        print_json(_result_json(result))
    else:
        _print_result(result)
    if not result.in_sync:
        print(f"casedesk: not in sync: {result.message}", file=sys.stderr)
        return EXIT_OTHER
    return EXIT_OK


def _print_result(result: SyncResult) -> None:
    print(
        f"sent {result.pushed}, received {result.pulled}, conflicts {result.conflicts}, "
        f"waiting {result.pending}"
    )
    for note in result.notes:
        print(note)
    if result.in_sync:
        print(result.message)


def _result_json(result: SyncResult) -> dict[str, Any]:
    return {
        "in_sync": result.in_sync,
        "phase": result.phase.value,
        "message": result.message,
        "pushed": result.pushed,
        "pulled": result.pulled,
        "conflicts": result.conflicts,
        "rejected": result.rejected,
        "integrity_errors": result.integrity_errors,
        "epoch_changed": result.epoch_changed,
        "pending": result.pending,
        "notes": list(result.notes),
    }


def cmd_conflicts(args: argparse.Namespace) -> int:
    """List conflicts (or resolve one with --resolve ID --keep kept|other)."""
    with unlocked(args) as services:
        if args.resolve:
            if not args.keep:
                raise CliError("--resolve needs --keep kept|other", EXIT_USAGE)
            services.sync.resolve(args.resolve, args.keep)
            print("Resolved; the choice will reach the other devices on the next sync.")
            return EXIT_OK
        views = services.sync.conflicts(include_resolved=args.all)
    if args.json:
        print_json([_conflict_json(v) for v in views])
        return EXIT_OK
    if not views:
        print("No open conflicts.")
    for view in views:
        flag = "REVIEW " if view.review_required else ""
        print(
            f"{view.id}  {flag}{view.table}.{view.field}: kept {view.kept_value!r}, "
            f"other {view.other_value!r}"
        )
    return EXIT_OK


def _conflict_json(view: ConflictView) -> dict[str, Any]:
    return {
        "id": view.id,
        "table": view.table,
        "row_id": view.row_id,
        "field": view.field,
        "kept_value": view.kept_value,
        "other_value": view.other_value,
        "review_required": view.review_required,
        "delete_vs_edit": view.delete_vs_edit,
        "state": view.state.value,
        "detected_at": view.detected_at,
    }


def cmd_export(args: argparse.Namespace) -> int:
    """Write an offline bundle."""
    with unlocked(args) as services:
        summary = services.sync.export_bundle(Path(args.out))
    print(f"Wrote {summary.rows:,} records to {args.out} (encrypted with the account key).")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    """Apply an offline bundle."""
    with unlocked(args) as services:
        summary = services.sync.import_bundle(Path(args.file))
    print(
        f"Read {summary.rows:,} records; {summary.changed:,} changed here; "
        f"{summary.conflicts:,} conflicts to review."
    )
    return EXIT_OK
