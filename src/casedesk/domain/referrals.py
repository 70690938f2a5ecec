"""Referral follow-ups: when to next check on a referral, and whose date wins.

Each status suggests the next check: drafted, 3 days (send it); sent, accepted or attended,
14 days (was it picked up, were they in touch, how did it go); declined, 7 days (talk about
other options); closed, none. A follow-up date is *the rule's* while it equals the date the
rule gave for the referral's current status; any other date was chosen by the worker.

Moving a referral on moves a rule's date to the new status's date, but **never overwrites a
date the worker chose**: that date is kept and the rule's date is offered beside it as a
suggestion. Closing ends the follow-ups (no date), and a date given with the move wins.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType

from casedesk.domain.enums import ReferralStatus

#: Days until the next follow-up after a referral reaches each status (None: no more reminders).
FOLLOW_UP_DAYS: Mapping[ReferralStatus, int | None] = MappingProxyType(
    {
        ReferralStatus.DRAFTED: 3,  # send it
        ReferralStatus.SENT: 14,  # check it was picked up
        ReferralStatus.ACCEPTED: 14,  # check they were in touch
        ReferralStatus.DECLINED: 7,  # talk about other options
        ReferralStatus.ATTENDED: 14,  # ask how it went
        ReferralStatus.CLOSED: None,
    }
)


@dataclass(frozen=True, slots=True)
class StatusDates:
    """The dates a referral's statuses were reached (None: not reached)."""

    drafted_on: date
    sent_on: date | None = None
    responded_on: date | None = None
    attended_on: date | None = None
    closed_on: date | None = None

    def reached(self, status: ReferralStatus) -> date | None:
        """The date ``status`` was reached (accepted and declined share the response date)."""
        return {
            ReferralStatus.DRAFTED: self.drafted_on,
            ReferralStatus.SENT: self.sent_on,
            ReferralStatus.ACCEPTED: self.responded_on,
            ReferralStatus.DECLINED: self.responded_on,
            ReferralStatus.ATTENDED: self.attended_on,
            ReferralStatus.CLOSED: self.closed_on,
        }[ReferralStatus(status)]


@dataclass(frozen=True, slots=True)
class FollowUpMove:
    """The follow-up after a status move.

    Attributes:
        follow_up_on: the date to keep (None: no more follow-ups).
        suggested_on: the rule's date when it differs from the one kept (the worker's), else
            None.
    """

    follow_up_on: date | None
    suggested_on: date | None = None


def rule_follow_up(status: ReferralStatus, reached_on: date | None) -> date | None:
    """The follow-up the rule gives a referral that reached ``status`` on ``reached_on``."""
    days = FOLLOW_UP_DAYS[ReferralStatus(status)]
    if days is None or reached_on is None:
        return None
    return reached_on + timedelta(days=days)


def suggested_follow_up(status: ReferralStatus, dates: StatusDates) -> date | None:
    """The rule's follow-up for a referral's current status."""
    return rule_follow_up(status, dates.reached(status))


def chosen_by_worker(follow_up_on: date | None, status: ReferralStatus, dates: StatusDates) -> bool:
    """Whether the follow-up date is the worker's own (not the rule's for the current status)."""
    return follow_up_on is not None and follow_up_on != suggested_follow_up(status, dates)


def follow_up_after_move(
    current: date | None,
    old_status: ReferralStatus,
    old_dates: StatusDates,
    new_status: ReferralStatus,
    new_dates: StatusDates,
    *,
    given: date | None = None,
) -> FollowUpMove:
    """The follow-up after moving a referral from ``old_status`` to ``new_status``.

    Args:
        current: the follow-up date before the move.
        old_status: the status before the move.
        old_dates: the status dates before the move.
        new_status: the status moved to.
        new_dates: the status dates after the move (the new status's date stamped).
        given: a date the worker gave with the move (wins over everything but closing).
    """
    new_status = ReferralStatus(new_status)
    if new_status is ReferralStatus.CLOSED:
        return FollowUpMove(None)
    rule = suggested_follow_up(new_status, new_dates)
    kept = given if given is not None else current
    if given is not None or chosen_by_worker(current, old_status, old_dates):
        return FollowUpMove(kept, rule if rule != kept else None)
    return FollowUpMove(rule)
