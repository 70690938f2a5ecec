"""Autosaved drafts: typing is kept in the vault so a crash or lock loses nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.domain.clock import utcnow
from casedesk.storage.engine import Database
from casedesk.storage.models import Draft


def discard_in(session: Session, key: str | None) -> None:
    """Delete the draft under ``key`` inside the caller's unit of work.

    Every service call that saves a form takes the form's draft key and calls this in its own
    transaction, so the record and the end of its draft commit together: a crash between the
    two can neither leave a stale draft beside the saved record nor lose the typing.
    """
    if key is None:
        return
    draft = session.get(Draft, key)
    if draft is not None:
        session.delete(draft)


@dataclass(frozen=True)
class SavedDraft:
    """A draft found in the vault."""

    key: str
    payload: dict[str, Any]
    updated_at: datetime


class DraftService:
    """Save, find and discard drafts. Keys name the form, e.g. ``note:new:<client id>``."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def save(self, key: str, payload: dict[str, Any]) -> None:
        """Create or replace a draft."""
        with self._db.session() as session:
            draft = session.get(Draft, key)
            if draft is None:
                session.add(Draft(key=key, payload=payload, updated_at=utcnow()))
            else:
                draft.payload = payload
                draft.updated_at = utcnow()

    def load(self, key: str) -> SavedDraft | None:
        """The draft under ``key``, if any."""
        with self._db.read() as session:
            draft = session.get(Draft, key)
            return None if draft is None else SavedDraft(draft.key, draft.payload, draft.updated_at)

    def with_prefix(self, prefix: str) -> list[SavedDraft]:
        """Every draft whose key starts with ``prefix``, newest first."""
        with self._db.read() as session:
            rows = session.scalars(
                select(Draft).where(Draft.key.startswith(prefix)).order_by(Draft.updated_at.desc())
            )
            return [SavedDraft(d.key, d.payload, d.updated_at) for d in rows]

    def discard(self, key: str) -> None:
        """Remove a draft (after it was saved for real, or the user threw it away)."""
        with self._db.session() as session:
            discard_in(session, key)
