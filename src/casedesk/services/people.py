"""A client's support network and the other professionals involved: add, edit, remove."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.domain.clock import utcnow
from casedesk.domain.validation import (
    MAX_SHORT_TEXT,
    Validator,
    check_name,
    check_text,
)
from casedesk.services import audit
from casedesk.services.errors import NotFound
from casedesk.storage.engine import Database
from casedesk.storage.models import Client, Professional, SupportPerson

_Row = TypeVar("_Row", SupportPerson, Professional)


@dataclass(frozen=True)
class SupportPersonInput:
    """Someone in the client's support network, as the form supplies them."""

    name: str
    relationship: str = ""
    phone: str = ""
    email: str = ""
    is_carer: bool = False
    is_emergency_contact: bool = False
    notes: str = ""


@dataclass(frozen=True)
class ProfessionalInput:
    """Another professional involved, as the form supplies them."""

    name: str
    role: str = ""
    organisation: str = ""
    phone: str = ""
    email: str = ""
    notes: str = ""


@dataclass(frozen=True)
class SupportPersonView:
    """A support person as listed on the Profile tab."""

    id: str
    client_id: str
    name: str
    relationship: str
    phone: str
    email: str
    is_carer: bool
    is_emergency_contact: bool
    notes: str


@dataclass(frozen=True)
class ProfessionalView:
    """A professional as listed on the Profile tab."""

    id: str
    client_id: str
    name: str
    role: str
    organisation: str
    phone: str
    email: str
    notes: str


def _check_contact(v: Validator, phone: str, email: str, notes: str) -> dict[str, str]:
    clean = {
        "phone": check_text(v, "phone", phone, max_length=100),
        "email": check_text(v, "email", email, max_length=MAX_SHORT_TEXT),
        "notes": check_text(v, "notes", notes, max_length=MAX_SHORT_TEXT * 4),
    }
    if clean["email"] and ("@" not in clean["email"] or " " in clean["email"]):
        v.add("email", "Please check the email address (it needs an @ and no spaces).")
    return clean


def validate_support_person(data: SupportPersonInput) -> dict[str, object]:
    """Column name -> cleaned value.

    Raises:
        ValidationError: naming every field that needs attention.
    """
    v = Validator()
    clean: dict[str, object] = {
        "name": check_name(v, "name", data.name, required=True),
        "relationship": check_text(v, "relationship", data.relationship, max_length=200),
        "is_carer": bool(data.is_carer),
        "is_emergency_contact": bool(data.is_emergency_contact),
    }
    clean.update(_check_contact(v, data.phone, data.email, data.notes))
    v.raise_if_any()
    return clean


def validate_professional(data: ProfessionalInput) -> dict[str, object]:
    """Column name -> cleaned value.

    Raises:
        ValidationError: naming every field that needs attention.
    """
    v = Validator()
    clean: dict[str, object] = {
        "name": check_name(v, "name", data.name, required=True),
        "role": check_text(v, "role", data.role, max_length=200),
        "organisation": check_text(v, "organisation", data.organisation, max_length=200),
    }
    clean.update(_check_contact(v, data.phone, data.email, data.notes))
    v.raise_if_any()
    return clean


def _support_view(row: SupportPerson) -> SupportPersonView:
    return SupportPersonView(
        row.id,
        row.client_id,
        row.name,
        row.relationship,
        row.phone,
        row.email,
        row.is_carer,
        row.is_emergency_contact,
        row.notes,
    )


def _professional_view(row: Professional) -> ProfessionalView:
    return ProfessionalView(
        row.id, row.client_id, row.name, row.role, row.organisation, row.phone, row.email, row.notes
    )


class PeopleService:
    """The people around a client: support network and professionals."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # ------------------------------------------------------------------ support network

    def support_network(self, client_id: str) -> list[SupportPersonView]:
        """Live support people, by name."""
        with self._db.read() as session:
            rows = _live(session, SupportPerson, client_id)
            return [_support_view(r) for r in rows]

    def save_support_person(
        self, client_id: str, data: SupportPersonInput, person_id: str | None = None
    ) -> SupportPersonView:
        """Add a support person, or change one when ``person_id`` is given."""
        clean = validate_support_person(data)
        with self._db.session() as session:
            row = _upsert(session, SupportPerson, client_id, person_id, clean)
            _audit(session, row, "support_person", client_id, person_id is None, "Support person")
            return _support_view(row)

    def remove_support_person(self, person_id: str) -> None:
        """Remove a support person (a tombstone: the row is kept for sync and history)."""
        with self._db.session() as session:
            row = _tombstone(session, SupportPerson, person_id)
            audit.record(
                session,
                "support_person.removed",
                "support_person",
                row.id,
                client_id=row.client_id,
                summary="Support person removed",
            )

    # ------------------------------------------------------------------ professionals

    def professionals(self, client_id: str) -> list[ProfessionalView]:
        """Live professionals involved, by name."""
        with self._db.read() as session:
            rows = _live(session, Professional, client_id)
            return [_professional_view(r) for r in rows]

    def save_professional(
        self, client_id: str, data: ProfessionalInput, professional_id: str | None = None
    ) -> ProfessionalView:
        """Add a professional, or change one when ``professional_id`` is given."""
        clean = validate_professional(data)
        with self._db.session() as session:
            row = _upsert(session, Professional, client_id, professional_id, clean)
            _audit(session, row, "professional", client_id, professional_id is None, "Professional")
            return _professional_view(row)

    def remove_professional(self, professional_id: str) -> None:
        """Remove a professional (tombstone)."""
        with self._db.session() as session:
            row = _tombstone(session, Professional, professional_id)
            audit.record(
                session,
                "professional.removed",
                "professional",
                row.id,
                client_id=row.client_id,
                summary="Professional removed",
            )


def _live(session: Session, model: type[_Row], client_id: str) -> list[_Row]:
    return list(
        session.scalars(
            select(model)
            .where(model.client_id == client_id, model.deleted_at.is_(None))
            .order_by(model.name)
        )
    )


def _upsert(
    session: Session,
    model: type[_Row],
    client_id: str,
    row_id: str | None,
    clean: dict[str, object],
) -> _Row:
    if row_id is None:
        client = session.get(Client, client_id)
        if client is None or client.deleted_at is not None:
            raise NotFound("That client record could not be found.")
        row = model(client_id=client_id, **clean)
        session.add(row)
        session.flush()
        return row
    existing = session.get(model, row_id)
    if existing is None or existing.deleted_at is not None or existing.client_id != client_id:
        raise NotFound("That person could not be found.")
    for key, value in clean.items():
        setattr(existing, key, value)
    session.flush()
    return existing


def _tombstone(session: Session, model: type[_Row], row_id: str) -> _Row:
    row = session.get(model, row_id)
    if row is None or row.deleted_at is not None:
        raise NotFound("That person could not be found.")
    row.deleted_at = utcnow()
    return row


def _audit(
    session: Session, row: _Row, table: str, client_id: str, added: bool, label: str
) -> None:
    verb = "added" if added else "updated"
    audit.record(
        session, f"{table}.{verb}", table, row.id, client_id=client_id, summary=f"{label} {verb}"
    )
