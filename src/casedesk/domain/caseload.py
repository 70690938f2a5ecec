"""Caseload figures: counts, the high-risk share, a weighted caseload and long-running cases.

Evidence (docs/DOMAIN.md, "Caseload: figures from the evidence"):

* Published caseload reference points by intensity: intensive about 5-10 clients, moderate
  about 10-20 (no more than 15 for at-risk youth), low about 20-30 or more (community mental
  health about 40-50; community matrons 50-80, with about 50 the upper manageable limit).
* High-risk clients should be no more than about 10-15% of a caseload.
* Weight depends on intensity, risk, clinical and psychosocial complexity, carers, the home
  environment and travel (rural distance).
* Flag a case that has run past the typical length for its kind, and review it.

How we turn that into numbers (our decisions, all configurable through ``CaseloadWeights``):

* Intensity weights come from the upper end of each published range, scaled so a moderate
  client counts 1: a full caseload is 20 moderate, 10 intensive (weight 2), 15 high
  (weight 4/3, between intensive and moderate) or 30 low (weight 2/3) clients. So a weighted
  caseload of 20 is "full" whatever the mix (``capacity``).
* Risk, complexity, carers and rural travel have no published numbers; they multiply the
  weight by modest factors (high risk 1.5, medium 1.2; complex needs, rural travel 1.25;
  carers involved 1.1) that a service should tune to its own work.
* A client with no intensity set counts as moderate; with no risk rating, as low risk.
* Typical case lengths are not in the evidence either; defaults are intensive 26 weeks,
  high 39, moderate 52 and low 104.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from casedesk.domain.enums import ClientStatus, Intensity, RiskLevel

#: Published reference caseload sizes (clients) by intensity; HIGH interpolated.
REFERENCE_CASELOAD: Mapping[Intensity, tuple[int, int]] = MappingProxyType(
    {
        Intensity.INTENSIVE: (5, 10),
        Intensity.HIGH: (10, 15),
        Intensity.MODERATE: (10, 20),
        Intensity.LOW: (20, 30),
    }
)

HIGH_RISK_GUIDE_LOW = 0.10
HIGH_RISK_GUIDE_HIGH = 0.15


class HighRiskBand(StrEnum):
    """The share of high-risk clients against the 10-15% guideline."""

    NO_CLIENTS = "no_clients"
    WITHIN = "within"  # at or below 10%
    AT_LIMIT = "at_limit"  # above 10%, at or below 15%
    ABOVE = "above"  # above 15%


@dataclass(frozen=True, slots=True)
class CaseloadWeights:
    """Weights for the weighted caseload and typical case lengths (see the module docstring)."""

    intensity: Mapping[Intensity, float] = field(
        default_factory=lambda: MappingProxyType(
            {
                Intensity.INTENSIVE: 2.0,
                Intensity.HIGH: 4 / 3,
                Intensity.MODERATE: 1.0,
                Intensity.LOW: 2 / 3,
            }
        )
    )
    risk: Mapping[RiskLevel, float] = field(
        default_factory=lambda: MappingProxyType(
            {
                RiskLevel.HIGH: 1.5,
                RiskLevel.MEDIUM: 1.2,
                RiskLevel.LOW: 1.0,
                RiskLevel.NONE: 1.0,
            }
        )
    )
    complex_needs: float = 1.25
    rural_travel: float = 1.25
    carers_involved: float = 1.1
    capacity: float = 20.0
    typical_weeks: Mapping[Intensity, int] = field(
        default_factory=lambda: MappingProxyType(
            {
                Intensity.INTENSIVE: 26,
                Intensity.HIGH: 39,
                Intensity.MODERATE: 52,
                Intensity.LOW: 104,
            }
        )
    )


DEFAULT_WEIGHTS = CaseloadWeights()


@dataclass(frozen=True, slots=True)
class CaseloadClient:
    """What the caseload figures need about one client; only active clients are counted."""

    client_id: str
    status: ClientStatus = ClientStatus.ACTIVE
    intensity: Intensity | None = None
    risk_level: RiskLevel | None = None
    opened_on: date | None = None
    complex_needs: bool = False
    rural_travel: bool = False
    carers_involved: bool = False


@dataclass(frozen=True, slots=True)
class CaseloadFigures:
    """The caseload at a glance.

    Attributes:
        active: number of active clients.
        by_intensity: count per intensity (every intensity present, zeros included).
        intensity_unset: active clients with no intensity recorded.
        by_risk: count per risk level (every level present).
        risk_unrated: active clients with no risk rating.
        high_risk_share: high-risk clients / active clients, or None with no clients.
        high_risk_band: that share against the 10-15% guideline.
        weighted: the weighted caseload (moderate-client equivalents).
        capacity: the weighted caseload that counts as full.
    """

    active: int
    by_intensity: Mapping[Intensity, int]
    intensity_unset: int
    by_risk: Mapping[RiskLevel, int]
    risk_unrated: int
    high_risk_share: float | None
    high_risk_band: HighRiskBand
    weighted: float
    capacity: float

    @property
    def load_share(self) -> float:
        """Weighted caseload as a share of capacity (1.0 = full, above 1.0 = over)."""
        return self.weighted / self.capacity if self.capacity > 0 else 0.0


def caseload_figures(
    clients: Iterable[CaseloadClient], weights: CaseloadWeights = DEFAULT_WEIGHTS
) -> CaseloadFigures:
    """Counts, high-risk share and weighted caseload for the active clients in ``clients``."""
    by_intensity = dict.fromkeys(Intensity, 0)
    by_risk = dict.fromkeys(RiskLevel, 0)
    intensity_unset = risk_unrated = active = 0
    weighted = 0.0
    for client in clients:
        if client.status != ClientStatus.ACTIVE:
            continue
        active += 1
        if client.intensity is None:
            intensity_unset += 1
        else:
            by_intensity[client.intensity] += 1
        if client.risk_level is None:
            risk_unrated += 1
        else:
            by_risk[client.risk_level] += 1
        weighted += client_weight(client, weights)
    share = by_risk[RiskLevel.HIGH] / active if active else None
    return CaseloadFigures(
        active=active,
        by_intensity=MappingProxyType(by_intensity),
        intensity_unset=intensity_unset,
        by_risk=MappingProxyType(by_risk),
        risk_unrated=risk_unrated,
        high_risk_share=share,
        high_risk_band=high_risk_band(share),
        weighted=weighted,
        capacity=weights.capacity,
    )


def client_weight(client: CaseloadClient, weights: CaseloadWeights = DEFAULT_WEIGHTS) -> float:
    """One client's weight: intensity weight times risk and circumstance factors."""
    weight = weights.intensity.get(client.intensity or Intensity.MODERATE, 1.0)
    weight *= weights.risk.get(client.risk_level or RiskLevel.LOW, 1.0)
    if client.complex_needs:
        weight *= weights.complex_needs
    if client.rural_travel:
        weight *= weights.rural_travel
    if client.carers_involved:
        weight *= weights.carers_involved
    return weight


