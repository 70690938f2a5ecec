"""Consent rules: the state of each consent record, the client's overall state, agency cover.

A consent is a record, not a checkbox (see docs/DOMAIN_RULES.md). Per scope and set of agencies
only the latest consent counts: a renewal is a new record for the same scope and agencies.
The client's overall state follows their consent to collect and store information (the legal
basis for holding the record at all); other scopes add warnings but do not change it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from casedesk.domain.clients import name_key
from casedesk.domain.enums import ConsentScope
from casedesk.domain.validation import MAX_SHORT_TEXT, Validator, check_date, check_text

EXPIRING_SOON_DAYS = 30
CONSENT_METHODS = ("verbal", "written", "electronic")
MAX_AGENCIES = 50


class ConsentState(StrEnum):
    """Where one consent (or a client's consent overall) stands today."""

    CURRENT = "current"
    EXPIRING_SOON = "expiring_soon"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    MISSING = "missing"
    NOT_YET = "not_yet"  # given with a future start date (typed ahead)


# Worst first: the order a banner lists problems in.
_SEVERITY = {
    ConsentState.MISSING: 0,
    ConsentState.WITHDRAWN: 1,
    ConsentState.EXPIRED: 2,
    ConsentState.EXPIRING_SOON: 3,
    ConsentState.NOT_YET: 4,
    ConsentState.CURRENT: 5,
}


@dataclass(frozen=True)
class ConsentTerms:
    """The facts of one consent record that the rules look at."""

    scope: ConsentScope
    given_on: date
    expires_on: date | None = None
    withdrawn_on: date | None = None
    agencies: tuple[str, ...] = ()
    consent_id: str = ""


@dataclass(frozen=True)
class ConsentInput:
    """What the consent form supplies."""

    client_id: str
    scope: ConsentScope | str
    given_on: date | str | None
    expires_on: date | str | None = None
    agencies: tuple[str, ...] = ()
    method: str = "verbal"
    notes: str = ""


@dataclass(frozen=True)
class CleanConsent:
    """A validated consent, ready to store."""

    scope: ConsentScope
    given_on: date
    expires_on: date | None
    agencies: tuple[str, ...]
    method: str
    notes: str


@dataclass(frozen=True)
class ConsentProblem:
    """One thing the worker should know about a client's consent."""

    state: ConsentState
    scope: ConsentScope | None
    agencies: tuple[str, ...]
    on: date | None


@dataclass(frozen=True)
class ConsentSummary:
    """The client's overall consent state and every problem to show in the warning banner."""

    state: ConsentState
    problems: tuple[ConsentProblem, ...] = field(default_factory=tuple)

    @property
    def needs_attention(self) -> bool:
        """True when a banner should be shown."""
        return bool(self.problems)


def validate_consent(data: ConsentInput, today: date) -> CleanConsent:
    """Check and clean a new consent record.

    Raises:
        ValidationError: naming every field that needs attention.
    """
    v = Validator()
    try:
        scope = ConsentScope(data.scope)
    except ValueError:
        v.add("scope", "Please choose what the consent covers.")
        scope = ConsentScope.COLLECT_STORE
    given = check_date(v, "given_on", data.given_on, required=True)
    expires = check_date(v, "expires_on", data.expires_on)
    if given is not None and given > today + timedelta(days=1):
        v.add("given_on", "Consent can't be recorded as given in the future.")
    if given is not None and expires is not None and expires <= given:
        v.add("expires_on", "The expiry date must be after the date consent was given.")
    agencies = _clean_agencies(v, data.agencies)
    if scope in (ConsentScope.SHARE, ConsentScope.REFERRAL) and not agencies:
        v.add("agencies", "Name the agencies this consent covers.")
    method = data.method.strip().lower()
    if method not in CONSENT_METHODS:
        v.add("method", "Please choose how consent was given.")
    notes = check_text(v, "notes", data.notes, max_length=MAX_SHORT_TEXT * 4)
    v.raise_if_any()
    assert given is not None  # required above
    return CleanConsent(scope, given, expires, agencies, method, notes)


def _clean_agencies(v: Validator, agencies: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for raw in agencies:
        text = check_text(v, "agencies", raw, max_length=200)
        if text and name_key(text) not in seen:
            seen[name_key(text)] = text
    if len(seen) > MAX_AGENCIES:
        v.add("agencies", f"Please list at most {MAX_AGENCIES} agencies.")
    return tuple(seen.values())


def record_state(terms: ConsentTerms, today: date) -> ConsentState:
    """The state of one consent record on ``today``."""
    if terms.withdrawn_on is not None and terms.withdrawn_on <= today:
        return ConsentState.WITHDRAWN
    if terms.given_on > today:
        return ConsentState.NOT_YET
    if terms.expires_on is not None:
        if terms.expires_on < today:
            return ConsentState.EXPIRED
        if terms.expires_on - today <= timedelta(days=EXPIRING_SOON_DAYS):
            return ConsentState.EXPIRING_SOON
    return ConsentState.CURRENT


def latest_per_scope(records: Iterable[ConsentTerms]) -> list[ConsentTerms]:
    """Only the latest consent per scope and set of agencies (renewals replace older ones)."""
    latest: dict[tuple[str, frozenset[str]], ConsentTerms] = {}
    for terms in records:
        key = (terms.scope.value, frozenset(name_key(a) for a in terms.agencies))
        held = latest.get(key)
        if held is None or terms.given_on >= held.given_on:
            latest[key] = terms
    return list(latest.values())


def summarise(records: Sequence[ConsentTerms], today: date) -> ConsentSummary:
    """The overall state (from consent to collect and store) and every problem, worst first."""
    latest = latest_per_scope(records)
    problems: list[ConsentProblem] = []
    basis = [t for t in latest if t.scope is ConsentScope.COLLECT_STORE]
    basis_states = [record_state(t, today) for t in basis]
    overall = _overall(basis_states)
    if overall is ConsentState.MISSING:
        problems.append(ConsentProblem(ConsentState.MISSING, ConsentScope.COLLECT_STORE, (), None))
    for terms in latest:
        state = record_state(terms, today)
        if state in (ConsentState.CURRENT, ConsentState.NOT_YET):
            continue
        if terms.scope is ConsentScope.COLLECT_STORE and overall is ConsentState.CURRENT:
            continue  # another current basis record covers it
        problems.append(ConsentProblem(state, terms.scope, terms.agencies, _when(terms, state)))
    problems.sort(key=lambda p: (_SEVERITY[p.state], p.scope.value if p.scope else ""))
    return ConsentSummary(overall, tuple(problems))


def _overall(basis_states: list[ConsentState]) -> ConsentState:
    if not basis_states:
        return ConsentState.MISSING
    for state in (ConsentState.CURRENT, ConsentState.EXPIRING_SOON):
        if state in basis_states:
            return state
    return min(basis_states, key=_SEVERITY.__getitem__)


def _when(terms: ConsentTerms, state: ConsentState) -> date | None:
    if state is ConsentState.WITHDRAWN:
        return terms.withdrawn_on
    return terms.expires_on


def covers_agency(
    records: Iterable[ConsentTerms],
    agency: str,
    today: date,
    scopes: tuple[ConsentScope, ...] = (ConsentScope.REFERRAL, ConsentScope.SHARE),
) -> bool:
    """Whether a current consent of one of ``scopes`` names ``agency`` (loosely matched)."""
    wanted = name_key(agency)
    if not wanted:
        return False
    for terms in latest_per_scope(records):
        if terms.scope not in scopes:
            continue
        if record_state(terms, today) not in (ConsentState.CURRENT, ConsentState.EXPIRING_SOON):
            continue
        if any(name_key(a) == wanted for a in terms.agencies):
            return True
    return False
