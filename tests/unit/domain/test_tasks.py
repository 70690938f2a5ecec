"""Task derivation: each kind, buckets, severity, grouping, and robustness on any dates."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, NamedTuple, TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casedesk.domain.enums import (
    ActionStatus,
    ClientStatus,
    ConsentScope,
    ReferralStatus,
    RiskLevel,
)
from casedesk.domain.tasks import (
    ActionDue,
    Bucket,
    ClientTaskFacts,
    ConsentFacts,
    ReferralDue,
    Severity,
    Task,
    TaskKind,
    bucket,
    consent_attention_date,
    derive_caseload_tasks,
    derive_tasks,
    due_within,
    group_by_bucket,
    group_by_client,
    severity,
    sort_tasks,
)

R = TypeVar("R", bound=NamedTuple)


def replace(record: R, **changes: Any) -> R:
    """A copy of an input record with some fields changed (they are NamedTuples)."""
    return record._replace(**changes)


TODAY = date(2026, 11, 22)
STORE_CONSENT = ConsentFacts("k-1", ConsentScope.COLLECT_STORE, date(2026, 1, 10))

# An active client with nothing due: recent contact and a current consent.
QUIET = ClientTaskFacts(
    client_id="c-1",
    display_name="Alex Doe",
    status=ClientStatus.ACTIVE,
    consents=(STORE_CONSENT,),
    last_contact=TODAY - timedelta(days=3),
)


def kinds(facts: ClientTaskFacts, today: date = TODAY) -> list[TaskKind]:
    return sorted(t.kind for t in derive_tasks(facts, today))


def only(facts: ClientTaskFacts, kind: TaskKind) -> Task:
    (task,) = [t for t in derive_tasks(facts, TODAY) if t.kind is kind]
    return task


def test_quiet_client_has_no_tasks() -> None:
    assert derive_tasks(QUIET, TODAY) == []


# ----------------------------------------------------------------------------- each kind


def test_plan_review_due() -> None:
    task = only(replace(QUIET, next_plan_review=date(2026, 12, 1)), TaskKind.PLAN_REVIEW)
    assert task.due == date(2026, 12, 1)
    assert task.title == "Review the case plan"
    assert (task.client_id, task.client_name) == ("c-1", "Alex Doe")


def test_risk_review_due_names_the_level() -> None:
    facts = replace(QUIET, risk_level=RiskLevel.HIGH, risk_review_due=date(2026, 11, 20))
    task = only(facts, TaskKind.RISK_REVIEW)
    assert task.title == "Review risk (currently high)"
    assert task.high_risk


def test_risk_review_without_level() -> None:
    task = only(replace(QUIET, risk_review_due=TODAY), TaskKind.RISK_REVIEW)
    assert task.title == "Review risk"
    assert not task.high_risk


def test_open_actions_with_due_dates_become_tasks() -> None:
    facts = replace(
        QUIET,
        actions=(
            ActionDue("a-1", "Apply for flats", date(2026, 11, 25)),
            ActionDue("a-2", "Ring GP", date(2026, 11, 1), ActionStatus.IN_PROGRESS),
            ActionDue("a-3", "Done already", date(2026, 11, 1), ActionStatus.DONE),
            ActionDue("a-4", "Cancelled", date(2026, 11, 1), ActionStatus.CANCELLED),
            ActionDue("a-5", "No date", None),
            ActionDue("a-6", "", date(2026, 12, 1), ActionStatus.ON_HOLD),
        ),
    )
    tasks = [t for t in derive_tasks(facts, TODAY) if t.kind is TaskKind.ACTION_DUE]
    assert [(t.record_id, t.title) for t in tasks] == [
        ("a-1", "Apply for flats"),
        ("a-2", "Ring GP"),
        ("a-6", "Action"),
    ]


@pytest.mark.parametrize(
    ("status", "title"),
    [
        (ReferralStatus.DRAFTED, "Send the referral to Foodbank"),
        (ReferralStatus.SENT, "Check the referral to Foodbank was picked up"),
        (ReferralStatus.ACCEPTED, "Check Foodbank has been in touch"),
        (ReferralStatus.DECLINED, "Foodbank declined: talk about other options"),
        (ReferralStatus.ATTENDED, "Ask how it went with Foodbank, then close the referral"),
    ],
)
def test_referral_follow_up_until_closed(status: ReferralStatus, title: str) -> None:
    facts = replace(QUIET, referrals=(ReferralDue("r-1", "Foodbank", status, TODAY),))
    task = only(facts, TaskKind.REFERRAL_FOLLOW_UP)
    assert (task.title, task.record_id) == (title, "r-1")


def test_closed_referral_or_no_follow_up_date_gives_no_task() -> None:
    facts = replace(
        QUIET,
        referrals=(
            ReferralDue("r-1", "Foodbank", ReferralStatus.CLOSED, TODAY),
            ReferralDue("r-2", "Legal aid", ReferralStatus.SENT, None),
        ),
    )
    assert derive_tasks(facts, TODAY) == []


def test_referral_without_agency_name() -> None:
    facts = replace(QUIET, referrals=(ReferralDue("r-1", "", ReferralStatus.SENT, TODAY),))
    assert "the agency" in only(facts, TaskKind.REFERRAL_FOLLOW_UP).title


# ---- consent


def test_consent_expiring_within_30_days() -> None:
    consent = replace(STORE_CONSENT, expires_on=TODAY + timedelta(days=30))
    task = only(replace(QUIET, consents=(consent,)), TaskKind.CONSENT_EXPIRING)
    assert task.due == TODAY + timedelta(days=30)
    assert task.record_id == "k-1"
    assert task.title == "Consent to keep information expires soon: renew it"


def test_consent_expiring_in_31_days_is_not_yet_a_task() -> None:
    consent = replace(STORE_CONSENT, expires_on=TODAY + timedelta(days=31))
    assert derive_tasks(replace(QUIET, consents=(consent,)), TODAY) == []


def test_consent_expiring_today_is_still_current() -> None:
    consent = replace(STORE_CONSENT, expires_on=TODAY)
    assert kinds(replace(QUIET, consents=(consent,))) == [TaskKind.CONSENT_EXPIRING]


def test_expired_consent_and_then_missing() -> None:
    consent = replace(STORE_CONSENT, expires_on=TODAY - timedelta(days=1))
    facts = replace(QUIET, consents=(consent,))
    assert kinds(facts) == sorted([TaskKind.CONSENT_EXPIRED, TaskKind.CONSENT_MISSING])
    assert only(facts, TaskKind.CONSENT_EXPIRED).title.endswith("has expired: renew or stop")


def test_expired_sharing_consent_names_the_agency() -> None:
    share = ConsentFacts(
        "k-2", ConsentScope.SHARE, date(2025, 1, 1), date(2026, 11, 1), agencies=("Foodbank",)
    )
    facts = replace(QUIET, consents=(STORE_CONSENT, share))
    task = only(facts, TaskKind.CONSENT_EXPIRED)
    assert task.title == "Consent to share information (Foodbank) has expired: renew or stop"


def test_renewed_consent_replaces_the_expired_one() -> None:
    old = replace(STORE_CONSENT, expires_on=date(2026, 10, 1))
    new = ConsentFacts("k-9", ConsentScope.COLLECT_STORE, date(2026, 9, 30), date(2027, 9, 30))
    assert derive_tasks(replace(QUIET, consents=(new, old)), TODAY) == []


def test_renewal_matches_agencies_loosely() -> None:
    old = ConsentFacts(
        "k-2", ConsentScope.SHARE, date(2025, 1, 1), date(2026, 11, 1), agencies=("Food Bank",)
    )
    new = ConsentFacts("k-3", ConsentScope.SHARE, date(2026, 11, 1), agencies=("food  bank",))
    assert derive_tasks(replace(QUIET, consents=(STORE_CONSENT, old, new)), TODAY) == []


def test_missing_consent_is_due_today() -> None:
    task = only(replace(QUIET, consents=()), TaskKind.CONSENT_MISSING)
    assert task.due == TODAY
    assert task.record_id is None


def test_only_a_store_consent_counts_for_missing() -> None:
    share = ConsentFacts("k-2", ConsentScope.SHARE, date(2026, 1, 1), agencies=("GP",))
    assert kinds(replace(QUIET, consents=(share,))) == [TaskKind.CONSENT_MISSING]


def test_withdrawn_consent_is_not_chased_but_counts_as_missing() -> None:
    withdrawn = replace(
        STORE_CONSENT, expires_on=TODAY + timedelta(days=5), withdrawn_on=date(2026, 11, 1)
    )
    assert kinds(replace(QUIET, consents=(withdrawn,))) == [TaskKind.CONSENT_MISSING]


def test_consent_for_several_agencies() -> None:
    share = ConsentFacts(
        "k-2", ConsentScope.REFERRAL, date(2025, 1, 1), TODAY, agencies=("GP", "Foodbank")
    )
    task = only(replace(QUIET, consents=(STORE_CONSENT, share)), TaskKind.CONSENT_EXPIRING)
    assert task.title == "Consent to refer (GP, Foodbank) expires soon: renew it"


def test_withdrawn_sharing_consent_raises_nothing() -> None:
    share = ConsentFacts(
        "k-2", ConsentScope.SHARE, date(2026, 1, 1), TODAY, withdrawn_on=TODAY, agencies=("GP",)
    )
    assert derive_tasks(replace(QUIET, consents=(STORE_CONSENT, share)), TODAY) == []


def test_withdrawal_in_the_future_is_not_yet_in_effect() -> None:
    consent = replace(STORE_CONSENT, withdrawn_on=TODAY + timedelta(days=3))
    assert derive_tasks(replace(QUIET, consents=(consent,)), TODAY) == []


# ---- contact


def test_no_contact_for_30_days() -> None:
    facts = replace(QUIET, last_contact=date(2026, 10, 1))
    task = only(facts, TaskKind.NO_CONTACT)
    assert task.due == date(2026, 10, 31)
    assert task.title == "Make contact (last contact 1 Oct 2026)"


def test_contact_reminder_shows_a_week_ahead() -> None:
    assert kinds(replace(QUIET, last_contact=TODAY - timedelta(days=23))) == [TaskKind.NO_CONTACT]
    assert kinds(replace(QUIET, last_contact=TODAY - timedelta(days=22))) == []


def test_last_contact_as_datetime_counts_its_date() -> None:
    facts = replace(QUIET, last_contact=datetime(2026, 10, 1, 23, 30))
    assert only(facts, TaskKind.NO_CONTACT).due == date(2026, 10, 31)


def test_never_contacted_counts_from_start_of_support() -> None:
    facts = replace(QUIET, last_contact=None, support_started=date(2026, 10, 20))
    task = only(facts, TaskKind.NO_CONTACT)
    assert task.due == date(2026, 11, 19)
    assert task.title == "Make contact (none since support started 20 Oct 2026)"


def test_never_contacted_and_no_start_date_is_due_today() -> None:
    task = only(replace(QUIET, last_contact=None), TaskKind.NO_CONTACT)
    assert task.due == TODAY
    assert task.title == "Make contact (none recorded yet)"


# ---- status


@pytest.mark.parametrize("status", [ClientStatus.REFERRAL, ClientStatus.DECLINED])
def test_clients_not_yet_or_never_active_have_no_tasks(status: ClientStatus) -> None:
    facts = replace(
        QUIET,
        status=status,
        consents=(),
        last_contact=None,
        next_plan_review=TODAY,
        risk_review_due=TODAY,
        exit_follow_up=TODAY,
    )
    assert derive_tasks(facts, TODAY) == []


def test_closed_client_gets_only_the_exit_follow_up() -> None:
    facts = replace(
        QUIET,
        status=ClientStatus.CLOSED,
        consents=(),
        last_contact=None,
        next_plan_review=TODAY,
        actions=(ActionDue("a-1", "Old action", TODAY),),
        exit_follow_up=date(2027, 1, 3),
    )
    (task,) = derive_tasks(facts, TODAY)
    assert (task.kind, task.due) == (TaskKind.EXIT_FOLLOW_UP, date(2027, 1, 3))
    assert task.title == "Follow-up contact after exit"


def test_closed_client_with_follow_up_done_has_no_tasks() -> None:
    facts = replace(QUIET, status=ClientStatus.CLOSED, exit_follow_up=None)
    assert derive_tasks(facts, TODAY) == []


def test_active_client_ignores_exit_follow_up() -> None:
    assert derive_tasks(replace(QUIET, exit_follow_up=TODAY), TODAY) == []


# ----------------------------------------------------------------------------- horizon


def test_horizon_leaves_out_later_tasks() -> None:
    facts = replace(
        QUIET,
        next_plan_review=TODAY + timedelta(days=8),
        risk_review_due=TODAY + timedelta(days=7),
    )
    horizon = TODAY + timedelta(days=7)
    assert [t.kind for t in derive_tasks(facts, TODAY, horizon=horizon)] == [TaskKind.RISK_REVIEW]
    assert len(derive_tasks(facts, TODAY)) == 2


# ----------------------------------------------------------------------------- buckets etc.


def make_task(due: date, kind: TaskKind = TaskKind.ACTION_DUE, **kwargs: object) -> Task:
    fields: dict[str, object] = {"client_id": "c-1", "client_name": "Alex", "title": "t"}
    fields.update(kwargs)
    return Task(kind=kind, due=due, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (-1, Bucket.OVERDUE),
        (-400, Bucket.OVERDUE),
        (0, Bucket.TODAY),
        (1, Bucket.NEXT_7_DAYS),
        (7, Bucket.NEXT_7_DAYS),
        (8, Bucket.LATER),
    ],
)
def test_bucket(offset: int, expected: Bucket) -> None:
    assert bucket(make_task(TODAY + timedelta(days=offset)), TODAY) is expected


def test_bucket_labels_in_display_order() -> None:
    assert [b.label for b in sorted(Bucket)] == ["Overdue", "Today", "Next 7 days", "Later"]


@pytest.mark.parametrize(
    ("kind", "high_risk", "offset", "expected"),
    [
        (TaskKind.RISK_REVIEW, False, -1, Severity.ALERT),
        (TaskKind.CONSENT_EXPIRED, False, -1, Severity.ALERT),
        (TaskKind.CONSENT_MISSING, False, -1, Severity.ALERT),
        (TaskKind.ACTION_DUE, True, -1, Severity.HIGH),
        (TaskKind.ACTION_DUE, False, -1, Severity.NORMAL),
        (TaskKind.RISK_REVIEW, True, 0, Severity.NORMAL),
    ],
)
def test_severity(kind: TaskKind, high_risk: bool, offset: int, expected: Severity) -> None:
    task = make_task(TODAY + timedelta(days=offset), kind, high_risk=high_risk)
    assert severity(task, TODAY) is expected


def test_sort_by_due_then_name_then_kind() -> None:
    a = make_task(TODAY, TaskKind.PLAN_REVIEW, client_name="Bea")
    b = make_task(TODAY, TaskKind.ACTION_DUE, client_name="Bea")
    c = make_task(TODAY, TaskKind.RISK_REVIEW, client_name="Al")
    d = make_task(TODAY - timedelta(days=1), TaskKind.RISK_REVIEW, client_name="Zed")
    assert sort_tasks([a, b, c, d]) == [d, c, b, a]


def test_group_by_bucket_has_every_bucket_in_order() -> None:
    tasks = [make_task(TODAY + timedelta(days=n)) for n in (9, -2, 0, 3, -1)]
    groups = group_by_bucket(tasks, TODAY)
    assert list(groups) == [Bucket.OVERDUE, Bucket.TODAY, Bucket.NEXT_7_DAYS, Bucket.LATER]
    assert [t.due for t in groups[Bucket.OVERDUE]] == [TODAY - timedelta(2), TODAY - timedelta(1)]
    assert len(groups[Bucket.TODAY]) == len(groups[Bucket.NEXT_7_DAYS]) == 1
    assert group_by_bucket([], TODAY)[Bucket.TODAY] == []


def test_group_by_client() -> None:
    tasks = [make_task(TODAY, client_id="c-2"), make_task(TODAY - timedelta(1), client_id="c-1")]
    assert {k: len(v) for k, v in group_by_client(tasks).items()} == {"c-1": 1, "c-2": 1}


def test_due_within() -> None:
    tasks = [make_task(TODAY + timedelta(days=n)) for n in (-5, 0, 7, 8)]
    assert [t.due for t in due_within(tasks, TODAY, 7)] == [
        TODAY - timedelta(5),
        TODAY,
        TODAY + timedelta(7),
    ]


def test_task_key_is_stable() -> None:
    task = make_task(TODAY, TaskKind.ACTION_DUE, record_id="a-1")
    assert task.key == "action_due:c-1:a-1"
    assert make_task(TODAY, TaskKind.PLAN_REVIEW).key == "plan_review:c-1:"


def test_caseload_tasks_are_sorted() -> None:
    one = replace(QUIET, client_id="c-1", display_name="Bea", next_plan_review=TODAY)
    two = replace(QUIET, client_id="c-2", display_name="Al", next_plan_review=TODAY)
    tasks = derive_caseload_tasks([one, two], TODAY)
    assert [t.client_name for t in tasks] == ["Al", "Bea"]


# ----------------------------------------------------------------------------- never crashes

DATES = st.none() | st.dates()
FACTS = st.builds(
    ClientTaskFacts,
    client_id=st.text(max_size=5),
    display_name=st.text(max_size=5),
    status=st.sampled_from(ClientStatus),
    risk_level=st.none() | st.sampled_from(RiskLevel),
    risk_review_due=DATES,
    next_plan_review=DATES,
    actions=st.lists(
        st.builds(ActionDue, st.text(max_size=3), st.text(max_size=3), DATES,
                  st.sampled_from(ActionStatus)),
        max_size=3,
    ).map(tuple),
    referrals=st.lists(
        st.builds(ReferralDue, st.text(max_size=3), st.text(max_size=3),
                  st.sampled_from(ReferralStatus), DATES),
        max_size=3,
    ).map(tuple),
    consents=st.lists(
        st.builds(ConsentFacts, st.text(max_size=3), st.sampled_from(ConsentScope), DATES, DATES,
                  DATES, st.lists(st.sampled_from(["A", "B"]), max_size=2).map(tuple)),
        max_size=4,
    ).map(tuple),
    last_contact=st.none() | st.dates() | st.datetimes(),
    support_started=DATES,
    exit_follow_up=DATES,
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(FACTS, st.dates(), st.none() | st.dates())
def test_derivation_never_crashes_on_any_dates(
    facts: ClientTaskFacts, today: date, horizon: date | None
) -> None:
    tasks = derive_tasks(facts, today, horizon=horizon)
    for task in tasks:
        assert task.client_id == facts.client_id
        assert task.title
        assert horizon is None or task.due <= horizon
        bucket(task, today)
        severity(task, today)
    assert sum(len(g) for g in group_by_bucket(tasks, today).values()) == len(tasks)


@settings(deadline=None)
@given(FACTS, st.dates())
def test_inactive_clients_never_get_contact_or_consent_tasks(
    facts: ClientTaskFacts, today: date
) -> None:
    if facts.status is ClientStatus.ACTIVE:
        return
    assert all(t.kind is TaskKind.EXIT_FOLLOW_UP for t in derive_tasks(facts, today))


def test_raw_stored_strings_work_like_enum_members() -> None:
    facts = ClientTaskFacts(
        "c-9",
        "Sam",
        "active",  # type: ignore[arg-type]
        consents=(ConsentFacts("k", "collect_store", date(2026, 1, 1)),),  # type: ignore[arg-type]
        last_contact=TODAY,
        actions=(ActionDue("a", "x", TODAY, "done"),),  # type: ignore[arg-type]
        referrals=(ReferralDue("r", "A", "closed", TODAY),),  # type: ignore[arg-type]
    )
    assert derive_tasks(facts, TODAY) == []


# ----------------------------------------------------------------------------- consent attention

NEAR = st.none() | st.dates(min_value=TODAY - timedelta(days=90), max_value=TODAY + timedelta(90))
NEAR_CONSENTS = st.lists(
    st.builds(ConsentFacts, st.text(max_size=3), st.sampled_from(ConsentScope), NEAR, NEAR, NEAR,
              st.lists(st.sampled_from(["A", "B"]), max_size=2).map(tuple)),
    max_size=4,
).map(tuple)  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(
    NEAR_CONSENTS,
    st.integers(-3, 3).map(lambda d: TODAY + timedelta(days=d)),
    st.none() | st.integers(-2, 40),
)
def test_consents_needing_no_attention_come_down_to_one_on_file_flag(
    consents: tuple[ConsentFacts, ...], today: date, days: int | None
) -> None:
    """What lets the services layer read only the consents that need attention: when none
    expires by ``consent_attention_date`` or was withdrawn by today, the consent tasks are
    the same as for no consents listed and ``store_consent_on_file`` saying whether one to
    collect and store information is among them."""
    horizon = None if days is None else today + timedelta(days=days)
    attention = consent_attention_date(today, horizon)
    if any(
        (k.expires_on is not None and k.expires_on <= attention)
        or (k.withdrawn_on is not None and k.withdrawn_on <= today)
        for k in consents
    ):
        return
    full = replace(QUIET, consents=consents, last_contact=today)
    summary = replace(
        full,
        consents=(),
        store_consent_on_file=any(k.scope is ConsentScope.COLLECT_STORE for k in consents),
    )
    assert derive_tasks(summary, today, horizon=horizon) == derive_tasks(
        full, today, horizon=horizon
    )


def test_consent_attention_date_is_the_earlier_of_horizon_and_warning() -> None:
    assert consent_attention_date(TODAY, TODAY + timedelta(days=7)) == TODAY + timedelta(7)
    assert consent_attention_date(TODAY, TODAY + timedelta(days=400)) == TODAY + timedelta(30)
    assert consent_attention_date(TODAY, TODAY - timedelta(days=3)) == TODAY
    assert consent_attention_date(date.max) == date.max  # no overflow
