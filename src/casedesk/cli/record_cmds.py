"""Record commands: client add/list, note add/list/lock/error/auto-lock, search."""

from __future__ import annotations

import argparse
from typing import Any

from casedesk.cli.common import EXIT_OK, print_json, unlocked
from casedesk.domain.clients import ClientInput
from casedesk.domain.notes import NoteInput
from casedesk.services.notes import NoteView


def register(commands: Any) -> None:
    """Add the record commands to the parser."""
    client = commands.add_parser("client", help="add or list clients")
    client_cmds = client.add_subparsers(dest="client_command", metavar="ACTION", required=True)
    add = client_cmds.add_parser("add", help="add a client (prints the new id)")
    add.add_argument("--given", required=True, help="given name")
    add.add_argument("--family", required=True, help="family name")
    add.add_argument("--dob", help="date of birth, YYYY-MM-DD")
    add.add_argument("--preferred", default="", help="preferred name")
    add.set_defaults(handler=cmd_client_add)
    listing = client_cmds.add_parser("list", help="list clients")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=cmd_client_list)

    note = commands.add_parser("note", help="add, list, lock or retract case notes")
    note_cmds = note.add_subparsers(dest="note_command", metavar="ACTION", required=True)
    note_add = note_cmds.add_parser("add", help="add a note to a client (prints the note id)")
    note_add.add_argument("--client", required=True, metavar="ID")
    note_add.add_argument("--text", required=True)
    note_add.set_defaults(handler=cmd_note_add)
    _register_note_safety(note_cmds)

    search = commands.add_parser("search", help="search client names and note text")
    search.add_argument("text")
    search.add_argument("--json", action="store_true")
    search.set_defaults(handler=cmd_search)


def _register_note_safety(note_cmds: Any) -> None:
    note_list = note_cmds.add_parser("list", help="list a client's notes, newest first")
    note_list.add_argument("--client", required=True, metavar="ID")
    note_list.add_argument(
        "--all", action="store_true", help="include notes entered in error (hidden by default)"
    )
    note_list.add_argument("--json", action="store_true")
    note_list.set_defaults(handler=cmd_note_list)
    lock = note_cmds.add_parser("lock", help="lock a note (afterwards it can only be amended)")
    lock.add_argument("--note", required=True, metavar="ID")
    lock.set_defaults(handler=cmd_note_lock)
    error = note_cmds.add_parser(
        "error", help="mark a note entered in error (kept in history, hidden from the record)"
    )
    error.add_argument("--note", required=True, metavar="ID")
    error.add_argument("--reason", required=True)
    error.set_defaults(handler=cmd_note_error)
    auto = note_cmds.add_parser(
        "auto-lock", help="show or set after how many hours notes lock themselves"
    )
    auto.add_argument("--hours", type=int, metavar="N", help="1 to 720 (default 72)")
    auto.set_defaults(handler=cmd_note_auto_lock)


def cmd_client_add(args: argparse.Namespace) -> int:
    """Add a client and print the new id."""
    data = ClientInput(
        given_name=args.given,
        family_name=args.family,
        preferred_name=args.preferred,
        date_of_birth=args.dob,
    )
    with unlocked(args) as services:
        record = services.clients.add_client(data)
    print(record.id)
    return EXIT_OK


def cmd_client_list(args: argparse.Namespace) -> int:
    """List live clients."""
    with unlocked(args) as services:
        rows = services.clients.list_clients()
    if args.json:
        print_json(
            [
                {
                    "id": r.id,
                    "given_name": r.given_name,
                    "family_name": r.family_name,
                    "preferred_name": r.preferred_name,
                    "date_of_birth": r.date_of_birth,
                    "status": r.status.value,
                    "intensity": r.intensity.value,
                    "risk_level": r.risk_level.value if r.risk_level else None,
                    "last_contact_at": r.last_contact_at,
                }
                for r in rows
            ]
        )
    else:
        for r in rows:
            born = r.date_of_birth.isoformat() if r.date_of_birth else "          "
            print(f"{r.id}  {born}  {r.status.value:<8}  {r.display_name}")
    return EXIT_OK


def cmd_note_add(args: argparse.Namespace) -> int:
    """Add a note and print its id."""
    with unlocked(args) as services:
        note = services.notes.add_note(NoteInput(client_id=args.client, body=args.text))
    print(note.id)
    return EXIT_OK


def cmd_note_list(args: argparse.Namespace) -> int:
    """List a client's notes with their lock and status."""
    with unlocked(args) as services:
        notes = services.notes.list_notes(args.client, include_entered_in_error=args.all)
    if args.json:
        print_json([_note_json(n) for n in notes])
    else:
        for n in notes:
            state = "entered in error" if n.entered_in_error else "locked" if n.locked else "open"
            first = n.body.strip().splitlines()[0] if n.body.strip() else ""
            print(f"{n.id}  {n.occurred_at:%Y-%m-%d %H:%M}  {state:<16}  {first[:60]}")
    return EXIT_OK


def _note_json(n: NoteView) -> dict[str, Any]:
    return {
        "id": n.id,
        "client_id": n.client_id,
        "contact_type": n.contact_type.value,
        "occurred_at": n.occurred_at,
        "duration_minutes": n.duration_minutes,
        "location": n.location,
        "body": n.body,
        "author": n.author,
        "amends_id": n.amends_id,
        "goal_ids": list(n.goal_ids),
        "locked": n.locked,
        "locked_at": n.locked_at,
        "locks_at": n.locks_at,
        "status": n.status.value,
        "error_reason": n.error_reason,
        "entered_in_error_at": n.entered_in_error_at,
    }


def cmd_note_lock(args: argparse.Namespace) -> int:
    """Lock a note."""
    with unlocked(args) as services:
        note = services.notes.lock_note(args.note)
    print(f"Note {note.id} is locked; corrections are now amendments.")
    return EXIT_OK


def cmd_note_error(args: argparse.Namespace) -> int:
    """Mark a note entered in error, with the reason."""
    with unlocked(args) as services:
        note = services.notes.mark_entered_in_error(args.note, args.reason)
    print(f"Note {note.id} is marked entered in error; it stays in the history.")
    return EXIT_OK


def cmd_note_auto_lock(args: argparse.Namespace) -> int:
    """Show or set the automatic-lock period, and store the locks that have fallen due."""
    with unlocked(args) as services:
        notes = services.notes
        hours = notes.set_auto_lock_hours(args.hours) if args.hours is not None else None
        hours = hours or notes.auto_lock_hours()
        locked = notes.lock_due_notes()
    print(f"Notes lock themselves {hours} hours after they are written.")
    if locked:
        print(f"{locked} note(s) reached that and were locked now.")
    return EXIT_OK


def cmd_search(args: argparse.Namespace) -> int:
    """Search client names/identifiers and note text."""
    with unlocked(args) as services:
        clients = services.clients.search_clients(args.text, limit=50)
        notes = services.notes.search_notes(args.text, limit=50)
    if args.json:
        print_json(
            {
                "clients": [{"id": c.id, "name": c.display_name} for c in clients],
                "notes": [
                    {
                        "id": n.note_id,
                        "client_id": n.client_id,
                        "client_name": n.client_name,
                        "occurred_at": n.occurred_at,
                        "snippet": n.snippet,
                    }
                    for n in notes
                ],
            }
        )
    else:
        for c in clients:
            print(f"client  {c.id}  {c.display_name}")
        for n in notes:
            print(f"note    {n.note_id}  {n.client_name}: {n.snippet}")
    return EXIT_OK
