"""The audit trail: every service write records who did what, in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.storage.engine import Database
from casedesk.storage.models import AuditEvent, LocalMeta

ACTOR_META = "actor_name"


def record(
    session: Session,
    action: str,
    entity_table: str,
    entity_id: str,
    *,
    client_id: str | None = None,
    summary: str = "",
) -> None:
    """Add an audit event to the current unit of work.

    Args:
        session: the unit of work making the change (so both commit or neither).
        action: a short verb phrase, e.g. ``"note.added"``.
        entity_table: the table changed.
        entity_id: the row changed.
        client_id: the client the change concerns, if any.
        summary: a short description for the History tab. Keep client data out of it.
    """
    actor = session.get(LocalMeta, ACTOR_META)
    session.add(
        AuditEvent(
            actor=actor.value if actor else "",
            action=action,
            entity_table=entity_table,
            entity_id=entity_id,
            client_id=client_id,
            summary=summary,
        )
    )


@dataclass(frozen=True)
class AuditEntry:
    """One line of a client's history."""

    occurred_at: datetime
    actor: str
    action: str
    entity_table: str
    summary: str


class AuditService:
    """Reads the audit trail."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def client_history(self, client_id: str, limit: int = 500) -> list[AuditEntry]:
        """The newest ``limit`` events for a client, newest first."""
        with self._db.read() as session:
            rows = session.scalars(
                select(AuditEvent)
                .where(AuditEvent.client_id == client_id)
                .order_by(AuditEvent.occurred_at.desc())
                .limit(limit)
            )
            return [
                AuditEntry(r.occurred_at, r.actor, r.action, r.entity_table, r.summary)
                for r in rows
            ]
