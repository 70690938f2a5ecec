"""Offline bundles: the account's rows in one encrypted, authenticated file (USB transfer).

What a bundle carries (the decision): a device cannot know what the other side lacks without
talking to it, so a bundle is a snapshot of every synced row this device holds (tombstones
included), each with its per-field HLC map. Small vaults make this cheap (kilobytes per client),
and it makes the bundle self-sufficient: it works for a device that never saw a hub, for one a
hub restore left behind, and it can be imported twice without harm.

Import merges each row with the same per-field rule as online sync (``domain.merge``): fields
changed only in the bundle are taken, same-field disagreements are decided by the larger HLC
and recorded as a synced conflict (review-required fields stay open for a person). Rows or
fields taken from the bundle are queued as this device's edits, so they reach the hub (and
further bundles) from the importing device, under the HLC each edit was made with: an older
bundle imported after a newer one is older, not a conflict. Re-importing changes nothing.
Everything is applied in one transaction: a bundle that fails authentication applies nothing.

File format: the line ``CDBNDL1``, a JSON header line (format, key id, creator device, time;
no data), a nonce and the AES-256-GCM ciphertext of the zlib-compressed JSON body. The key is
derived from the account sync key with HKDF; the header is bound as associated data.
"""

from __future__ import annotations

import base64
import json
import secrets
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.domain.clock import utcnow
from casedesk.domain.hlc import Hlc, HybridClock
from casedesk.domain.merge import merge_row
from casedesk.storage import sync_store as store
from casedesk.storage.engine import Database
from casedesk.storage.errors import FileRefused, VaultNotFound
from casedesk.storage.files import read_input_file, write_output
from casedesk.storage.models import SYNCED_TABLES, SyncConflict, SyncRowMeta
from casedesk.storage.outbox import CLOCK_KEY, SYNC_APPLY
from casedesk.sync.envelope import SyncKey

MAGIC = b"CDBNDL1\n"
FORMAT = 1
_NONCE = 12
MAX_BUNDLE_BYTES = 512 * 1024 * 1024


class BundleError(Exception):
    """The bundle cannot be used (the message says why, in plain words)."""


@dataclass(frozen=True)
class BundleSummary:
    """What an export wrote or an import changed."""

    rows: int
    changed: int = 0
    conflicts: int = 0


def _cipher(key: SyncKey) -> AESGCM:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"casedesk bundle v1"
    ).derive(key.secret_bytes())
    return AESGCM(derived)


# ----------------------------------------------------------------------------- export


def export_bundle(db: Database, key: SyncKey, device_id: str, out_file: Path) -> BundleSummary:
    """Write every synced row of this vault into an encrypted bundle.

    Args:
        db: the open vault.
        key: the account sync key.
        device_id: this device (recorded in the header).
        out_file: where to write (replaced atomically).

    Returns:
        How many rows were written.

    Raises:
        FileRefused: ``out_file`` is inside a vault or not an ordinary file (nothing written).
    """
    with db.read() as session:
        rows = [row for table in SYNCED_TABLES for row in _table_rows(session, table)]
    header = json.dumps(
        {"format": FORMAT, "key_id": key.key_id, "device": device_id, "at": utcnow().isoformat()},
        separators=(",", ":"),
    ).encode()
    body = zlib.compress(json.dumps({"rows": rows}, separators=(",", ":")).encode(), 6)
    nonce = secrets.token_bytes(_NONCE)
    sealed = _cipher(key).encrypt(nonce, body, header)
    write_output(out_file, MAGIC + header + b"\n" + nonce + sealed, (db.path.parent,))
    return BundleSummary(rows=len(rows))


def _table_rows(session: Session, table: str) -> list[dict[str, Any]]:
    model = store.model_for(table)
    metas = {
        m.row_id: m
        for m in session.scalars(select(SyncRowMeta).where(SyncRowMeta.table_name == table))
    }
    out = []
    for row_id, row_hlc in session.execute(select(model.id, model.hlc)).all():
        values = store.row_payload(session, table, row_id)
        if values is None:
            continue
        item = {
            "t": table,
            "id": row_id,
            "v": values,
            "h": _field_hlcs(session, table, row_id, values, metas.get(row_id), row_hlc),
        }
        blobs = _blobs(session, table, row_id)
        if blobs:
            item["b"] = blobs
        out.append(item)
    return out


