"""Assessment domain sets in the vault: the built-in set, users' copies and their versions.

Every version of a set is stored whole as its own append-only ``domain_set`` row, so an
assessment keeps pointing at the exact wording it was made with. Built-in sets are registered
on first use (idempotently); a user's changes always make a new version of their own copy.

Built-in rows get the id and times every device derives from their key and version
(``casedesk.domain.reference``), so two devices register the very same row. Several rows may
still share a key and version (rows registered before that rule, or a copy made under the same
key on two devices): all are kept, and reads show the one ``canonical_id`` picks, once per
distinct definition.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casedesk.domain.domain_sets import (
    Domain,
    DomainSet,
    DomainSetRef,
    Prompts,
    ScaleBand,
    add_domain,
    builtin_domain_sets,
    copy_domain_set,
    domain_set_from_data,
    rename_domain,
    to_data,
)
from casedesk.domain.reference import REFERENCE_STAMP, canonical_id
from casedesk.paths import resources_dir
from casedesk.services import audit
from casedesk.services.errors import NotFound, ValidationError
from casedesk.storage.engine import Database
from casedesk.storage.models import DomainSetRecord

DEFAULT_SET_KEY = "casedesk-core"

_Change = Callable[[DomainSet], DomainSet]


@dataclass(frozen=True)
class StoredDomainSet:
    """One stored version of a domain set.

    Attributes:
        id: the row id assessments point at.
        builtin: shipped with casedesk (never edited; copy it to change it).
        domain_set: the parsed, validated set.
    """

    id: str
    builtin: bool
    domain_set: DomainSet

    @property
    def label(self) -> str:
        """Name and version, for pickers and history."""
        return f"{self.domain_set.name} (v{self.domain_set.version})"


def stored_from_row(row: DomainSetRecord) -> StoredDomainSet:
    """Parse a stored row (validated again: the vault may have been synced from elsewhere)."""
    parsed = domain_set_from_data(row.definition, f"domain set {row.key} v{row.version}")
    return StoredDomainSet(row.id, bool(row.builtin), parsed)


def slug(text: str, taken: Collection[str] = ()) -> str:
    """A key made from a name (``"Pets and animals"`` -> ``"pets-and-animals"``), unique."""
    base = re.sub(r"[^a-z0-9]+", "-", unicodedata.normalize("NFKD", text).lower()).strip("-")
    base = (base or "area")[:50].strip("-")
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def new_domain(name: str, description: str, taken_keys: Collection[str] = ()) -> Domain:
    """A user-made domain with a plain 1-10 scale and general strengths-based prompts."""
    subject = name.strip()
    return Domain(
        key=slug(subject, taken_keys),
        name=subject,
        description=description.strip() or subject,
        sdoh_category=None,
        scale=(
            ScaleBand(1, 2, "Needs urgent help"),
            ScaleBand(3, 4, "Struggling"),
            ScaleBand(5, 6, "Getting by, with problems"),
            ScaleBand(7, 8, "Mostly going well"),
            ScaleBand(9, 10, "Going well on my own terms"),
        ),
        prompts=Prompts(
            going_well=f"What is going well with {subject.lower()} at the moment?",
            exceptions="When has this been a bit better? What was different then?",
            scaling=(
                "On a scale of 1 to 10, where are you now? What would one point higher look like?"
            ),
            miracle="If you woke up tomorrow and this was sorted, what would you notice first?",
        ),
    )


class DomainSetService:
    """Register, read, copy and revise domain sets."""

    def __init__(self, db: Database, resources: Path | None = None) -> None:
        self._db = db
        self._resources = resources

    def _builtin_sets(self) -> list[DomainSet]:
        return builtin_domain_sets(self._resources or resources_dir())

    # ------------------------------------------------------------------ writes

    def ensure_builtin(self) -> list[StoredDomainSet]:
        """Store every built-in set version not yet in the vault; safe to call any time."""
        sets = self._builtin_sets()
        with self._db.session() as session:
            return [self._ensure(session, item) for item in sets]

    def _ensure(self, session: Session, item: DomainSet) -> StoredDomainSet:
        # Looked up by the derived id, not by key: a vault from before the rule holds the set
        # under a random id, and gains the shared row beside it (reads then prefer that one).
        row = session.get(DomainSetRecord, item.ref.reference_id)
        if row is None:
            row = _insert(session, item, builtin=True)
        return stored_from_row(row)

    def copy_set(self, base_id: str, new_key: str, new_name: str) -> StoredDomainSet:
        """Make a user's own copy of a set (version 1, remembering its base).

        Raises:
            DomainSetError: the key or name is not valid, or the key is the base's own.
            ValidationError: a set with that key already exists.
            NotFound: no such base set.
        """
        with self._db.session() as session:
            base = stored_from_row(_row(session, base_id))
            copy = copy_domain_set(base.domain_set, new_key, new_name)
            _refuse_taken_key(session, copy.key)
            return stored_from_row(_insert(session, copy, builtin=False))

    def add_domain(self, set_id: str, domain: Domain) -> StoredDomainSet:
        """Store the next version of a user's set with one more domain."""
        return self._revise(set_id, lambda current: add_domain(current, domain))

    def rename_domain(self, set_id: str, domain_key: str, new_name: str) -> StoredDomainSet:
        """Store the next version of a user's set with one domain renamed (key unchanged)."""
        return self._revise(set_id, lambda current: rename_domain(current, domain_key, new_name))

    def _revise(self, set_id: str, change: _Change) -> StoredDomainSet:
        with self._db.session() as session:
            current = stored_from_row(_row(session, set_id))
            if current.builtin:
                raise ValidationError(
                    {"domain_set": "Built-in domain sets cannot be changed; make a copy first."}
                )
            latest = _latest_row(session, current.domain_set.key)
            if latest is not None and latest.version != current.domain_set.version:
                raise ValidationError(
                    {"domain_set": "Open the newest version of the set to change it."}
                )
            revised = change(current.domain_set)
            return stored_from_row(_insert(session, revised, builtin=False))

    # ------------------------------------------------------------------ reads

    def get(self, set_id: str) -> StoredDomainSet:
        """One stored version.

        Raises:
            NotFound: no such set.
        """
        with self._db.read() as session:
            return stored_from_row(_row(session, set_id))

    def latest_versions(self) -> list[StoredDomainSet]:
        """The newest version of every set, built-in first, then by name."""
        self.ensure_builtin()
        with self._db.read() as session:
            newest = (
                select(DomainSetRecord.key, func.max(DomainSetRecord.version).label("v"))
                .where(DomainSetRecord.deleted_at.is_(None))
                .group_by(DomainSetRecord.key)
                .subquery()
            )
            rows = session.scalars(
                select(DomainSetRecord).join(
                    newest,
                    (DomainSetRecord.key == newest.c.key) & (DomainSetRecord.version == newest.c.v),
                )
            ).all()
            items = [stored_from_row(row) for row in _one_per_definition(rows)]
        return sorted(items, key=lambda s: (not s.builtin, s.domain_set.name.casefold()))

    def default_set(self) -> StoredDomainSet:
        """The newest version of the built-in core set (registered on first use)."""
        self.ensure_builtin()
        with self._db.read() as session:
            row = _latest_row(session, DEFAULT_SET_KEY)
            if row is None:
                raise NotFound(f"The built-in domain set {DEFAULT_SET_KEY!r} is missing.")
            return stored_from_row(row)


