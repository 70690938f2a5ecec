"""Input the hub's OpenAPI schema now refuses: each used to crash a backend with a 500.

Every case runs on SQLite and PostgreSQL. The refusal must be a documented 4xx, must store
nothing (the rest of the batch included) and must leave the hub working for the next request.
"""

from __future__ import annotations

import json

import httpx
import pytest
from hub_helpers import Device, RunningHub
from sqlalchemy import func, select

from casedesk.hub.models import ChangeLog, OpResultRow
from casedesk.hub.models import Device as DeviceRow
from casedesk.sync.http_client import HubClient
from casedesk.sync.protocol import ErrorCode, OpStatus


def _auth(device: Device) -> dict[str, str]:
    return {"Authorization": f"Bearer {device.token}", "Content-Type": "application/json"}


def _stored(hub: RunningHub, account_id: str) -> int:
    with hub.store.engine.connect() as connection:
        log = connection.execute(select(func.count()).select_from(ChangeLog).where(
            ChangeLog.account_id == account_id)).scalar_one()
        refused = connection.execute(select(func.count()).select_from(OpResultRow).where(
            OpResultRow.account_id == account_id)).scalar_one()
    return int(log) + int(refused)


def _assert_bad_request(response: httpx.Response) -> None:
    assert response.status_code == 400, response.text
    assert response.json()["error"] == ErrorCode.BAD_REQUEST


# The raw JSON text of one field, so lone surrogates and huge integers reach the hub as sent.
PUSH_OP_CASES = {
    "non-ASCII envelope": ("envelope", '"v1:0123456789abcdef:AAAA\u00e9"'),
    "schema_version 2^31 (PostgreSQL integer)": ("schema_version", str(2**31)),
    "schema_version 2^64 (SQLite integer)": ("schema_version", str(2**64)),
    "base_version 2^64": ("base_version", str(2**64)),
    "NUL in hlc": ("hlc", json.dumps("000000000000001-00000-d\x00")),
    "lone surrogate in hlc": ("hlc", '"\\ud800"'),
}


@pytest.mark.parametrize("field, raw", PUSH_OP_CASES.values(), ids=list(PUSH_OP_CASES))
def test_push_op_outside_the_schema_is_refused_and_stores_nothing(
    hub: RunningHub, device: Device, field: str, raw: str
) -> None:
    good, bad = device.op("client", "row-1"), device.op("client", "row-2")
    ops = [good.model_dump(mode="json"), {**bad.model_dump(mode="json"), field: "@RAW@"}]
    body = json.dumps({"device_id": device.device_id, "epoch": device.epoch, "ops": ops})

    response = httpx.post(f"{hub.url}/v1/push", headers=_auth(device),
                          content=body.replace('"@RAW@"', raw).encode())

    _assert_bad_request(response)
    assert _stored(hub, device.account_id) == 0
    assert device.push(good).results[0].status is OpStatus.APPLIED


@pytest.mark.parametrize("name", ["laptop\x00", "\ud800", "x" * 101])
def test_enrollment_with_an_unstorable_device_name_keeps_the_token_usable(
    hub: RunningHub, name: str
) -> None:
    _account, token = hub.store.create_account("Worker A")
    body = json.dumps({"enrollment_token": token, "device_id": "laptop-1", "device_name": name})

    response = httpx.post(f"{hub.url}/v1/enroll", content=body.encode(),
                          headers={"Content-Type": "application/json"})

    _assert_bad_request(response)
    enrolled = HubClient(hub.url).enroll(token, "laptop-1", "Zoë’s laptop")
    assert enrolled.device_id == "laptop-1"
    with hub.store.engine.connect() as connection:
        names = connection.execute(select(DeviceRow.name).where(
            DeviceRow.account_id == enrolled.account_id)).scalars().all()
    assert names == ["Zoë’s laptop"]


@pytest.mark.parametrize("query", [
    {"after": "row\x00"}, {"after": "é"}, {"epoch": "e\x00"}, {"limit": str(2**64)},
])
def test_manifest_rows_query_outside_the_schema_is_refused(
    hub: RunningHub, device: Device, query: dict[str, str]
) -> None:
    response = httpx.get(f"{hub.url}/v1/manifest/client", params=query, headers=_auth(device))

    _assert_bad_request(response)
    assert device.client.manifest_rows("client", device.epoch).rows == []


@pytest.mark.parametrize("query", [{"cursor": "a\x00.b"}, {"epoch": "\x00"}])
def test_pull_query_outside_the_schema_is_refused(
    hub: RunningHub, device: Device, query: dict[str, str]
) -> None:
    response = httpx.get(f"{hub.url}/v1/pull", params=query, headers=_auth(device))

    _assert_bad_request(response)


def test_hello_with_huge_numbers_is_refused(hub: RunningHub, device: Device) -> None:
    body = f'{{"protocols": [{2**64}], "schema_version": {2**64}}}'

    response = httpx.post(f"{hub.url}/v1/hello", content=body.encode(), headers=_auth(device))

    _assert_bad_request(response)


@pytest.mark.parametrize("method, path, allowed", [
    ("DELETE", "/v1/push", "POST"),
    ("PUT", "/v1/health", "GET"),
    ("PATCH", "/v1/blobs/" + "0" * 64, "GET, PUT"),
])
def test_unlisted_methods_get_405_with_allow(
    hub: RunningHub, method: str, path: str, allowed: str
) -> None:
    response = httpx.request(method, f"{hub.url}{path}")

    assert response.status_code == 405
    assert response.json()["error"] == ErrorCode.METHOD_NOT_ALLOWED
    assert response.headers["allow"] == allowed


def test_refusals_are_documented_in_the_openapi_schema(hub: RunningHub) -> None:
    schema = httpx.get(f"{hub.url}/openapi.json").json()
    op = schema["components"]["schemas"]["PushOp"]["properties"]

    assert op["envelope"]["anyOf"][0]["pattern"]
    assert op["schema_version"]["maximum"] == 2**31 - 1
    assert op["hlc"]["pattern"]
    push = schema["paths"]["/v1/push"]["post"]["responses"]
    assert {"400", "405"} <= set(push)
