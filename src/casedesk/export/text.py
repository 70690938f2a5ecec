"""Make any Unicode text printable with reportlab and the embedded font.

reportlab (without the optional HarfBuzz shaping) draws characters one by one, left to right, in
the order they are stored. That is right for Latin, Greek and Cyrillic, but Arabic and Hebrew are
written right to left, and Arabic letters change shape depending on their neighbours. So before
drawing, :func:`printable`:

1. replaces characters the font has no glyph for (emoji, for example) with a visible box "□",
   instead of letting reportlab print an unrelated glyph;
2. gives Arabic letters their joined forms (Unicode "Arabic Presentation Forms-B", which
   DejaVu Sans has), including the lam-alef ligatures;
3. reorders right-to-left runs into visual order (a compact subset of the Unicode bidi
   algorithm: strong runs, numbers kept left to right inside them, neutrals resolved by their
   neighbours, mirrored brackets).

Limits (documented in docs/EXPORT.md): reordering is per line of input, so a long right-to-left
paragraph that wraps over several printed lines shows its lines in top-to-bottom order of the
logical text; Persian/Urdu-specific letters print unjoined.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from casedesk.export.fonts import has_glyph

MISSING_GLYPH = "□"
_MIRRORED = str.maketrans("()[]{}<>«»", ")(][}{><»«")

# Arabic letter -> (isolated, final, initial, medial); two forms mean it joins on one side only.
_FORMS: dict[str, tuple[int, ...]] = {
    "\u0621": (0xFE80,),
    "\u0622": (0xFE81, 0xFE82),
    "\u0623": (0xFE83, 0xFE84),
    "\u0624": (0xFE85, 0xFE86),
    "\u0625": (0xFE87, 0xFE88),
    "\u0626": (0xFE89, 0xFE8A, 0xFE8B, 0xFE8C),
    "\u0627": (0xFE8D, 0xFE8E),
    "\u0628": (0xFE8F, 0xFE90, 0xFE91, 0xFE92),
    "\u0629": (0xFE93, 0xFE94),
    "\u062a": (0xFE95, 0xFE96, 0xFE97, 0xFE98),
    "\u062b": (0xFE99, 0xFE9A, 0xFE9B, 0xFE9C),
    "\u062c": (0xFE9D, 0xFE9E, 0xFE9F, 0xFEA0),
    "\u062d": (0xFEA1, 0xFEA2, 0xFEA3, 0xFEA4),
    "\u062e": (0xFEA5, 0xFEA6, 0xFEA7, 0xFEA8),
    "\u062f": (0xFEA9, 0xFEAA),
    "\u0630": (0xFEAB, 0xFEAC),
    "\u0631": (0xFEAD, 0xFEAE),
    "\u0632": (0xFEAF, 0xFEB0),
    "\u0633": (0xFEB1, 0xFEB2, 0xFEB3, 0xFEB4),
    "\u0634": (0xFEB5, 0xFEB6, 0xFEB7, 0xFEB8),
    "\u0635": (0xFEB9, 0xFEBA, 0xFEBB, 0xFEBC),
    "\u0636": (0xFEBD, 0xFEBE, 0xFEBF, 0xFEC0),
    "\u0637": (0xFEC1, 0xFEC2, 0xFEC3, 0xFEC4),
    "\u0638": (0xFEC5, 0xFEC6, 0xFEC7, 0xFEC8),
    "\u0639": (0xFEC9, 0xFECA, 0xFECB, 0xFECC),
    "\u063a": (0xFECD, 0xFECE, 0xFECF, 0xFED0),
    "\u0641": (0xFED1, 0xFED2, 0xFED3, 0xFED4),
    "\u0642": (0xFED5, 0xFED6, 0xFED7, 0xFED8),
    "\u0643": (0xFED9, 0xFEDA, 0xFEDB, 0xFEDC),
    "\u0644": (0xFEDD, 0xFEDE, 0xFEDF, 0xFEE0),
    "\u0645": (0xFEE1, 0xFEE2, 0xFEE3, 0xFEE4),
    "\u0646": (0xFEE5, 0xFEE6, 0xFEE7, 0xFEE8),
    "\u0647": (0xFEE9, 0xFEEA, 0xFEEB, 0xFEEC),
    "\u0648": (0xFEED, 0xFEEE),
    "\u0649": (0xFEEF, 0xFEF0),
    "\u064a": (0xFEF1, 0xFEF2, 0xFEF3, 0xFEF4),
}
_TATWEEL = "\u0640"
# lam + alef variant -> (isolated ligature, final ligature)
_LAM_ALEF = {
    "\u0622": (0xFEF5, 0xFEF6),
    "\u0623": (0xFEF7, 0xFEF8),
    "\u0625": (0xFEF9, 0xFEFA),
    "\u0627": (0xFEFB, 0xFEFC),
}
_LAM = "\u0644"


def printable(text: str) -> str:
    """``text`` ready to draw: missing glyphs boxed, Arabic joined, right-to-left runs reordered."""
    return "\n".join(_printable_line(line) for line in text.split("\n"))


@lru_cache(maxsize=4096)
def _printable_line(line: str) -> str:
    line = "".join(_glyph_or_fallback(c) for c in line)
    if not any(_is_rtl(c) for c in line):
        return line
    return _visual_order(_shape_arabic(line))


_INVISIBLE = {"Mn", "Me", "Cf", "Cc"}  # marks, joiners and controls: no box when missing
_SKIN_TONES = range(0x1F3FB, 0x1F400)  # modify the emoji before them, which is boxed already


def _glyph_or_fallback(char: str) -> str:
    if char in "\t " or has_glyph(char):
        return char
    if unicodedata.category(char) in _INVISIBLE or ord(char) in _SKIN_TONES:
        return ""
    return MISSING_GLYPH


def _is_rtl(char: str) -> bool:
    return unicodedata.bidirectional(char) in {"R", "AL"}


def _is_transparent(char: str) -> bool:
    """Marks (harakat) do not break joining between the letters around them."""
    return unicodedata.category(char) == "Mn"


def _joins_forward(char: str | None) -> bool:
    """Whether ``char`` connects to the letter after it (dual-joining letters and tatweel)."""
    return char == _TATWEEL or (char is not None and len(_FORMS.get(char, ())) == 4)


def _joins_backward(char: str | None) -> bool:
    return char == _TATWEEL or (char is not None and len(_FORMS.get(char, ())) >= 2)


def _neighbour(line: str, index: int, step: int) -> str | None:
    index += step
    while 0 <= index < len(line):
        if not _is_transparent(line[index]):
            return line[index]
        index += step
    return None


def _shape_arabic(line: str) -> str:
    out: list[str] = []
    index = 0
    while index < len(line):
        char = line[index]
        before = _neighbour(line, index, -1)
        after = _neighbour(line, index, +1)
        if char == _LAM and after in _LAM_ALEF and line[index + 1] == after:
            isolated, final = _LAM_ALEF[after]
            out.append(chr(final if _joins_forward(before) else isolated))
            index += 2
            continue
        forms = _FORMS.get(char)
        if forms is None:
            out.append(char)
        else:
            joined_before = _joins_forward(before)
            joined_after = len(forms) == 4 and _joins_backward(after)
            out.append(chr(_pick_form(forms, joined_before, joined_after)))
        index += 1
    return "".join(out)


def _pick_form(forms: tuple[int, ...], joined_before: bool, joined_after: bool) -> int:
    if len(forms) == 1:
        return forms[0]
    if joined_before and joined_after:
        return forms[3]
    if joined_before:
        return forms[1]
    if joined_after:
        return forms[2]
    return forms[0]


def _levels(line: str) -> list[int]:
    """Embedding level per character: 0 left-to-right, 1 right-to-left, 2 numbers inside RTL."""
    classes = [unicodedata.bidirectional(c) for c in line]
    strong = ["R" if k in {"R", "AL"} else "L" if k == "L" else "N" for k in classes]
    base_rtl = next((s == "R" for s in strong if s != "N"), False)
    resolved = list(strong)
    for index, kind in enumerate(strong):
        if kind != "N":
            continue
        left = next((s for s in reversed(strong[:index]) if s != "N"), None)
        right = next((s for s in strong[index + 1 :] if s != "N"), None)
        if left == right and left is not None:
            resolved[index] = left
        else:
            resolved[index] = "R" if base_rtl else "L"
    levels = []
    for (
        kind,
        bidi_class,
    ) in zip(resolved, classes, strict=True):
        if bidi_class in {"EN", "AN"} and kind == "R":
            levels.append(2)  # digits keep their left-to-right order inside RTL text
        elif kind == "R":
            levels.append(1)
        else:
            levels.append(2 if base_rtl else 0)
    return levels


def _visual_order(line: str) -> str:
    """Reverse runs from the highest level down (Unicode bidi rule L2)."""
    levels = _levels(line)
    chars = [
        c.translate(_MIRRORED) if level % 2 else c for c, level in zip(line, levels, strict=True)
    ]
    lowest_odd = min((lv for lv in levels if lv % 2), default=1)
    for level in range(max(levels), lowest_odd - 1, -1):
        index = 0
        while index < len(chars):
            if levels[index] < level:
                index += 1
                continue
            end = index
            while end < len(chars) and levels[end] >= level:
                end += 1
            chars[index:end] = chars[index:end][::-1]
            levels[index:end] = levels[index:end][::-1]
            index = end
    return "".join(chars)
