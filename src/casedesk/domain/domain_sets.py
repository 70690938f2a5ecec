"""Assessment domain sets: versioned, data-driven lists of life domains with a 1-10 scale.

A domain set is plain JSON in ``resources/domains/`` (built-in sets) or stored by the
services layer (a user's own copy). This module parses and validates that JSON by hand
(no schema library: the format is small and the messages must be plain), and holds the
copy/versioning rules:

* A set is identified by ``(key, version)``. An assessment records both, so it keeps the
  wording it was made with even after the set changes.
* Built-in sets are never edited. A user copies one (``copy_domain_set``): the copy gets a
  new key, starts at version 1 and remembers what it was based on.
* Every saved change to a set (``add_domain``, ``rename_domain``, ``revise_domain_set``)
  produces the next version number; the old version stays valid.
* Domain keys never change once made (a rename changes only the name), so readings from
  different versions can still be compared domain by domain.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from casedesk.domain.reference import reference_id

DOMAIN_SET_KIND = "domain_set"
SCALE_MIN = 1
SCALE_MAX = 10

#: Gravity Project SDOH Clinical Care category codes (SDOHCC-CodeSystemTemporaryCodes).
SDOH_CATEGORIES: frozenset[str] = frozenset(
    {
        "food-insecurity",
        "housing-instability",
        "homelessness",
        "inadequate-housing",
        "transportation-insecurity",
        "financial-insecurity",
        "material-hardship",
        "educational-attainment",
        "employment-status",
        "veteran-status",
        "stress",
        "social-connection",
        "intimate-partner-violence",
        "elder-abuse",
        "personal-health-literacy",
        "health-insurance-coverage-status",
        "medical-cost-burden",
        "digital-literacy",
        "digital-access",
        "utility-insecurity",
        "language-access",
        "incarceration-status",
        "protective-factor",
        "sdoh-category-unspecified",
    }
)

# Keys end up in file names, exports and stored readings, so keep them boring.
_KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_MAX_VERSION = 1_000_000
_MAX_TEXT = 2_000

_SET_FIELDS = ("key", "version", "name", "description", "licence", "domains")
_SET_OPTIONAL = ("based_on",)
_DOMAIN_FIELDS = ("key", "name", "description", "sdoh_category", "scale", "prompts")
_BAND_FIELDS = ("min", "max", "label")
_PROMPT_FIELDS = ("going_well", "exceptions", "scaling", "miracle")
_BASED_ON_FIELDS = ("key", "version")


class DomainSetError(ValueError):
    """A domain set file or text is malformed; the message names the source and the problem."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem


@dataclass(frozen=True, slots=True)
class ScaleBand:
    """A run of scores on the 1-10 scale sharing one short stage label (e.g. 3-4)."""

    min: int
    max: int
    label: str

    def contains(self, score: int) -> bool:
        """Whether ``score`` falls inside this band (inclusive at both ends)."""
        return self.min <= score <= self.max


@dataclass(frozen=True, slots=True)
class Prompts:
    """Strengths-based conversation prompts for one domain (solution-focused practice)."""

    going_well: str
    exceptions: str
    scaling: str
    miracle: str


@dataclass(frozen=True, slots=True)
class Domain:
    """One life domain: what it covers, its scale labels and the questions to open it up."""

    key: str
    name: str
    description: str
    sdoh_category: str | None
    scale: tuple[ScaleBand, ...]
    prompts: Prompts

    def band_for(self, score: int) -> ScaleBand:
        """The scale band a score falls into.

        Raises:
            ValueError: if the score is outside 1-10.
        """
        for band in self.scale:
            if band.contains(score):
                return band
        raise ValueError(f"score {score} is outside {SCALE_MIN}-{SCALE_MAX}")


@dataclass(frozen=True, slots=True)
class DomainSetRef:
    """Points at one version of a domain set (what an assessment records)."""

    key: str
    version: int

    @property
    def reference_id(self) -> str:
        """The row id every device gives this version when it is a built-in set.

        Built-in sets are registered by each device on its own, so their rows must have the
        same identity everywhere (see ``casedesk.domain.reference``).
        """
        return reference_id(DOMAIN_SET_KIND, self.key, self.version)


