"""Tasks and reminders, derived from due dates every time they are shown, never stored.

Storing reminder rows lets them drift from the record (a review is moved, the reminder isn't).
Instead the services layer gathers a small ``ClientTaskFacts`` per client and ``derive_tasks``
works out what is due. It is plain and fast (no I/O, no sorting inside the per-client loop) so
the Tasks screen can recompute for a whole caseload on every visit.

Rules (see docs/DOMAIN_RULES.md):

* plan review due: active clients with a next review date.
* action due: open actions (not done or cancelled) of active clients that have a due date.
* referral follow-up: referrals of active clients not yet closed, with a follow-up date;
  the wording follows the referral's status.
* consent: for active clients, per scope and agency only the latest consent counts. It is
  expired (due on its expiry date) or expiring within ``CONSENT_WARNING_DAYS`` (due on its
  expiry date). A withdrawn consent is the client's choice and raises no reminder, but with
  no current consent to collect and store information at all, a "missing" task is due today.
* no contact: active clients whose last contact (or, with none, the start of support) was
  more than ``NO_CONTACT_DAYS`` ago; due that many days after it.
* post-exit follow-up: closed clients with a follow-up date (services pass None once the
  follow-up contact is made).
* risk review: active clients with a risk review date.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from enum import IntEnum, StrEnum
from functools import partial
from operator import attrgetter
from typing import Any, NamedTuple, TypeVar, cast

from casedesk.domain.enums import (
    ActionStatus,
    ClientStatus,
    ConsentScope,
    ReferralStatus,
    RiskLevel,
)

NO_CONTACT_DAYS = 30
CONSENT_WARNING_DAYS = 30
UPCOMING_DAYS = 7

_NO_CONTACT = timedelta(days=NO_CONTACT_DAYS)
_CONSENT_WARNING = timedelta(days=CONSENT_WARNING_DAYS)
_UPCOMING = timedelta(days=UPCOMING_DAYS)
# A "no contact" reminder shows from a week before it falls due, so only a last contact at
# least this long ago can raise one (a quick pre-check; _contact_task holds the rule).
_CONTACT_LOOKAHEAD = _NO_CONTACT - _UPCOMING
# Closed actions raise no task. Compared with == (str equality, in C) rather than looked up in
# a set: an Enum member hashes by its name in Python code, so set membership is both slower
# and wrong for raw stored strings.
_DONE = ActionStatus.DONE
_CANCELLED = ActionStatus.CANCELLED
_ACTIVE = ClientStatus.ACTIVE
_HIGH = RiskLevel.HIGH


class TaskKind(StrEnum):
    """What a task is about."""

    PLAN_REVIEW = "plan_review"
    ACTION_DUE = "action_due"
    REFERRAL_FOLLOW_UP = "referral_follow_up"
    CONSENT_EXPIRING = "consent_expiring"
    CONSENT_EXPIRED = "consent_expired"
    CONSENT_MISSING = "consent_missing"
    NO_CONTACT = "no_contact"
    EXIT_FOLLOW_UP = "exit_follow_up"
    RISK_REVIEW = "risk_review"


class Bucket(IntEnum):
    """Where a task shows on the Tasks screen; the int value is the display order."""

    OVERDUE = 0
    TODAY = 1
    NEXT_7_DAYS = 2
    LATER = 3

    @property
    def label(self) -> str:
        """Heading for the group."""
        return _BUCKET_LABELS[self]


_BUCKET_LABELS = {
    Bucket.OVERDUE: "Overdue",
    Bucket.TODAY: "Today",
    Bucket.NEXT_7_DAYS: "Next 7 days",
    Bucket.LATER: "Later",
}


class Severity(IntEnum):
    """How much attention a task needs; higher is more urgent."""

    NORMAL = 0
    HIGH = 1  # overdue for a high-risk client
    ALERT = 2  # overdue safety or legal basis: risk review, expired or missing consent


_ALERT_KINDS = frozenset({TaskKind.RISK_REVIEW, TaskKind.CONSENT_EXPIRED, TaskKind.CONSENT_MISSING})


# ----------------------------------------------------------------------------- inputs


# NamedTuples rather than frozen dataclasses: the services layer builds one per open action,
# referral, consent and client of a whole caseload on every refresh, and a tuple is several
# times cheaper to create. They are just as immutable.


class ActionDue(NamedTuple):
    """An action on the client's plan (``client_id`` is set when actions come caseload-wide)."""

    action_id: str
    description: str
    due: date | None
    status: ActionStatus = ActionStatus.NOT_STARTED
    client_id: str = ""


