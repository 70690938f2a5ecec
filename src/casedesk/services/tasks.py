"""Tasks and the Home summary for the whole caseload, derived from due dates on every visit.

Set-based: a fixed handful of SQL queries read the whole caseload (one per kind of fact:
clients, latest risk screens, plans, open actions, open referrals, consents, last contacts,
episodes, carers), then :func:`casedesk.domain.tasks.derive_tasks` runs per client in memory.
There is no per-client query, so the cost grows with rows read, not round trips.
"""

from __future__ import annotations

import gc
import heapq
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from operator import itemgetter
from typing import Any, TypeVar

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
    derive_tasks,
    sort_tasks,
)
from casedesk.storage.engine import Database
from casedesk.storage.types import parse_db_datetime

T = TypeVar("T")

# Last contact comes from client_activity, which triggers on case_note keep current: one
# small table read instead of an index seek per client on cold, encrypted pages.
_CLIENTS_SQL = """
SELECT c.id, c.given_name, c.family_name, c.preferred_name, c.status, c.intensity,
       a.last_contact_at AS last_contact
FROM client c LEFT JOIN client_activity a ON a.client_id = c.id
WHERE c.deleted_at IS NULL
"""

# The latest live screen per client, again one index seek per client.
_RISK_SQL = """
SELECT r.client_id, r.overall_level, r.review_on FROM risk_screen r
WHERE r.rowid IN (
  SELECT (SELECT r2.rowid FROM risk_screen r2
           WHERE r2.client_id = c.id AND r2.deleted_at IS NULL
           ORDER BY r2.screened_on DESC, r2.created_at DESC LIMIT 1)
  FROM client c WHERE c.deleted_at IS NULL
)
"""

_PLANS_SQL = """
SELECT client_id, min(next_review_on) AS next_review
FROM case_plan
WHERE deleted_at IS NULL AND state != 'closed' AND next_review_on IS NOT NULL
  AND next_review_on <= ?
GROUP BY client_id
"""

# Only the goal join: the plan and client checks are set lookups in Python, which costs less
# than two more index seeks per action row on an encrypted database.
_ACTIONS_SQL = """
SELECT g.client_id, g.plan_id, a.id, a.description, a.due_on, a.status
FROM action a JOIN goal g ON g.id = a.goal_id
WHERE a.deleted_at IS NULL AND g.deleted_at IS NULL AND a.due_on IS NOT NULL
  AND a.status IN ('not_started', 'in_progress', 'on_hold') AND a.due_on <= ?
"""

# Actions of a closed plan raise no task (a reopened client starts afresh).
_OPEN_PLANS_SQL = """
SELECT id FROM case_plan WHERE deleted_at IS NULL AND state != 'closed'
"""

_REFERRALS_SQL = """
SELECT r.client_id, r.id, coalesce(nullif(r.agency_name, ''), s.name, '') AS agency,
       r.status, r.follow_up_on
FROM referral_out r LEFT JOIN service_entry s ON s.id = r.service_id
  JOIN client c ON c.id = r.client_id AND c.status = 'active'
WHERE r.deleted_at IS NULL AND r.follow_up_on IS NOT NULL AND r.follow_up_on <= ?
  AND r.status != 'closed'
"""

_CONSENTS_SQL = """
SELECT k.client_id, k.id, k.scope, k.agencies, k.given_on, k.expires_on, k.withdrawn_on
FROM consent k JOIN client c ON c.id = k.client_id AND c.status = 'active'
WHERE k.deleted_at IS NULL
"""

