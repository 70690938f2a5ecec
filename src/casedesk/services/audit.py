"""The audit trail: every service write records who did what, in the same transaction.

"Who" is the worker's name from My details at the time (a synced preference) and the name of
the device it was done on (local to the device: Settings names it, the host name otherwise).
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.domain.validation import Validator, check_text
from casedesk.services import preferences
from casedesk.storage.engine import Database
from casedesk.storage.models import AuditEvent, LocalMeta

DEVICE_NAME_META = "device_name"
MAX_DEVICE_NAME = 100  # the hub's limit for a device's name


def default_device_name() -> str:
    """What a device is called until the worker names it: the computer's host name."""
    return socket.gethostname()[:MAX_DEVICE_NAME] or "This computer"


def device_name(session: Session) -> str:
    """This device's name as the worker set it (else the host name)."""
    meta = session.get(LocalMeta, DEVICE_NAME_META)
    return meta.value if meta is not None and meta.value else default_device_name()


def set_device_name(session: Session, name: str) -> str:
    """Name this device (kept on this device only; never synced).

    Raises:
        ValidationError: empty, over 100 characters, or more than one line.
    """
    v = Validator()
    text = " ".join(
        check_text(v, "device_name", name, required=True, max_length=MAX_DEVICE_NAME).split()
    )
    v.raise_if_any()
    meta = session.get(LocalMeta, DEVICE_NAME_META)
    if meta is None:
        session.add(LocalMeta(key=DEVICE_NAME_META, value=text))
    else:
        meta.value = text
    return text


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
    session.add(
        AuditEvent(
            actor=preferences.my_details(session).name,
            device_name=device_name(session),
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
    actor: str  # the worker's name at the time ("" before My details were set)
    action: str
    entity_table: str
    summary: str
    device_name: str = ""  # "" for events recorded before devices were named


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
                AuditEntry(
                    r.occurred_at, r.actor, r.action, r.entity_table, r.summary, r.device_name
                )
                for r in rows
            ]
