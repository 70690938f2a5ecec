"""The demo-data command."""

from __future__ import annotations

import argparse
import time
from datetime import date
from typing import Any

from casedesk.cli.common import EXIT_OK, unlocked
from casedesk.services.demo import generate_demo_data
from casedesk.services.demo_story import WORKER_CASELOAD_CLIENTS


def register(commands: Any) -> None:
    """Add ``demo-data`` to the parser."""
    demo = commands.add_parser(
        "demo-data",
        help="add the demo caseload (one worker's clients), or N synthetic clients",
    )
    demo.add_argument(
        "--clients",
        type=int,
        default=None,
        metavar="N",
        help="a synthetic caseload of N clients for benchmarks (default: the demo caseload, "
        f"{WORKER_CASELOAD_CLIENTS} clients of one case manager)",
    )
    demo.add_argument("--seed", type=int, default=1, metavar="S")
    demo.add_argument(
        "--anchor-date",
        type=calendar_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="tell the story up to this date (default today); fixes the output completely",
    )
    demo.set_defaults(handler=cmd_demo_data)


def calendar_date(text: str) -> date:
    """A ``YYYY-MM-DD`` date for argparse, refused in plain words otherwise."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-06-30") from None


def cmd_demo_data(args: argparse.Namespace) -> int:
    """Generate the caseload and report what was made."""
    started = time.perf_counter()
    with unlocked(args) as services:
        summary = generate_demo_data(
            services.vault.db, args.clients, seed=args.seed, anchor=args.anchor_date
        )
    elapsed = time.perf_counter() - started
    total = sum(summary.rows.values())
    print(f"Generated {summary.clients:,} clients ({total:,} records) in {elapsed:.1f} s.")
    return EXIT_OK
