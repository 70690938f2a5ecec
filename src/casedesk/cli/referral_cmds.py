"""Referral commands: list a client's referrals, move one on, set its follow-up.

The follow-up rule is the GUI's (``casedesk.domain.referrals``): moving a referral on never
overwrites a follow-up date the worker chose; the rule's date is printed as a suggestion and
``referral follow-up ID --suggested`` takes it.
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from casedesk.cli.common import EXIT_OK, EXIT_USAGE, CliError, print_json, unlocked
from casedesk.domain.enums import ReferralStatus
from casedesk.services.referrals import ReferralInput, ReferralView


def register(commands: Any) -> None:
    """Add the referral commands to the parser."""
    referral = commands.add_parser("referral", help="list referrals, move them on, follow up")
    actions = referral.add_subparsers(dest="referral_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="draft a referral (prints the new id)")
    add.add_argument("--client", required=True, metavar="ID")
    add.add_argument("--agency", required=True, help="the agency's name")
    add.add_argument("--reason", default="")
    add.add_argument("--follow-up", type=_day, metavar="YYYY-MM-DD", help="default: in 3 days")
    add.set_defaults(handler=cmd_referral_add)

    listing = actions.add_parser("list", help="a client's referrals, open ones first")
    listing.add_argument("--client", required=True, metavar="ID")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=cmd_referral_list)

    status = actions.add_parser(
        "status", help="move a referral on (a follow-up date you chose is kept)"
    )
    status.add_argument("referral", metavar="REFERRAL_ID")
    status.add_argument("status", choices=[s.value for s in ReferralStatus])
    status.add_argument("--on", type=_day, metavar="YYYY-MM-DD", help="date (default today)")
    status.add_argument(
        "--follow-up", type=_day, metavar="YYYY-MM-DD", help="set the next follow-up as well"
    )
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=cmd_referral_status)

    follow = actions.add_parser("follow-up", help="set a referral's next follow-up date")
    follow.add_argument("referral", metavar="REFERRAL_ID")
    which = follow.add_mutually_exclusive_group(required=True)
    which.add_argument("--on", type=_day, metavar="YYYY-MM-DD", help="this date")
    which.add_argument("--suggested", action="store_true", help="the suggested date")
    follow.add_argument("--json", action="store_true")
    follow.set_defaults(handler=cmd_referral_follow_up)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def referral_json(view: ReferralView) -> dict[str, Any]:
    """A referral for scripts (dates as ISO text)."""
    return {
        "id": view.id,
        "client_id": view.client_id,
        "agency": view.agency,
        "reason": view.reason,
        "goal_id": view.goal_id,
        "status": view.status.value,
        "drafted_on": view.drafted_on,
        "sent_on": view.sent_on,
        "responded_on": view.responded_on,
        "attended_on": view.attended_on,
        "closed_on": view.closed_on,
        "follow_up_on": view.follow_up_on,
        "suggested_follow_up_on": view.suggested_follow_up_on,
        "consent_covered": view.consent_covered,
    }


def _print(view: ReferralView, as_json: bool) -> None:
    if as_json:
        print_json(referral_json(view))
        return
    follow_up = view.follow_up_on.isoformat() if view.follow_up_on else "none"
    print(f"{view.id}  {view.status.value:<9}  follow up {follow_up}  {view.agency}")
    if view.suggested_follow_up_on is not None:
        print(
            f"  follow-up {follow_up} is your own date and was kept; suggested "
            f"{view.suggested_follow_up_on.isoformat()} "
            f"(take it with: referral follow-up {view.id} --suggested)"
        )


def cmd_referral_add(args: argparse.Namespace) -> int:
    """Draft a referral to a named agency and print its id."""
    data = ReferralInput(
        args.client, agency_name=args.agency, reason=args.reason, follow_up_on=args.follow_up
    )
    with unlocked(args) as services:
        view = services.referrals.add_referral(data)
    print(view.id)
    return EXIT_OK


def cmd_referral_list(args: argparse.Namespace) -> int:
    """List a client's referrals."""
    with unlocked(args) as services:
        views = services.referrals.list_referrals(args.client)
    if args.json:
        print_json([referral_json(v) for v in views])
    else:
        for view in views:
            _print(view, as_json=False)
    return EXIT_OK


def cmd_referral_status(args: argparse.Namespace) -> int:
    """Move a referral to a new status."""
    with unlocked(args) as services:
        view = services.referrals.set_status(
            args.referral, ReferralStatus(args.status), args.on, args.follow_up
        )
    _print(view, args.json)
    return EXIT_OK


def cmd_referral_follow_up(args: argparse.Namespace) -> int:
    """Set a referral's next follow-up (a given date, or the suggested one)."""
    with unlocked(args) as services:
        referrals = services.referrals
        when = args.on
        if args.suggested:
            when = referrals.get_referral(args.referral).suggested_follow_up_on
            if when is None:
                raise CliError("This referral has no other follow-up date to suggest.", EXIT_USAGE)
        view = referrals.set_follow_up(args.referral, when)
    _print(view, args.json)
    return EXIT_OK
