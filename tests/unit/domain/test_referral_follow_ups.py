"""Referral follow-ups: the rule's date moves with the status; the worker's date is never lost."""

from __future__ import annotations

from datetime import date

from casedesk.domain.enums import ReferralStatus as S
from casedesk.domain.referrals import (
    FollowUpMove,
    StatusDates,
    chosen_by_worker,
    follow_up_after_move,
    suggested_follow_up,
)

DRAFTED = StatusDates(date(2026, 12, 1))
SENT = StatusDates(date(2026, 12, 1), sent_on=date(2026, 12, 1))


def test_the_rule_date_for_each_status():
    assert suggested_follow_up(S.DRAFTED, DRAFTED) == date(2026, 12, 4)
    assert suggested_follow_up(S.SENT, SENT) == date(2026, 12, 15)
    declined = StatusDates(date(2026, 12, 1), date(2026, 12, 1), responded_on=date(2026, 12, 3))
    assert suggested_follow_up(S.DECLINED, declined) == date(2026, 12, 10)
    assert suggested_follow_up(S.ACCEPTED, declined) == date(2026, 12, 17)
    assert suggested_follow_up(S.CLOSED, StatusDates(date(2026, 12, 1))) is None


def test_a_rule_date_moves_with_the_status():
    move = follow_up_after_move(date(2026, 12, 4), S.DRAFTED, DRAFTED, S.SENT, SENT)
    assert move == FollowUpMove(date(2026, 12, 15))


def test_the_workers_date_is_kept_and_the_rule_suggested():
    """Issue 20 item 4: 2026-12-08 typed, moving to Sent made it 2026-12-15."""
    typed = date(2026, 12, 8)
    assert chosen_by_worker(typed, S.DRAFTED, DRAFTED)
    move = follow_up_after_move(typed, S.DRAFTED, DRAFTED, S.SENT, SENT)
    assert move == FollowUpMove(typed, suggested_on=date(2026, 12, 15))


def test_a_date_given_with_the_move_wins():
    move = follow_up_after_move(
        date(2026, 12, 4), S.DRAFTED, DRAFTED, S.SENT, SENT, given=date(2026, 12, 20)
    )
    assert move == FollowUpMove(date(2026, 12, 20), suggested_on=date(2026, 12, 15))
    same = follow_up_after_move(None, S.DRAFTED, DRAFTED, S.SENT, SENT, given=date(2026, 12, 15))
    assert same == FollowUpMove(date(2026, 12, 15))


def test_closing_ends_the_follow_ups_whoever_chose_the_date():
    closed = StatusDates(date(2026, 12, 1), closed_on=date(2026, 12, 2))
    assert follow_up_after_move(date(2026, 12, 8), S.DRAFTED, DRAFTED, S.CLOSED, closed) == (
        FollowUpMove(None)
    )


def test_no_date_at_all_takes_the_rule():
    assert not chosen_by_worker(None, S.DRAFTED, DRAFTED)
    assert follow_up_after_move(None, S.DRAFTED, DRAFTED, S.SENT, SENT) == FollowUpMove(
        date(2026, 12, 15)
    )
