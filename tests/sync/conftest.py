"""Chaos-suite fixtures: real hubs (SQLite and PostgreSQL) over loopback and real vault devices.

The hub fixtures (``hub``, ``hub_url``, ``pg_database``, ``hub_log``...) are the hub tests' own,
loaded from ``tests/hub/conftest.py`` so both suites exercise the same throw-away databases.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

os.environ.setdefault("CASEDESK_KDF", "test")

_HERE = Path(__file__).resolve().parent
for _path in (_HERE, _HERE.parent / "hub"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))


def _load_hub_conftest() -> object:
    spec = importlib.util.spec_from_file_location(
        "casedesk_hub_conftest", _HERE.parent / "hub" / "conftest.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_hub = _load_hub_conftest()
# Re-export the hub suite's fixtures (pg databases, hub, hub_url, hub_log, ...) by name.
for _name in dir(_hub):
    _value = getattr(_hub, _name)
    if hasattr(_value, "_fixture_function_marker") or hasattr(_value, "_pytestfixturefunction"):
        globals()[_name] = _value

import pytest  # noqa: E402
from syncfix import Fleet  # noqa: E402


@pytest.fixture
def fleet(hub, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Devices of one fresh account on the module's hub, per backend (call ``fleet.add()``)."""
    with Fleet(hub, tmp_path) as made:
        yield made
