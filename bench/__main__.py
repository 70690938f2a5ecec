"""``python -m bench`` (``make bench``): every benchmark, one table, and bench/results/latest.json.

Storage figures come from :mod:`bench.bench_storage`; every other ``bench/bench_*.py`` with a
``run()`` (hub, PDF, UI, ... provided by other parts of the project) is run too. See
bench/README.md.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback

from bench.common import (
    BENCH_DIR,
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


def _other_rows(name: str) -> list[Row]:
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            return []  # that part of the project has no benchmark (yet)
        raise
    source = name.rsplit(".", 1)[-1].removeprefix("bench_")
    try:
        return [normalise(item, source) for item in module.run()]
    except Exception as exc:  # one broken module must not hide the others' figures
        traceback.print_exc()
        return [info_row(f"{name}.run() failed", f"{type(exc).__name__}: {exc}")]


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
    args = parser.parse_args(argv)

    started = time.perf_counter()
    from bench import bench_storage

    rows = bench_storage.run(args.clients, rebuild=args.rebuild)
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