class ReferralDue(NamedTuple):
    """A referral out to another service (``client_id`` as for ``ActionDue``)."""

    referral_id: str
    agency: str
    status: ReferralStatus
    follow_up: date | None
    client_id: str = ""


class ConsentFacts(NamedTuple):
    """One consent record; ``agencies`` names who it covers (empty when not agency-specific)."""

    consent_id: str
    scope: ConsentScope
    given_on: date | None
    expires_on: date | None = None
    withdrawn_on: date | None = None
    agencies: tuple[str, ...] = ()


class ClientTaskFacts(NamedTuple):
    """What task derivation needs to know about one client, gathered by the services layer.

    ``last_contact`` may be a date or a datetime; a datetime counts on its own calendar date,
    so pass it in local time. ``support_started`` is used for "no contact" when there has
    been no contact yet.

    ``consents`` may be left empty for a client none of whose consents needs attention (see
    ``consent_attention_date``); ``store_consent_on_file`` then says whether one of them is a
    consent to collect and store information, which is all the rules need to know. With
    ``consents`` given, ``store_consent_on_file`` is ignored.
    """

    client_id: str
    display_name: str
    status: ClientStatus
    risk_level: RiskLevel | None = None
    risk_review_due: date | None = None
    next_plan_review: date | None = None
    actions: tuple[ActionDue, ...] = ()
    referrals: tuple[ReferralDue, ...] = ()
    consents: tuple[ConsentFacts, ...] = ()
    last_contact: date | datetime | None = None
    support_started: date | None = None
    exit_follow_up: date | None = None
    store_consent_on_file: bool = False


# ----------------------------------------------------------------------------- output


class Task(NamedTuple):
    """A derived reminder; ``record_id`` points at the action, referral or consent if any.

    A NamedTuple rather than a frozen dataclass: a caseload can produce tens of thousands of
    tasks per refresh and tuples are several times cheaper to create.
    """

    kind: TaskKind
    client_id: str
    client_name: str
    due: date
    title: str
    record_id: str | None = None
    high_risk: bool = False

    @property
    def key(self) -> str:
        """A stable identity for selection and "dismissed for today" lists in the UI."""
        return f"{self.kind}:{self.client_id}:{self.record_id or ''}"


# ----------------------------------------------------------------------------- derivation


def derive_tasks(facts: ClientTaskFacts, today: date, *, horizon: date | None = None) -> list[Task]:
    """Every task for one client, in no particular order (see ``sort_tasks``).

    Args:
        facts: what is known about the client.
        today: the worker's local date.
        horizon: leave out tasks due after this date (the Tasks screen passes
            ``today + 7 days``); None keeps every task.
    """
    tasks: list[Task] = []
    limit = date.max if horizon is None else horizon
    _client_tasks(facts, today, limit, tasks)
    if facts.status == _ACTIVE:
        _attached_tasks(facts, facts.risk_level == _HIGH, limit, tasks)
    return tasks


def derive_caseload_tasks(
    caseload: Iterable[ClientTaskFacts],
    today: date,
    *,
    horizon: date | None = None,
    actions: Iterable[ActionDue] = (),
    referrals: Iterable[ReferralDue] = (),
) -> list[Task]:
    """Every task across a caseload, sorted (see ``sort_tasks``); ``horizon`` as in derive_tasks.

    Actions and referrals may be attached to each client's facts, or given here for the whole
    caseload at once with their ``client_id`` set (the services layer reads them that way, so
    it need not group them per client); the rules are the same either way. Caseload-wide
    actions and referrals of a client missing from ``caseload`` raise no task.
    """
    tasks: list[Task] = []
    limit = date.max if horizon is None else horizon
    active: dict[str, tuple[str, bool]] = {}  # client id: display name, high risk
    for facts in caseload:
        _client_tasks(facts, today, limit, tasks)
        if facts.status == _ACTIVE:
            high_risk = facts.risk_level == _HIGH
            active[facts.client_id] = (facts.display_name, high_risk)
            if facts.actions or facts.referrals:
                _attached_tasks(facts, high_risk, limit, tasks)
    _action_tasks(actions, active, limit, tasks)
    _referral_tasks(referrals, active, limit, tasks)
    return sort_tasks(tasks)