@dataclass(frozen=True, slots=True)
class DomainSet:
    """A named, versioned list of domains."""

    key: str
    version: int
    name: str
    description: str
    licence: str
    domains: tuple[Domain, ...]
    based_on: DomainSetRef | None = None

    @property
    def ref(self) -> DomainSetRef:
        """The ``(key, version)`` reference that assessments store."""
        return DomainSetRef(self.key, self.version)

    def domain(self, key: str) -> Domain:
        """Look up a domain by its key.

        Raises:
            KeyError: if the set has no domain with that key.
        """
        for domain in self.domains:
            if domain.key == key:
                return domain
        raise KeyError(key)

    def domain_keys(self) -> tuple[str, ...]:
        """The domain keys in display order."""
        return tuple(domain.key for domain in self.domains)


# ----------------------------------------------------------------------------- parsing


def load_domain_set(path: str | Path) -> DomainSet:
    """Read and validate a domain set JSON file.

    Raises:
        DomainSetError: if the file can't be read or is not a valid domain set.
    """
    file_path = Path(path)
    try:
        raw = file_path.read_bytes()
    except OSError as exc:
        raise DomainSetError(file_path.name, f"can't read the file ({exc.strerror})") from exc
    return parse_domain_set(raw, file_path.name)


def parse_domain_set(text: str | bytes, source_name: str) -> DomainSet:
    """Parse and validate domain set JSON.

    Args:
        text: the JSON, as text or UTF-8 bytes.
        source_name: a file name or label used in error messages.

    Raises:
        DomainSetError: for any problem, never another exception type.
    """
    data = _decode_json(text, source_name)
    return _Parser(source_name).domain_set(data)


def domain_set_from_data(data: object, source_name: str) -> DomainSet:
    """Validate already-decoded JSON data (e.g. a definition stored in the vault).

    Raises:
        DomainSetError: for any problem.
    """
    try:
        return _Parser(source_name).domain_set(data)
    except RecursionError as exc:
        raise DomainSetError(source_name, "the data is nested too deeply") from exc


def builtin_domain_sets(resources_dir: str | Path) -> list[DomainSet]:
    """Load every built-in set from ``<resources_dir>/domains/*.json``, sorted by key and version.

    Raises:
        DomainSetError: if any file is malformed or two files claim the same key and version.
    """
    domains_dir = Path(resources_dir) / "domains"
    sets: dict[DomainSetRef, DomainSet] = {}
    for file_path in sorted(domains_dir.glob("*.json")):
        domain_set = load_domain_set(file_path)
        if domain_set.ref in sets:
            raise DomainSetError(
                file_path.name,
                f"another file already defines {domain_set.key!r} version {domain_set.version}",
            )
        sets[domain_set.ref] = domain_set
    return sorted(sets.values(), key=lambda s: (s.key, s.version))


def _decode_json(text: str | bytes, source: str) -> object:
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DomainSetError(source, "the file is not UTF-8 text") from exc
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except RecursionError as exc:
        raise DomainSetError(source, "the JSON is nested too deeply") from exc
    except ValueError as exc:  # JSONDecodeError, over-long integers, NaN/Infinity
        raise DomainSetError(source, f"not valid JSON ({exc})") from exc


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not allowed")


