"""Tasks and the Home summary for the whole caseload, derived from due dates on every visit.

Set-based: five SQL queries read the whole caseload whatever its size (clients with the
per-client facts ``client_activity`` keeps, plan reviews, open actions, open referrals, and
the consents of clients with one that needs attention), then
:func:`casedesk.domain.tasks.derive_caseload_tasks` applies the rules in memory. There is no
per-client query, so the cost grows with rows read, not round trips; on an encrypted vault
each row fetched costs Python time, so each query reads only rows that can raise a task, from
a covering index where it can. ``tests/unit/services/test_task_service.py`` holds the result
to the rules applied record by record through the ORM.
"""

from __future__ import annotations

import gc
import heapq
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import groupby
from operator import itemgetter
from typing import Any

from casedesk.domain.caseload import CaseloadClient, CaseloadFigures, caseload_figures
from casedesk.domain.clients import display_name
from casedesk.domain.clock import today as local_today
from casedesk.domain.enums import (
    ActionStatus,
    ClientStatus,
    ConsentScope,
    Intensity,
    ReferralStatus,
    RiskLevel,
)
from casedesk.domain.tasks import (
    UPCOMING_DAYS,
    ActionDue,
    Bucket,
    ClientTaskFacts,
    ConsentFacts,
    ReferralDue,
    Task,
    bucket,
    consent_attention_date,
    derive_caseload_tasks,
    fast_maker,
)
from casedesk.storage.engine import Database
from casedesk.storage.types import parse_db_datetime

# Every live client with the per-client facts client_activity keeps by triggers: last
# contact, latest live risk screen, latest episode, consent to keep information on file.
# Closed and referral-stage clients are read too: Home's "recent" list and exit follow-ups
# need them.
_CLIENTS_SQL = """
SELECT c.id, c.given_name, c.family_name, c.preferred_name, c.status, c.intensity,
       a.last_contact_at, a.risk_level, a.risk_review_on, a.support_started_on,
       a.exit_follow_up_on, a.store_consent_on_file
FROM client c LEFT JOIN client_activity a ON a.client_id = c.id
WHERE c.deleted_at IS NULL
"""

_PLANS_SQL = """
SELECT client_id, min(next_review_on) AS next_review
FROM case_plan
WHERE deleted_at IS NULL AND state != 'closed' AND next_review_on IS NOT NULL
  AND next_review_on <= ?
GROUP BY client_id
"""

# Open actions due by the horizon, read from a partial covering index (so no table row is
# touched) with the goal's client from another. Actions of a closed plan raise no task (a
# reopened client starts afresh); closed plans are few, so that check is a small NOT IN list.
# INDEXED BY: without statistics the planner prefers the goal's unique id index and a table
# lookup per row, which costs twice as much on encrypted pages.
_ACTIONS_SQL = """
SELECT g.client_id, a.id, a.description, a.due_on, a.status
FROM action a INDEXED BY ix_action_open_due
JOIN goal g INDEXED BY ix_goal_owner ON g.id = a.goal_id
WHERE a.deleted_at IS NULL AND a.status NOT IN ('done', 'cancelled') AND a.due_on <= ?
  AND g.deleted_at IS NULL
  AND g.plan_id NOT IN (
    SELECT id FROM case_plan WHERE state = 'closed' OR deleted_at IS NOT NULL)
"""

_REFERRALS_SQL = """
SELECT r.client_id, r.id, coalesce(nullif(r.agency_name, ''), s.name, '') AS agency,
       r.status, r.follow_up_on
FROM referral_out r INDEXED BY ix_referral_follow_up
LEFT JOIN service_entry s ON s.id = r.service_id
WHERE r.deleted_at IS NULL AND r.follow_up_on IS NOT NULL AND r.follow_up_on <= ?
  AND r.status != 'closed'
"""

# Consents: only clients with one expiring by the attention date or withdrawn by today can
# have a consent task beyond "none on file" (domain.tasks.consent_attention_date), so only
# their consents are read, all of them, in client order so the rows group without a
# dictionary, from a covering index. For everyone else client_activity says whether a consent
# to collect and store information is on file.
_CONSENTS_SQL = """
SELECT client_id, id, scope, agencies, given_on, expires_on, withdrawn_on
FROM consent INDEXED BY ix_consent_facts
WHERE deleted_at IS NULL AND client_id IN (
  SELECT client_id FROM consent INDEXED BY ix_consent_facts
  WHERE deleted_at IS NULL AND (withdrawn_on <= ? OR expires_on <= ?))
ORDER BY client_id
"""

# Only Home's caseload figures need this, so it is read only when they are asked for.
_CARERS_SQL = """
SELECT DISTINCT client_id FROM support_person WHERE deleted_at IS NULL AND is_carer
"""


@dataclass(frozen=True)
class RecentClient:
    """A client seen recently (by their latest recorded contact)."""

    client_id: str
    display_name: str
    last_contact: datetime
    risk_level: RiskLevel | None


