"""The sync commands end to end (in-process ``casedesk`` main, real vaults, real hub)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from casedesk.cli import main

PASS = "correct horse battery staple 42"


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CASEDESK_PASSPHRASE", PASS)
    monkeypatch.setenv("CASEDESK_KDF", "test")

    def run(vault: Path, *args: str) -> tuple[int, str, str]:
        code = main(["--vault", str(vault), *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def test_sync_commands_round_trip(cli, fleet, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    first, second = tmp_path / "first", tmp_path / "second"
    for vault in (first, second):
        assert cli(vault, "init")[0] == 0
    _account, token = fleet.hub.store.create_account("Worker")
    assert cli(first, "sync-setup", "--hub", fleet.hub.url, "--token", token)[0] == 0
    code, out, _ = cli(first, "client", "add", "--given", "Ana", "--family", "Lima")
    assert code == 0
    assert cli(first, "sync")[0] == 0
    code, out, _ = cli(first, "pair-code", "--json")
    offer = json.loads(out)
    monkeypatch.setenv("CASEDESK_PAIRING_SHORT_CODE", offer["short_code"])
    assert cli(second, "sync-join", "--pairing-code", offer["pairing_code"])[0] == 0
    code, out, _ = cli(second, "sync", "--json")
    assert code == 0 and json.loads(out)["in_sync"] and json.loads(out)["pulled"] > 0
    code, out, _ = cli(second, "client", "list", "--json")
    assert [c["given_name"] for c in json.loads(out)] == ["Ana"]
    code, out, _ = cli(second, "conflicts", "--json")
    assert code == 0 and json.loads(out) == []

    bundle = tmp_path / "b.cdbundle"
    assert cli(first, "sync-export", "--out", str(bundle))[0] == 0
    code, out, _ = cli(second, "sync-import", str(bundle))
    assert code == 0 and "0 changed here" in out
    bundle.write_bytes(bundle.read_bytes()[:-3] + b"xyz")
    code, _out, err = cli(second, "sync-import", str(bundle))
    assert code == 1 and "altered or damaged" in err


def test_sync_exits_1_with_a_plain_reason_when_offline(cli, fleet, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    vault = tmp_path / "v"
    cli(vault, "init")
    code, _out, err = cli(vault, "sync")
    assert code == 1 and "not set up" in err.lower()
    _account, token = fleet.hub.store.create_account("Worker")
    assert cli(vault, "sync-setup", "--hub", fleet.hub.url, "--token", token)[0] == 0
    code, _out, err = cli(vault, "sync-setup", "--hub", fleet.hub.url, "--token", token)
    assert code == 1 and "already set up" in err
    from casedesk.services.vault_service import VaultService
    from casedesk.storage import sync_store
    from casedesk.sync.state import HUB_URL

    service = VaultService(vault)
    service.unlock(PASS)
    with service.db.session() as session:
        sync_store.set_setting(session, HUB_URL, "http://127.0.0.1:9")  # nothing listens there
    service.lock()
    cli(vault, "client", "add", "--given", "Ben", "--family", "Oak")
    code, _out, err = cli(vault, "sync")
    assert code == 1 and "cannot be reached" in err