class _Parser:
    """Validates decoded JSON, tracking where it is so messages can say which field is wrong."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, problem: str) -> DomainSetError:
        location = f"{where}: " if where else ""
        return DomainSetError(self.source, f"{location}{problem}")

    # ---- sets

    def domain_set(self, data: object) -> DomainSet:
        obj = self.obj(data, "", _SET_FIELDS, _SET_OPTIONAL)
        domains = self.domains(obj["domains"])
        return DomainSet(
            key=self.key(obj["key"], "key"),
            version=self.version(obj["version"], "version"),
            name=self.text(obj["name"], "name"),
            description=self.text(obj["description"], "description", allow_empty=True),
            licence=self.text(obj["licence"], "licence", allow_empty=True),
            domains=domains,
            based_on=self.based_on(obj.get("based_on")),
        )

    def based_on(self, data: object) -> DomainSetRef | None:
        if data is None:
            return None
        obj = self.obj(data, "based_on", _BASED_ON_FIELDS)
        return DomainSetRef(
            self.key(obj["key"], "based_on.key"), self.version(obj["version"], "based_on.version")
        )

    def domains(self, data: object) -> tuple[Domain, ...]:
        items = self.array(data, "domains")
        if not items:
            raise self.fail("domains", "the set needs at least one domain")
        domains = tuple(self.domain(item, f"domains[{i}]") for i, item in enumerate(items))
        self.unique([d.key for d in domains], "domains", "domain key")
        self.unique([d.name.casefold() for d in domains], "domains", "domain name")
        return domains

    # ---- domains

    def domain(self, data: object, where: str) -> Domain:
        # Name the domain by its key in messages as soon as we can, so the fix is easy to find.
        if isinstance(data, dict) and isinstance(data.get("key"), str):
            where = f"{where} ({data['key'][:40]})"
        obj = self.obj(data, where, _DOMAIN_FIELDS)
        key = self.key(obj["key"], f"{where}.key")
        return Domain(
            key=key,
            name=self.text(obj["name"], f"{where}.name"),
            description=self.text(obj["description"], f"{where}.description"),
            sdoh_category=self.sdoh(obj["sdoh_category"], f"{where}.sdoh_category"),
            scale=self.scale(obj["scale"], f"{where}.scale"),
            prompts=self.prompts(obj["prompts"], f"{where}.prompts"),
        )

    def sdoh(self, data: object, where: str) -> str | None:
        if data is None:
            return None
        code = self.text(data, where)
        if code not in SDOH_CATEGORIES:
            raise self.fail(where, f"{code!r} is not a Gravity Project SDOH category code")
        return code

    def prompts(self, data: object, where: str) -> Prompts:
        obj = self.obj(data, where, _PROMPT_FIELDS)
        texts = {name: self.text(obj[name], f"{where}.{name}") for name in _PROMPT_FIELDS}
        return Prompts(**texts)

    def scale(self, data: object, where: str) -> tuple[ScaleBand, ...]:
        items = self.array(data, where)
        bands = tuple(self.band(item, f"{where}[{i}]") for i, item in enumerate(items))
        self.check_coverage(bands, where)
        return tuple(sorted(bands, key=lambda b: b.min))

    def band(self, data: object, where: str) -> ScaleBand:
        obj = self.obj(data, where, _BAND_FIELDS)
        low = self.integer(obj["min"], f"{where}.min")
        high = self.integer(obj["max"], f"{where}.max")
        if not SCALE_MIN <= low <= high <= SCALE_MAX:
            raise self.fail(
                where, f"band {low}-{high} must sit inside {SCALE_MIN}-{SCALE_MAX} with min <= max"
            )
        return ScaleBand(low, high, self.text(obj["label"], f"{where}.label"))

    def check_coverage(self, bands: Sequence[ScaleBand], where: str) -> None:
        """Every score 1-10 must fall in exactly one band, so any score has a label."""
        counts = dict.fromkeys(range(SCALE_MIN, SCALE_MAX + 1), 0)
        for band in bands:
            for score in range(band.min, band.max + 1):
                counts[score] += 1
        missing = [s for s, n in counts.items() if n == 0]
        overlapping = [s for s, n in counts.items() if n > 1]
        if missing:
            raise self.fail(where, f"score bands don't cover {_list(missing)}")
        if overlapping:
            raise self.fail(where, f"score bands overlap at {_list(overlapping)}")

    # ---- primitives

    def obj(
        self,
        data: object,
        where: str,
        required: Sequence[str],
        optional: Sequence[str] = (),
    ) -> Mapping[str, Any]:
        if not isinstance(data, dict):
            raise self.fail(where, f"expected an object, got {_kind(data)}")
        missing = [name for name in required if name not in data]
        if missing:
            raise self.fail(where, f"missing {_noun('field', missing)} {_list(missing)}")
        # Unknown fields are refused so that a typo ("descripton") can't silently drop data.
        unknown = sorted(str(name) for name in data if name not in (*required, *optional))
        if unknown:
            raise self.fail(where, f"unknown {_noun('field', unknown)} {_list(unknown)}")
        return data

    def array(self, data: object, where: str) -> list[object]:
        if not isinstance(data, list):
            raise self.fail(where, f"expected a list, got {_kind(data)}")
        return data

    def text(self, data: object, where: str, *, allow_empty: bool = False) -> str:
        if not isinstance(data, str):
            raise self.fail(where, f"expected text, got {_kind(data)}")
        value = data.strip()
        if not value and not allow_empty:
            raise self.fail(where, "must not be empty")
        if len(value) > _MAX_TEXT:
            raise self.fail(where, f"longer than {_MAX_TEXT} characters")
        return value

    def integer(self, data: object, where: str) -> int:
        # bool is a subclass of int in Python; true/false is never a valid score or version.
        if isinstance(data, bool) or not isinstance(data, int):
            raise self.fail(where, f"expected a whole number, got {_kind(data)}")
        return data

    def key(self, data: object, where: str) -> str:
        value = self.text(data, where)
        if not _KEY_PATTERN.match(value):
            raise self.fail(
                where,
                f"{value[:40]!r} is not a valid key (lower-case letters, digits, '-', '_', '.';"
                " at most 64 characters)",
            )
        return value

    def version(self, data: object, where: str) -> int:
        value = self.integer(data, where)
        if not 1 <= value <= _MAX_VERSION:
            raise self.fail(where, f"version must be a positive whole number, got {value}")
        return value

    def unique(self, values: Iterable[str], where: str, what: str) -> None:
        seen: set[str] = set()
        for value in values:
            if value in seen:
                raise self.fail(where, f"duplicate {what} {value!r}")
            seen.add(value)


def _kind(value: object) -> str:
    """Name a JSON value's type the way a non-programmer would."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _noun(word: str, items: Sequence[object]) -> str:
    return word if len(items) == 1 else f"{word}s"


