"""Case-note use cases: record, lock, amend, retract, list and search contacts.

Locking: a note is locked by hand, or automatically a set time after it was recorded (a synced
preference, 72 hours by default). The automatic lock holds at read time and at write time from
the moment it is due; :meth:`NoteService.lock_due_notes` also stores it, so it syncs.

Notes are never deleted (synced rows keep tombstones; a note is clinical evidence). A note
written by mistake is marked *entered in error* with a reason: kept in the record and its
history, hidden from the notes list, note search and "last contact".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select, text
from sqlalchemy.orm import Session

from casedesk.domain.clients import display_name
from casedesk.domain.clock import utcnow
from casedesk.domain.enums import ContactType, NoteStatus
from casedesk.domain.notes import (
    NoteInput,
    auto_lock_message,
    auto_lock_time,
    check_auto_lock_hours,
    check_error_reason,
    effective_lock_time,
    validate_note,
)
from casedesk.services import audit, preferences
from casedesk.services.drafts import discard_in
from casedesk.services.errors import ImmutableRecordError, NotFound
from casedesk.storage.engine import Database
from casedesk.storage.models import CaseNote, Client, NoteGoal
from casedesk.storage.types import parse_db_datetime

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class NoteView:
    """A note as shown in the timeline."""

    id: str
    client_id: str
    contact_type: ContactType
    occurred_at: datetime
    duration_minutes: int | None
    location: str
    body: str
    author: str
    locked_at: datetime | None  # by hand, or when the automatic lock fell due
    amends_id: str | None
    goal_ids: tuple[str, ...]
    status: NoteStatus = NoteStatus.CURRENT
    error_reason: str = ""
    entered_in_error_at: datetime | None = None
    locks_at: datetime | None = None  # when an open note will lock itself

    @property
    def locked(self) -> bool:
        """Locked notes can only be amended."""
        return self.locked_at is not None

    @property
    def entered_in_error(self) -> bool:
        """Retracted: kept in the record, hidden from it by default."""
        return self.status is NoteStatus.ENTERED_IN_ERROR


@dataclass(frozen=True)
class NoteHit:
    """A full-text search result."""

    note_id: str
    client_id: str
    client_name: str
    occurred_at: datetime
    snippet: str


def fts_words_query(user_text: str) -> str | None:
    """A safe FTS5 query matching notes containing every word typed (last word as a prefix)."""
    words = _WORD.findall(user_text)
    if not words:
        return None
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " AND ".join(quoted)


def hide_entered_in_error(notes: Sequence[NoteView]) -> list[NoteView]:
    """The notes that stand: those entered in error (and amendments to them) left out."""
    hidden = {n.id for n in notes if n.entered_in_error}
    return [n for n in notes if n.id not in hidden and n.amends_id not in hidden]


def _due_notes(query: Select[Any], rule: _LockRule) -> Select[Any]:
    """Notes not locked yet whose automatic lock has fallen due (ix_case_note_unlocked)."""
    return query.where(
        CaseNote.locked_at.is_(None),
        CaseNote.deleted_at.is_(None),
        CaseNote.created_at <= rule.now - timedelta(hours=rule.hours),
    )


def _lock(session: Session, note: CaseNote, when: datetime, summary: str) -> None:
    note.locked_at = when
    audit.record(
        session, "note.locked", "case_note", note.id, client_id=note.client_id, summary=summary
    )


@dataclass(frozen=True)
class _LockRule:
    """The automatic lock in force for one read or write."""

    hours: int
    now: datetime

    def locked_at(self, note: CaseNote) -> datetime | None:
        return effective_lock_time(note.locked_at, note.created_at, self.hours, self.now)

    def view(self, note: CaseNote, goal_ids: tuple[str, ...]) -> NoteView:
        locked_at = self.locked_at(note)
        return NoteView(
            note.id,
            note.client_id,
            note.contact_type,
            note.occurred_at,
            note.duration_minutes,
            note.location,
            note.body,
            note.author,
            locked_at,
            note.amends_id,
            goal_ids,
            NoteStatus(note.status),
            note.error_reason,
            note.entered_in_error_at,
            None if locked_at else auto_lock_time(note.created_at, self.hours),
        )


class NoteService:
    """Record and find case notes.

    Args:
        db: the open vault database.
        now: the clock (tests pass a fixed one to cross the automatic-lock boundary).
    """

    def __init__(self, db: Database, now: Callable[[], datetime] = utcnow) -> None:
        self._db = db
        self._now = now

    # ------------------------------------------------------------------ automatic lock

    def auto_lock_hours(self) -> int:
        """Hours after recording when a note locks itself (synced setting; default 72)."""
        with self._db.read() as session:
            return preferences.note_auto_lock_hours(session)

    def set_auto_lock_hours(self, hours: int) -> int:
        """Change the automatic-lock period (1 hour to 30 days) for every device.

        Raises:
            ValidationError: outside that range.
        """
        hours = check_auto_lock_hours(hours)
        with self._db.session() as session:
            preferences.write(session, preferences.NOTE_AUTO_LOCK_KEY, hours)
            audit.record(
                session,
                "settings.note_lock",
                "preference",
                preferences.NOTE_AUTO_LOCK_KEY,
                summary=f"Notes now lock {hours} hours after they are written",
            )
        return hours

    def lock_due_notes(self) -> int:
        """Store the lock of every note whose automatic lock has fallen due (the sweep).

        Each is stamped with the moment it became locked (recorded + the period), so two
        devices sweeping the same note agree. Returns how many notes were locked.
        """
        with self._db.read() as session:  # usually nothing is due: don't write then
            rule = self._rule(session)
            if session.scalar(_due_notes(select(CaseNote.id), rule).limit(1)) is None:
                return 0
        with self._db.session() as session:
            rule = self._rule(session)
            due = session.scalars(_due_notes(select(CaseNote), rule)).all()
            summary = f"Note locked automatically {rule.hours} hours after it was written"
            for note in due:
                _lock(session, note, auto_lock_time(note.created_at, rule.hours), summary)
            return len(due)

    def _rule(self, session: Session) -> _LockRule:
        return _LockRule(preferences.note_auto_lock_hours(session), self._now())

    # ------------------------------------------------------------------ writing

    def add_note(
        self, data: NoteInput, *, lock: bool = False, author: str = "", draft_key: str | None = None
    ) -> NoteView:
        """Store a new note (optionally locked at once), audited, in one transaction."""
        now = self._now()
        clean = validate_note(data, now)
        with self._db.session() as session:
            self._require_client(session, data.client_id)
            note = CaseNote(
                created_at=now,
                client_id=data.client_id,
                contact_type=clean.contact_type,
                occurred_at=clean.occurred_at,
                duration_minutes=clean.duration_minutes,
                location=clean.location,
                body=clean.body,
                author=author,
                locked_at=now if lock else None,
            )
            session.add(note)
            session.flush()
            for goal_id in data.goal_ids:
                session.add(NoteGoal(note_id=note.id, goal_id=goal_id))
            audit.record(
                session,
                "note.added",
                "case_note",
                note.id,
                client_id=data.client_id,
                summary=f"{clean.contact_type.value.replace('_', ' ')} note added",
            )
            discard_in(session, draft_key)
            return self._rule(session).view(note, tuple(data.goal_ids))

    def update_note(
        self, note_id: str, data: NoteInput, *, draft_key: str | None = None
    ) -> NoteView:
        """Change an open note.

        Raises:
            ImmutableRecordError: the note is locked, by hand or because its automatic lock
                fell due (amend it instead), or it was entered in error.
        """
        clean = validate_note(data, self._now())
        with self._db.session() as session:
            note = self._live_note(session, note_id)
            rule = self._rule(session)
            self._require_standing(note)
            if note.locked_at is not None:
                raise ImmutableRecordError("This note is locked. Add an amendment instead.")
            if rule.locked_at(note) is not None:
                raise ImmutableRecordError(auto_lock_message(rule.hours))
            note.contact_type = clean.contact_type
            if data.occurred_at is not None:  # not given: keep when the contact happened
                note.occurred_at = clean.occurred_at
            note.duration_minutes = clean.duration_minutes
            note.location = clean.location
            note.body = clean.body
            audit.record(
                session,
                "note.edited",
                "case_note",
                note.id,
                client_id=note.client_id,
                summary="Note edited before locking",
            )
            discard_in(session, draft_key)
            return rule.view(note, self._goal_ids(session, note.id))

    def lock_note(self, note_id: str) -> NoteView:
        """Lock a note: from now on it can only be amended."""
        with self._db.session() as session:
            note = self._live_note(session, note_id)
            rule = self._rule(session)
            if note.locked_at is None:
                # Already due to lock by itself: record when it did, not now.
                _lock(session, note, rule.locked_at(note) or rule.now, "Note locked")
            return rule.view(note, self._goal_ids(session, note.id))

    def mark_entered_in_error(self, note_id: str, reason: str) -> NoteView:
        """Retract a note written by mistake, open or locked; its amendments go with it.

        Nothing is deleted or rewritten: the note keeps its text, gains the status, the reason
        and the time, and leaves the notes list, search and "last contact". The reason is kept
        out of the audit summary (it may name people).

        Raises:
            ValidationError: no reason given.
            ImmutableRecordError: the note is already entered in error.
        """
        reason = check_error_reason(reason)
        with self._db.session() as session:
            note = self._live_note(session, note_id)
            self._require_standing(note)
            rule = self._rule(session)
            retracted = [note, *self._amendments(session, note)]
            for row in retracted:
                if row.status != NoteStatus.ENTERED_IN_ERROR:
                    row.status = NoteStatus.ENTERED_IN_ERROR
                    row.error_reason = reason
                    row.entered_in_error_at = rule.now
            extra = len(retracted) - 1
            audit.record(
                session,
                "note.entered_in_error",
                "case_note",
                note.id,
                client_id=note.client_id,
                summary="Note marked entered in error"
                + (f" with its {extra} amendment(s)" if extra else ""),
            )
            return rule.view(note, self._goal_ids(session, note.id))

    def amend_note(
        self, note_id: str, body: str, *, author: str = "", draft_key: str | None = None
    ) -> NoteView:
        """Add a locked amendment that supersedes a locked note (the original is kept)."""
        now = self._now()
        with self._db.session() as session:
            original = self._live_note(session, note_id)
            self._require_standing(original)
            data = NoteInput(
                client_id=original.client_id,
                body=body,
                contact_type=original.contact_type,
                occurred_at=original.occurred_at,
                duration_minutes=original.duration_minutes,
                location=original.location,
            )
            clean = validate_note(data, now)
            amendment = CaseNote(
                created_at=now,
                client_id=original.client_id,
                contact_type=clean.contact_type,
                occurred_at=clean.occurred_at,
                duration_minutes=clean.duration_minutes,
                location=clean.location,
                body=clean.body,
                author=author,
                locked_at=now,
                amends_id=original.id,
            )
            session.add(amendment)
            session.flush()
            audit.record(
                session,
                "note.amended",
                "case_note",
                amendment.id,
                client_id=original.client_id,
                summary="Amendment added to a locked note",
            )
            discard_in(session, draft_key)
            return self._rule(session).view(amendment, ())

    # ------------------------------------------------------------------ reading

    def list_notes(
        self, client_id: str, limit: int | None = None, *, include_entered_in_error: bool = False
    ) -> list[NoteView]:
        """A client's notes, newest first (entered-in-error ones only when asked for)."""
        with self._db.read() as session:
            query = (
                select(CaseNote)
                .where(CaseNote.client_id == client_id, CaseNote.deleted_at.is_(None))
                .order_by(CaseNote.occurred_at.desc(), CaseNote.id.desc())
            )
            if limit:
                query = query.limit(limit)
            notes = list(session.scalars(query))
            links = self._goal_links(session, [n.id for n in notes])
            rule = self._rule(session)
            views = [rule.view(n, links.get(n.id, ())) for n in notes]
        return views if include_entered_in_error else hide_entered_in_error(views)

    def search_notes(
        self, user_text: str, *, client_id: str | None = None, limit: int = 50
    ) -> list[NoteHit]:
        """Notes containing every word typed (the last as a prefix), newest recorded first."""
        query = fts_words_query(user_text)
        if query is None:
            return []
        # Newest-recorded first: a case-note search is usually "the latest mention of X", and
        # FTS5 walks its index in descending rowid order natively, so a common word costs the
        # same as a rare one (ranking every match with bm25 took ~200 ms on 250,000 notes).
        hits = (
            "SELECT rowid AS note_rowid, snippet(note_fts, 0, '[', ']', '…', 12) AS snippet "
            "FROM note_fts WHERE note_fts MATCH :q"
        )
        params: dict[str, object] = {"q": query, "limit": limit}
        if client_id:
            hits += (
                " AND rowid IN (SELECT rowid FROM case_note WHERE client_id = :client_id"
                " AND deleted_at IS NULL)"
            )
            params["client_id"] = client_id
        hits += " ORDER BY rowid DESC LIMIT :limit"
        sql = f"""
            SELECT n.id, n.client_id, c.given_name, c.family_name, c.preferred_name,
                   n.occurred_at, h.snippet
            FROM ({hits}) AS h
            JOIN case_note n ON n.rowid = h.note_rowid
            JOIN client c ON c.id = n.client_id
            WHERE n.deleted_at IS NULL
            ORDER BY n.occurred_at DESC
        """
        with self._db.read() as session:
            rows = session.execute(text(sql), params)
            return [
                NoteHit(
                    r.id,
                    r.client_id,
                    display_name(r.given_name, r.family_name, r.preferred_name),
                    parse_db_datetime(r.occurred_at) or utcnow(),
                    r.snippet,
                )
                for r in rows
            ]

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _require_client(session: Session, client_id: str) -> None:
        client = session.get(Client, client_id)
        if client is None or client.deleted_at is not None:
            raise NotFound("That client record could not be found.")

    @staticmethod
    def _live_note(session: Session, note_id: str) -> CaseNote:
        note = session.get(CaseNote, note_id)
        if note is None or note.deleted_at is not None:
            raise NotFound("That note could not be found.")
        return note

    @staticmethod
    def _require_standing(note: CaseNote) -> None:
        if note.status == NoteStatus.ENTERED_IN_ERROR:
            raise ImmutableRecordError(
                "This note was entered in error; it stays in the history and can't be changed."
            )

    @staticmethod
    def _amendments(session: Session, note: CaseNote) -> list[CaseNote]:
        """Every amendment of a note, amendments of amendments included."""
        found: list[CaseNote] = []
        parents = [note.id]
        while parents:
            # Amendments belong to the same client: the client's note index narrows the read.
            children = list(
                session.scalars(
                    select(CaseNote).where(
                        CaseNote.client_id == note.client_id,
                        CaseNote.deleted_at.is_(None),
                        CaseNote.amends_id.in_(parents),
                    )
                )
            )
            found += children
            parents = [c.id for c in children]
        return found

    @staticmethod
    def _goal_ids(session: Session, note_id: str) -> tuple[str, ...]:
        return tuple(session.scalars(select(NoteGoal.goal_id).where(NoteGoal.note_id == note_id)))

    @staticmethod
    def _goal_links(session: Session, note_ids: list[str]) -> dict[str, tuple[str, ...]]:
        links: dict[str, list[str]] = {}
        for chunk_start in range(0, len(note_ids), 500):
            chunk = note_ids[chunk_start : chunk_start + 500]
            for note_id, goal_id in session.execute(
                select(NoteGoal.note_id, NoteGoal.goal_id).where(NoteGoal.note_id.in_(chunk))
            ):
                links.setdefault(note_id, []).append(goal_id)
        return {k: tuple(v) for k, v in links.items()}
