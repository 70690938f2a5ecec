"""Test devices (real SQLCipher vaults with the real sync service) and state comparison."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text

from casedesk.domain.clients import ClientInput
from casedesk.domain.hlc import HybridClock
from casedesk.services.bundle import Services
from casedesk.services.sync_service import SyncResult
from casedesk.services.vault_service import VaultService
from casedesk.storage import sync_store as store
from casedesk.storage.models import SYNCED_TABLES, OutboxOp
from casedesk.storage.outbox import CLOCK_KEY
from casedesk.sync.engine import content_hash
from casedesk.sync.envelope import open_row
from casedesk.sync.pairing import KdfCost
from casedesk.sync.state import load_connection

PASSPHRASE = "correct horse battery staple 42"
FAST_PAIRING = KdfCost(time_cost=1, memory_kib=8, parallelism=1)


@dataclass
class Device:
    """One device: a vault, its services, and the sync service on it."""

    name: str
    vault: VaultService
    services: Services

    @property
    def sync(self) -> Any:
        return self.services.sync

    @property
    def db(self) -> Any:
        return self.vault.db

    def sync_ok(self, **kwargs: Any) -> SyncResult:
        result: SyncResult = self.sync.sync_once(**kwargs)
        assert result.in_sync, result
        return result

    def add_client(self, given: str, family: str = "Test", **extra: Any) -> str:
        record = self.services.clients.add_client(
            ClientInput(given_name=given, family_name=family, **extra)
        )
        return str(record.id)

    def set_clock(self, wall_ms: Any) -> None:
        """Replace the wall clock of the HLC (skew, rewind)."""
        old: HybridClock = self.db.session_info[CLOCK_KEY]
        new = HybridClock(old.device_id, None, wall_clock=wall_ms)
        new._last_wall, new._last_counter = old._last_wall, old._last_counter
        self.db.session_info[CLOCK_KEY] = new

    def pending_ops(self) -> list[OutboxOp]:
        with self.db.read() as session:
            return list(session.scalars(select(OutboxOp).where(OutboxOp.state == "pending")))

    def table_hashes(self) -> dict[str, str]:
        return table_hashes(self.db)

    def rows(self, table: str) -> dict[str, dict[str, Any]]:
        with self.db.read() as session:
            model = store.model_for(table)
            ids = list(session.scalars(select(model.id)))
            return {i: store.row_payload(session, table, i) or {} for i in ids}

    def reopen(self) -> None:
        """Unlock again after another process used the vault (keeps hub settings)."""
        factory = self.services.sync.hub_factory
        self.vault.unlock(PASSPHRASE)
        self.services = Services.for_vault(self.vault)
        self.services.sync.pairing_cost = FAST_PAIRING
        self.services.sync.hub_factory = factory

    def close(self) -> None:
        if self.vault.is_unlocked:
            self.vault.lock()


def table_hashes(db: Any) -> dict[str, str]:
    """Per synced table: a hash over (row id, payload hash) of every row, tombstones included."""
    out: dict[str, str] = {}
    with db.read() as session:
        for table in SYNCED_TABLES:
            model = store.model_for(table)
            ids = sorted(session.scalars(select(model.id)))
            pairs = [(i, content_hash(store.row_payload(session, table, i) or {})) for i in ids]
            out[table] = content_hash({"rows": pairs})
    return out


def hub_table_hashes(db_url: str, key: Any, account_id: str) -> dict[str, str]:
    """The same hashes computed from the hub's newest envelope of every row (decrypted here)."""
    engine = create_engine(db_url)
    rows: dict[str, list[tuple[str, str]]] = {t: [] for t in SYNCED_TABLES}
    try:
        with engine.connect() as conn:
            result = conn.execute(
                text(
                    "SELECT h.table_name, h.row_id, c.row_version, c.envelope FROM hub_row_head h "
                    "JOIN hub_change_log c ON c.server_seq = h.last_seq "
                    "WHERE h.account_id = :account"
                ),
                {"account": account_id},
            )
            for table, row_id, version, envelope in result:
                data = open_row(
                    key,
                    bytes(envelope).decode("ascii"),
                    table=table,
                    row_id=row_id,
                    row_version=version,
                )
                rows[table].append((row_id, content_hash(data["values"])))
    finally:
        engine.dispose()
    return {t: content_hash({"rows": sorted(pairs)}) for t, pairs in rows.items()}


@dataclass
class Fleet:
    """Devices of one hub account."""

    hub: Any
    root: Path
    devices: list[Device] = field(default_factory=list)
    hub_factory: Any = None

    def __enter__(self) -> Fleet:
        return self

    def __exit__(self, *_exc: object) -> None:
        for device in self.devices:
            device.close()

    def new_device(self, name: str) -> Device:
        vault = VaultService(self.root / name)
        vault.create(PASSPHRASE)
        services = Services.for_vault(vault)
        services.sync.pairing_cost = FAST_PAIRING
        if self.hub_factory is not None:
            services.sync.hub_factory = self.hub_factory
        device = Device(name, vault, services)
        self.devices.append(device)
        return device

    def add(self, name: str | None = None) -> Device:
        """A new device joined to the account (the first one sets it up)."""
        name = name or f"dev{len(self.devices)}"
        first = next((d for d in self.devices if d.sync.is_set_up), None)
        device = self.new_device(name)
        if first is None:
            _account, token = self.hub.store.create_account("Worker")
            device.sync.setup(self.hub.url, token)
        else:
            offer = first.sync.pairing_code()
            device.sync.join(offer.text, offer.short_code)
        return device

    def connection(self) -> Any:
        with self.devices[0].db.read() as session:
            connection = load_connection(session)
        assert connection is not None
        return connection

    def key(self) -> Any:
        return self.connection().sync_key()

    @property
    def account_id(self) -> str:
        return str(self.connection().account_id)

    def settle(self, rounds: int = 3) -> None:
        """Sync every device in turn until quiet."""
        for _ in range(rounds):
            for device in self.devices:
                device.sync_ok()

    def assert_converged(self, include_hub: bool = True) -> dict[str, str]:
        hashes = [d.table_hashes() for d in self.devices]
        for other, device in zip(hashes[1:], self.devices[1:], strict=True):
            diff = [t for t in hashes[0] if hashes[0][t] != other[t]]
            assert not diff, f"{device.name} differs in {diff}"
        if include_hub:
            hub = hub_table_hashes(self.hub.db_url, self.key(), self.account_id)
            diff = [t for t in hashes[0] if hashes[0][t] != hub[t]]
            assert not diff, f"hub differs in {diff}"
        return hashes[0]


def dump(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)
