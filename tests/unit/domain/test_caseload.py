"""Caseload figures: counts, high-risk share, weighting and duration flags."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casedesk.domain.caseload import (
    DEFAULT_WEIGHTS,
    REFERENCE_CASELOAD,
    CaseloadClient,
    CaseloadWeights,
    HighRiskBand,
    caseload_figures,
    client_weight,
    duration_flag,
    high_risk_band,
    long_running_cases,
)
from casedesk.domain.enums import ClientStatus, Intensity, RiskLevel

TODAY = date(2026, 11, 22)


def client(n: int, **kwargs: object) -> CaseloadClient:
    return CaseloadClient(f"c-{n}", **kwargs)  # type: ignore[arg-type]


def test_empty_caseload() -> None:
    figures = caseload_figures([])
    assert figures.active == 0
    assert figures.high_risk_share is None
    assert figures.high_risk_band is HighRiskBand.NO_CLIENTS
    assert figures.weighted == 0
    assert figures.load_share == 0


def test_counts_by_intensity_and_risk_only_for_active_clients() -> None:
    clients = [
        client(1, intensity=Intensity.INTENSIVE, risk_level=RiskLevel.HIGH),
        client(2, intensity=Intensity.LOW, risk_level=RiskLevel.LOW),
        client(3, intensity=Intensity.LOW),
        client(4),
        client(5, status=ClientStatus.CLOSED, intensity=Intensity.LOW),
        client(6, status=ClientStatus.REFERRAL, risk_level=RiskLevel.HIGH),
    ]
    figures = caseload_figures(clients)
    assert figures.active == 4
    assert dict(figures.by_intensity) == {
        Intensity.INTENSIVE: 1,
        Intensity.HIGH: 0,
        Intensity.MODERATE: 0,
        Intensity.LOW: 2,
    }
    assert figures.intensity_unset == 1
    assert figures.by_risk[RiskLevel.HIGH] == 1
    assert figures.by_risk[RiskLevel.LOW] == 1
    assert figures.risk_unrated == 2
    assert figures.high_risk_share == pytest.approx(0.25)
    assert figures.high_risk_band is HighRiskBand.ABOVE


@pytest.mark.parametrize(
    ("share", "band"),
    [
        (0.0, HighRiskBand.WITHIN),
        (0.10, HighRiskBand.WITHIN),
        (0.11, HighRiskBand.AT_LIMIT),
        (0.15, HighRiskBand.AT_LIMIT),
        (0.151, HighRiskBand.ABOVE),
        (None, HighRiskBand.NO_CLIENTS),
    ],
)
def test_high_risk_guideline(share: float | None, band: HighRiskBand) -> None:
    assert high_risk_band(share) is band


def test_one_high_risk_client_in_ten_is_within_guideline() -> None:
    clients = [client(0, risk_level=RiskLevel.HIGH)] + [client(n) for n in range(1, 10)]
    assert caseload_figures(clients).high_risk_band is HighRiskBand.WITHIN


@pytest.mark.parametrize("intensity", list(Intensity))
def test_a_full_caseload_at_the_reference_size_weighs_the_capacity(intensity: Intensity) -> None:
    """The published upper reference size of any single intensity makes a full caseload."""
    upper = REFERENCE_CASELOAD[intensity][1]
    figures = caseload_figures([client(n, intensity=intensity) for n in range(upper)])
    assert figures.weighted == pytest.approx(DEFAULT_WEIGHTS.capacity)
    assert figures.load_share == pytest.approx(1.0)


def test_weight_factors_multiply() -> None:
    base = client(1, intensity=Intensity.MODERATE, risk_level=RiskLevel.LOW)
    assert client_weight(base) == 1.0
    assert client_weight(replace(base, risk_level=RiskLevel.HIGH)) == pytest.approx(1.5)
    assert client_weight(replace(base, risk_level=RiskLevel.MEDIUM)) == pytest.approx(1.2)
    everything = replace(
        base,
        intensity=Intensity.INTENSIVE,
        risk_level=RiskLevel.HIGH,
        complex_needs=True,
        rural_travel=True,
        carers_involved=True,
    )
    assert client_weight(everything) == pytest.approx(2.0 * 1.5 * 1.25 * 1.25 * 1.1)


def test_unset_intensity_and_risk_count_as_moderate_low() -> None:
    assert client_weight(client(1)) == 1.0


def test_custom_weights() -> None:
    weights = CaseloadWeights(capacity=10.0, rural_travel=2.0)
    figures = caseload_figures([client(1, rural_travel=True)], weights)
    assert figures.weighted == 2.0
    assert figures.load_share == pytest.approx(0.2)


def test_zero_capacity_does_not_divide_by_zero() -> None:
    figures = caseload_figures([client(1)], CaseloadWeights(capacity=0))
    assert figures.load_share == 0.0


# ----------------------------------------------------------------------------- duration


def test_duration_flag_past_typical_length() -> None:
    opened = TODAY - timedelta(weeks=27)
    flag = duration_flag(client(1, intensity=Intensity.INTENSIVE, opened_on=opened), TODAY)
    assert flag is not None
    assert flag.typical_days == 26 * 7
    assert flag.open_days == 27 * 7
    assert flag.over_by_days == 7


def test_no_flag_at_or_under_typical_length() -> None:
    opened = TODAY - timedelta(weeks=26)
    assert duration_flag(client(1, intensity=Intensity.INTENSIVE, opened_on=opened), TODAY) is None
    low = client(2, intensity=Intensity.LOW, opened_on=TODAY - timedelta(weeks=60))
    assert duration_flag(low, TODAY) is None


@pytest.mark.parametrize(
    "who",
    [
        client(1, opened_on=date(2000, 1, 1)),  # no intensity
        client(2, intensity=Intensity.LOW),  # no opening date
        client(3, intensity=Intensity.LOW, opened_on=date(2000, 1, 1), status=ClientStatus.CLOSED),
    ],
)
def test_no_flag_without_facts_or_when_closed(who: CaseloadClient) -> None:
    assert duration_flag(who, TODAY) is None


def test_long_running_cases_longest_first() -> None:
    clients = [
        client(1, intensity=Intensity.MODERATE, opened_on=TODAY - timedelta(weeks=53)),
        client(2, intensity=Intensity.MODERATE, opened_on=TODAY - timedelta(weeks=80)),
        client(3, intensity=Intensity.MODERATE, opened_on=TODAY - timedelta(weeks=10)),
    ]
    assert [f.client_id for f in long_running_cases(clients, TODAY)] == ["c-2", "c-1"]


CLIENTS = st.builds(
    CaseloadClient,
    st.text(max_size=4),
    st.sampled_from(ClientStatus),
    st.none() | st.sampled_from(Intensity),
    st.none() | st.sampled_from(RiskLevel),
    st.none() | st.dates(),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)


@settings(deadline=None)
@given(st.lists(CLIENTS, max_size=30), st.dates())
def test_figures_are_consistent(clients: list[CaseloadClient], today: date) -> None:
    figures = caseload_figures(clients)
    assert sum(figures.by_intensity.values()) + figures.intensity_unset == figures.active
    assert sum(figures.by_risk.values()) + figures.risk_unrated == figures.active
    assert figures.weighted >= 0
    if figures.high_risk_share is not None:
        assert 0 <= figures.high_risk_share <= 1
    for flag in long_running_cases(clients, today):
        assert flag.over_by_days > 0
