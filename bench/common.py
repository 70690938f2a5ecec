"""Shared benchmark plumbing: result rows, percentiles, the printed table and the JSON file.

Every benchmark module exposes ``run()`` returning a list of rows: :class:`Row` objects, or
dicts (``figure``/``name``, ``target``/``target_ms``, ``measured``/``p95_ms``/``median_ms``,
``pass``/``ok``); :func:`normalise` turns either into a :class:`Row`.
"""

from __future__ import annotations

import json
import math
import platform
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"


@dataclass
class Row:
    """One figure: what it is, its target, what was measured, and whether it passed.

    ``passed`` is None for figures reported for information only (no target).
    """

    figure: str
    target: str
    measured: str
    passed: bool | None
    value: float | None = None
    unit: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    source: str = ""


def percentile(values: Iterable[float], pct: float) -> float:
    """The ``pct`` percentile (nearest rank, so p95 of 100 values is the 95th smallest)."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def summary_ms(timings_ms: list[float]) -> dict[str, float]:
    """Median, p95 and max of a list of millisecond timings (rounded)."""
    return {
        "n": len(timings_ms),
        "median_ms": round(statistics.median(timings_ms), 2),
        "p95_ms": round(percentile(timings_ms, 95), 2),
        "max_ms": round(max(timings_ms), 2),
    }


def time_ms(action: Callable[[], object]) -> float:
    """Wall time of one call, in milliseconds."""
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def le_row(figure: str, measured: float, target: float, unit: str, **details: Any) -> Row:
    """A row whose figure passes when ``measured <= target``."""
    digits = 2 if unit == "x" else 1
    return Row(
        figure=figure,
        target=f"<= {target:g} {unit}".rstrip(),
        measured=f"{measured:.{digits}f} {unit}".rstrip(),
        passed=measured <= target,
        value=round(measured, 3),
        unit=unit,
        details=details,
    )


def info_row(figure: str, measured: str, **details: Any) -> Row:
    """A row reported for information (no target)."""
    return Row(figure=figure, target="(info)", measured=measured, passed=None, details=details)


def normalise(item: Row | dict[str, Any], source: str) -> Row:
    """Accept a :class:`Row` or a dict from another benchmark module."""
    if isinstance(item, Row):
        item.source = item.source or source
        return item
    figure = str(item.get("figure") or item.get("name") or "?")
    target = item.get("target")
    measured = item.get("measured")
    if target is None and item.get("target_ms") is not None:
        # "target_ms" is sometimes used for other units: follow the measured value's unit.
        last = str(measured).split()[-1] if measured else "ms"
        unit = str(item.get("unit") or (last if last.isalpha() else "ms"))
        target = f"<= {item['target_ms']:g} {unit}"
    if measured is None:
        parts = []
        if item.get("p95_ms") is not None:
            parts.append(f"p95 {item['p95_ms']} ms")
        if item.get("median_ms") is not None:
            parts.append(f"median {item['median_ms']} ms")
        measured = ", ".join(parts) or "?"
    passed = item.get("pass", item.get("passed", item.get("ok")))
    known = {"figure", "name", "target", "target_ms", "measured", "pass", "passed", "ok"}
    return Row(
        figure=figure,
        target=str(target if target is not None else "(info)"),
        measured=str(measured),
        passed=None if passed is None else bool(passed),
        details={k: v for k, v in item.items() if k not in known},
        source=source,
    )


def format_table(rows: list[Row]) -> str:
    """A plain-text table: figure / target / measured / pass."""
    header = ("figure", "target", "measured", "pass")
    cells = [
        (
            r.figure,
            r.target,
            r.measured,
            "-" if r.passed is None else ("PASS" if r.passed else "FAIL"),
        )
        for r in rows
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(header)]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)), line]
    out += ["  ".join(c.ljust(w) for c, w in zip(cell, widths, strict=True)) for cell in cells]
    return "\n".join(out)


def write_json(rows: list[Row], path: Path, extra: dict[str, Any] | None = None) -> None:
    """Write the rows (and machine facts) as JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "written_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
        },
        **(extra or {}),
        "rows": [asdict(r) for r in rows],
    }
    path.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
