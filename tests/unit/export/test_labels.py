from __future__ import annotations

import json
import string
from datetime import date

from casedesk.domain.documents import CopyKind, RenderOptions
from casedesk.export.labels import (
    Labels,
    available_languages,
    catalogue_dir,
    labels_for,
    resolve_language,
)


def _catalogue(lang: str) -> dict[str, str]:
    raw = json.loads((catalogue_dir() / f"{lang}.json").read_text(encoding="utf-8"))
    return {k: v for k, v in raw.items() if isinstance(v, str)}


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_english_and_spanish_ship():
    assert {"en", "es"} <= set(available_languages())


def test_translations_only_use_known_keys_and_the_same_placeholders():
    english = _catalogue("en")
    for lang in available_languages():
        for key, text in _catalogue(lang).items():
            assert key in english, f"{lang}.json has unknown key {key}"
            assert _placeholders(text) == _placeholders(english[key]), f"{lang}:{key}"


def test_language_resolution_falls_back():
    assert resolve_language("es-MX") == "es"
    assert resolve_language("ES") == "es"
    assert resolve_language("pt-BR") == "en"
    assert resolve_language(None) == "en"


def test_missing_translation_falls_back_to_english_per_key():
    spanish = Labels("es")
    assert spanish.text("plan.client.title") == "Mi plan de apoyo"
    # A key missing from a catalogue falls back to English.
    spanish._primary = {k: v for k, v in spanish._primary.items() if k != "file.targets"}
    assert spanish.text("file.targets") == "Targets"
    assert spanish.date(date(2026, 3, 2)) == "2 de marzo de 2026"
    assert Labels("en").date(date(2026, 3, 2)) == "2 March 2026"


def test_client_copy_follows_the_client_and_file_copy_defaults_to_english():
    assert labels_for(RenderOptions(), "es").language == "es"
    assert labels_for(RenderOptions(copy=CopyKind.FILE), "es").language == "en"
    assert labels_for(RenderOptions(copy=CopyKind.FILE, language="es"), "en").language == "es"


def test_spanish_is_complete():
    assert set(_catalogue("en")) - set(_catalogue("es")) == set()
