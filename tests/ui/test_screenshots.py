"""The screenshot tool makes every picture the README and docs show (issue 20 item 14)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]
SHOTS_DIR = ROOT / "docs" / "screenshots"
REFERENCE = re.compile(r"screenshots/([\w.-]+\.png)")


def _referenced() -> set[str]:
    """Every docs/screenshots picture README.md and docs/*.md refer to."""
    found: set[str] = set()
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        found |= set(REFERENCE.findall(page.read_text(encoding="utf-8")))
    return found


@pytest.fixture
def manifest(monkeypatch: pytest.MonkeyPatch) -> frozenset[str]:
    # The tool sets these for its own runs; keep them from leaking into other tests.
    monkeypatch.setenv("CASEDESK_KDF", "test")
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    from casedesk.ui.screenshots import manifest as tool_manifest

    return tool_manifest()


def test_the_tool_makes_every_picture_the_docs_show(manifest) -> None:
    referenced = _referenced()
    assert {"plan-tab.png", "assessment-form.png", "pdf-client-copy.png"} <= referenced
    assert referenced - manifest == set()


def test_every_picture_in_the_folder_can_be_made_again(manifest) -> None:
    """No picture in docs/screenshots that the tool would not make (it would go stale)."""
    assert {p.name for p in SHOTS_DIR.glob("*.png")} - manifest == set()


@pytest.mark.slow
def test_running_the_tool_makes_exactly_the_manifest(manifest, tmp_path: Path) -> None:
    out = tmp_path / "shots"
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "TMPDIR": str(tmp_path),
        "PYTHONPATH": str(ROOT / "src"),
        "QT_QPA_PLATFORM": "offscreen",
        "CASEDESK_KDF": "test",
    }
    result = subprocess.run(
        [sys.executable, "-m", "casedesk.ui.screenshots", str(out)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    made = {p.name for p in out.glob("*.png")}
    assert made == manifest
    for name in ("home.png", "plan-tab.png", "assessment-form.png", "documents-tab.png"):
        image = QImage(str(out / name))
        assert (image.width(), image.height()) == (1366, 768), name
    page = QImage(str(out / "pdf-client-copy.png"))
    assert (page.width(), page.height()) == (662, 936)  # an A4 page at 80 dpi
    assert list(tmp_path.glob("casedesk-shots-*")) == []  # the demo vault is gone
