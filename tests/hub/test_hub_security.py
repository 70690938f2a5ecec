"""Refusals (no token, another account's token, oversized) and the zero-knowledge canary."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hub_helpers import Device, RunningHub, enroll_device
from sqlalchemy import func, select, update
from sqlalchemy.engine import make_url

from casedesk.hub.models import Blob, ChangeLog, OpResultRow
from casedesk.hub.store import DeviceIdentity, HubSettings, HubStore
from casedesk.sync.envelope import EnvelopeIntegrityError, SyncKey, open_row, seal_row
from casedesk.sync.http_client import HubClient, HubRejected, HubUnreachable, NotAuthorized
from casedesk.sync.protocol import ErrorCode, OpKind

CANARY = "CANARY-Zq7-ÅsaLindqvist-0441-555-0199"


def _stored_ops(hub: RunningHub, account_id: str) -> tuple[int, int]:
    with hub.store.engine.connect() as connection:
        log = connection.execute(select(func.count()).select_from(ChangeLog).where(
            ChangeLog.account_id == account_id)).scalar_one()
        results = connection.execute(select(func.count()).select_from(OpResultRow).where(
            OpResultRow.account_id == account_id)).scalar_one()
    return int(log), int(results)


def _push_body(device: Device, device_id: str | None = None) -> dict[str, object]:
    op = device.op("client", "row-1")
    return {"device_id": device_id or device.device_id, "epoch": device.epoch,
            "ops": [op.model_dump(mode="json")]}


@pytest.fixture
def other(hub: RunningHub) -> Iterator[Device]:
    """A device of a second, unrelated account."""
    _account, token = hub.store.create_account("Worker B")
    enrolled = enroll_device(hub.url, token, SyncKey.generate())
    try:
        yield enrolled
    finally:
        enrolled.client.close()


@pytest.mark.parametrize("token", [None, "cdt_not-a-real-token"])
def test_requests_without_valid_token_are_refused(
    hub: RunningHub, device: Device, token: str | None
) -> None:
    headers = {"Authorization": f"Bearer {token}"} if token else {}

    push = httpx.post(f"{hub.url}/v1/push", json=_push_body(device), headers=headers)
    pull = httpx.get(f"{hub.url}/v1/pull", headers=headers)
    hello = httpx.post(f"{hub.url}/v1/hello", json={"protocols": [1], "schema_version": 1},
                       headers=headers)

    assert [push.status_code, pull.status_code, hello.status_code] == [401, 401, 401]
    assert push.json()["error"] == "unauthorized"
    assert _stored_ops(hub, device.account_id) == (0, 0)


def test_another_accounts_token_cannot_write_or_read_this_account(
    hub: RunningHub, device: Device, other: Device
) -> None:
    device.push(device.op("client", "row-1"))
    blob = device.client.upload_blob(b"encrypted attachment bytes")
    cursor = device.client.pull(None, device.epoch).next_cursor

    with pytest.raises(NotAuthorized):  # B's token presented for A's device
        other.client.push(device.device_id, device.epoch, [device.op("client", "row-2")])
    with pytest.raises(NotAuthorized):  # A's cursor presented with B's token
        other.client.pull(cursor, other.epoch)
    blob_get = httpx.get(f"{hub.url}/v1/blobs/{blob.sha256}",
                         headers={"Authorization": f"Bearer {other.token}"})

    assert other.client.pull(None, other.epoch).changes == []
    assert other.client.manifest(other.epoch, []).tables == []
    assert other.client.blob_status(blob.sha256).received_bytes == 0
    assert blob_get.status_code == 404
    assert _stored_ops(hub, device.account_id) == (1, 0)


def test_same_op_id_in_two_accounts_stays_separate(device: Device, other: Device) -> None:
    op_id = "01890000-0000-7000-8000-000000000001"
    mine = device.push(device.op("client", "row-1", op_id=op_id)).results[0]
    theirs = other.push(other.op("client", "row-1", op_id=op_id)).results[0]

    assert mine.status.value == theirs.status.value == "applied"
    assert [c.device_id for c in other.client.pull(None, other.epoch).changes] == [
        other.device_id]


def test_oversized_requests_are_refused_and_nothing_stored(
    hub: RunningHub, device: Device
) -> None:
    headers = {"Authorization": f"Bearer {device.token}", "Content-Type": "application/json"}
    body = json.dumps(_push_body(device)).encode()
    huge = body[:-2] + b' ' * (hub.store.settings.max_body_bytes + 1) + body[-2:]

    declared = httpx.post(f"{hub.url}/v1/push", content=huge, headers=headers)
    streamed = httpx.post(f"{hub.url}/v1/push", content=iter([huge[:1000], huge[1000:]]),
                          headers=headers)
    too_many = [device.op("client", f"r{i}").model_dump(mode="json") for i in range(501)]
    batch = httpx.post(f"{hub.url}/v1/push", headers=headers, json={
        "device_id": device.device_id, "epoch": device.epoch, "ops": too_many})

    assert declared.status_code == 413 and declared.json()["error"] == "payload_too_large"
    assert streamed.status_code == 413
    assert batch.status_code in (400, 413)
    assert _stored_ops(hub, device.account_id) == (0, 0)


def test_oversized_blob_chunk_is_refused(hub: RunningHub, device: Device) -> None:
    data = b"x" * (hub.store.settings.max_blob_chunk_bytes + 1)
    sha = hashlib.sha256(data).hexdigest()
    response = httpx.put(
        f"{hub.url}/v1/blobs/{sha}", content=data,
        headers={"Authorization": f"Bearer {device.token}",
                 "Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}"})

    assert response.status_code == 413
    with hub.store.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Blob).where(
            Blob.account_id == device.account_id)).scalar_one() == 0


# ---------------------------------------------------------------- zero knowledge


def _sync_canary_dataset(device: Device) -> None:
    """Push, update, conflict, append and pull rows full of the canary, sealed as a client does."""
    record = {"name": CANARY, "notes": CANARY * 3, "phone": "0441-555-0199"}
    device.push(device.op("client", "c1", payload=record),
                device.op("note", "n1", OpKind.APPEND, payload={"body": CANARY}))
    device.push(device.op("client", "c1", OpKind.UPDATE, base_version=1,
                          payload={**record, "status": "active"}))
    device.push(device.op("client", "c1", OpKind.UPDATE, base_version=1, payload=record))
    device.client.pull(None, device.epoch)
    sealed_attachment = seal_row(device.key, table="blob", row_id="b1", row_version=1,
                                 payload=record)
    device.client.upload_blob(sealed_attachment.encode())


def _canary_forms() -> list[bytes]:
    return [CANARY.encode(), CANARY.encode("utf-16-le"), b"Lindqvist", b"0441-555-0199"]


def _hits(data: bytes) -> list[bytes]:
    return [form for form in _canary_forms() if form in data]


def test_canary_never_reaches_hub_files_dump_or_logs(
    private_hub: RunningHub, hub_log: Path
) -> None:
    hub = private_hub
    _account, token = hub.store.create_account("Worker A")
    device = enroll_device(hub.url, token, SyncKey.generate())
    _sync_canary_dataset(device)
    device.client.close()
    hub.server.stop()

    assert _hits(hub_log.read_bytes()) == []
    assert hub_log.read_text().count("\n") > 5  # the log did record the requests
    assert _hits(_database_dump(hub.db_url)) == []
    if hub.db_url.startswith("sqlite"):
        files = list(Path(str(make_url(hub.db_url).database)).parent.glob("hub.db*"))
        assert files
        for path in files:
            assert _hits(path.read_bytes()) == [], path


def _database_dump(url: str) -> bytes:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        with sqlite3.connect(str(parsed.database)) as connection:
            return "\n".join(connection.iterdump()).encode()
    return subprocess.run(
        ["pg_dump", "-h", parsed.host or "127.0.0.1", "-p", str(parsed.port or 5432),
         "-U", parsed.username or "postgres", parsed.database or ""],
        check=True, capture_output=True,
    ).stdout


def test_stale_cursor_from_other_hub_is_refused(hub: RunningHub, device: Device) -> None:
    with HubClient(hub.url, device.token) as client:
        response = httpx.get(f"{hub.url}/v1/pull", params={"cursor": "e30.AAAA"},
                             headers={"Authorization": f"Bearer {device.token}"})
        assert client.pull(None, device.epoch).changes == []

    assert response.status_code == 400 and response.json()["error"] == "cursor_invalid"


def test_tampered_and_swapped_ciphertext_in_hub_db_fails_to_open(
    hub: RunningHub, device: Device
) -> None:
    device.push(*[device.op("client", f"row-{i}", payload={"n": i}) for i in range(4)])
    with hub.store.engine.begin() as connection:
        rows = {row.row_id: (row.server_seq, bytes(row.envelope)) for row in connection.execute(
            select(ChangeLog.row_id, ChangeLog.server_seq, ChangeLog.envelope).where(
                ChangeLog.account_id == device.account_id))}
        flipped = bytearray(rows["row-0"][1])
        flipped[-5] = ord("A") if flipped[-5] != ord("A") else ord("B")
        updates = {rows["row-0"][0]: bytes(flipped),  # one bit-level edit
                   rows["row-1"][0]: rows["row-2"][1],  # row-1 and row-2 swapped
                   rows["row-2"][0]: rows["row-1"][1]}
        for seq, envelope in updates.items():
            connection.execute(update(ChangeLog).where(ChangeLog.server_seq == seq)
                               .values(envelope=envelope))

    opened, failed = {}, []
    for change in device.client.pull(None, device.epoch).changes:
        assert change.envelope is not None
        try:
            opened[change.row_id] = open_row(device.key, change.envelope, table=change.table,
                                             row_id=change.row_id,
                                             row_version=change.row_version)
        except EnvelopeIntegrityError:
            failed.append(change.row_id)

    assert sorted(failed) == ["row-0", "row-1", "row-2"]
    assert opened == {"row-3": {"n": 3}}  # the untouched row still syncs


def test_expired_pairing_grant_is_refused(hub: RunningHub, device: Device) -> None:
    impatient = HubStore(hub.store.engine, HubSettings(pairing_grant_ttl_ms=0))
    grant = impatient.create_pairing_grant(
        DeviceIdentity(device.account_id, device.device_id)).grant

    with pytest.raises(HubRejected) as refused:
        HubClient(hub.url).enroll(grant, "late-device")

    assert refused.value.code is ErrorCode.ENROLLMENT_INVALID


def test_crash_inside_a_push_rolls_back_and_logs_no_data(
    hub: RunningHub, device: Device, hub_log: Path
) -> None:
    def explode(_who: DeviceIdentity, _seqs: object) -> None:
        raise RuntimeError(f"boom {CANARY}")

    hub.store.after_append = explode
    try:
        with pytest.raises(HubUnreachable, match="HTTP 500"):
            device.push(device.op("client", "row-1", payload={"name": CANARY}))
    finally:
        hub.store.after_append = None

    assert _stored_ops(hub, device.account_id) == (0, 0)
    assert _hits(hub_log.read_bytes()) == []
    assert '"status":500' in hub_log.read_text()