_EPISODES_SQL = """
SELECT client_id, opened_on, closed_on, follow_up_on, followed_up_at
FROM episode WHERE deleted_at IS NULL
ORDER BY client_id, opened_on
"""

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
    """

    today: date
    tasks: list[Task]
    counts: dict[Bucket, int]
    figures: CaseloadFigures
    recent: list[RecentClient] = field(default_factory=list)


@dataclass
class _Caseload:
    """Everything read from the vault in one pass."""

    facts: list[ClientTaskFacts]
    clients: list[CaseloadClient]
    last_contact: dict[str, datetime]
    names: dict[str, str]
    risk: dict[str, RiskLevel | None]


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


def _agencies(value: Any) -> tuple[str, ...]:
    if not value or value == "[]":
        return ()
    items = json.loads(value) if isinstance(value, str) else value
    return tuple(str(item) for item in items)


_ACTION_STATUS = {s.value: s for s in ActionStatus}
_REFERRAL_STATUS = {s.value: s for s in ReferralStatus}
_CONSENT_SCOPE = {s.value: s for s in ConsentScope}
_CLIENT_STATUS = {s.value: s for s in ClientStatus}
_INTENSITY = {s.value: s for s in Intensity}
_RISK = {s.value: s for s in RiskLevel}


class TaskService:
    """Derived tasks, caseload figures and recent clients for the Home and Tasks screens."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._cache: tuple[tuple[Any, ...], _Caseload, list[Task]] | None = None

    def due_tasks(self, today: date | None = None, days: int = UPCOMING_DAYS) -> list[Task]:
        """Every task overdue or due within ``days`` days, sorted by due date then client."""
        today = today or local_today()
        return list(self._computed(today, today + timedelta(days=days))[1])

    def home_summary(self, today: date | None = None, recent: int = 8) -> HomeSummary:
        """Tasks for the coming week, caseload figures and recently seen clients."""
        today = today or local_today()
        caseload, tasks = self._computed(today, today + timedelta(days=UPCOMING_DAYS))
        tasks = list(tasks)
        counts = dict.fromkeys((Bucket.OVERDUE, Bucket.TODAY, Bucket.NEXT_7_DAYS), 0)
        for task in tasks:
            counts[bucket(task, today)] += 1
        newest = heapq.nlargest(recent, caseload.last_contact.items(), key=itemgetter(1))
        recent_rows = [
            RecentClient(cid, caseload.names[cid], when, caseload.risk.get(cid))
            for cid, when in newest
            if cid in caseload.names
        ]
        return HomeSummary(
            today=today,
            tasks=tasks,
            counts=counts,
            figures=caseload_figures(caseload.clients),
            recent=recent_rows,
        )

    def caseload(self) -> CaseloadFigures:
        """Caseload counts by intensity and risk (active clients only)."""
        today = local_today()
        return caseload_figures(
            self._computed(today, today + timedelta(days=UPCOMING_DAYS))[0].clients
        )

    # ------------------------------------------------------------------ reading

    @staticmethod
    def _derive(caseload: _Caseload, today: date, horizon: date) -> list[Task]:
        tasks: list[Task] = []
        with _gc_paused():
            for facts in caseload.facts:
                tasks += derive_tasks(facts, today, horizon=horizon)
            return sort_tasks(tasks)

    def _computed(self, today: date, horizon: date) -> tuple[_Caseload, list[Task]]:
        """The caseload and its tasks, recomputed only when the database changed.

        The change stamp is the database's write generation (bumped by every committed unit
        of work in this process, whichever pooled connection or thread made it), so a revisit
        of Home or Tasks with nothing changed costs nothing.
        """
        key = (self._db.generation, today, horizon)
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1], self._cache[2]
        with self._db.read() as session:
            # The plain DB-API connection: these rows are read-only tuples, and SQLAlchemy's
            # per-row result processing would cost more than the queries themselves.
            raw = session.connection().connection.driver_connection
            assert raw is not None
            caseload = self._read(raw, horizon)
        tasks = self._derive(caseload, today, horizon)
        self._cache = (key, caseload, tasks)
        return caseload, tasks

    def _read(self, raw: Any, horizon: date) -> _Caseload:
        """Read the caseload with a fixed set of queries (rows due after ``horizon`` skipped)."""
        day = _Dates()
        until = horizon.isoformat()
        with _gc_paused():

            def fetch(sql: str, *params: Any) -> list[Any]:
                return list(raw.execute(sql, params).fetchall())

            rows = fetch(_CLIENTS_SQL)
            risk = {
                cid: (_RISK.get(level) if level else None, day[review])
                for cid, level, review in fetch(_RISK_SQL)
            }
            plans = {cid: day[due] for cid, due in fetch(_PLANS_SQL, until)}
            active = {row[0] for row in rows if row[4] == "active"}
            open_plans = {row[0] for row in fetch(_OPEN_PLANS_SQL)}
            actions = _group(
                (cid, ActionDue(aid, text_, day[due], _ACTION_STATUS[status]))
                for cid, plan_id, aid, text_, due, status in fetch(_ACTIONS_SQL, until)
                if cid in active and plan_id in open_plans
            )
            referrals = _group(
                (cid, ReferralDue(rid, agency, _REFERRAL_STATUS[status], day[follow_up]))
                for cid, rid, agency, status, follow_up in fetch(_REFERRALS_SQL, until)
            )
            consents = _group(
                (
                    cid,
                    ConsentFacts(
                        consent_id,
                        _CONSENT_SCOPE[scope],
                        day[given],
                        day[expires],
                        day[withdrawn],
                        _agencies(agencies),
                    ),
                )
                for cid, consent_id, scope, agencies, given, expires, withdrawn in fetch(
                    _CONSENTS_SQL
                )
            )
            episodes = _episodes(fetch(_EPISODES_SQL), day)
            carers = {r[0] for r in fetch(_CARERS_SQL)}
        return _assemble(rows, risk, plans, actions, referrals, consents, episodes, carers)


