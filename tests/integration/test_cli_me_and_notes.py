"""``casedesk me|device|plan agree|note list|lock|error|auto-lock`` on a real vault."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image

from casedesk.domain.clients import ClientInput
from casedesk.domain.clock import today
from casedesk.services.bundle import Services
from casedesk.services.goals import GoalInput, TargetInput
from casedesk.services.vault_service import VaultService
from vaultkit import PASSPHRASE, InProcessCli


@pytest.fixture
def vault_dir(tmp_path: Path) -> Path:
    return tmp_path / "vault"


@pytest.fixture
def cli(vault_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    env = {
        "CASEDESK_VAULT": str(vault_dir),
        "CASEDESK_KDF": "test",
        "CASEDESK_PASSPHRASE": PASSPHRASE,
    }
    runner = InProcessCli(monkeypatch, capsys, env)
    assert runner("init").returncode == 0
    return runner


def _me(cli: InProcessCli) -> dict:
    result = cli("me", "show", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _logo(path: Path) -> Path:
    out = io.BytesIO()
    Image.new("RGB", (64, 32), (0, 80, 120)).save(out, format="PNG")
    path.write_bytes(out.getvalue())
    return path


def test_me_set_and_show(cli: InProcessCli, tmp_path: Path) -> None:
    assert _me(cli)["ready_for_agreeing"] is False
    assert _me(cli)["missing_for_agreeing"] == ["name", "phone"]
    result = cli(
        "me", "set", "--name", "Ana Lima", "--role", "Case manager", "--organisation",
        "Riverbend", "--phone", "02 5550 1234", "--email", "ana@example.org", "--hours",
        "Mon-Fri 9-5", "--out-of-hours", "Call 13 11 14", "--address", "12 River St",
        "--logo", str(_logo(tmp_path / "logo.png")),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    shown = _me(cli)
    assert shown["name"] == "Ana Lima" and shown["role"] == "Case manager"
    assert shown["out_of_hours_help"] == "Call 13 11 14" and shown["address"] == "12 River St"
    assert shown["logo_attachment_id"] and shown["ready_for_agreeing"] is True
    assert cli("me", "set", "--role", "Team leader").returncode == 0
    assert _me(cli)["name"] == "Ana Lima"  # options not given stay
    assert cli("me", "set", "--no-logo").returncode == 0
    assert _me(cli)["logo_attachment_id"] is None


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--phone", "ring me"], "phone: Please check the phone number"),
        (["--email", "not-an-email"], "email: Please check the email address"),
        (["--logo", "__text__"], "logo: This file is not a PNG or JPEG"),
        (["--logo", "__missing__"], "Cannot read"),
    ],
)
def test_me_set_refuses_bad_input_and_changes_nothing(
    cli: InProcessCli, tmp_path: Path, args: list[str], words: str
) -> None:
    assert cli("me", "set", "--name", "Ana Lima").returncode == 0
    text_file = tmp_path / "notes.txt"
    text_file.write_text("not an image", encoding="utf-8")
    args = [
        {"__text__": str(text_file), "__missing__": str(tmp_path / "nope.png")}.get(a, a)
        for a in args
    ]
    result = cli("me", "set", "--name", "Changed", *args)
    assert result.returncode == 2
    assert words in result.stderr
    assert _me(cli)["name"] == "Ana Lima"  # all or nothing


def test_plan_agree_is_refused_until_name_and_phone_are_set(
    cli: InProcessCli, vault_dir: Path
) -> None:
    vault = VaultService(vault_dir)
    vault.unlock(PASSPHRASE)
    try:
        services = Services.for_vault(vault)
        client = services.clients.add_client(ClientInput("Mere", "Parata"))
        plan = services.plans.start_plan(client.id)
        target = TargetInput("Rent paid", "0", "4 of 4", today() + timedelta(days=60))
        services.goals.add_goal(plan.id, GoalInput("Keep my flat", targets=(target,)))
    finally:
        vault.lock()
    refused = cli("plan", "agree", "--client", client.id)
    assert refused.returncode == 1
    assert "Add your name and phone number in Settings → My details" in refused.stderr
    assert "casedesk me set" in refused.stderr
    assert cli("me", "set", "--name", "Ana Lima", "--phone", "02 5550 1234").returncode == 0
    agreed = cli("plan", "agree", "--client", client.id)
    assert agreed.returncode == 0, agreed.stderr
    assert "Plan version 1 agreed" in agreed.stdout


def test_note_list_lock_and_entered_in_error(cli: InProcessCli) -> None:
    client = cli("client", "add", "--given", "Mere", "--family", "Parata").stdout.strip()
    first = cli("note", "add", "--client", client, "--text", "Home visit").stdout.strip()
    second = cli("note", "add", "--client", client, "--text", "Wrong client").stdout.strip()
    rows = json.loads(cli("note", "list", "--client", client, "--json").stdout)
    assert {r["id"]: (r["status"], r["locked"]) for r in rows} == {
        first: ("current", False),
        second: ("current", False),
    }
    assert all(r["locks_at"] for r in rows)

    assert cli("note", "lock", "--note", first).returncode == 0
    assert cli("note", "error", "--note", second, "--reason", "  ").returncode == 2
    marked = cli("note", "error", "--note", second, "--reason", "Written in the wrong record")
    assert marked.returncode == 0, marked.stderr
    rows = json.loads(cli("note", "list", "--client", client, "--json").stdout)
    assert [(r["id"], r["locked"], r["locks_at"]) for r in rows] == [(first, True, None)]
    everything = json.loads(cli("note", "list", "--client", client, "--json", "--all").stdout)
    retracted = next(r for r in everything if r["id"] == second)
    assert retracted["status"] == "entered_in_error"
    assert retracted["error_reason"] == "Written in the wrong record"
    again = cli("note", "error", "--note", second, "--reason", "again")
    assert again.returncode == 1 and "entered in error" in again.stderr
    plain = cli("note", "list", "--client", client, "--all").stdout
    assert "entered in error" in plain and "locked" in plain


def test_auto_lock_period_and_device_name(cli: InProcessCli) -> None:
    assert "72 hours" in cli("note", "auto-lock").stdout
    assert "24 hours" in cli("note", "auto-lock", "--hours", "24").stdout
    bad = cli("note", "auto-lock", "--hours", "0")
    assert bad.returncode == 2 and "from 1 to 720" in bad.stderr
    assert cli("device", "set", "--name", "Laptop-2").returncode == 0
    assert json.loads(cli("device", "show", "--json").stdout)["name"] == "Laptop-2"