def _client_tasks(facts: ClientTaskFacts, today: date, limit: date, tasks: list[Task]) -> None:
    """The tasks that follow from the client record itself (not from actions or referrals).

    Runs once per client of a caseload on every refresh, so the common "nothing due" cases
    are decided here before any helper is called.
    """
    high_risk = facts.risk_level == _HIGH
    status = facts.status
    if status == _ACTIVE:
        if (facts.next_plan_review is not None and facts.next_plan_review <= limit) or (
            facts.risk_review_due is not None and facts.risk_review_due <= limit
        ):
            _review_tasks(facts, limit, high_risk, tasks)
        if facts.consents or not facts.store_consent_on_file:
            _consent_tasks(facts, today, limit, high_risk, tasks)
        last = facts.last_contact
        if isinstance(last, datetime):
            last = last.date()
        if last is None or today - last >= _CONTACT_LOOKAHEAD:
            _contact_task(facts, today, limit, high_risk, tasks)
    elif status == ClientStatus.CLOSED:
        due = facts.exit_follow_up
        if due is not None and due <= limit:
            title = "Follow-up contact after exit"
            tasks.append(
                Task(
                    TaskKind.EXIT_FOLLOW_UP,
                    facts.client_id,
                    facts.display_name,
                    due,
                    title,
                    None,
                    high_risk,
                )
            )


def _review_tasks(facts: ClientTaskFacts, limit: date, high_risk: bool, tasks: list[Task]) -> None:
    """Plan review and risk review: each a date already on the record."""
    cid, name = facts.client_id, facts.display_name
    due = facts.next_plan_review
    if due is not None and due <= limit:
        tasks.append(
            Task(TaskKind.PLAN_REVIEW, cid, name, due, "Review the case plan", None, high_risk)
        )
    due = facts.risk_review_due
    if due is not None and due <= limit:
        tasks.append(
            Task(
                TaskKind.RISK_REVIEW, cid, name, due, _risk_title(facts.risk_level), None, high_risk
            )
        )


def _attached_tasks(
    facts: ClientTaskFacts, high_risk: bool, limit: date, tasks: list[Task]
) -> None:
    """Tasks of the actions and referrals attached to one active client's facts."""
    cid = facts.client_id
    owner = {cid: (facts.display_name, high_risk)}
    _action_tasks((a._replace(client_id=cid) for a in facts.actions), owner, limit, tasks)
    _referral_tasks((r._replace(client_id=cid) for r in facts.referrals), owner, limit, tasks)


def _action_tasks(
    actions: Iterable[ActionDue],
    active: dict[str, tuple[str, bool]],
    limit: date,
    tasks: list[Task],
) -> None:
    """Open actions due by ``limit`` of the active clients in ``active`` (name, high risk)."""
    # This loop runs once per open action of the whole caseload, the hottest path of the
    # Tasks screen: unpacking by position (the NamedTuple's field order) is cheaper than five
    # attribute lookups per action, and each task is built with tuple.__new__.
    kind, append = TaskKind.ACTION_DUE, tasks.append
    for action_id, description, due, status, client_id in actions:
        client = active.get(client_id)
        if (
            client is not None
            and due is not None
            and due <= limit
            and status != _DONE
            and status != _CANCELLED
        ):
            name, high_risk = client
            append(
                _new_task(
                    (kind, client_id, name, due, description or "Action", action_id, high_risk)
                )
            )


def _referral_tasks(
    referrals: Iterable[ReferralDue],
    active: dict[str, tuple[str, bool]],
    limit: date,
    tasks: list[Task],
) -> None:
    """Follow-ups due by ``limit`` on referrals not yet closed, as for ``_action_tasks``."""
    kind, closed, append = TaskKind.REFERRAL_FOLLOW_UP, ReferralStatus.CLOSED, tasks.append
    for referral in referrals:
        referral_id, _, status, due, client_id = referral
        client = active.get(client_id)
        if client is not None and due is not None and due <= limit and status != closed:
            name, high_risk = client
            title = _referral_title(referral)
            append(_new_task((kind, client_id, name, due, title, referral_id, high_risk)))


