"""``casedesk referral``: the CLI follows the GUI's follow-up rule (no silent overwrite)."""

from __future__ import annotations

import json
from datetime import timedelta

from casedesk.domain.clock import today


def _ok(result):
    assert result.returncode == 0, result.stderr
    return result


def test_a_typed_follow_up_survives_a_status_move_and_the_rule_is_suggested(cli) -> None:
    client = _ok(cli("client", "add", "--given", "Ada", "--family", "Lovelace")).stdout.strip()
    typed = (today() + timedelta(days=7)).isoformat()
    referral = _ok(
        cli("referral", "add", "--client", client, "--agency", "Legal Aid", "--follow-up", typed)
    ).stdout.strip()
    moved = json.loads(_ok(cli("referral", "status", referral, "sent", "--json")).stdout)
    suggested = (today() + timedelta(days=14)).isoformat()
    assert moved["status"] == "sent"
    assert moved["follow_up_on"] == typed
    assert moved["suggested_follow_up_on"] == suggested
    plain = _ok(cli("referral", "list", "--client", client)).stdout
    assert "your own date and was kept" in plain and suggested in plain
    taken = json.loads(_ok(cli("referral", "follow-up", referral, "--suggested", "--json")).stdout)
    assert taken["follow_up_on"] == suggested and taken["suggested_follow_up_on"] is None
    again = cli("referral", "follow-up", referral, "--suggested")
    assert again.returncode == 2 and "no other follow-up date" in again.stderr


def test_a_follow_up_given_with_the_move_is_used(cli) -> None:
    client = _ok(cli("client", "add", "--given", "Ada", "--family", "Lovelace")).stdout.strip()
    referral = _ok(cli("referral", "add", "--client", client, "--agency", "Legal Aid")).stdout
    when = (today() + timedelta(days=20)).isoformat()
    moved = json.loads(
        _ok(
            cli("referral", "status", referral.strip(), "sent", "--follow-up", when, "--json")
        ).stdout
    )
    assert moved["follow_up_on"] == when
    listed = json.loads(_ok(cli("referral", "list", "--client", client, "--json")).stdout)
    assert [r["follow_up_on"] for r in listed] == [when]


def test_bad_input_is_a_usage_error(cli) -> None:
    client = _ok(cli("client", "add", "--given", "Ada", "--family", "Lovelace")).stdout.strip()
    referral = _ok(cli("referral", "add", "--client", client, "--agency", "X")).stdout.strip()
    future = (today() + timedelta(days=3)).isoformat()
    result = cli("referral", "status", referral, "sent", "--on", future)
    assert result.returncode == 2 and "between the day it was drafted and today" in result.stderr
    assert cli("referral", "status", referral, "sent", "--on", "soon").returncode == 2
