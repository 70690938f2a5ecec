from datetime import date, timedelta

import pytest

from casedesk.domain.consent import (
    ConsentInput,
    ConsentState,
    ConsentTerms,
    covers_agency,
    record_state,
    summarise,
    validate_consent,
)
from casedesk.domain.enums import ConsentScope as S
from casedesk.domain.validation import ValidationError

TODAY = date(2026, 6, 1)


def terms(scope=S.COLLECT_STORE, given=-100, expires=None, withdrawn=None, agencies=()):
    return ConsentTerms(
        scope,
        TODAY + timedelta(days=given),
        None if expires is None else TODAY + timedelta(days=expires),
        None if withdrawn is None else TODAY + timedelta(days=withdrawn),
        tuple(agencies),
    )


@pytest.mark.parametrize(
    ("t", "state"),
    [
        (terms(), ConsentState.CURRENT),
        (terms(expires=200), ConsentState.CURRENT),
        (terms(expires=30), ConsentState.EXPIRING_SOON),
        (terms(expires=0), ConsentState.EXPIRING_SOON),
        (terms(expires=-1), ConsentState.EXPIRED),
        (terms(withdrawn=-3), ConsentState.WITHDRAWN),
        (terms(withdrawn=5), ConsentState.CURRENT),
        (terms(given=3), ConsentState.NOT_YET),
    ],
)
def test_record_state(t, state):
    assert record_state(t, TODAY) is state


def test_missing_when_no_collect_store_consent():
    summary = summarise([terms(S.SHARE, agencies=["GP"])], TODAY)
    assert summary.state is ConsentState.MISSING
    assert summary.problems[0].state is ConsentState.MISSING
    assert summary.needs_attention


def test_renewal_replaces_expired_record():
    old = terms(given=-800, expires=-10)
    new = terms(given=-5, expires=700)
    summary = summarise([old, new], TODAY)
    assert summary.state is ConsentState.CURRENT
    assert not summary.problems


def test_withdrawn_and_expired_reported_worst_first():
    records = [
        terms(expires=10),
        terms(S.SHARE, expires=-2, agencies=["Housing Trust"]),
        terms(S.REFERRAL, withdrawn=-1, agencies=["GP"]),
    ]
    summary = summarise(records, TODAY)
    assert summary.state is ConsentState.EXPIRING_SOON
    assert [p.state for p in summary.problems] == [
        ConsentState.WITHDRAWN,
        ConsentState.EXPIRED,
        ConsentState.EXPIRING_SOON,
    ]


def test_withdrawn_basis():
    summary = summarise([terms(withdrawn=-1)], TODAY)
    assert summary.state is ConsentState.WITHDRAWN


def test_covers_agency_loosely_and_only_when_current():
    records = [terms(S.REFERRAL, agencies=["Café Housing"], expires=100)]
    assert covers_agency(records, "cafe housing", TODAY)
    assert not covers_agency(records, "Other", TODAY)
    assert not covers_agency([terms(S.REFERRAL, agencies=["X"], withdrawn=-1)], "X", TODAY)
    assert not covers_agency([terms(S.REFERRAL, agencies=["X"], expires=-1)], "X", TODAY)
    assert not covers_agency(records, "", TODAY)


def test_validate_consent_messages():
    with pytest.raises(ValidationError) as err:
        validate_consent(
            ConsentInput("c", S.SHARE, "2026-13-01", expires_on="2020-01-01", method="telepathy"),
            TODAY,
        )
    assert set(err.value.errors) >= {"given_on", "agencies", "method"}
    with pytest.raises(ValidationError) as err:
        validate_consent(ConsentInput("c", S.COLLECT_STORE, TODAY, expires_on=TODAY), TODAY)
    assert "expires_on" in err.value.errors
    with pytest.raises(ValidationError) as err:
        validate_consent(ConsentInput("c", S.COLLECT_STORE, None), TODAY)
    assert "given_on" in err.value.errors


def test_validate_consent_dedupes_agencies():
    clean = validate_consent(
        ConsentInput("c", S.SHARE, "2026-05-01", agencies=("GP", " gp ", "Housing", "")), TODAY
    )
    assert clean.agencies == ("GP", "Housing")
    assert clean.method == "verbal"