@dataclass(frozen=True)
class HomeSummary:
    """Today's work at a glance.

    Attributes:
        today: the date the summary was made for.
        tasks: tasks overdue or due within the next 7 days, sorted by due date.
        counts: number of those tasks per bucket (overdue, today, next 7 days).
        figures: caseload counts by intensity and risk, weighted caseload.
        recent: clients with the most recent contacts, newest first.
        clients: every client record, whatever its status (0: a new vault, nothing to show).
    """

    today: date
    tasks: list[Task]
    counts: dict[Bucket, int]
    figures: CaseloadFigures
    recent: list[RecentClient] = field(default_factory=list)
    clients: int = 0


@dataclass
class _Caseload:
    """The caseload as read in one pass, with its tasks; figures are made on first request."""

    rows: list[Any]  # _CLIENTS_SQL rows
    names: dict[str, str]
    tasks: list[Task]
    figures: CaseloadFigures | None = None


class _Dates(dict[Any, date | None]):
    """Stored ISO dates parsed once each: ``day[value]`` (a caseload shares a few hundred dates).

    A dict with ``__missing__``, so a repeat is a plain dictionary lookup in C.
    """

    def __missing__(self, value: Any) -> date | None:
        if value is None or isinstance(value, date):
            parsed = value
        else:
            parsed = date.fromisoformat(str(value)[:10])
        self[value] = parsed
        return parsed


class _Agencies(dict[Any, tuple[str, ...]]):
    """A consent's stored JSON list of agencies, decoded once per distinct value."""

    def __missing__(self, value: Any) -> tuple[str, ...]:
        if not value or value == "[]":
            parsed: tuple[str, ...] = ()
        else:
            items = json.loads(value) if isinstance(value, str) else value
            parsed = tuple(str(item) for item in items)
        self[value] = parsed
        return parsed


_ACTION_STATUS = {s.value: s for s in ActionStatus}
_REFERRAL_STATUS = {s.value: s for s in ReferralStatus}
_CONSENT_SCOPE = {s.value: s for s in ConsentScope}
_CLIENT_STATUS = {s.value: s for s in ClientStatus}
_INTENSITY = {s.value: s for s in Intensity}
_RISK = {s.value: s for s in RiskLevel}
# One record per open action and referral of the caseload: built in C.
_new_action = fast_maker(ActionDue)
_new_referral = fast_maker(ReferralDue)


