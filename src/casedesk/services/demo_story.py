"""Who the demo clients are and when things happened to them: the dates behind a demo caseload.

Two kinds of caseload are told with the same rules:

* the **default demo** (:func:`worker_caseload`): one community case manager's believable
  caseload. About 30 active clients, mostly low and moderate intensity, two of them high risk, a
  few recently closed and two referrals waiting for intake. The worker keeps up: work whose
  date has passed is done and reviews and follow-ups lie ahead, except for a handful of things
  that have slipped (one overdue item of each kind), so Home shows a few overdue items, not
  none and not hundreds.
* **synthetic caseloads** (:func:`random_profile`, ``demo-data --clients N``) for benchmarks:
  statuses, intensities and due dates fall where chance puts them.

Either way the dates agree with each other: nothing is closed, done, held or recorded after the
anchor date ("today") or after the client's case was closed; reviews fall within the plan's
period; a follow-up comes after the event it follows; a referral's stamps come in order.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from casedesk.domain import enums as E

DAY = timedelta(days=1)
REVIEW_DAYS = {
    E.Intensity.INTENSIVE: 28,
    E.Intensity.HIGH: 42,
    E.Intensity.MODERATE: 84,
    E.Intensity.LOW: 182,
}
"""Plan review interval by intensity."""

_CONTACTS_PER_WEEK = {
    E.Intensity.INTENSIVE: 1.5,
    E.Intensity.HIGH: 1.0,
    E.Intensity.MODERATE: 0.5,
    E.Intensity.LOW: 0.25,
}
"""How often the demo worker sees a client (notes in the default demo)."""


class Slip(StrEnum):
    """Something the demo worker has let slip: each makes exactly one overdue task."""

    ACTION = "action"
    REFERRAL_FOLLOW_UP = "referral_follow_up"
    PLAN_REVIEW = "plan_review"
    RISK_REVIEW = "risk_review"
    NO_CONTACT = "no_contact"


@dataclass(frozen=True)
class ClientProfile:
    """Who one generated client is, and how the worker keeps up with them.

    Attributes:
        status: Where the client is in the service.
        intensity: How much support they need.
        risk: The overall level of their risk screen.
        keeps_up: The worker is on top of this client's dates (the default demo); when False,
            due dates fall where chance puts them (synthetic caseloads).
        slip: The one thing overdue for this client, if any.
    """

    status: E.ClientStatus
    intensity: E.Intensity
    risk: E.RiskLevel
    keeps_up: bool = False
    slip: Slip | None = None

    @property
    def active(self) -> bool:
        """Whether the client is on the active caseload."""
        return self.status is E.ClientStatus.ACTIVE


# The default demo's mix. A full caseload is 30 low, 20 moderate or 10 intensive clients
# (domain/caseload.py); this one weighs a little over full (about 22-24 against 20 with risk
# and carers counted): busy, and believable for one community worker.
WORKER_ACTIVE = (
    (E.Intensity.INTENSIVE, 1),
    (E.Intensity.HIGH, 1),
    (E.Intensity.MODERATE, 5),
    (E.Intensity.LOW, 19),
)
WORKER_HIGH_RISK = 2  # about 8% of the active clients: within the 10-15% guideline
WORKER_MEDIUM_RISK = 5
WORKER_CLOSED = 4
WORKER_REFERRALS = 2
WORKER_CASELOAD_CLIENTS = sum(n for _, n in WORKER_ACTIVE) + WORKER_CLOSED + WORKER_REFERRALS
"""How many clients the default demo has."""


def worker_caseload(rng: random.Random) -> list[ClientProfile]:
    """The default demo's clients, in the order they are generated."""
    intensities = [level for level, count in WORKER_ACTIVE for _ in range(count)]
    rng.shuffle(intensities)
    risks = [E.RiskLevel.HIGH] * WORKER_HIGH_RISK + [E.RiskLevel.MEDIUM] * WORKER_MEDIUM_RISK
    risks += [E.RiskLevel.LOW] * (len(intensities) - len(risks))
    rng.shuffle(risks)
    slips: list[Slip | None] = [*Slip, *[None] * (len(intensities) - len(Slip))]
    rng.shuffle(slips)
    active = [
        ClientProfile(E.ClientStatus.ACTIVE, intensity, risk, keeps_up=True, slip=slip)
        for intensity, risk, slip in zip(intensities, risks, slips, strict=True)
    ]
    others = [
        ClientProfile(status, rng.choice((E.Intensity.MODERATE, E.Intensity.LOW)),
                      E.RiskLevel.LOW, keeps_up=True)
        for status, count in ((E.ClientStatus.CLOSED, WORKER_CLOSED),
                              (E.ClientStatus.REFERRAL, WORKER_REFERRALS))
        for _ in range(count)
    ]
    profiles = active + others
    rng.shuffle(profiles)
    return profiles


