"""Protocol semantics against a real hub over loopback, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import httpx
import pytest
from hub_helpers import Device, RunningHub, enroll_device

from casedesk.sync.envelope import open_row
from casedesk.sync.http_client import EpochChanged, HubClient, HubRejected, UpgradeRequired
from casedesk.sync.protocol import ErrorCode, OpKind, OpStatus, RejectReason, table_digest


def test_hello_negotiates_protocol_and_reports_identity(hub: RunningHub, device: Device) -> None:
    hello = device.client.hello(schema_version=1)

    assert hello.protocol == 1
    assert hello.epoch == hub.store.current_epoch()
    assert hello.account_id == device.account_id
    assert hello.device_id == device.device_id
    assert hello.e2ee_required


def test_hello_refuses_schema_skew_both_ways(hub: RunningHub, device: Device) -> None:
    hub.store.set_schema_range(2, 3)
    try:
        with pytest.raises(UpgradeRequired) as old_app:
            device.client.hello(schema_version=1)
        with pytest.raises(UpgradeRequired) as old_hub:
            device.client.hello(schema_version=4)
    finally:
        hub.store.set_schema_range(1, 1)  # the hub is shared by the module

    assert old_app.value.status == 426 and not old_app.value.hub_too_old
    assert old_hub.value.hub_too_old
    assert "unsynced changes are kept" in str(old_hub.value)


def test_push_applies_and_replay_returns_stored_result(device: Device) -> None:
    op = device.op("client", "row-1")

    first = device.push(op).results[0]
    replay = device.push(op).results[0]

    assert first.status is OpStatus.APPLIED and first.row_version == 1
    assert replay.status is OpStatus.DUPLICATE
    assert (replay.row_version, replay.server_seq) == (first.row_version, first.server_seq)
    assert len(device.client.pull(None, device.epoch).changes) == 1


def test_same_op_twice_in_one_batch_counts_once(device: Device) -> None:
    op = device.op("client", "row-1")

    results = device.push(op, op).results

    assert [r.status for r in results] == [OpStatus.APPLIED, OpStatus.DUPLICATE]
    assert results[0].server_seq == results[1].server_seq


def test_stale_base_is_a_conflict_carrying_current_envelope(device: Device) -> None:
    device.push(device.op("client", "row-1", payload={"phone": "1"}))
    device.push(device.op("client", "row-1", OpKind.UPDATE, base_version=1,
                          payload={"phone": "2"}))

    stale = device.op("client", "row-1", OpKind.UPDATE, base_version=1, payload={"phone": "3"})
    result = device.push(stale).results[0]

    assert result.status is OpStatus.CONFLICT
    assert result.row_version == 2 and result.current is not None
    assert result.current.envelope is not None
    current = open_row(device.key, result.current.envelope, table="client", row_id="row-1",
                       row_version=result.current.row_version)
    assert current == {"phone": "2"}

    # The conflict is not final: the same op id, rebased on version 2, is applied.
    rebased = device.op("client", "row-1", OpKind.UPDATE, base_version=2,
                        payload={"phone": "3"}, op_id=stale.op_id)
    assert device.push(rebased).results[0].status is OpStatus.APPLIED


def test_insert_of_existing_row_conflicts(device: Device) -> None:
    device.push(device.op("client", "row-1"))

    result = device.push(device.op("client", "row-1")).results[0]

    assert result.status is OpStatus.CONFLICT and result.row_version == 1


def test_append_only_rows_refuse_update_and_delete(device: Device) -> None:
    device.push(device.op("note", "note-1", OpKind.APPEND))

    update = device.op("note", "note-1", OpKind.UPDATE, base_version=1)
    removal = device.op("note", "note-1", OpKind.DELETE, base_version=1)
    again = device.op("note", "note-1", OpKind.APPEND)
    results = device.push(update, removal, again).results

    assert [r.status for r in results] == [OpStatus.REJECTED] * 3
    assert [r.reason for r in results] == [
        RejectReason.APPEND_ONLY, RejectReason.APPEND_ONLY, RejectReason.ALREADY_EXISTS]
    # A refusal is final, so a replay answers the same.
    assert device.push(update).results[0].reason is RejectReason.APPEND_ONLY


def test_partial_batch_rejection_reports_every_op(device: Device) -> None:
    ops = [device.op("client", f"row-{i}") for i in range(49)]
    ops.insert(20, device.op("client", "ghost", OpKind.UPDATE, base_version=3))

    results = device.push(*ops).results

    assert [r.op_id for r in results] == [op.op_id for op in ops]
    assert sum(r.status is OpStatus.APPLIED for r in results) == 49
    assert results[20].reason is RejectReason.NOT_FOUND


def test_delete_writes_a_tombstone_and_update_can_resurrect(device: Device) -> None:
    device.push(device.op("client", "row-1"))
    device.push(device.op("client", "row-1", OpKind.DELETE, base_version=1))
    device.push(device.op("client", "row-1", OpKind.UPDATE, base_version=2))

    changes = device.client.pull(None, device.epoch).changes

    assert [(c.kind, c.row_version, c.deleted) for c in changes] == [
        (OpKind.INSERT, 1, False), (OpKind.DELETE, 2, True), (OpKind.UPDATE, 3, False)]


def test_pull_pages_in_server_order_by_cursor(device: Device) -> None:
    for start in range(0, 25, 10):
        device.push(*[device.op("client", f"row-{i:02d}") for i in range(start, start + 10)])

    seen: list[int] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = device.client.pull(cursor, device.epoch, limit=7)
        seen.extend(change.server_seq for change in page.changes)
        cursor, pages = page.next_cursor, pages + 1
        if not page.has_more:
            break

    assert pages == 5
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 30
    assert page.high_water_seq == seen[-1]
    assert device.client.pull(cursor, device.epoch).changes == []


def test_pulled_envelopes_open_for_their_row(device: Device) -> None:
    device.push(device.op("client", "row-1", payload={"name": "A"}))

    change = device.client.pull(None, device.epoch).changes[0]

    assert change.envelope is not None
    assert open_row(device.key, change.envelope, table=change.table, row_id=change.row_id,
                    row_version=change.row_version) == {"name": "A"}


def test_altered_cursor_is_refused(device: Device) -> None:
    device.push(device.op("client", "row-1"))
    cursor = device.client.pull(None, device.epoch).next_cursor
    body, _, mac = cursor.partition(".")
    forged = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1] + "." + mac

    with pytest.raises(HubRejected) as refused:
        device.client.pull(forged, device.epoch)

    assert refused.value.code is ErrorCode.CURSOR_INVALID


def test_push_with_an_old_epoch_is_refused(device: Device) -> None:
    with pytest.raises(EpochChanged):
        device.client.push(device.device_id, "not-the-epoch", [device.op("client", "row-1")])

    assert device.client.pull(None, device.epoch).changes == []


def test_manifest_finds_diverging_tables(device: Device) -> None:
    device.push(device.op("client", "a"), device.op("client", "b"), device.op("goal", "g"))

    same = table_digest("client", [("a", 1), ("b", 1)])
    differs = table_digest("goal", [("g", 2)])
    answer = device.client.manifest(device.epoch, [same, differs])

    assert answer.mismatched == ["goal"]
    rows = device.client.manifest_rows("goal", device.epoch)
    assert [(r.row_id, r.row_version) for r in rows.rows] == [("g", 1)]


def test_openapi_schema_is_served(hub: RunningHub) -> None:
    schema = httpx.get(f"{hub.url}/openapi.json").json()

    assert "/v1/push" in schema["paths"] and "/v1/pull" in schema["paths"]


def test_pairing_grant_enrolls_a_second_device_once(hub: RunningHub, device: Device) -> None:
    grant = device.client.create_pairing_grant().grant

    second = HubClient(hub.url).enroll(grant, "device-two")

    assert second.account_id == device.account_id
    with pytest.raises(HubRejected) as reused:
        HubClient(hub.url).enroll(grant, "device-three")
    assert reused.value.code is ErrorCode.ENROLLMENT_INVALID


def test_one_row_changed_several_times_in_one_batch(device: Device) -> None:
    insert = device.op("client", "row-1", payload={"v": 1})
    update = device.op("client", "row-1", OpKind.UPDATE, base_version=1, payload={"v": 2})
    stale = device.op("client", "row-1", OpKind.UPDATE, base_version=1, payload={"v": 3})

    results = device.push(insert, update, stale).results

    assert [r.status for r in results] == [OpStatus.APPLIED, OpStatus.APPLIED, OpStatus.CONFLICT]
    assert results[0].server_seq is not None and results[1].server_seq is not None
    assert results[0].server_seq < results[1].server_seq
    current = results[2].current
    assert current is not None and current.envelope is not None and current.row_version == 2
    assert open_row(device.key, current.envelope, table="client", row_id="row-1",
                    row_version=2) == {"v": 2}
    heads = device.client.manifest_rows("client", device.epoch).rows
    assert [(r.row_id, r.row_version) for r in heads] == [("row-1", 2)]


def test_op_id_reused_for_another_row_is_refused(device: Device) -> None:
    first = device.op("client", "row-1")
    device.push(first)

    reused = device.op("client", "row-2", op_id=first.op_id)
    result = device.push(reused).results[0]

    assert result.status is OpStatus.REJECTED and result.reason is RejectReason.OP_ID_REUSED


def test_concurrent_pushes_from_several_devices_all_land(hub: RunningHub, device: Device) -> None:
    devices = [device] + [
        enroll_device(hub.url, device.client.create_pairing_grant().grant, device.key)
        for _ in range(3)
    ]
    errors: list[BaseException] = []

    def push_batches(member: Device) -> None:
        try:
            for batch in range(5):
                ops = [member.op("client", f"{member.device_id}-{batch}-{i}") for i in range(20)]
                assert {r.status for r in member.push(*ops).results} == {OpStatus.APPLIED}
        except BaseException as error:  # surfaced in the main thread below
            errors.append(error)

    threads = [threading.Thread(target=push_batches, args=(member,)) for member in devices]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    seqs: list[int] = []
    cursor: str | None = None
    while True:
        page = device.client.pull(cursor, device.epoch, limit=150)
        seqs += [change.server_seq for change in page.changes]
        cursor = page.next_cursor
        if not page.has_more:
            break
    assert len(seqs) == len(set(seqs)) == 4 * 5 * 20
    assert seqs == sorted(seqs)
