"""Client use cases: create, update, find, list, and the duplicate warning."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, func, select, text
from sqlalchemy.orm import Session

from casedesk.domain.clients import (
    ClientInput,
    age_on,
    display_name,
    likely_same_person,
    validate_client,
)
from casedesk.domain.clock import today, utcnow
from casedesk.domain.enums import ClientStatus, Intensity, RiskLevel
from casedesk.services import audit
from casedesk.services.drafts import discard_in
from casedesk.services.errors import NotFound
from casedesk.storage.engine import Database
from casedesk.storage.models import Client, ClientIdentifier
from casedesk.storage.types import parse_db_datetime

_TOKEN = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class ClientRow:
    """One client in a list: just enough to show, sort and filter."""

    id: str
    display_name: str
    given_name: str
    family_name: str
    preferred_name: str
    date_of_birth: date | None
    status: ClientStatus
    intensity: Intensity
    risk_level: RiskLevel | None
    last_contact_at: datetime | None
    identifiers: str

    def age(self, on: date) -> int | None:
        """Age in whole years."""
        return age_on(self.date_of_birth, on)


@dataclass(frozen=True)
class ClientRecord:
    """A whole client record for the profile screen."""

    id: str
    row_version: int
    given_name: str
    family_name: str
    preferred_name: str
    date_of_birth: date | None
    pronouns: str
    phone: str
    email: str
    address_line1: str
    address_line2: str
    town: str
    region: str
    postcode: str
    preferred_language: str
    interpreter_needed: bool
    intensity: Intensity
    status: ClientStatus
    notes: str
    identifiers: tuple[tuple[str, str], ...]
    created_at: datetime

    @property
    def display_name(self) -> str:
        """Preferred name first, then family name."""
        return display_name(self.given_name, self.family_name, self.preferred_name)


@dataclass(frozen=True)
class DuplicateCandidate:
    """An existing client who may be the same person as a new one."""

    id: str
    display_name: str
    date_of_birth: date | None


_LIST_SQL = """
SELECT c.id, c.given_name, c.family_name, c.preferred_name, c.date_of_birth, c.status,
       c.intensity,
       (SELECT r.overall_level FROM risk_screen r
         WHERE r.client_id = c.id AND r.deleted_at IS NULL
         ORDER BY r.screened_on DESC LIMIT 1) AS risk_level,
       a.last_contact_at AS last_contact_at,
       coalesce(f.identifiers, '') AS identifiers
FROM client c LEFT JOIN client_fts f ON f.rowid = c.rowid
  LEFT JOIN client_activity a ON a.client_id = c.id