def random_profile(rng: random.Random) -> ClientProfile:
    """One client of a synthetic caseload."""
    intensity = rng.choices(list(E.Intensity), weights=(10, 20, 40, 30))[0]
    status = rng.choices(
        (E.ClientStatus.ACTIVE, E.ClientStatus.CLOSED, E.ClientStatus.REFERRAL),
        weights=(80, 15, 5),
    )[0]
    risk = rng.choices(
        (E.RiskLevel.LOW, E.RiskLevel.MEDIUM, E.RiskLevel.HIGH), weights=(70, 20, 10)
    )[0]
    return ClientProfile(status, intensity, risk)


@dataclass(frozen=True)
class Period:
    """One client's time with the service: nothing of theirs is dated outside it.

    Attributes:
        opened: When support began (or the referral came in).
        closed_on: When the case closed; None while it is open.
        until: The last day anything happens in the client's story: the closing day, or the
            anchor date for an open case.
    """

    opened: date
    closed_on: date | None
    until: date


@dataclass(frozen=True)
class ReferralProgress:
    """How far a referral got, with the date of each step it reached."""

    status: E.ReferralStatus
    sent_on: date | None = None
    responded_on: date | None = None
    attended_on: date | None = None
    closed_on: date | None = None

    def last_event(self, drafted: date) -> date:
        """The date of the latest step (the one a follow-up follows)."""
        stamps = (self.sent_on, self.responded_on, self.attended_on, self.closed_on)
        return max((drafted, *(on for on in stamps if on is not None)))


_R = E.ReferralStatus
_REFERRAL_PATHS = {
    _R.DRAFTED: (),
    _R.SENT: (_R.SENT,),
    _R.ACCEPTED: (_R.SENT, _R.ACCEPTED),
    _R.DECLINED: (_R.SENT, _R.DECLINED),
    _R.ATTENDED: (_R.SENT, _R.ACCEPTED, _R.ATTENDED),
    _R.CLOSED: (_R.SENT, _R.ACCEPTED, _R.ATTENDED, _R.CLOSED),
}
_STEP_DAYS = {
    _R.SENT: (0, 3),
    _R.ACCEPTED: (3, 14),
    _R.DECLINED: (3, 14),
    _R.ATTENDED: (5, 21),
    _R.CLOSED: (3, 30),
}
_STAMP = {
    _R.SENT: "sent_on",
    _R.ACCEPTED: "responded_on",
    _R.DECLINED: "responded_on",
    _R.ATTENDED: "attended_on",
    _R.CLOSED: "closed_on",
}