R = TypeVar("R", bound=tuple[Any, ...])


def fast_maker(record_type: type[R]) -> Callable[[tuple[Any, ...]], R]:
    """A constructor for a NamedTuple from a tuple of all its fields, in order.

    A NamedTuple's generated ``__new__`` is Python code; ``tuple.__new__`` builds the same
    record in C, about twice as fast. It matters only where a whole caseload's records are
    made in one loop (one per open action, referral or client); it checks nothing, so the
    tuple must hold every field.
    """
    return cast(Callable[[tuple[Any, ...]], R], partial(tuple.__new__, record_type))


_new_task = fast_maker(Task)


def _risk_title(level: RiskLevel | None) -> str:
    if level is None:
        return "Review risk"
    return f"Review risk (currently {level.value})"


def _referral_title(referral: ReferralDue) -> str:
    # An if-chain rather than a dict: hashing an Enum member runs Python code, and this is
    # the hot loop of the Tasks screen. Comparisons use == (str equality, done in C) so raw
    # stored strings work as well as enum members.
    agency = referral.agency or "the agency"
    status = referral.status
    if status == ReferralStatus.DRAFTED:
        return f"Send the referral to {agency}"
    if status == ReferralStatus.SENT:
        return f"Check the referral to {agency} was picked up"
    if status == ReferralStatus.ACCEPTED:
        return f"Check {agency} has been in touch"
    if status == ReferralStatus.DECLINED:
        return f"{agency} declined: talk about other options"
    if status == ReferralStatus.ATTENDED:
        return f"Ask how it went with {agency}, then close the referral"
    return f"Follow up the referral to {agency}"


def _consent_tasks(
    facts: ClientTaskFacts, today: date, limit: date, high_risk: bool, tasks: list[Task]
) -> None:
    """Expired, expiring and missing consent; only the latest per scope and agency counts."""
    if not facts.consents and facts.store_consent_on_file:
        return  # consents on file, none expiring or withdrawn (see consent_attention_date)
    # A renewal is a new consent for the same scope and agencies; it replaces the older one.
    latest: dict[tuple[str, frozenset[str]], ConsentFacts] = {}
    for consent in facts.consents:
        key = (str(consent.scope), frozenset(_loose(a) for a in consent.agencies))
        held = latest.get(key)
        if held is None or _given_sort_key(consent) >= _given_sort_key(held):
            latest[key] = consent
    has_current_store_consent = False
    for consent in latest.values():
        if consent.withdrawn_on is not None and consent.withdrawn_on <= today:
            continue  # withdrawal is the client's choice; not something to chase
        expires = consent.expires_on
        if expires is None or expires >= today:
            has_current_store_consent |= consent.scope == ConsentScope.COLLECT_STORE
        if expires is not None and expires <= limit and expires - today <= _CONSENT_WARNING:
            tasks.append(_consent_expiry_task(facts, consent, expires, today, high_risk))
    if not has_current_store_consent and today <= limit:
        tasks.append(
            Task(
                TaskKind.CONSENT_MISSING,
                facts.client_id,
                facts.display_name,
                today,
                "Record consent to collect and store information",
                None,
                high_risk,
            )
        )


def consent_attention_date(today: date, horizon: date | None = None) -> date:
    """The last expiry date that can raise a consent reminder ``today`` (up to ``horizon``).

    A client none of whose consents expires on or before this date, or was withdrawn on or
    before ``today``, gets a consent task only when no consent to collect and store
    information is on file at all. So the services layer need only read the consents of
    clients with one that does (see ``ClientTaskFacts``).
    """
    limit = date.max if horizon is None else horizon
    return max(today, min(limit, _plus(today, _CONSENT_WARNING)))


def _loose(name: str) -> str:
    """Agency names compare ignoring case and spacing ("Food Bank" == "food  bank")."""
    return " ".join(name.casefold().split())


def _given_sort_key(consent: ConsentFacts) -> date:
    return consent.given_on or date.min


def _consent_expiry_task(
    facts: ClientTaskFacts, consent: ConsentFacts, expires: date, today: date, high_risk: bool
) -> Task:
    what = _CONSENT_LABELS.get(consent.scope, "Consent")
    if consent.agencies:
        what = f"{what} ({', '.join(consent.agencies)})"
    if expires < today:
        kind, title = TaskKind.CONSENT_EXPIRED, f"{what} has expired: renew or stop"
    else:
        kind, title = TaskKind.CONSENT_EXPIRING, f"{what} expires soon: renew it"
    return Task(
        kind, facts.client_id, facts.display_name, expires, title, consent.consent_id, high_risk
    )


