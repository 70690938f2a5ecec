"""This device's sync connection, kept in the vault's ``local_meta`` (so it is encrypted at rest).

The hub URL, device token, device id, account id and the account sync key live only inside the
SQLCipher vault; they never leave it in clear (the key travels to a new device inside a pairing
code sealed with a short code). ``SyncPhase`` and ``describe`` turn the runtime situation into
the plain words the status bar and ``casedesk sync`` show.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from casedesk.storage import sync_store as store
from casedesk.sync.envelope import SyncKey

HUB_URL = "sync.hub_url"
DEVICE_TOKEN = "sync.device_token"
DEVICE_ID = "sync.device_id"
ACCOUNT_ID = "sync.account_id"
SYNC_KEY = "sync.key"
LAST_ERROR = "sync.last_error"
LAST_SYNCED_AT = "sync.last_synced_at"
_ALL = (HUB_URL, DEVICE_TOKEN, DEVICE_ID, ACCOUNT_ID, SYNC_KEY)


@dataclass(frozen=True)
class Connection:
    """Everything needed to talk to the hub as this device."""

    hub_url: str
    device_token: str
    device_id: str
    account_id: str
    key_b64: str

    def sync_key(self) -> SyncKey:
        """The account sync key (a fresh object; wipe it when done)."""
        return SyncKey(base64.b64decode(self.key_b64))


def load_connection(session: Session) -> Connection | None:
    """The stored connection, or None when sync was never set up on this device."""
    values = [store.get_setting(session, key) for key in _ALL]
    if any(value is None for value in values):
        return None
    hub_url, token, device_id, account_id, key_b64 = (str(v) for v in values)
    return Connection(hub_url, token, device_id, account_id, key_b64)


def save_connection(session: Session, connection: Connection) -> None:
    """Store the connection (inside the vault transaction of the caller)."""
    store.set_setting(session, HUB_URL, connection.hub_url)
    store.set_setting(session, DEVICE_TOKEN, connection.device_token)
    store.set_setting(session, DEVICE_ID, connection.device_id)
    store.set_setting(session, ACCOUNT_ID, connection.account_id)
    store.set_setting(session, SYNC_KEY, connection.key_b64)


def encode_key(key: SyncKey) -> str:
    """The key as text for ``local_meta`` (inside the encrypted vault only)."""
    return base64.b64encode(key.secret_bytes()).decode("ascii")


class SyncPhase(StrEnum):
    """What the status bar shows."""

    NOT_SET_UP = "not_set_up"
    OFFLINE = "offline"
    SYNCING = "syncing"
    WAITING = "waiting"  # local changes not yet on the hub
    IN_SYNC = "in_sync"
    PAUSED = "paused"  # a person must confirm (mass deletion)
    ERROR = "error"


@dataclass(frozen=True)
class SyncStatus:
    """The sync situation in plain words, for the status bar and the CLI."""

    phase: SyncPhase
    pending: int
    last_synced_at: datetime | None
    reason: str = ""
    open_conflicts: int = 0

    @property
    def text(self) -> str:
        """One short line (no client data)."""
        return describe(self)


def describe(status: SyncStatus) -> str:
    """Plain status text such as ``3 changes waiting`` or ``Last synced 10:42``."""
    last = _last(status.last_synced_at)
    if status.phase is SyncPhase.NOT_SET_UP:
        return "Sync not set up"
    if status.phase is SyncPhase.SYNCING:
        return "Syncing…"
    if status.phase in (SyncPhase.ERROR, SyncPhase.PAUSED):
        return f"Sync problem: {status.reason}" if status.reason else "Sync problem"
    if status.phase is SyncPhase.OFFLINE:
        waiting = f", {_changes(status.pending)} waiting" if status.pending else ""
        return f"Offline{waiting}"
    if status.pending:
        return f"{_changes(status.pending)} waiting"
    return f"Last synced {last}" if last else "In sync"


def _changes(count: int) -> str:
    return "1 change" if count == 1 else f"{count:,} changes"


def _last(when: datetime | None) -> str:
    if when is None:
        return ""
    local = when.astimezone()
    today = datetime.now(local.tzinfo).date()
    return local.strftime("%H:%M") if local.date() == today else local.strftime("%d %b %H:%M")