class Timeline:
    """Dates for one caseload, all drawn from ``rng`` and told up to ``anchor`` ("today").

    Args:
        rng: The caseload's seeded random source.
        anchor: The date the story is told up to.
    """

    def __init__(self, rng: random.Random, anchor: date) -> None:
        self.rng = rng
        self.anchor = anchor

    def _days(self, low: int, high: int) -> timedelta:
        return timedelta(days=self.rng.randint(low, high))

    def period(self, profile: ClientProfile) -> Period:
        """When the client came to the service and, for a closed case, when it closed."""
        anchor = self.anchor
        if profile.status is E.ClientStatus.CLOSED:
            opened = anchor - self._days(90, 540)
            closed = min(opened + self._days(60, 400), anchor - self._days(1, 30))
            return Period(opened, closed, closed)
        if profile.keeps_up and profile.status is E.ClientStatus.REFERRAL:
            return Period(anchor - self._days(2, 14), None, anchor)  # waiting for intake
        # The default demo's clients have been open long enough for what slipped to be late.
        return Period(anchor - self._days(45 if profile.keeps_up else 30, 540), None, anchor)

    def follow_up_made(self, profile: ClientProfile, follow_up: date | None) -> datetime | None:
        """When the post-exit follow-up contact was made, or None while it is still to do.

        The demo worker makes each on its day; in a synthetic caseload those due more than a
        fortnight ago were made.
        """
        if follow_up is None:
            return None
        grace = DAY if profile.keeps_up else timedelta(days=14)
        if follow_up > self.anchor - grace:
            return None
        return datetime.combine(follow_up, time(11), UTC)

    def consent_expiry(self, profile: ClientProfile) -> date:
        """When a consent to share ends (the demo worker renews them before they lapse)."""
        return self.anchor + self._days(8 if profile.keeps_up else -5, 300)

    def risk_review(self, profile: ClientProfile, screened: date) -> date | None:
        """When the risk screen is next reviewed; None for a closed case."""
        if profile.status is E.ClientStatus.CLOSED:
            return None
        if profile.slip is Slip.RISK_REVIEW:
            due = self.anchor - self._days(1, 7)
        else:
            due = self.anchor + self._days(3 if profile.keeps_up else -7, 150)
        return max(due, screened + DAY)

    def plan_end(self, start: date, period: Period) -> date:
        """The end of a plan agreed on ``start``.

        A year, or two when support has already run close to a year: an open case's plan is
        still running, with room for its next review and the actions due in the coming weeks.
        """
        end = start + timedelta(days=365)
        if period.closed_on is None and end <= self.anchor + timedelta(days=90):
            end = start + timedelta(days=730)
        return end

    def next_plan_review(self, profile: ClientProfile, start: date, end: date) -> date | None:
        """When the plan is next reviewed: within its period; None once the case is closed."""
        if profile.status is E.ClientStatus.CLOSED:
            return None
        interval = REVIEW_DAYS[profile.intensity]
        if profile.slip is Slip.PLAN_REVIEW:
            due = self.anchor - self._days(1, 5)
        else:
            due = self.anchor + self._days(1 if profile.keeps_up else -6, interval)
        return min(max(due, start), end)

    def action(self, profile: ClientProfile, start: date, period: Period,
               late: bool) -> tuple[date, E.ActionStatus, date | None]:
        """An action's due date, status and completion date.

        Args:
            profile: The client.
            start: When the plan (and so the action) was agreed.
            period: The client's time with the service.
            late: This is the action the worker let slip.
        """
        if period.closed_on is not None:  # everything was finished or dropped at the exit
            due = start + self._days(7, max(7, (period.closed_on - start).days))
            done = self.rng.random() < 0.8
            return due, E.ActionStatus.DONE if done else E.ActionStatus.CANCELLED, (
                due if done else None)
        if late:
            return self.anchor - self._days(2, 9), E.ActionStatus.IN_PROGRESS, None
        spread = (-40, 90) if profile.keeps_up else (-12, 60)
        due = max(self.anchor + self._days(*spread), start)
        if due < self.anchor:  # most steps whose date has passed were done
            done = profile.keeps_up or self.rng.random() < 0.8
            completed = due
        else:  # a few future ones are done early, by today at the latest
            done = self.rng.random() < 0.1
            completed = max(start, self.anchor - self._days(0, 6))
        if not done:
            open_status = self.rng.choice((E.ActionStatus.NOT_STARTED, E.ActionStatus.IN_PROGRESS))
            return due, open_status, None
        return due, E.ActionStatus.DONE, completed

    def referral(self, wanted: E.ReferralStatus, drafted: date,
                 until: date) -> ReferralProgress:
        """Walk a referral from ``drafted`` towards ``wanted``, stopping at ``until``.

        A step that would fall after ``until`` has not happened yet, so the referral stays at
        the last step it reached.
        """
        reached, last = E.ReferralStatus.DRAFTED, drafted
        stamps: dict[str, date] = {}
        for step in _REFERRAL_PATHS[wanted]:
            on = last + self._days(*_STEP_DAYS[step])
            if on > until:
                break
            stamps[_STAMP[step]] = on
            reached, last = step, on
        return ReferralProgress(reached, **stamps)

    def referral_follow_up(self, profile: ClientProfile, progress: ReferralProgress,
                           drafted: date, period: Period) -> date | None:
        """When to check on a referral: after its latest step; None once it is closed."""
        if progress.status is E.ReferralStatus.CLOSED or period.closed_on is not None:
            return None
        due = self.anchor + self._days(1 if profile.keeps_up else -4, 21)
        return max(due, progress.last_event(drafted) + DAY)

    def late_referral(self) -> tuple[date, ReferralProgress, date | None]:
        """The referral the worker forgot to chase: sent, follow-up a few days overdue.

        Returns:
            ``(drafted, progress, follow_up)``.
        """
        follow_up = self.anchor - self._days(2, 6)
        sent = follow_up - timedelta(days=14)
        drafted = sent - self._days(0, 3)
        return drafted, ReferralProgress(E.ReferralStatus.SENT, sent_on=sent), follow_up

    def note_days(self, profile: ClientProfile, period: Period, usual_count: int) -> list[date]:
        """The days of a client's contacts (case notes), oldest first.

        An open case's notes end the day before the anchor, so none is later than "now"; a
        closed case's end at its closing. In the default demo a client is seen as often as
        their intensity needs, and last within three weeks, except the one the worker has not
        seen for over a month.
        """
        last = min(period.until, self.anchor - DAY)
        if profile.slip is Slip.NO_CONTACT:
            last = self.anchor - self._days(33, 45)
        span = max(0, (last - period.opened).days)
        count = usual_count
        if profile.keeps_up:
            weeks = span / 7
            count = max(2, round(weeks * _CONTACTS_PER_WEEK[profile.intensity]))
        days = [period.opened + self._days(0, span) for _ in range(count)]
        if profile.keeps_up and profile.active and profile.slip is not Slip.NO_CONTACT:
            days[-1] = max(period.opened, self.anchor - self._days(1, 20))
        return sorted(days)