_CONSENT_LABELS = {
    ConsentScope.COLLECT_STORE: "Consent to keep information",
    ConsentScope.SHARE: "Consent to share information",
    ConsentScope.REFERRAL: "Consent to refer",
    ConsentScope.CONTACT_FAMILY: "Consent to contact family",
    ConsentScope.PHOTO_MEDIA: "Photo consent",
}


def _contact_task(
    facts: ClientTaskFacts, today: date, limit: date, high_risk: bool, tasks: list[Task]
) -> None:
    """No contact for 30 days; shown from a week before it falls due, so it can be planned."""
    last = facts.last_contact
    if isinstance(last, datetime):
        last = last.date()
    since = last or facts.support_started
    due = today if since is None else _plus(since, _NO_CONTACT)
    if due > limit or due - today > _UPCOMING:
        return  # contact is recent enough; reminding now would only be noise
    tasks.append(
        Task(
            TaskKind.NO_CONTACT,
            facts.client_id,
            facts.display_name,
            due,
            _contact_title(last, since),
            None,
            high_risk,
        )
    )


def _contact_title(last: date | None, since: date | None) -> str:
    if last is not None:
        return f"Make contact (last contact {_day(last)})"
    if since is not None:
        return f"Make contact (none since support started {_day(since)})"
    return "Make contact (none recorded yet)"


_MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _day(day: date) -> str:
    """A date like 3 Nov 2026: unambiguous in every locale and cheaper than strftime."""
    return f"{day.day} {_MONTHS[day.month]} {day.year}"


def _plus(day: date, delta: timedelta) -> date:
    """``day + delta``, held at the end of the calendar instead of overflowing."""
    return day + delta if date.max - day >= delta else date.max


# ----------------------------------------------------------------------------- buckets and groups


def bucket(task: Task, today: date) -> Bucket:
    """Overdue, today, within the next 7 days, or later."""
    if task.due < today:
        return Bucket.OVERDUE
    if task.due == today:
        return Bucket.TODAY
    if task.due - today <= _UPCOMING:
        return Bucket.NEXT_7_DAYS
    return Bucket.LATER


def severity(task: Task, today: date) -> Severity:
    """How urgent a task is: overdue safety/consent tasks first, then overdue high-risk ones."""
    if task.due >= today:
        return Severity.NORMAL
    if task.kind in _ALERT_KINDS:
        return Severity.ALERT
    return Severity.HIGH if task.high_risk else Severity.NORMAL


def sort_tasks(tasks: Iterable[Task]) -> list[Task]:
    """Sort by due date, then client name, then kind; ties keep their input order (stable).

    Three stable sorts, least significant key first, give the same order as one sort on a
    (due, name, kind) key without building a key tuple per task and comparing tuples.
    """
    ordered = sorted(tasks, key=_KIND)
    ordered.sort(key=_CLIENT_NAME)
    ordered.sort(key=_DUE)
    return ordered


_KIND = attrgetter("kind")
_CLIENT_NAME = attrgetter("client_name")
_DUE = attrgetter("due")


def group_by_bucket(tasks: Iterable[Task], today: date) -> dict[Bucket, list[Task]]:
    """Tasks grouped for the Tasks screen; every bucket is present, in display order, sorted."""
    groups: dict[Bucket, list[Task]] = {b: [] for b in Bucket}
    for task in sort_tasks(tasks):
        groups[bucket(task, today)].append(task)
    return groups


def group_by_client(tasks: Iterable[Task]) -> dict[str, list[Task]]:
    """Tasks grouped by client id (each client's tasks sorted), for a client's own task list."""
    groups: dict[str, list[Task]] = {}
    for task in sort_tasks(tasks):
        groups.setdefault(task.client_id, []).append(task)
    return groups


def due_within(tasks: Sequence[Task], today: date, days: int) -> list[Task]:
    """Tasks overdue or due within ``days`` days, e.g. the Home screen's short list."""
    horizon = today + timedelta(days=days)
    return [t for t in tasks if t.due <= horizon]