def high_risk_band(share: float | None) -> HighRiskBand:
    """Place a high-risk share against the 10-15% guideline."""
    if share is None:
        return HighRiskBand.NO_CLIENTS
    if share <= HIGH_RISK_GUIDE_LOW:
        return HighRiskBand.WITHIN
    if share <= HIGH_RISK_GUIDE_HIGH:
        return HighRiskBand.AT_LIMIT
    return HighRiskBand.ABOVE


# ----------------------------------------------------------------------------- duration


@dataclass(frozen=True, slots=True)
class DurationFlag:
    """A case open longer than is typical for its intensity: a prompt to review it."""

    client_id: str
    open_days: int
    typical_days: int

    @property
    def over_by_days(self) -> int:
        """How far past the typical length the case has run."""
        return self.open_days - self.typical_days


def duration_flag(
    client: CaseloadClient, today: date, weights: CaseloadWeights = DEFAULT_WEIGHTS
) -> DurationFlag | None:
    """A flag when an active case has been open longer than typical, else None.

    Clients with no opening date or intensity aren't flagged: there is nothing to compare.
    """
    if client.status != ClientStatus.ACTIVE or client.opened_on is None:
        return None
    if client.intensity is None or client.intensity not in weights.typical_weeks:
        return None
    typical_days = weights.typical_weeks[client.intensity] * 7
    open_days = (today - client.opened_on).days
    if open_days <= typical_days:
        return None
    return DurationFlag(client.client_id, open_days, typical_days)


def long_running_cases(
    clients: Iterable[CaseloadClient], today: date, weights: CaseloadWeights = DEFAULT_WEIGHTS
) -> list[DurationFlag]:
    """Every flagged case, longest overrun first."""
    flags = [f for c in clients if (f := duration_flag(c, today, weights)) is not None]
    return sorted(flags, key=lambda f: (-f.over_by_days, f.client_id))