class TaskService:
    """Derived tasks, caseload figures and recent clients for the Home and Tasks screens."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._cache: tuple[tuple[Any, ...], _Caseload] | None = None

    def invalidate(self) -> None:
        """Forget the cached caseload, so the next call reads the vault again."""
        self._cache = None

    def due_tasks(self, today: date | None = None, days: int = UPCOMING_DAYS) -> list[Task]:
        """Every task overdue or due within ``days`` days, sorted by due date then client."""
        today = today or local_today()
        return list(self._computed(today, today + timedelta(days=days)).tasks)

    def home_summary(self, today: date | None = None, recent: int = 8) -> HomeSummary:
        """Tasks for the coming week, caseload figures and recently seen clients."""
        today = today or local_today()
        caseload = self._computed(today, today + timedelta(days=UPCOMING_DAYS))
        tasks = list(caseload.tasks)
        counts = dict.fromkeys((Bucket.OVERDUE, Bucket.TODAY, Bucket.NEXT_7_DAYS), 0)
        for task in tasks:
            counts[bucket(task, today)] += 1
        return HomeSummary(
            today=today,
            tasks=tasks,
            counts=counts,
            figures=self._figures(caseload),
            recent=_recent(caseload, recent),
            clients=len(caseload.rows),
        )

    def caseload(self) -> CaseloadFigures:
        """Caseload counts by intensity and risk (active clients only)."""
        today = local_today()
        return self._figures(self._computed(today, today + timedelta(days=UPCOMING_DAYS)))

    # ------------------------------------------------------------------ reading

    def _computed(self, today: date, horizon: date) -> _Caseload:
        """The caseload and its tasks, recomputed only when the database changed.

        The change stamp is the database's write generation (bumped by every committed unit
        of work in this process, whichever pooled connection or thread made it), so a revisit
        of Home or Tasks with nothing changed costs nothing.
        """
        key = (self._db.generation, today, horizon)
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        with self._db.read() as session, _gc_paused():
            caseload = _read(_raw_connection(session), today, horizon)
        self._cache = (key, caseload)
        return caseload

    def _figures(self, caseload: _Caseload) -> CaseloadFigures:
        """Caseload figures for Home, made once per cached caseload (Tasks never needs them)."""
        if caseload.figures is None:
            with self._db.read() as session:
                carers = {row[0] for row in _raw_connection(session).execute(_CARERS_SQL)}
            caseload.figures = caseload_figures(_caseload_clients(caseload, carers))
        return caseload.figures


def _recent(caseload: _Caseload, count: int) -> list[RecentClient]:
    """The clients with the most recent contacts, newest first."""
    contacts = (
        (when, row) for row in caseload.rows if (when := parse_db_datetime(row[6])) is not None
    )
    return [
        RecentClient(row[0], caseload.names[row[0]], when, _RISK.get(row[7]) if row[7] else None)
        for when, row in heapq.nlargest(count, contacts, key=itemgetter(0))
    ]


def _raw_connection(session: Any) -> Any:
    """The plain DB-API connection under a session.

    These rows are read-only tuples, and SQLAlchemy's per-row result processing would cost
    more than the queries themselves.
    """
    raw = session.connection().connection.driver_connection
    assert raw is not None
    return raw


def _read(raw: Any, today: date, horizon: date) -> _Caseload:
    """Read the caseload with a fixed set of queries and derive its tasks.

    Rows due after ``horizon`` are left in the vault. Actions and referrals go to the domain
    caseload-wide, each tagged with its client, rather than grouped per client first.
    """
    day = _Dates()
    until = horizon.isoformat()

    def fetch(sql: str, *params: Any) -> list[Any]:
        return list(raw.execute(sql, params).fetchall())

    rows = fetch(_CLIENTS_SQL)
    plans = {cid: day[due] for cid, due in fetch(_PLANS_SQL, until)}
    attention = consent_attention_date(today, horizon).isoformat()
    consents = _consents(fetch(_CONSENTS_SQL, today.isoformat(), attention), day)
    facts, names = _client_facts(rows, plans, consents, day)
    actions = [
        _new_action((aid, text_, day[due], _ACTION_STATUS[status], cid))
        for cid, aid, text_, due, status in fetch(_ACTIONS_SQL, until)
    ]
    referrals = [
        _new_referral((rid, agency, _REFERRAL_STATUS[status], day[follow_up], cid))
        for cid, rid, agency, status, follow_up in fetch(_REFERRALS_SQL, until)
    ]
    tasks = derive_caseload_tasks(
        facts, today, horizon=horizon, actions=actions, referrals=referrals
    )
    return _Caseload(rows, names, tasks)


def _client_facts(
    rows: list[Any],
    plans: dict[str, date | None],
    consents: dict[str, tuple[ConsentFacts, ...]],
    day: _Dates,
) -> tuple[list[ClientTaskFacts], dict[str, str]]:
    """Per-client facts for task derivation, and every client's display name.

    ``consents`` holds, per client, the consents needing attention (if any do).
    """
    facts: list[ClientTaskFacts] = []
    names: dict[str, str] = {}
    # Stored times are naive UTC; the rules want the local calendar date of the last contact.
    # Adding today's UTC offset is exact except for a contact within an hour of midnight on
    # the other side of a daylight-saving change, which moves a 30-day reminder by a day.
    utc_offset = datetime.now().astimezone().utcoffset() or timedelta(0)
    active_status, closed_status = ClientStatus.ACTIVE, ClientStatus.CLOSED
    for (
        cid,
        given,
        family,
        preferred,
        status_text,
        _,
        last_text,
        level,
        review,
        started,
        follow_up,
        on_file,
    ) in rows:
        name = display_name(given, family, preferred)
        names[cid] = name
        status = _CLIENT_STATUS[status_text]
        follow_up = day[follow_up]
        if status is not active_status and (status is not closed_status or follow_up is None):
            continue  # referrals, declined and followed-up closed cases raise no task
        facts.append(
            ClientTaskFacts(
                client_id=cid,
                display_name=name,
                status=status,
                risk_level=_RISK.get(level) if level else None,
                risk_review_due=day[review],
                next_plan_review=plans.get(cid),
                consents=consents.get(cid, ()),
                last_contact=None
                if last_text is None
                else (_stored_time(last_text) + utc_offset).date(),
                support_started=day[started],
                exit_follow_up=follow_up,
                store_consent_on_file=bool(on_file),
            )
        )
    return facts, names


def _stored_time(value: Any) -> datetime:
    """A datetime column read through raw SQL (ISO text, naive UTC)."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _caseload_clients(caseload: _Caseload, carers: set[str]) -> list[CaseloadClient]:
    """What the caseload figures need about each active client."""
    clients: list[CaseloadClient] = []
    day = _Dates()
    for cid, _, _, _, status_text, intensity, _, level, _, started, _, _ in caseload.rows:
        if status_text != ClientStatus.ACTIVE:
            continue  # the caseload figures count active clients only
        clients.append(
            CaseloadClient(
                client_id=cid,
                status=ClientStatus.ACTIVE,
                intensity=_INTENSITY.get(intensity) if intensity else None,
                risk_level=_RISK.get(level) if level else None,
                opened_on=day[started],
                carers_involved=cid in carers,
            )
        )
    return clients


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small acyclic objects.

    A 5,000-client caseload makes tens of thousands of tuples; without this the collector
    runs repeatedly over all of them for nothing (none of them form cycles).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _consents(rows: list[Any], day: _Dates) -> dict[str, tuple[ConsentFacts, ...]]:
    """Consent facts per client; the rows come ordered by client."""
    agencies = _Agencies()
    return {
        cid: tuple(
            ConsentFacts(
                consent_id,
                _CONSENT_SCOPE[scope],
                day[given],
                day[expires],
                day[withdrawn],
                agencies[listed],
            )
            for _, consent_id, scope, listed, given, expires, withdrawn in group
        )
        for cid, group in groupby(rows, key=itemgetter(0))
    }
