"""Network faults between device and hub, injected by a loopback proxy (no mocks, no sleeps)."""

from __future__ import annotations

import hashlib
import secrets

import httpx
import pytest
from fault_proxy import Action, Fault, FaultProxy
from hub_helpers import Device, RunningHub
from sqlalchemy import func, select

from casedesk.hub.models import Blob, BlobChunk, ChangeLog
from casedesk.sync.http_client import HubClient, HubUnreachable
from casedesk.sync.protocol import OpStatus


def _log_rows(hub: RunningHub, account_id: str) -> int:
    with hub.store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(ChangeLog).where(
            ChangeLog.account_id == account_id)).scalar_one())


def test_response_dropped_after_commit_then_retry_counts_once(
    hub: RunningHub, device: Device
) -> None:
    ops = [device.op("client", f"row-{i}") for i in range(20)]
    with FaultProxy(hub.url) as proxy, HubClient(proxy.url, device.token) as client:
        proxy.add(Fault(Action.DROP_RESPONSE, "/v1/push"))

        with pytest.raises(HubUnreachable):
            client.push(device.device_id, device.epoch, ops)
        assert _log_rows(hub, device.account_id) == 20  # committed before the answer was lost

        retry = client.push(device.device_id, device.epoch, ops)

    assert proxy.stats.faults_fired == [(Action.DROP_RESPONSE, "/v1/push")]
    assert [r.status for r in retry.results] == [OpStatus.DUPLICATE] * 20
    assert [r.server_seq for r in retry.results] == sorted(r.server_seq or 0 for r in retry.results)
    assert _log_rows(hub, device.account_id) == 20
    assert len(device.client.pull(None, device.epoch).changes) == 20


def test_push_refused_before_reaching_hub_stores_nothing(hub: RunningHub, device: Device) -> None:
    with FaultProxy(hub.url) as proxy, HubClient(proxy.url, device.token) as client:
        proxy.add(Fault(Action.REFUSE, "/v1/push"))
        with pytest.raises(HubUnreachable):
            client.push(device.device_id, device.epoch, [device.op("client", "row-1")])

    assert _log_rows(hub, device.account_id) == 0


def test_blob_upload_cut_at_half_resumes_from_reported_offset(
    hub: RunningHub, device: Device
) -> None:
    chunk = 64 * 1024
    data = secrets.token_bytes(16 * chunk)  # stands in for an encrypted signed PDF
    sha = hashlib.sha256(data).hexdigest()
    with FaultProxy(hub.url) as proxy, HubClient(proxy.url, device.token) as client:
        # Chunks 0..7 go through; chunk 8, the one starting at 50%, is cut after 1000 bytes.
        proxy.add(Fault(Action.CUT_REQUEST, "/v1/blobs/", method="PUT", skip=8, cut_after=1000))
        with pytest.raises(HubUnreachable):
            client.upload_blob(data, chunk_size=chunk)
        assert client.blob_status(sha).received_bytes == 8 * chunk

        sent_before_resume = proxy.stats.body_bytes("/v1/blobs/")
        final = client.upload_blob(data, chunk_size=chunk)
        resent = proxy.stats.body_bytes("/v1/blobs/") - sent_before_resume

    assert final.complete and final.received_bytes == len(data)
    assert resent == len(data) - 8 * chunk  # only the missing half travelled again
    assert device.client.download_blob(sha) == data
    with hub.store.engine.connect() as connection:
        blobs = select(func.count()).select_from(Blob).where(Blob.account_id == device.account_id)
        chunks = select(func.count()).select_from(BlobChunk).where(
            BlobChunk.account_id == device.account_id)
        assert connection.execute(blobs).scalar_one() == 1
        assert connection.execute(chunks).scalar_one() == 16


def test_blob_chunk_retried_after_lost_answer_is_idempotent(
    hub: RunningHub, device: Device
) -> None:
    chunk = 1024
    data = secrets.token_bytes(4 * chunk)
    with FaultProxy(hub.url) as proxy, HubClient(proxy.url, device.token) as client:
        proxy.add(Fault(Action.DROP_RESPONSE, "/v1/blobs/", method="PUT", skip=1))
        with pytest.raises(HubUnreachable):
            client.upload_blob(data, chunk_size=chunk)
        final = client.upload_blob(data, chunk_size=chunk)

    assert final.complete
    assert device.client.download_blob(hashlib.sha256(data).hexdigest()) == data


def test_blob_with_wrong_hash_is_discarded(hub: RunningHub, device: Device) -> None:
    data = b"not what the name says"
    wrong = hashlib.sha256(b"something else").hexdigest()
    response = httpx.put(
        f"{hub.url}/v1/blobs/{wrong}", content=data,
        headers={"Authorization": f"Bearer {device.token}",
                 "Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}"},
    )

    assert response.status_code == 422
    assert response.json()["error"] == "blob_hash_mismatch"
    assert device.client.blob_status(wrong).received_bytes == 0


def test_incomplete_blob_cannot_be_downloaded(hub: RunningHub, device: Device) -> None:
    data = secrets.token_bytes(4096)
    sha = hashlib.sha256(data).hexdigest()
    with FaultProxy(hub.url) as proxy, HubClient(proxy.url, device.token) as client:
        proxy.add(Fault(Action.CUT_REQUEST, "/v1/blobs/", method="PUT", skip=1, cut_after=10))
        with pytest.raises(HubUnreachable):
            client.upload_blob(data, chunk_size=1024)

    response = httpx.get(f"{hub.url}/v1/blobs/{sha}",
                         headers={"Authorization": f"Bearer {device.token}"})

    assert response.status_code == 404
    assert device.client.blob_status(sha).received_bytes == 1024
