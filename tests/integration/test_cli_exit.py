"""``casedesk exit``: list what is still open, end support closing it as the exit form does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from casedesk.domain.enums import GoalAchievement, GoalLifecycle
from casedesk.services.bundle import Services
from casedesk.services.goals import ActionInput, GoalInput
from casedesk.services.referrals import ReferralInput
from casedesk.services.vault_service import VaultService
from casedesk.storage.keys import TEST_KDF
from vaultkit import PASSPHRASE, with_my_details


@pytest.fixture
def client_id(cli, vault_dir: Path) -> str:
    """A client with an agreed plan (an improving goal, an action) and a drafted referral."""
    vault = VaultService(vault_dir, kdf=TEST_KDF)
    vault.unlock(PASSPHRASE)
    try:
        services = with_my_details(Services.for_vault(vault))  # agreeing needs them
        cid = cli("client", "add", "--given", "Tui", "--family", "Ngata").stdout.strip()
        plan = services.plans.start_plan(cid)
        plan = services.goals.add_goal(
            plan.id,
            GoalInput(
                "Keep my flat",
                lifecycle=GoalLifecycle.ACCEPTED,
                achievement=GoalAchievement.IMPROVING,
            ),
        )
        services.goals.add_action(plan.goals[0].id, ActionInput("Call the landlord"))
        services.plans.agree(plan.id)
        services.referrals.add_referral(ReferralInput(cid, agency_name="Tenancy Advice"))
    finally:
        vault.lock()
    return cid


def test_open_items_then_end_closing_them_as_suggested(cli, client_id) -> None:
    listed = cli("exit", "open", "--client", client_id, "--json")
    assert listed.returncode == 0, listed.stderr
    items = json.loads(listed.stdout)
    assert [(i["kind"], i["status"], i["suggested"]) for i in items] == [
        ("goal", "improving", "improving"),
        ("action", "not_started", "cancelled"),
        ("referral", "drafted", "closed"),
    ]
    goal = items[0]["id"]
    ended = cli(
        "exit", "end", "--client", client_id, "--reason", "goals_achieved",
        "--close-suggested", "--close", f"{goal}=achieved", "--json",
    )  # fmt: skip
    assert ended.returncode == 0, ended.stderr
    result = json.loads(ended.stdout)
    assert result["closed"][goal] == "achieved" and result["left_open"] == []
    assert json.loads(cli("exit", "open", "--client", client_id, "--json").stdout) == []
    listed = json.loads(cli("client", "list", "--json").stdout)
    assert listed[0]["status"] == "closed"


def test_items_not_named_are_left_open_and_reported(cli, client_id) -> None:
    ended = cli("exit", "end", "--client", client_id, "--reason", "moved_away")
    assert ended.returncode == 0, ended.stderr
    assert "Closed 0 open items" in ended.stdout
    assert ended.stdout.count("left open:") == 3


def test_a_bad_closing_is_a_usage_error_and_nothing_changes(cli, client_id) -> None:
    bad = cli("exit", "end", "--client", client_id, "--reason", "moved_away", "--close", "x")
    assert bad.returncode == 2 and "ID=STATUS" in bad.stderr
    items = json.loads(cli("exit", "open", "--client", client_id, "--json").stdout)
    wrong = cli(
        "exit", "end", "--client", client_id, "--reason", "moved_away",
        "--close", f"{items[1]['id']}=in_progress",
    )  # fmt: skip
    assert wrong.returncode == 2 and "can't be closed as 'in_progress'" in wrong.stderr
    assert len(json.loads(cli("exit", "open", "--client", client_id, "--json").stdout)) == 3