# ---------------------------------------------------------------------- helpers


def _latest_row(session: Session, key: str) -> DomainSetRecord | None:
    """The canonical row of the newest version of a set (several rows may hold it)."""
    live = (DomainSetRecord.key == key) & DomainSetRecord.deleted_at.is_(None)
    newest = session.scalar(select(func.max(DomainSetRecord.version)).where(live))
    if newest is None:
        return None
    ids = session.scalars(select(DomainSetRecord.id).where(live, DomainSetRecord.version == newest))
    chosen = canonical_id(ids, DomainSetRef(key, newest).reference_id)
    return session.get(DomainSetRecord, chosen)


def _one_per_definition(rows: Collection[DomainSetRecord]) -> list[DomainSetRecord]:
    """Rows holding the same set (key, version and definition) shown once, as the canonical.

    Rows that share a key and version but differ in content (copies made under one key on two
    devices and changed apart) are different sets: all of them are shown.
    """
    groups: dict[tuple[str, int, str], dict[str, DomainSetRecord]] = {}
    for row in rows:
        content = json.dumps(row.definition, sort_keys=True)
        groups.setdefault((row.key, row.version, content), {})[row.id] = row
    return [
        same[canonical_id(same, DomainSetRef(key, version).reference_id)]
        for (key, version, _content), same in groups.items()
    ]


def _row(session: Session, set_id: str) -> DomainSetRecord:
    row = session.get(DomainSetRecord, set_id)
    if row is None or row.deleted_at is not None:
        raise NotFound("That domain set is not in this vault.")
    return row


def _refuse_taken_key(session: Session, key: str) -> None:
    if _latest_row(session, key) is not None:
        raise ValidationError({"key": f"A domain set with the key {key!r} already exists."})


def _insert(session: Session, item: DomainSet, *, builtin: bool) -> DomainSetRecord:
    row = DomainSetRecord(
        key=item.key,
        version=item.version,
        name=item.name,
        definition=to_data(item),
        builtin=builtin,
    )
    if builtin:  # identical on every device: same id, same times (domain.reference)
        row.id = item.ref.reference_id
        row.created_at = row.updated_at = REFERENCE_STAMP
    session.add(row)
    session.flush()
    audit.record(
        session,
        "domain_set.added",
        "domain_set",
        row.id,
        summary=f"Domain set {item.key} version {item.version} stored",
    )
    return row
