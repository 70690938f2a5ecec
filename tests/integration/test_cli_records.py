"""``casedesk client|note|search|stats|demo-data``: the scriptable record commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from casedesk.domain.ids import is_uuid
from casedesk.services.demo_story import WORKER_CASELOAD_CLIENTS
from vaultkit import PASSPHRASE, InProcessCli


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    env = {
        "CASEDESK_VAULT": str(tmp_path / "vault"),
        "CASEDESK_KDF": "test",
        "CASEDESK_PASSPHRASE": PASSPHRASE,
    }
    runner = InProcessCli(monkeypatch, capsys, env)
    assert runner("init").returncode == 0
    return runner


def _add(cli: InProcessCli, given: str, family: str, *extra: str) -> str:
    result = cli("client", "add", "--given", given, "--family", family, *extra)
    assert result.returncode == 0, result.stderr
    client_id = result.stdout.strip()
    assert is_uuid(client_id)
    return client_id


def test_client_add_and_list(cli: InProcessCli) -> None:
    ada = _add(cli, "Ada", "Lovelace", "--dob", "1985-12-10")
    _add(cli, "Grace", "Hopper", "--preferred", "Amazing Grace")
    listed = cli("client", "list", "--json")
    assert listed.returncode == 0
    rows = json.loads(listed.stdout)
    assert [r["family_name"] for r in rows] == ["Hopper", "Lovelace"]
    assert rows[1]["id"] == ada and rows[1]["date_of_birth"] == "1985-12-10"
    plain = cli("client", "list")
    assert "Amazing Grace Hopper" in plain.stdout and ada in plain.stdout


def test_unicode_names_round_trip(cli: InProcessCli) -> None:
    names = [("محمد", "العلي"), ("Thảo", "Nguyễn"), ("Zoë 🌻", "O'Brien-Ngata"), ("李", "小龙")]
    for given, family in names:
        _add(cli, given, family)
    rows = json.loads(cli("client", "list", "--json").stdout)
    assert sorted((r["given_name"], r["family_name"]) for r in rows) == sorted(names)
    found = json.loads(cli("search", "Nguy", "--json").stdout)
    assert [c["name"] for c in found["clients"]] == ["Thảo Nguyễn"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dob", "1984-02-30"], "date of birth: Please enter a real date"),
        (["--dob", "2999-01-01"], "can't be in the future"),
        (["--dob", "yesterday"], "YYYY-MM-DD"),
        (["--dob", "1815-12-10"], "before 1900"),
    ],
)
def test_client_add_validation_is_exit_2(cli: InProcessCli, args: list[str], message: str) -> None:
    result = cli("client", "add", "--given", "Ada", "--family", "Lovelace", *args)
    assert result.returncode == 2 and message in result.stderr
    assert json.loads(cli("client", "list", "--json").stdout) == []


def test_client_add_blank_name_is_exit_2(cli: InProcessCli) -> None:
    result = cli("client", "add", "--given", "  ", "--family", "\t")
    assert result.returncode == 2 and "given name: This is required." in result.stderr


def test_note_add_and_search(cli: InProcessCli) -> None:
    client_id = _add(cli, "Marama", "Tane")
    note = cli("note", "add", "--client", client_id, "--text", "Talked about the wharekai roster")
    assert note.returncode == 0 and is_uuid(note.stdout.strip())
    found = json.loads(cli("search", "wharekai", "--json").stdout)
    assert [n["id"] for n in found["notes"]] == [note.stdout.strip()]
    assert found["notes"][0]["client_name"] == "Marama Tane"
    assert "[wharekai]" in found["notes"][0]["snippet"]
    by_name = json.loads(cli("search", "mara", "--json").stdout)
    assert [c["id"] for c in by_name["clients"]] == [client_id]
    assert json.loads(cli("search", "***", "--json").stdout) == {"clients": [], "notes": []}
    text = cli("search", "wharekai")
    assert text.returncode == 0 and text.stdout.startswith("note")


def test_note_add_refusals(cli: InProcessCli) -> None:
    unknown = cli("note", "add", "--client", "01a20000-0000-7000-8000-000000000000", "--text", "x")
    assert unknown.returncode == 1 and "could not be found" in unknown.stderr
    client_id = _add(cli, "Ada", "Lovelace")
    empty = cli("note", "add", "--client", client_id, "--text", "   ")
    assert empty.returncode == 2 and "body: This is required." in empty.stderr


def test_stats_counts_rows(cli: InProcessCli) -> None:
    client_id = _add(cli, "Ada", "Lovelace")
    cli("note", "add", "--client", client_id, "--text", "one")
    counts = json.loads(cli("stats", "--json").stdout)
    assert counts["client"] == 1 and counts["case_note"] == 1
    assert counts["audit_event"] == 2 and counts["sync_outbox"] >= 4
    table = cli("stats")
    assert table.returncode == 0 and "case_note" in table.stdout


def test_demo_data_small(cli: InProcessCli) -> None:
    result = cli("demo-data", "--clients", "3", "--seed", "5", "--anchor-date", "2026-06-30")
    assert result.returncode == 0, result.stderr
    assert "Generated 3 clients" in result.stdout
    counts = json.loads(cli("stats", "--json").stdout)
    assert counts["client"] == 3 and counts["case_note"] > 30 and counts["goal"] > 0
    assert cli("check").returncode == 0


def test_demo_data_without_a_count_is_one_workers_caseload(cli: InProcessCli) -> None:
    result = cli("demo-data", "--anchor-date", "2026-06-30")

    assert result.returncode == 0, result.stderr
    assert f"Generated {WORKER_CASELOAD_CLIENTS} clients" in result.stdout
    assert json.loads(cli("stats", "--json").stdout)["client"] == WORKER_CASELOAD_CLIENTS


def test_usage_errors_are_exit_2(cli: InProcessCli) -> None:
    assert cli("client").returncode == 2
    assert cli("note", "add", "--client", "x").returncode == 2
    assert cli("demo-data", "--clients", "many").returncode == 2
    assert cli("no-such-command").returncode == 2
