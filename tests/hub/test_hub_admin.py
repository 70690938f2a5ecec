"""``casedesk-hub`` admin commands: plain messages and exit codes, never a traceback; the
offline ``/docs`` page; JSON logs without uvicorn's colour codes."""

from __future__ import annotations

import json
import logging
import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hub_helpers import Device, RunningHub, enroll_device, start_hub

from casedesk import __version__
from casedesk.hub.cli import main as hub_cli
from casedesk.hub.logs import JsonFormatter
from casedesk.sync.envelope import SyncKey
from casedesk.sync.http_client import NotAuthorized


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = hub_cli(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        hub_cli(["--version"])

    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"casedesk-hub {__version__}"


@pytest.fixture
def two_accounts_one_device_id(private_hub: RunningHub) -> Iterator[tuple[Device, Device]]:
    """Two accounts, each with a device that chose the id ``laptop-1``."""
    devices = []
    for name in ("Worker A", "Worker B"):
        _account, token = private_hub.store.create_account(name)
        devices.append(enroll_device(private_hub.url, token, SyncKey.generate(), "laptop-1"))
    try:
        yield devices[0], devices[1]
    finally:
        for device in devices:
            device.client.close()


def test_revoke_device_id_held_by_two_accounts_needs_the_account(
    private_hub: RunningHub, two_accounts_one_device_id: tuple[Device, Device],
    capsys: pytest.CaptureFixture[str],
) -> None:
    mine, theirs = two_accounts_one_device_id
    url = private_hub.db_url

    code, _out, err = _run(capsys, "revoke-device", "--db", url, "--device", "laptop-1")

    assert code == 2
    assert mine.account_id in err and theirs.account_id in err and "--account" in err
    mine.client.pull(None, mine.epoch)  # nothing was revoked
    theirs.client.pull(None, theirs.epoch)

    code, out, _err = _run(capsys, "revoke-device", "--db", url, "--device", "laptop-1",
                           "--account", mine.account_id)

    assert code == 0 and mine.account_id in out and theirs.account_id not in out
    with pytest.raises(NotAuthorized):
        mine.client.pull(None, mine.epoch)
    theirs.client.pull(None, theirs.epoch)  # the other account's laptop still syncs


def test_list_devices_names_each_devices_account(
    private_hub: RunningHub, two_accounts_one_device_id: tuple[Device, Device],
    capsys: pytest.CaptureFixture[str],
) -> None:
    mine, theirs = two_accounts_one_device_id

    code, out, _err = _run(capsys, "list-devices", "--db", private_hub.db_url)

    assert code == 0
    assert re.search(rf"^{mine.account_id}  laptop-1  active .*\(Worker A\)$", out, re.M)
    assert re.search(rf"^{theirs.account_id}  laptop-1  active .*\(Worker B\)$", out, re.M)


def test_revoke_unknown_device_says_so(
    private_hub: RunningHub, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = _run(capsys, "revoke-device", "--db", private_hub.db_url,
                           "--device", "nobody", "--account", "acct-x")

    assert code == 1
    assert err.strip() == "casedesk-hub: no device nobody in account acct-x (see list-devices)"


@pytest.mark.parametrize("name, problem", [
    ("x" * 201, "at most 200 characters (this one has 201)"),
    ("Sam\x00", "control characters"),
    ("   ", "cannot be empty"),
])
def test_create_account_refuses_a_name_the_database_cannot_hold(
    hub_url: str, capsys: pytest.CaptureFixture[str], name: str, problem: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        hub_cli(["create-account", "--db", hub_url, "--name", name])

    err = capsys.readouterr().err
    assert exited.value.code == 2 and problem in err and "Traceback" not in err
    code, out, _err = _run(capsys, "create-account", "--db", hub_url, "--name", "y" * 200)
    assert code == 0 and "enrollment token" in out


@pytest.mark.postgres
def test_admin_commands_on_a_postgres_database_that_does_not_exist(
    pg_session_database: str, capsys: pytest.CaptureFixture[str],
) -> None:
    name = f"casedesk_hub_missing_{secrets.token_hex(4)}"
    url = f"{pg_session_database.rsplit('/', 1)[0]}/{name}"

    for argv in (["list-devices", "--db", url], ["create-account", "--db", url, "--name", "S"],
                 ["rotate-epoch", "--db", url]):
        code, _out, err = _run(capsys, *argv)

        assert code == 1
        assert f'database "{name}" does not exist' in err and "createdb" in err


def test_admin_commands_on_a_sqlite_file_that_does_not_exist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "typo.db"
    url = f"sqlite:///{missing}"

    for argv in (["list-devices", "--db", url], ["revoke-device", "--db", url, "--device", "d"],
                 ["rotate-epoch", "--db", url], ["backup", "--db", url, "--out",
                                                 str(tmp_path / "b.db")]):
        code, _out, err = _run(capsys, *argv)

        assert (code, err.strip()) == (1, f"casedesk-hub: there is no hub database at {missing}; "
                                          "check --db")
    assert not missing.exists() and not (tmp_path / "b.db").exists()
    code, _out, err = _run(capsys, "create-account", "--db", f"sqlite:///{tmp_path}/no/h.db",
                           "--name", "Sam")
    assert code == 1 and "does not exist" in err


@pytest.mark.parametrize("url, problem", [
    ("not a url", "--db is not a database URL: use sqlite:///path/hub.db or postgresql+psycopg"),
    ("mysql://host/db", "unsupported hub database 'mysql': use sqlite:/// or postgresql+psycopg"),
])
def test_admin_commands_with_a_wrong_url_are_usage_errors(
    capsys: pytest.CaptureFixture[str], url: str, problem: str
) -> None:
    code, _out, err = _run(capsys, "list-devices", "--db", url)

    assert code == 2 and err.startswith(f"casedesk-hub: {problem}")


def test_damaged_sqlite_file_is_reported_as_damaged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "hub.db"
    path.write_bytes(b"not a database " * 100)

    code, _out, err = _run(capsys, "list-devices", "--db", f"sqlite:///{path}")

    assert code == 4 and "damaged" in err


def test_docs_page_loads_every_asset_from_the_hub_itself(hub: RunningHub) -> None:
    page = httpx.get(f"{hub.url}/docs")
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    assets += re.findall(r"""url: ?["']([^"']+)["']""", page.text)

    assert page.status_code == 200
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets)
    for asset in assets:
        assert asset.startswith("/"), f"{asset} would be fetched from another host"
        assert httpx.get(f"{hub.url}{asset}").status_code == 200, asset


def test_json_log_lines_carry_no_terminal_colour_codes(tmp_path: Path) -> None:
    path = tmp_path / "hub.jsonl"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(JsonFormatter())
    uvicorn_log = logging.getLogger("uvicorn.error")
    previous = uvicorn_log.level
    uvicorn_log.addHandler(handler)
    uvicorn_log.setLevel(logging.INFO)
    try:
        store, server = start_hub(f"sqlite:///{tmp_path / 'hub.db'}")
        server.stop()
        store.engine.dispose()
    finally:
        uvicorn_log.removeHandler(handler)
        uvicorn_log.setLevel(previous)
        handler.close()

    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert any(line["event"].startswith("Started server process") for line in lines)
    assert all("color_message" not in line for line in lines)
    assert "\x1b" not in path.read_text() and "\\u001b" not in path.read_text()
