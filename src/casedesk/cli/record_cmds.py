"""Record commands: client add/list, note add, search."""

from __future__ import annotations

import argparse
from typing import Any

from casedesk.cli.common import EXIT_OK, print_json, unlocked
from casedesk.domain.clients import ClientInput
from casedesk.domain.notes import NoteInput


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

    note = commands.add_parser("note", help="add case notes")
    note_cmds = note.add_subparsers(dest="note_command", metavar="ACTION", required=True)
    note_add = note_cmds.add_parser("add", help="add a note to a client (prints the note id)")
    note_add.add_argument("--client", required=True, metavar="ID")
    note_add.add_argument("--text", required=True)
    note_add.set_defaults(handler=cmd_note_add)

    search = commands.add_parser("search", help="search client names and note text")
    search.add_argument("text")
    search.add_argument("--json", action="store_true")
    search.set_defaults(handler=cmd_search)


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