def _blobs(session: Session, table: str, row_id: str) -> dict[str, str]:
    """Attachment bytes travel inside the (encrypted) bundle, base64-encoded."""
    out: dict[str, str] = {}
    for column in store.blob_columns(store.model_for(table)):
        data = store.blob_value(session, table, row_id, column)
        if data is not None:
            out[column] = base64.b64encode(data).decode("ascii")
    return out


def _field_hlcs(
    session: Session,
    table: str,
    row_id: str,
    values: dict[str, Any],
    meta: SyncRowMeta | None,
    row_hlc: str,
) -> dict[str, str]:
    known = dict(meta.field_hlc) if meta else {}
    _changed, pending = store.pending_fields(session, table, row_id)
    known.update(pending)
    fallback = row_hlc or ""
    return {name: known.get(name, fallback) for name in values}


# ----------------------------------------------------------------------------- import


def read_bundle(key: SyncKey, in_file: Path) -> list[dict[str, Any]]:
    """Open and authenticate a bundle.

    Raises:
        BundleError: not a bundle, altered or damaged, or made for another account.
    """
    try:
        data = read_input_file(in_file, MAX_BUNDLE_BYTES, "bundle")
    except (FileRefused, VaultNotFound) as exc:
        raise BundleError(f"Cannot use that bundle: {exc}") from None
    if not data.startswith(MAGIC):
        raise BundleError("This file is not a casedesk sync bundle.")
    header, _, rest = data[len(MAGIC) :].partition(b"\n")
    try:
        meta = json.loads(header)
    except ValueError:
        raise BundleError(
            "The bundle is damaged (unreadable header); nothing was imported."
        ) from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise BundleError("This bundle was made by a newer casedesk; upgrade to import it.")
    if meta.get("key_id") != key.key_id:
        raise BundleError("This bundle belongs to another sync account; nothing was imported.")
    try:
        body = _cipher(key).decrypt(rest[:_NONCE], rest[_NONCE:], header)
        document = json.loads(zlib.decompress(body))
    except (InvalidTag, ValueError, zlib.error):
        raise BundleError(
            "The bundle was altered or damaged and failed its integrity check; "
            "nothing was imported."
        ) from None
    rows = document.get("rows")
    if not isinstance(rows, list):
        raise BundleError("The bundle is damaged; nothing was imported.")
    return rows


def import_bundle(db: Database, key: SyncKey, in_file: Path) -> BundleSummary:
    """Merge a bundle into this vault, all or nothing; importing it again changes nothing."""
    rows = read_bundle(key, in_file)
    changed = conflicts = 0
    with db.session() as session:
        _observe_all(session, rows)
        for item in _in_dependency_order(rows):
            table, row_id = str(item["t"]), str(item["id"])
            if table not in SYNCED_TABLES:
                continue
            blobs = {k: base64.b64decode(v) for k, v in item.get("b", {}).items()}
            did_change, found = _merge_one(session, table, row_id, item["v"], item["h"], blobs)
            changed += int(did_change)
            conflicts += found
    return BundleSummary(rows=len(rows), changed=changed, conflicts=conflicts)