def _list(items: Sequence[object]) -> str:
    return ", ".join(repr(i) if isinstance(i, str) else str(i) for i in items)


# ----------------------------------------------------------------------------- serialising


def to_json(domain_set: DomainSet) -> str:
    """Serialise a set to the same JSON format the parser reads (stable, human-diffable)."""
    return json.dumps(to_data(domain_set), indent=2, ensure_ascii=False) + "\n"


def to_data(domain_set: DomainSet) -> dict[str, object]:
    """The set as plain JSON-ready data (what ``domain_set_from_data`` reads back)."""
    data: dict[str, object] = {
        "key": domain_set.key,
        "version": domain_set.version,
        "name": domain_set.name,
        "description": domain_set.description,
        "licence": domain_set.licence,
    }
    if domain_set.based_on is not None:
        data["based_on"] = {"key": domain_set.based_on.key, "version": domain_set.based_on.version}
    data["domains"] = [_domain_to_dict(domain) for domain in domain_set.domains]
    return data


def _domain_to_dict(domain: Domain) -> dict[str, object]:
    return {
        "key": domain.key,
        "name": domain.name,
        "description": domain.description,
        "sdoh_category": domain.sdoh_category,
        "scale": [{"min": b.min, "max": b.max, "label": b.label} for b in domain.scale],
        "prompts": {name: getattr(domain.prompts, name) for name in _PROMPT_FIELDS},
    }


# ----------------------------------------------------------------------------- copying and versions


def copy_domain_set(base: DomainSet, new_key: str, new_name: str) -> DomainSet:
    """Copy a set so the user can adapt it: new key, version 1, remembers what it came from.

    Raises:
        DomainSetError: if the new key or name is invalid or the key is the base set's own.
    """
    if new_key == base.key:
        raise DomainSetError(new_key, "a copy needs a key different from the set it copies")
    copied = replace(base, key=new_key, name=new_name, version=1, based_on=base.ref)
    return _revalidate(copied)


def revise_domain_set(current: DomainSet, **changes: Any) -> DomainSet:
    """The next version of a set with some fields changed (e.g. ``domains=...``, ``name=...``).

    The key and version can't be changed this way: a revision always keeps the key and
    becomes ``current.version + 1``.

    Raises:
        DomainSetError: if the result would be invalid or a key/version change is attempted.
    """
    for field_name in ("key", "version", "based_on"):
        if field_name in changes:
            raise DomainSetError(current.key, f"{field_name} can't be changed by a revision")
    revised = replace(current, version=current.version + 1, **changes)
    return _revalidate(revised)


def add_domain(current: DomainSet, domain: Domain) -> DomainSet:
    """The next version of a set with ``domain`` added at the end.

    Raises:
        DomainSetError: if the key or name is already used, or the domain is invalid.
    """
    return revise_domain_set(current, domains=(*current.domains, domain))


def rename_domain(current: DomainSet, domain_key: str, new_name: str) -> DomainSet:
    """The next version of a set with one domain renamed (its key, and so its history, stays).

    Raises:
        DomainSetError: if there is no such domain or the new name is invalid or taken.
    """
    if domain_key not in current.domain_keys():
        raise DomainSetError(current.key, f"there is no domain {domain_key!r} to rename")
    domains = tuple(
        replace(d, name=new_name) if d.key == domain_key else d for d in current.domains
    )
    return revise_domain_set(current, domains=domains)


def _revalidate(domain_set: DomainSet) -> DomainSet:
    """Round-trip through the parser so programmatic edits obey the same rules as files."""
    source = f"{domain_set.key} version {domain_set.version}"
    try:
        text = to_json(domain_set)
    except (TypeError, ValueError, AttributeError) as exc:
        raise DomainSetError(source, f"can't be saved ({exc})") from exc
    return parse_domain_set(text, source)
