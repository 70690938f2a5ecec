"""My details and this device: ``casedesk me set|show``, ``casedesk device set|show``."""

from __future__ import annotations

import argparse
from dataclasses import replace
from typing import Any

from casedesk.cli.common import EXIT_OK, CliError, print_json, unlocked
from casedesk.domain.my_details import MAX_LOGO_BYTES, MyDetails, missing_for_agreeing
from casedesk.services.errors import FileRefused, VaultNotFound
from casedesk.services.files import read_input_file

# CLI option -> MyDetails field
DETAIL_OPTIONS = {
    "name": "name",
    "role": "role",
    "organisation": "organisation",
    "phone": "phone",
    "email": "email",
    "hours": "hours",
    "out_of_hours": "out_of_hours_help",
    "address": "address",
}


def register(commands: Any) -> None:
    """Add the ``me`` and ``device`` commands to the parser."""
    me = commands.add_parser("me", help="your details, printed on the client's copy of a plan")
    me_cmds = me.add_subparsers(dest="me_command", metavar="ACTION", required=True)
    setting = me_cmds.add_parser(
        "set", help="change your details (options not given stay as they are)"
    )
    for option in DETAIL_OPTIONS:
        setting.add_argument("--" + option.replace("_", "-"), metavar="TEXT")
    logo = setting.add_mutually_exclusive_group()
    logo.add_argument("--logo", metavar="FILE", help="PNG or JPEG, at most 1 MB")
    logo.add_argument("--no-logo", action="store_true", help="stop using the logo")
    setting.set_defaults(handler=cmd_me_set)
    show = me_cmds.add_parser("show", help="show your details")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=cmd_me_show)

    device = commands.add_parser("device", help="this device's name, shown in history")
    device_cmds = device.add_subparsers(dest="device_command", metavar="ACTION", required=True)
    rename = device_cmds.add_parser("set", help="name this device")
    rename.add_argument("--name", required=True)
    rename.set_defaults(handler=cmd_device_set)
    device_show = device_cmds.add_parser("show", help="show this device's name and id")
    device_show.add_argument("--json", action="store_true")
    device_show.set_defaults(handler=cmd_device_show)


def cmd_me_set(args: argparse.Namespace) -> int:
    """Change the given fields of My details and the logo, all or nothing."""
    logo = _read_logo(args.logo) if args.logo else None
    changes = {
        field: getattr(args, option)
        for option, field in DETAIL_OPTIONS.items()
        if getattr(args, option) is not None
    }
    if not changes and logo is None and not args.no_logo:
        raise CliError("Nothing to change: give at least one option (see --help).", 2)
    with unlocked(args) as services:
        profile = services.profile
        details = profile.save(
            replace(profile.get(), **changes), logo=logo, remove_logo=args.no_logo
        )
    _print_details(details, as_json=False)
    return EXIT_OK


def cmd_me_show(args: argparse.Namespace) -> int:
    """Print My details (``--json`` for scripts)."""
    with unlocked(args) as services:
        details = services.profile.get()
    _print_details(details, as_json=args.json)
    return EXIT_OK


def cmd_device_set(args: argparse.Namespace) -> int:
    """Name this device."""
    with unlocked(args) as services:
        name = services.vault.set_device_name(args.name)
    print(f"This device is now called {name}.")
    return EXIT_OK


def cmd_device_show(args: argparse.Namespace) -> int:
    """Print this device's name and id."""
    with unlocked(args) as services:
        shown = {"name": services.vault.device_name(), "id": services.vault.device_id}
    if args.json:
        print_json(shown)
    else:
        print(f"{shown['name']}  ({shown['id']})")
    return EXIT_OK


def _read_logo(path: str) -> bytes:
    try:  # bounded, and never a device or pipe (see casedesk.storage.files)
        return read_input_file(path, MAX_LOGO_BYTES, "logo")
    except (FileRefused, VaultNotFound) as exc:
        raise CliError(f"Cannot read the logo: {exc}", 2) from None


def _print_details(details: MyDetails, *, as_json: bool) -> None:
    missing = missing_for_agreeing(details)
    if as_json:
        print_json(
            {
                **details.to_data(),
                "ready_for_agreeing": not missing,
                "missing_for_agreeing": list(missing),
            }
        )
        return
    for option, field in DETAIL_OPTIONS.items():
        value = str(getattr(details, field)).replace("\n", ", ")
        print(f"{option.replace('_', ' '):<13} {value}")
    print(f"{'logo':<13} {'yes' if details.logo_attachment_id else 'none'}")
    if missing:
        print(f"Plans can't be agreed until you set: {', '.join(missing)}.")
