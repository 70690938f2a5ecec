"""Printed labels, per language, with English as the fallback for anything not yet translated.

Catalogues live in ``resources/i18n/pdf_labels/<lang>.json``: a flat ``key -> text`` map (plus a
``_meta`` entry). Texts may hold ``{placeholders}`` filled by :meth:`Labels.text`. Translators can
add a language by copying ``en.json``; a missing key silently falls back to English, so a partial
translation is still useful.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path

from casedesk.domain.documents import CopyKind, RenderOptions
from casedesk.paths import resources_dir

FALLBACK_LANGUAGE = "en"


def catalogue_dir() -> Path:
    """Folder holding one ``<lang>.json`` label catalogue per language."""
    return resources_dir() / "i18n" / "pdf_labels"


def available_languages() -> tuple[str, ...]:
    """Languages with a label catalogue, sorted."""
    return tuple(sorted(path.stem for path in catalogue_dir().glob("*.json")))


@cache
def _load_catalogue(language: str) -> dict[str, str]:
    path = catalogue_dir() / f"{language}.json"
    if not path.is_file():
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {key: value for key, value in raw.items() if isinstance(value, str)}


def _language_candidates(tag: str) -> list[str]:
    """``"pt-BR"`` -> ``["pt-br", "pt"]``: the most specific catalogue first."""
    normalised = tag.strip().replace("_", "-").lower()
    candidates = [normalised]
    base = normalised.split("-", 1)[0]
    if base and base != normalised:
        candidates.append(base)
    return [c for c in candidates if c]


def resolve_language(tag: str | None) -> str:
    """The catalogue to use for a BCP 47 tag: exact, then base language, then English."""
    available = set(available_languages())
    for candidate in _language_candidates(tag or ""):
        if candidate in available:
            return candidate
    return FALLBACK_LANGUAGE


class Labels:
    """Label lookup for one language, falling back to English key by key."""

    def __init__(self, language: str | None) -> None:
        self.language = resolve_language(language)
        self._primary = _load_catalogue(self.language)
        self._fallback = _load_catalogue(FALLBACK_LANGUAGE)

    def text(self, key: str, **values: object) -> str:
        """The label for ``key`` with ``{placeholders}`` filled in.

        Raises:
            KeyError: if the key is in no catalogue (a programming error, caught by tests).
        """
        template = self._primary.get(key)
        if template is None:
            template = self._fallback[key]
        return template.format(**values) if values else template

    def date(self, value: date | None, *, missing: str = "plan.not_set") -> str:
        """A date spelled out for people ("3 March 2026"), or the ``missing`` label."""
        if value is None:
            return self.text(missing)
        return self.text(
            "date.format",
            day=value.day,
            month=self.text(f"month.{value.month}"),
            year=value.year,
        )

    def enum(self, prefix: str, value: str) -> str:
        """Label for an enum value, e.g. ``enum("priority", "high")``."""
        return self.text(f"{prefix}.{value}")


def labels_for(options: RenderOptions, preferred_language: str) -> Labels:
    """Labels in the language the options ask for.

    The client copy defaults to the client's preferred language; the file copy is a record for
    the service, so it defaults to English unless a language is asked for explicitly.
    """
    if options.language is not None:
        return Labels(options.language)
    if options.copy is CopyKind.FILE:
        return Labels(FALLBACK_LANGUAGE)
    return Labels(preferred_language)
