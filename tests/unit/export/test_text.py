from __future__ import annotations

import unicodedata

from casedesk.export.text import MISSING_GLYPH, printable


def test_latin_greek_cyrillic_pass_through():
    for text in ("Zoë Ångström", "Σοφία", "Дмитрий", "plain (text) 123"):
        assert printable(text) == text


def test_hebrew_is_put_in_visual_order():
    assert printable("דוד כהן") == "ןהכ דוד"


def test_arabic_is_joined_and_reordered():
    shaped = printable("محمد")
    assert shaped == "\ufee3\ufea4\ufee4\ufeaa"[::-1]
    # Undo the presentation forms and the order: the same letters come back.
    assert unicodedata.normalize("NFKC", shaped)[::-1] == "محمد"


def test_lam_alef_ligature():
    assert printable("لا") == "\ufefb"


def test_numbers_keep_their_order_inside_rtl_text():
    assert printable("דירה 12").startswith("12 ")


def test_missing_glyphs_become_a_visible_box():
    # U+1FA84 (magic wand) is not in DejaVu Sans.
    assert printable("Wand \U0001fa84") == f"Wand {MISSING_GLYPH}"


def test_line_breaks_are_kept():
    assert printable("a\nb") == "a\nb"


def test_missing_invisible_characters_are_dropped_not_boxed():
    # Thumbs up with a skin tone: one box, not two; CJK is boxed (no glyph in DejaVu Sans).
    assert printable("ok \U0001f44d\U0001f3fd") == f"ok {MISSING_GLYPH}"
    assert printable("\u4e2d") == MISSING_GLYPH
    assert printable("a\u2066b") in ("ab", "a\u2066b")