WHERE c.deleted_at IS NULL
"""


def fts_prefix_query(user_text: str) -> str | None:
    """Turn what someone typed into a safe FTS5 prefix query (None when nothing to search)."""
    tokens = _TOKEN.findall(user_text)
    if not tokens:
        return None
    return " AND ".join(f'"{token}"*' for token in tokens)


def _row_from_sql(row: Row[Any]) -> ClientRow:
    m = row._mapping
    born = m["date_of_birth"]
    last = m["last_contact_at"]
    return ClientRow(
        id=m["id"],
        display_name=display_name(m["given_name"], m["family_name"], m["preferred_name"]),
        given_name=m["given_name"],
        family_name=m["family_name"],
        preferred_name=m["preferred_name"],
        date_of_birth=date.fromisoformat(born) if isinstance(born, str) else born,
        status=ClientStatus(m["status"]),
        intensity=Intensity(m["intensity"]),
        risk_level=RiskLevel(m["risk_level"]) if m["risk_level"] else None,
        last_contact_at=parse_db_datetime(last),
        identifiers=m["identifiers"],
    )


def _record(client: Client, identifiers: list[ClientIdentifier]) -> ClientRecord:
    return ClientRecord(
        id=client.id,
        row_version=client.row_version,
        given_name=client.given_name,
        family_name=client.family_name,
        preferred_name=client.preferred_name,
        date_of_birth=client.date_of_birth,
        pronouns=client.pronouns,
        phone=client.phone,
        email=client.email,
        address_line1=client.address_line1,
        address_line2=client.address_line2,
        town=client.town,
        region=client.region,
        postcode=client.postcode,
        preferred_language=client.preferred_language,
        interpreter_needed=client.interpreter_needed,
        intensity=client.intensity,
        status=client.status,
        notes=client.notes,
        identifiers=tuple((i.system, i.value) for i in identifiers),
        created_at=client.created_at,
    )


class ClientService:
    """Create, change and find clients."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # ------------------------------------------------------------------ writes

    def add_client(self, data: ClientInput, *, draft_key: str | None = None) -> ClientRecord:
        """Validate and store a new client (with identifiers), audited, in one transaction."""
        cleaned, identifiers = validate_client(data, today())
        with self._db.session() as session:
            client = Client(**cleaned)
            session.add(client)
            session.flush()
            for system, value in identifiers:
                session.add(ClientIdentifier(client_id=client.id, system=system, value=value))
            audit.record(
                session,
                "client.added",
                "client",
                client.id,
                client_id=client.id,
                summary="Client record created",
            )
            session.flush()
            discard_in(session, draft_key)
            return _record(client, self._identifiers(session, client.id))

    def update_client(
        self, client_id: str, data: ClientInput, *, draft_key: str | None = None
    ) -> ClientRecord:
        """Change a client's details; identifiers are replaced by the given set."""
        cleaned, identifiers = validate_client(data, today())
        with self._db.session() as session:
            client = self._live_client(session, client_id)
            changed = [k for k, v in cleaned.items() if getattr(client, k) != v]
            for key, value in cleaned.items():
                setattr(client, key, value)
            self._replace_identifiers(session, client_id, identifiers)
            if changed:
                audit.record(
                    session,
                    "client.updated",
                    "client",
                    client_id,
                    client_id=client_id,
                    summary="Changed: " + ", ".join(sorted(changed)),
                )
            session.flush()
            discard_in(session, draft_key)
            return _record(client, self._identifiers(session, client_id))

    def _replace_identifiers(
        self, session: Session, client_id: str, wanted: tuple[tuple[str, str], ...]
    ) -> None:
        existing = self._identifiers(session, client_id)
        keep = set(wanted)
        for ident in existing:
            if (ident.system, ident.value) not in keep:
                ident.deleted_at = utcnow()
        have = {(i.system, i.value) for i in existing}
        for system, value in wanted:
            if (system, value) not in have:
                session.add(ClientIdentifier(client_id=client_id, system=system, value=value))

    # ------------------------------------------------------------------ reads

    def get_client(self, client_id: str) -> ClientRecord:
        """The whole record.

        Raises:
            NotFound: no such (live) client.
        """
        with self._db.read() as session:
            client = self._live_client(session, client_id)
            return _record(client, self._identifiers(session, client_id))

    def list_clients(self) -> list[ClientRow]:
        """Every live client with risk level and last contact, ordered by family name."""
        with self._db.read() as session:
            rows = session.execute(text(_LIST_SQL + " ORDER BY c.family_name, c.given_name"))
            return [_row_from_sql(row) for row in rows]

    def search_clients(self, user_text: str, limit: int = 200) -> list[ClientRow]:
        """Clients whose names or identifiers start with every word typed."""
        query = fts_prefix_query(user_text)
        if query is None:
            return []
        # Choose the page of matching clients first, then look up risk and last contact for
        # those rows only (a one-letter prefix can match thousands of clients).
        page = (
            "SELECT c2.rowid FROM client c2 WHERE c2.deleted_at IS NULL"
            " AND c2.rowid IN (SELECT rowid FROM client_fts WHERE client_fts MATCH :q)"
            " ORDER BY c2.family_name, c2.given_name LIMIT :limit"
        )
        sql = _LIST_SQL + f" AND c.rowid IN ({page}) ORDER BY c.family_name, c.given_name"
        with self._db.read() as session:
            rows = session.execute(text(sql), {"q": query, "limit": limit})
            return [_row_from_sql(row) for row in rows]

    def possible_duplicates(
        self, given_name: str, family_name: str, born: date | None
    ) -> list[DuplicateCandidate]:
        """Existing clients with the same date of birth and a similar name."""
        if born is None:
            return []
        with self._db.read() as session:
            same_day = session.scalars(
                select(Client).where(Client.date_of_birth == born, Client.deleted_at.is_(None))
            )
            return [
                DuplicateCandidate(
                    c.id,
                    display_name(c.given_name, c.family_name, c.preferred_name),
                    c.date_of_birth,
                )
                for c in same_day
                if likely_same_person(
                    given_name, family_name, born, c.given_name, c.family_name, c.date_of_birth
                )
            ]

    def count(self) -> int:
        """Number of live clients."""
        with self._db.read() as session:
            return int(
                session.scalar(
                    select(func.count()).select_from(Client).where(Client.deleted_at.is_(None))
                )
                or 0
            )

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _live_client(session: Session, client_id: str) -> Client:
        client = session.get(Client, client_id)
        if client is None or client.deleted_at is not None:
            raise NotFound("That client record could not be found.")
        return client

    @staticmethod
    def _identifiers(session: Session, client_id: str) -> list[ClientIdentifier]:
        return list(
            session.scalars(
                select(ClientIdentifier)
                .where(ClientIdentifier.client_id == client_id)
                .where(ClientIdentifier.deleted_at.is_(None))
                .order_by(ClientIdentifier.created_at)
            )
        )
