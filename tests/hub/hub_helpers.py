"""Helpers shared by the hub tests: running hubs and enrolled devices."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from casedesk.hub.server import BackgroundHub, open_store
from casedesk.hub.store import HubSettings, HubStore
from casedesk.sync.envelope import SyncKey, seal_row
from casedesk.sync.http_client import HubClient
from casedesk.sync.protocol import OpKind, PushOp, PushResponse


@dataclass
class RunningHub:
    store: HubStore
    server: BackgroundHub
    db_url: str

    @property
    def url(self) -> str:
        return str(self.server.url)


def start_hub(db_url: str, settings: HubSettings | None = None) -> tuple[HubStore, BackgroundHub]:
    store = open_store(db_url, settings)
    return store, BackgroundHub(store).start()


@dataclass
class Device:
    """An enrolled test device: its client, ids and the account sync key."""

    client: HubClient
    device_id: str
    account_id: str
    epoch: str
    token: str
    key: SyncKey

    def op(self, table: str, row_id: str, kind: OpKind = OpKind.INSERT,
           base_version: int | None = None, payload: Mapping[str, object] | None = None,
           op_id: str | None = None) -> PushOp:
        """A sealed operation, as the client engine would build it."""
        version = (base_version or 0) + 1
        envelope = None
        if kind is not OpKind.DELETE:
            envelope = seal_row(self.key, table=table, row_id=row_id, row_version=version,
                                payload=payload or {"row": row_id})
        return PushOp(op_id=op_id or str(uuid.uuid4()), table=table, row_id=row_id, kind=kind,
                      base_version=base_version, envelope=envelope,
                      hlc=f"{version:015d}-00000-{self.device_id}", schema_version=1)

    def push(self, *ops: PushOp) -> PushResponse:
        return self.client.push(self.device_id, self.epoch, list(ops))


def enroll_device(hub_base_url: str, enrollment_token: str, key: SyncKey,
                  device_id: str | None = None) -> Device:
    device_id = device_id or str(uuid.uuid4())
    enrolled = HubClient(hub_base_url).enroll(enrollment_token, device_id, "test device")
    client = HubClient(hub_base_url, enrolled.device_token)
    hello = client.hello(schema_version=1)
    return Device(client=client, device_id=device_id, account_id=enrolled.account_id,
                  epoch=hello.epoch, token=enrolled.device_token, key=key)


