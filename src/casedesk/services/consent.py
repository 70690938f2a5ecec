"""Consent use cases: record, withdraw, list, and the client's consent state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.domain.clock import today as local_today
from casedesk.domain.consent import (
    ConsentInput,
    ConsentState,
    ConsentSummary,
    ConsentTerms,
    record_state,
    summarise,
    validate_consent,
)
from casedesk.domain.enums import ConsentScope
from casedesk.domain.validation import ValidationError
from casedesk.services import audit
from casedesk.services.drafts import discard_in
from casedesk.services.errors import NotFound
from casedesk.storage.engine import Database
from casedesk.storage.models import Client, Consent


@dataclass(frozen=True)
class ConsentView:
    """A consent record as listed on the Consent tab."""

    id: str
    client_id: str
    scope: ConsentScope
    agencies: tuple[str, ...]
    given_on: date
    expires_on: date | None
    withdrawn_on: date | None
    method: str
    notes: str
    created_at: datetime

    @property
    def terms(self) -> ConsentTerms:
        """The facts the consent rules need."""
        return ConsentTerms(
            self.scope, self.given_on, self.expires_on, self.withdrawn_on, self.agencies, self.id
        )

    def state(self, on: date) -> ConsentState:
        """This record's state on a given day."""
        return record_state(self.terms, on)


def _view(row: Consent) -> ConsentView:
    return ConsentView(
        row.id,
        row.client_id,
        row.scope,
        tuple(row.agencies or ()),
        row.given_on,
        row.expires_on,
        row.withdrawn_on,
        row.method,
        row.notes,
        row.created_at,
    )


class ConsentService:
    """Record and read a client's consents."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add_consent(self, data: ConsentInput, *, draft_key: str | None = None) -> ConsentView:
        """Validate and store a new consent record, audited."""
        clean = validate_consent(data, local_today())
        with self._db.session() as session:
            _require_client(session, data.client_id)
            row = Consent(
                client_id=data.client_id,
                scope=clean.scope,
                agencies=list(clean.agencies),
                given_on=clean.given_on,
                expires_on=clean.expires_on,
                withdrawn_on=None,
                method=clean.method,
                notes=clean.notes,
            )
            session.add(row)
            session.flush()
            audit.record(
                session,
                "consent.added",
                "consent",
                row.id,
                client_id=data.client_id,
                summary=f"Consent recorded ({clean.scope.value.replace('_', ' ')})",
            )
            discard_in(session, draft_key)
            return _view(row)

    def withdraw(self, consent_id: str, on: date | None = None) -> ConsentView:
        """Record that the client withdrew a consent (the record itself is kept).

        Raises:
            ValidationError: the date is before consent was given, or it is already withdrawn.
        """
        when = on or local_today()
        with self._db.session() as session:
            row = session.get(Consent, consent_id)
            if row is None or row.deleted_at is not None:
                raise NotFound("That consent record could not be found.")
            if row.withdrawn_on is not None:
                raise ValidationError({"withdrawn_on": "This consent was already withdrawn."})
            if when < row.given_on:
                raise ValidationError(
                    {"withdrawn_on": "Withdrawal can't be before consent was given."}
                )
            row.withdrawn_on = when
            audit.record(
                session,
                "consent.withdrawn",
                "consent",
                row.id,
                client_id=row.client_id,
                summary=f"Consent withdrawn ({row.scope.value.replace('_', ' ')})",
            )
            return _view(row)

    def list_consents(self, client_id: str) -> list[ConsentView]:
        """A client's consent records, newest given first."""
        with self._db.read() as session:
            rows = session.scalars(
                select(Consent)
                .where(Consent.client_id == client_id, Consent.deleted_at.is_(None))
                .order_by(Consent.given_on.desc(), Consent.created_at.desc())
            )
            return [_view(r) for r in rows]

    def summary(self, client_id: str, on: date | None = None) -> ConsentSummary:
        """The client's overall consent state and the problems to warn about."""
        views = self.list_consents(client_id)
        return summarise([v.terms for v in views], on or local_today())


def _require_client(session: Session, client_id: str) -> None:
    client = session.get(Client, client_id)
    if client is None or client.deleted_at is not None:
        raise NotFound("That client record could not be found.")
