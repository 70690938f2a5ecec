"""The offline service directory: list, search, edit, and CSV import/export.

Import is two steps so the user sees what will happen first: :meth:`DirectoryService.preview`
reads the file into a :class:`~casedesk.domain.directory_csv.CsvReport`; then
:meth:`DirectoryService.import_rows` writes it in one transaction. A file with problems imports
nothing unless the caller passes ``skip_bad_rows=True``. An entry whose name and organisation
match an existing one (ignoring case and accents) updates it instead of adding a duplicate.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import or_, select

from casedesk.domain.clients import name_key
from casedesk.domain.clock import utcnow
from casedesk.domain.directory_csv import (
    FIELDS,
    FREE_TEXT_FIELDS,
    MAX_LENGTHS,
    CsvReport,
    DirectoryRow,
    directory_to_csv,
    parse_directory_csv,
)
from casedesk.domain.validation import Validator, check_text, strip_bidi_controls
from casedesk.services import audit
from casedesk.services.errors import ValidationError
from casedesk.services.files import write_user_file
from casedesk.services.plans import live_row
from casedesk.storage.engine import Database
from casedesk.storage.models import ServiceEntry


@dataclass(frozen=True)
class ServiceView:
    """A directory entry."""

    id: str
    name: str
    organisation: str = ""
    category: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    address: str = ""
    hours: str = ""
    eligibility: str = ""
    area_served: str = ""
    notes: str = ""

    def values(self) -> dict[str, str]:
        """Field values by name (the CSV columns)."""
        return {name: getattr(self, name) for name in FIELDS}

    @property
    def label(self) -> str:
        """Name, with the organisation when it adds something."""
        if self.organisation and name_key(self.organisation) not in name_key(self.name):
            return f"{self.name} ({self.organisation})"
        return self.name


@dataclass(frozen=True)
class ImportResult:
    """What an import did."""

    added: int
    updated: int
    skipped: int


def _view(row: ServiceEntry) -> ServiceView:
    return ServiceView(row.id, **{name: getattr(row, name) for name in FIELDS if name != "id"})


def validate_service(values: dict[str, str]) -> dict[str, str]:
    """Check a directory entry typed by hand.

    Raises:
        ValidationError: naming each field that needs attention.
    """
    v = Validator()
    clean = {
        name: check_text(
            v, name, _typed(name, values), required=name == "name", max_length=MAX_LENGTHS[name]
        )
        for name in FIELDS
    }
    v.raise_if_any()
    return clean


def _typed(name: str, values: dict[str, str]) -> str:
    value = values.get(name, "") or ""
    return value if name in FREE_TEXT_FIELDS else strip_bidi_controls(value)


def _key(name: str, organisation: str) -> str:
    return name_key(name) + "\x1f" + name_key(organisation)


class DirectoryService:
    """Read and change the service directory."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def list_services(self, search: str = "") -> list[ServiceView]:
        """Every live entry (optionally only those matching words in any text field), by name."""
        with self._db.read() as session:
            query = select(ServiceEntry).where(ServiceEntry.deleted_at.is_(None))
            for word in search.split()[:8]:
                pattern = f"%{word.replace('%', '').replace('_', '')}%"
                query = query.where(
                    or_(
                        ServiceEntry.name.ilike(pattern),
                        ServiceEntry.organisation.ilike(pattern),
                        ServiceEntry.category.ilike(pattern),
                        ServiceEntry.area_served.ilike(pattern),
                        ServiceEntry.eligibility.ilike(pattern),
                        ServiceEntry.notes.ilike(pattern),
                    )
                )
            rows = session.scalars(query.order_by(ServiceEntry.name))
            return [_view(r) for r in rows]

    def get_service(self, service_id: str) -> ServiceView:
        """One entry."""
        with self._db.read() as session:
            return _view(live_row(session, ServiceEntry, service_id, "directory entry"))

    def save_service(self, values: dict[str, str], service_id: str | None = None) -> ServiceView:
        """Add an entry, or change one when ``service_id`` is given."""
        clean = validate_service(values)
        with self._db.session() as session:
            if service_id is None:
                row = ServiceEntry(**clean)
                session.add(row)
                action = "directory.added"
            else:
                row = live_row(session, ServiceEntry, service_id, "directory entry")
                for key, value in clean.items():
                    if getattr(row, key) != value:
                        setattr(row, key, value)
                action = "directory.edited"
            session.flush()
            audit.record(session, action, "service_entry", row.id, summary="Directory entry saved")
            return _view(row)

    def remove_service(self, service_id: str) -> None:
        """Remove an entry (tombstoned; referrals that name it keep the name)."""
        with self._db.session() as session:
            row = live_row(session, ServiceEntry, service_id, "directory entry")
            row.deleted_at = utcnow()
            audit.record(
                session,
                "directory.removed",
                "service_entry",
                row.id,
                summary="Directory entry removed",
            )

    # ------------------------------------------------------------------ CSV

    @staticmethod
    def preview(path: Path) -> CsvReport:
        """Read a CSV file into a report (nothing is written)."""
        try:
            with path.open("rb") as handle:
                data = handle.read(10 * 1024 * 1024 + 1)
        except OSError as exc:
            return CsvReport(
                file_error=f"The file could not be opened ({exc.strerror or 'error'})."
            )
        return parse_directory_csv(data)

    def import_rows(self, report: CsvReport, *, skip_bad_rows: bool = False) -> ImportResult:
        """Write a previewed file's rows in one transaction (all of them or none).

        Raises:
            ValidationError: the file has problems and ``skip_bad_rows`` is False.
        """
        if report.file_error is not None:
            raise ValidationError({"file": report.file_error})
        if report.problems and not skip_bad_rows:
            raise ValidationError({"file": "Nothing was imported because some rows have problems."})
        added = updated = 0
        with self._db.session() as session:
            existing = {
                _key(r.name, r.organisation): r
                for r in session.scalars(
                    select(ServiceEntry).where(ServiceEntry.deleted_at.is_(None))
                )
            }
            for row in report.rows:
                held = existing.get(_key(row.name, row.organisation))
                if held is None:
                    entry = ServiceEntry(**row.values())
                    session.add(entry)
                    existing[_key(row.name, row.organisation)] = entry
                    added += 1
                elif _apply(held, row):
                    updated += 1
            audit.record(
                session,
                "directory.imported",
                "service_entry",
                "",
                summary=f"Directory import: {added} added, {updated} updated",
            )
        return ImportResult(added, updated, len(report.problems))

    def export_csv(self, path: Path) -> int:
        """Write every entry to a CSV file; returns how many were written.

        Raises:
            FileRefused: ``path`` is inside a vault or not an ordinary file (nothing written).
        """
        entries = self.list_services()
        text = directory_to_csv(e.values() for e in entries)
        write_user_file(self._db, path, text.encode("utf-8-sig"))
        return len(entries)


def _apply(row: ServiceEntry, incoming: DirectoryRow) -> bool:
    changed = False
    for key, value in incoming.values().items():
        if key in ("name", "organisation"):
            continue  # matched on these (loosely); keep the stored spelling
        if value and getattr(row, key) != value:
            setattr(row, key, value)
            changed = True
    return changed
