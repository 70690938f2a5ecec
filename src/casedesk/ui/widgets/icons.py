"""Icons from ``resources/icons`` (SVG), loaded through the resources path helper."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

from casedesk.paths import resources_dir


@cache
def icon(name: str) -> QIcon:
    """The icon ``resources/icons/<name>.svg`` (an empty icon if missing)."""
    path = resources_dir() / "icons" / f"{name}.svg"
    return QIcon(str(path)) if path.exists() else QIcon()
