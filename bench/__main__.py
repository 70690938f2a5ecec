"""``python -m bench`` (``make bench``): every benchmark, one table, and bench/results/latest.json.

Storage figures come from :mod:`bench.bench_storage`; every other ``bench/bench_*.py`` with a
``run()`` (hub, PDF, UI, ... provided by other parts of the project) is run too. See
bench/README.md.
"""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
import time
import traceback
from dataclasses import asdict

from bench.common import (
    BENCH_DIR,
    REPO_ROOT,
    RESULTS_DIR,
    Row,
    format_table,
    info_row,
    normalise,
    write_json,
)

# The hub, PDF and UI benchmarks first, then any other bench_*.py module with a run().
PREFERRED = ("bench_hub", "bench_pdf", "bench_ui", "bench_plans")


def other_modules() -> list[str]:
    """Every ``bench/bench_*.py`` except storage (which runs first), preferred ones first."""
    found = {p.stem for p in BENCH_DIR.glob("bench_*.py")} - {"bench_storage"}
    ordered = [name for name in PREFERRED if name in found] + sorted(found - set(PREFERRED))
    return [f"bench.{name}" for name in ordered]


ROWS_MARKER = "BENCH-ROWS-JSON: "


def _module_rows_in_this_process(name: str) -> list[Row]:
    source = name.rsplit(".", 1)[-1].removeprefix("bench_")
    module = importlib.import_module(name)
    return [normalise(item, source) for item in module.run()]


def _other_rows(name: str) -> list[Row]:
    """Run one module in its own process, so a crash (e.g. a Qt abort) loses only its rows."""
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--module", name],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
    )
    for line in reversed(result.stdout.splitlines()):
        if line.startswith(ROWS_MARKER):
            return [Row(**row) for row in json.loads(line.removeprefix(ROWS_MARKER))]
    sys.stderr.write(result.stderr[-4000:])
    last = (result.stderr.strip().splitlines() or ["no output"])[-1]
    return [info_row(f"{name}.run() failed (exit {result.returncode})", last[:120])]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks, print the table and write the JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--clients", type=int, default=5000, help="caseload size (default 5000, ~250k notes)"
    )
    parser.add_argument(
        "--rebuild", action="store_true", help="rebuild the cached vault (re-times demo-data)"
    )
    parser.add_argument(
        "--storage-only", action="store_true", help="skip the other bench_*.py modules"
    )
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when any figure misses its target"
    )
    parser.add_argument("--module", help=argparse.SUPPRESS)  # internal: run one module
    args = parser.parse_args(argv)
    if args.module:
        try:
            rows = _module_rows_in_this_process(args.module)
        except Exception as exc:  # reported as a row by the parent
            traceback.print_exc()
            rows = [info_row(f"{args.module}.run() failed", f"{type(exc).__name__}: {exc}")]
        print(ROWS_MARKER + json.dumps([asdict(row) for row in rows], default=str))
        return 0

    started = time.perf_counter()
    from bench import bench_storage

    rows = bench_storage.run(args.clients, rebuild=args.rebuild)
    print(format_table(rows), flush=True)  # storage figures first, in case a later module dies
    print(flush=True)
    write_json(rows, RESULTS_DIR / "latest.json", {"clients": args.clients, "partial": True})
    if not args.storage_only:
        for name in other_modules():
            rows += _other_rows(name)
    elapsed = time.perf_counter() - started

    print(format_table(rows))
    out = RESULTS_DIR / "latest.json"
    write_json(rows, out, {"clients": args.clients, "elapsed_s": round(elapsed, 1)})
    print(f"\n{len(rows)} figures in {elapsed:.0f} s; JSON written to {out}")
    return 1 if args.strict and any(r.passed is False for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