def _in_dependency_order(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    order = {name: index for index, name in enumerate(SYNCED_TABLES)}
    return sorted(rows, key=lambda item: order.get(str(item.get("t")), len(order)))


def _observe_all(session: Session, rows: list[dict[str, Any]]) -> None:
    clock: HybridClock | None = session.info.get(CLOCK_KEY)
    if clock is None:
        return
    newest = max((h for item in rows for h in item.get("h", {}).values()), default="")
    if newest:
        try:
            clock.observe(Hlc.decode(newest))
        except ValueError:
            return


def _merge_one(
    session: Session,
    table: str,
    row_id: str,
    remote: dict[str, Any],
    remote_hlc: dict[str, str],
    blobs: dict[str, bytes],
) -> tuple[bool, int]:
    local = store.row_payload(session, table, row_id)
    if local is None:
        _insert(session, table, row_id, remote, remote_hlc, blobs)
        return True, 0
    meta = session.get(SyncRowMeta, (table, row_id))
    base = dict(meta.field_hlc) if meta else {}
    changed, pending = store.pending_fields(session, table, row_id)
    local_hlc = {**base, **pending}
    merged = merge_row(table, local, local_hlc, changed, remote, remote_hlc, base)
    _newer_unpending(merged.values, local, local_hlc, remote, remote_hlc, changed)
    updates = {k: v for k, v in merged.values.items() if local.get(k) != v}
    updates.pop("updated_at", None)
    if updates and remote.get("updated_at"):
        updates["updated_at"] = max(str(local.get("updated_at") or ""), str(remote["updated_at"]))
    for conflict in merged.conflicts:
        session.add(
            SyncConflict(
                table_name=table,
                row_id=row_id,
                field=conflict.field,
                local_value=conflict.local_value,
                remote_value=conflict.remote_value,
                local_hlc=conflict.local_hlc,
                remote_hlc=conflict.remote_hlc,
                winner=conflict.winner,
                review_required=conflict.review_required,
            )
        )
    if updates:
        _relay(session, table, row_id, updates, _stamps(session, updates, remote, remote_hlc))
    return bool(updates), len(merged.conflicts)


def _stamps(
    session: Session, updates: dict[str, Any], remote: dict[str, Any], remote_hlc: dict[str, str]
) -> dict[str, str]:
    """Per updated field, the HLC of the edit it carries.

    A value taken from the bundle keeps the bundle's HLC (the time and device it was made on);
    anything this import decides itself (an edit kept over a delete) is stamped now.
    """
    clock: HybridClock = session.info[CLOCK_KEY]
    now = clock.now().encode()
    return {
        name: (remote_hlc.get(name) or now) if remote.get(name) == value else now
        for name, value in updates.items()
    }


def _newer_unpending(
    values: dict[str, Any],
    local: dict[str, Any],
    local_hlc: dict[str, str],
    remote: dict[str, Any],
    remote_hlc: dict[str, str],
    changed: set[str],
) -> None:
    """Without a shared base, a field not changed here takes the bundle's value only if newer.

    ``merge_row`` compares against the base (what the hub last agreed); for a bundle the base
    may be empty, so make sure an older bundle value never overwrites a newer local one.
    """
    for name, value in remote.items():
        if name in changed or name not in local:
            continue
        if remote_hlc.get(name, "") <= local_hlc.get(name, ""):
            values[name] = local[name]
        else:
            values[name] = value


def _insert(
    session: Session,
    table: str,
    row_id: str,
    values: dict[str, Any],
    field_hlc: dict[str, str],
    blobs: dict[str, bytes],
) -> None:
    """A row this device lacks: stored exactly as in the bundle and queued for the hub.

    Stored like a pulled row (so bookkeeping such as ``updated_at`` is kept, even on append-only
    tables) plus a whole-row outbox entry, so the importing device passes it on to its hub.
    """
    stamp = max(field_hlc.values(), default="")
    _apply(session, table, row_id, values, stamp, blobs)
    store.row_meta(session, table, row_id).field_hlc = dict(field_hlc)
    store.enqueue_full_row(session, table, row_id, stamp)
    session.flush()


def _apply(
    session: Session,
    table: str,
    row_id: str,
    values: dict[str, Any],
    stamp: str,
    blobs: dict[str, bytes],
) -> None:
    """Store values as a pulled change would be stored (the outbox hook does not see it)."""
    session.info[SYNC_APPLY] = True
    try:
        store.apply_payload(session, table, row_id, values, stamp=stamp, blobs=blobs)
        session.flush()
    finally:
        session.info.pop(SYNC_APPLY, None)


def _relay(
    session: Session, table: str, row_id: str, values: dict[str, Any], stamps: dict[str, str]
) -> None:
    """Write values taken from a bundle and queue them for the hub under their own HLCs.

    Written like a pulled change (bookkeeping such as ``updated_at`` is the bundle's, so a
    bundle round trip leaves rows identical to online sync), then queued as this device's
    edit so it reaches the hub, stamped with the HLC the edit was made with rather than the
    import time: an older bundle imported afterwards is then recognised as older
    (``domain.merge``), not recorded as a conflict.
    """
    _apply(session, table, row_id, values, max(stamps.values()), {})
    changed = {name: value for name, value in values.items() if name != "updated_at"}
    store.enqueue_fields(session, table, row_id, changed, stamps)
    session.flush()
