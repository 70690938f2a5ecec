"""Exit commands: what is still open for a client, and ending support (closing open items).

``casedesk exit open --client ID`` lists the open goals, actions and referrals with their
suggested closing status; ``casedesk exit end`` closes the episode, and with ``--close ID=STATUS``
(or ``--close-suggested``) closes those items in the same transaction, as the exit form does.
"""

from __future__ import annotations

import argparse
from typing import Any

from casedesk.cli.common import EXIT_OK, EXIT_USAGE, CliError, print_json, unlocked
from casedesk.domain.clock import today
from casedesk.domain.enums import ClosureReason
from casedesk.services.exits import ExitInput, OpenItem


def register(commands: Any) -> None:
    """Add the exit commands to the parser."""
    exit_parser = commands.add_parser("exit", help="end a client's support; list what is open")
    actions = exit_parser.add_subparsers(dest="exit_command", metavar="ACTION", required=True)
    listing = actions.add_parser("open", help="goals, actions and referrals still open")
    listing.add_argument("--client", required=True, metavar="ID")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=cmd_exit_open)

    end = actions.add_parser("end", help="end support (closes the episode and its plan)")
    end.add_argument("--client", required=True, metavar="ID")
    end.add_argument("--reason", required=True, choices=[r.value for r in ClosureReason])
    end.add_argument("--detail", default="", help="more about the reason (needed for 'other')")
    end.add_argument("--on", metavar="YYYY-MM-DD", help="exit date (default today)")
    end.add_argument("--summary", default="", help="exit summary")
    end.add_argument(
        "--close",
        action="append",
        default=[],
        metavar="ID=STATUS",
        help="close an open item with this status (repeatable)",
    )
    end.add_argument(
        "--close-suggested", action="store_true", help="close every open item as suggested"
    )
    end.add_argument("--json", action="store_true")
    end.set_defaults(handler=cmd_exit_end)


def item_json(item: OpenItem) -> dict[str, Any]:
    """An open item for scripts."""
    return {
        "kind": item.kind.value,
        "id": item.id,
        "label": item.label,
        "status": item.status,
        "choices": list(item.choices),
        "suggested": item.suggested,
        "goal": item.goal_label or None,
    }


def cmd_exit_open(args: argparse.Namespace) -> int:
    """List what is still open for a client."""
    with unlocked(args) as services:
        items = services.exits.open_items(args.client)
    if args.json:
        print_json([item_json(i) for i in items])
    else:
        for i in items:
            print(f"{i.id}  {i.kind.value:<8}  {i.status:<12}  -> {i.suggested:<12}  {i.label}")
    return EXIT_OK


def _closings(args: argparse.Namespace, items: list[OpenItem]) -> dict[str, str]:
    closings = {i.id: i.suggested for i in items} if args.close_suggested else {}
    for pair in args.close:
        item_id, sep, status = pair.partition("=")
        if not sep or not item_id or not status:
            raise CliError(f"--close wants ID=STATUS, not {pair!r}.", EXIT_USAGE)
        closings[item_id] = status
    return closings


def cmd_exit_end(args: argparse.Namespace) -> int:
    """End support, closing the open items asked for."""
    data = ExitInput(
        closed_on=args.on or today(),
        reason=ClosureReason(args.reason),
        reason_detail=args.detail,
        exit_summary=args.summary,
    )
    with unlocked(args) as services:
        items = services.exits.open_items(args.client)
        closings = _closings(args, items)
        record = services.exits.exit_client(args.client, data, closings)
    left = [item_json(i) for i in items if i.id not in closings]
    if args.json:
        print_json(
            {
                "episode_id": record.id,
                "closed_on": record.closed_on,
                "follow_up_on": record.follow_up_on,
                "closed": closings,
                "left_open": left,
            }
        )
    else:
        print(f"Support ended {record.closed_on}; follow-up contact {record.follow_up_on}.")
        print(f"Closed {len(closings)} open item{'' if len(closings) == 1 else 's'} as chosen.")
        for item in left:
            print(f"  left open: {item['kind']} {item['id']} ({item['status']}) {item['label']}")
    return EXIT_OK
