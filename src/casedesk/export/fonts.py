"""Embedded TrueType fonts, so any Unicode name prints the same on every machine.

DejaVu Sans covers Latin, Greek, Cyrillic, Armenian, Georgian, Hebrew and Arabic letters, among
others. reportlab embeds only the glyphs used (a subset) and always under the same subset name, so
builds stay byte-for-byte reproducible.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from functools import cache

from reportlab import rl_config
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

from casedesk.paths import resources_dir

REGULAR = "CasedeskSans"
BOLD = "CasedeskSans-Bold"

_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}
_lock = threading.Lock()
_registered = False


_ASTRAL_ENTRY = re.compile(r"^<([0-9A-F]{2})> <([0-9A-F]{5,6})>$", re.MULTILINE)
_original_to_unicode_cmap = ttfonts.makeToUnicodeCMap


def _to_unicode_cmap(fontname: str, subset: Sequence[int]) -> str:
    """Reportlab's ToUnicode map, with characters beyond U+FFFF written as UTF-16 pairs.

    reportlab writes ``<1F60A>`` for U+1F60A (five hex digits), which viewers read as U+1F60:
    the glyph prints right but copying the text (or pdftotext) gives the wrong character.
    """
    cmap: str = _original_to_unicode_cmap(fontname, subset)

    def as_utf16(match: re.Match[str]) -> str:
        code = int(match.group(2), 16)
        return f"<{match.group(1)}> <{chr(code).encode('utf-16-be').hex().upper()}>"

    return _ASTRAL_ENTRY.sub(as_utf16, cmap)


def register_fonts() -> None:
    """Register the embedded fonts with reportlab once per process (safe to call repeatedly)."""
    global _registered
    with _lock:
        if _registered:
            return
        ttfonts.makeToUnicodeCMap = _to_unicode_cmap
        # Binary (Flate-only) streams: ASCII85 would add a quarter to the size and, in pure
        # Python, about a tenth of the build time, for 7-bit safety nobody needs in 2026.
        rl_config.useA85 = 0
        font_dir = resources_dir() / "fonts"
        for name, filename in _FILES.items():
            pdfmetrics.registerFont(TTFont(name, str(font_dir / filename)))
        # Map <b> and <i> in paragraph markup onto the embedded faces (there is no italic face;
        # italics fall back to upright rather than to a non-embedded standard font).
        addMapping(REGULAR, 0, 0, REGULAR)
        addMapping(REGULAR, 1, 0, BOLD)
        addMapping(REGULAR, 0, 1, REGULAR)
        addMapping(REGULAR, 1, 1, BOLD)
        _registered = True


@cache
def _covered_code_points() -> frozenset[int]:
    register_fonts()
    char_to_glyph: dict[int, int] = pdfmetrics.getFont(REGULAR).face.charToGlyph
    return frozenset(char_to_glyph)


def has_glyph(char: str) -> bool:
    """Whether the regular face has a glyph for ``char`` (others print as a fallback box)."""
    return ord(char) in _covered_code_points()
