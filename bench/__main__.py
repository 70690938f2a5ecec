"""``python -m bench`` (``make bench``): every benchmark, one table, and bench/results/latest.json.

Storage figures come from :mod:`bench.bench_storage`; the hub, PDF and UI modules are run too
when they exist (other parts of the project provide them). See bench/README.md.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback

from bench.common import RESULTS_DIR, Row, format_table, info_row, normalise, write_json

OTHER_MODULES = ("bench.bench_hub", "bench.bench_pdf", "bench.bench_ui", "bench.bench_plans")


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
        "--storage-only", action="store_true", help="skip the hub, PDF and UI benchmarks"
    )
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when any figure misses its target"
    )
    args = parser.parse_args(argv)

    started = time.perf_counter()
    from bench import bench_storage

    rows = bench_storage.run(args.clients, rebuild=args.rebuild)
    if not args.storage_only:
        for name in OTHER_MODULES:
            rows += _other_rows(name)
    elapsed = time.perf_counter() - started

    print(format_table(rows))
    out = RESULTS_DIR / "latest.json"
    write_json(rows, out, {"clients": args.clients, "elapsed_s": round(elapsed, 1)})
    print(f"\n{len(rows)} figures in {elapsed:.0f} s; JSON written to {out}")
    return 1 if args.strict and any(r.passed is False for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