def _assemble(
    rows: list[Any],
    risk: dict[str, tuple[RiskLevel | None, date | None]],
    plans: dict[str, date | None],
    actions: dict[str, tuple[ActionDue, ...]],
    referrals: dict[str, tuple[ReferralDue, ...]],
    consents: dict[str, tuple[ConsentFacts, ...]],
    episodes: dict[str, tuple[date | None, date | None]],
    carers: set[str],
) -> _Caseload:
    """Per-client facts for task derivation and the caseload figures, from the query results."""
    facts: list[ClientTaskFacts] = []
    clients: list[CaseloadClient] = []
    names: dict[str, str] = {}
    local_zone = datetime.now().astimezone().tzinfo
    no_risk: tuple[None, None] = (None, None)
    contacts: dict[str, datetime] = {}
    for cid, given, family, preferred, status_text, intensity_text, last_text in rows:
        name = display_name(given, family, preferred)
        names[cid] = name
        status = _CLIENT_STATUS[status_text]
        level, review = risk.get(cid, no_risk)
        started, follow_up = episodes.get(cid, no_risk)
        last = parse_db_datetime(last_text)
        if last is not None:
            contacts[cid] = last
        active = status is ClientStatus.ACTIVE
        if not active and (status is not ClientStatus.CLOSED or follow_up is None):
            continue  # referrals, declined and followed-up closed cases raise no task
        facts.append(
            ClientTaskFacts(
                client_id=cid,
                display_name=name,
                status=status,
                risk_level=level,
                risk_review_due=review,
                next_plan_review=plans.get(cid),
                actions=actions.get(cid, ()),
                referrals=referrals.get(cid, ()),
                consents=consents.get(cid, ()),
                last_contact=last.astimezone(local_zone) if last is not None else None,
                support_started=started,
                exit_follow_up=follow_up,
            )
        )
        if active:  # the caseload figures count active clients only
            clients.append(
                CaseloadClient(
                    client_id=cid,
                    status=status,
                    intensity=_INTENSITY.get(intensity_text) if intensity_text else None,
                    risk_level=level,
                    opened_on=started,
                    carers_involved=cid in carers,
                )
            )
    return _Caseload(
        facts,
        clients,
        contacts,
        names,
        {cid: r[0] for cid, r in risk.items()},
    )


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


def _group(pairs: Iterable[tuple[str, T]]) -> dict[str, tuple[T, ...]]:
    grouped: dict[str, list[T]] = defaultdict(list)
    for key, value in pairs:
        grouped[key].append(value)
    return {key: tuple(values) for key, values in grouped.items()}


def _episodes(rows: list[Any], day: _Dates) -> dict[str, tuple[date | None, date | None]]:
    """Per client: when the current support started, and a pending post-exit follow-up date.

    Rows come ordered by opening date, so the last row per client is the latest episode.
    """
    latest: dict[str, tuple[date | None, date | None]] = {}
    for cid, opened, closed, follow_up, followed_up_at in rows:
        pending = day[follow_up] if closed is not None and followed_up_at is None else None
        latest[cid] = (day[opened], pending)
    return latest
