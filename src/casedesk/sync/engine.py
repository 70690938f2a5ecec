"""The client sync engine: push the outbox, pull the hub's log, merge per field.

One round (``SyncEngine.sync``): hello (version and epoch) -> push -> pull -> push again if the
merge produced new local changes. Every step is safe to interrupt:

- push: each op is named by the newest outbox op id of its row, so a retry after a lost response
  is answered ``duplicate`` by the hub; outbox rows are removed only in the transaction that
  records the hub's answer;
- pull: each page is applied in slices of ``APPLY_SLICE`` changes, each slice one short local
  write transaction and the cursor moving with the last one, so a crash mid-page leaves the
  cursor unchanged and the page is simply fetched again; a change whose version is not newer
  than the one held is ignored (no regression on replays, and the slices already applied are
  skipped). Slices keep the vault's one write lock short: a user's save waits for at most one
  slice (docs/ARCHITECTURE.md, "Transactions and locking").

The hub only ever receives ciphertext (``casedesk.sync.envelope``); blobs are encrypted here too.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from casedesk.domain.clock import utcnow
from casedesk.domain.hlc import Hlc, HybridClock
from casedesk.domain.merge import MergeResult, merge_row
from casedesk.storage import sync_store as store
from casedesk.storage.engine import Database
from casedesk.storage.errors import ImmutableRecordError
from casedesk.storage.models import SYNCED_TABLES, SyncConflict
from casedesk.storage.outbox import CLOCK_KEY, SYNC_APPLY
from casedesk.sync.blobs import open_blob, seal_blob
from casedesk.sync.envelope import EnvelopeError, Keyring, SyncKey, open_row, seal_row
from casedesk.sync.http_client import EpochChanged, HubClient
from casedesk.sync.protocol import (
    MAX_BATCH_OPS,
    Change,
    OpKind,
    OpResult,
    OpStatus,
    PushOp,
    RejectReason,
    RowState,
)

log = logging.getLogger(__name__)

APPEND_ONLY_KINDS = {"append_only"}
MASS_DELETE_SHARE = 0.25
MASS_DELETE_MINIMUM = 20  # below this many rows, the share rule would trip on normal work
PUSH_BATCH_BYTES = 3 * 1024 * 1024
YIELD_EVERY = 20  # pulled changes between explicit interpreter-lock hand-overs
# Pulled changes applied per write transaction. Measured on a 25-client demo pull while the GUI
# saved notes (loaded 2-core machine): a whole 500-change page held the write lock 0.4-1.8 s; a
# slice of 50 held it 47 ms median, 317 ms at most, so a save waits a fraction of a second.
APPLY_SLICE = 50
SETTING_EPOCH = "sync.epoch"
SETTING_CURSOR = "sync.cursor"
SETTING_LAST_SYNC = "sync.last_synced_at"
PageHook = Callable[[int], None]


class MassDeletionPaused(Exception):
    """A pull would delete a large share of this device's records; a person must confirm."""

    def __init__(self, deletions: int, live_rows: int) -> None:
        super().__init__(
            f"The hub asks to delete {deletions:,} of {live_rows:,} records. Sync paused so "
            "nothing is removed until you confirm."
        )
        self.deletions = deletions
        self.live_rows = live_rows


@dataclass
class SyncReport:
    """What one round did."""

    pushed: int = 0
    pulled: int = 0
    conflicts: int = 0
    rejected: int = 0
    integrity_errors: int = 0
    epoch_changed: bool = False
    pending_after: int = 0
    notes: list[str] = field(default_factory=list)

    def absorb(self, other: SyncReport) -> None:
        """Add the counts of a part of the round (one applied page)."""
        self.pulled += other.pulled
        self.conflicts += other.conflicts
        self.rejected += other.rejected
        self.integrity_errors += other.integrity_errors
        self.notes.extend(other.notes)


# The shape of synced row payloads. Bump when synced columns change in a way an older device
# cannot apply; the hub's schema range then keeps old and new devices from mixing.
SYNC_SCHEMA_VERSION = 1


def schema_version() -> int:
    """The synced-payload schema this build speaks."""
    return SYNC_SCHEMA_VERSION


class SyncEngine:
    """Synchronises one unlocked vault with one hub account.

    Args:
        db: the open vault database.
        hub: an authenticated hub client.
        keys: the account sync key (or a keyring of key generations).
        device_id: this device's hub device id.
        allow_mass_deletion: apply a pull even if it deletes a large share of records (set only
            after a person confirmed).
        after_page: test hook called with the number of changes of a page's last slice, inside
            the transaction that stores the page's cursor (raising there simulates a crash
            before the page is done).
    """

    def __init__(
        self,
        db: Database,
        hub: HubClient,
        keys: SyncKey,
        device_id: str,
        *,
        allow_mass_deletion: bool = False,
        after_page: PageHook | None = None,
    ) -> None:
        self.db = db
        self.hub = hub
        self.key = keys
        self.keyring = Keyring([keys])
        self.device_id = device_id
        self.allow_mass_deletion = allow_mass_deletion
        self.after_page = after_page
        self._blobs: dict[str, bytes] = {}  # ciphertext by sha256, fetched before a slice

    @property
    def clock(self) -> HybridClock:
        """The vault's HLC (shared with local edits)."""
        clock: HybridClock = self.db.session_info[CLOCK_KEY]
        return clock

    # ================================================================== round

    def sync(self) -> SyncReport:
        """One full round; returns what happened. Network errors propagate (retry later)."""
        report = SyncReport()
        epoch = self._hello(report)
        self._push_all(epoch, report)
        self._pull_all(epoch, report)
        if self._has_pending():
            self._push_all(epoch, report)
        with self.db.session() as session:
            store.set_setting(session, SETTING_LAST_SYNC, utcnow().isoformat())
        report.pending_after = self._pending()
        return report

    def _hello(self, report: SyncReport) -> str:
        hello = self.hub.hello(schema_version())
        with self.db.session() as session:
            known = store.get_setting(session, SETTING_EPOCH)
            if known is None:
                store.set_setting(session, SETTING_EPOCH, hello.epoch)
        if known is not None and known != hello.epoch:
            self._recover_from_epoch_change(hello.epoch, report)
        return hello.epoch

    def _pending(self) -> int:
        with self.db.read() as session:
            return store.pending_count(session)

    def _has_pending(self) -> bool:
        with self.db.read() as session:
            return store.has_pending(session)

    # ================================================================== push

    def _push_all(self, epoch: str, report: SyncReport) -> None:
        stuck_rounds = 0
        while stuck_rounds < 3:
            with self.db.read() as session:
                groups = store.pending_rows(session)
                if not groups:
                    return
                ops, sealed = self._build_ops(session, groups)
            progressed = False
            for batch in _batches(ops):
                response = self.hub.push(self.device_id, epoch, batch)
                progressed |= self._record_results(response.results, sealed, report)
            stuck_rounds = 0 if progressed else stuck_rounds + 1

    def _build_ops(
        self, session: Session, groups: list[store.PendingRow]
    ) -> tuple[list[PushOp], dict[str, tuple[store.PendingRow, dict[str, str]]]]:
        ops: list[PushOp] = []
        sealed: dict[str, tuple[store.PendingRow, dict[str, str]]] = {}
        keys = [(g.table, g.row_id) for g in groups]
        store.preload(session, keys, rows=False)
        payloads = store.row_payloads(session, keys)
        for index, group in enumerate(groups):
            if index % YIELD_EVERY == YIELD_EVERY - 1:
                time.sleep(0)  # let the GUI thread take the interpreter lock now
            built = self._build_op(session, group, payloads.get((group.table, group.row_id)))
            if built is None:
                continue
            op, field_hlc = built
            ops.append(op)
            sealed[op.op_id] = (group, field_hlc)
        return ops, sealed

    def _build_op(
        self, session: Session, group: store.PendingRow, payload: dict[str, Any] | None
    ) -> tuple[PushOp, dict[str, str]] | None:
        if payload is None:
            return None
        meta = store.find_meta(session, group.table, group.row_id)
        base = meta.hub_version if meta else 0
        field_hlc = dict(meta.field_hlc) if meta else {}
        changed = set(payload) if group.inserted else group.changed
        for name in changed:
            stamp = group.hlc_by_field.get(name, group.last_hlc)
            field_hlc[name] = max(field_hlc.get(name, ""), stamp)
        blobs = self._upload_blobs(session, group)
        envelope = seal_row(
            self.key,
            table=group.table,
            row_id=group.row_id,
            row_version=base + 1,
            payload={"values": payload, "field_hlc": field_hlc, "blobs": blobs},
        )
        op = PushOp(
            op_id=group.op_id,
            table=group.table,
            row_id=group.row_id,
            kind=_push_kind(group, payload, base),
            base_version=base or None,
            envelope=envelope,
            hlc=group.last_hlc,
            schema_version=schema_version(),
        )
        return op, field_hlc

    def _upload_blobs(self, session: Session, group: store.PendingRow) -> dict[str, str]:
        refs: dict[str, str] = {}
        model = store.model_for(group.table)
        for column in store.blob_columns(model):
            data = store.blob_value(session, group.table, group.row_id, column)
            if data is None:
                continue
            ciphertext = seal_blob(self.key, group.table, group.row_id, column, data)
            status = self.hub.upload_blob(ciphertext)
            refs[column] = status.sha256
        return refs

    def _record_results(
        self,
        results: list[OpResult],
        sealed: dict[str, tuple[store.PendingRow, dict[str, str]]],
        report: SyncReport,
    ) -> bool:
        progressed = False
        with self._apply_session() as session, session.no_autoflush:
            keys = [(sealed[r.op_id][0].table, sealed[r.op_id][0].row_id) for r in results]
            store.preload(session, keys, rows=False)  # rows only for conflicts, fetched then
            acknowledged: list[int] = []
            for result in results:
                group, field_hlc = sealed[result.op_id]
                if result.status in (OpStatus.APPLIED, OpStatus.DUPLICATE):
                    acknowledged.extend(group.seqs)
                    meta = store.row_meta(session, group.table, group.row_id)
                    meta.hub_version = result.row_version or meta.hub_version
                    meta.field_hlc = field_hlc
                    meta.state, meta.error = "synced", ""
                    report.pushed += 1
                    progressed = True
                elif result.status is OpStatus.CONFLICT and result.current is not None:
                    self._merge_remote(session, group.table, group.row_id, result.current, report)
                    progressed = True
                elif _already_there(group.table, result):
                    store.acknowledge(session, group.seqs)  # the hub holds this record already
                    progressed = True
                else:
                    reason = result.reason.value if result.reason else "rejected"
                    store.reject(session, group.seqs, reason)
                    meta = store.row_meta(session, group.table, group.row_id)
                    meta.state, meta.error = "error", reason
                    report.rejected += 1
                    progressed = True
            store.acknowledge(session, acknowledged)
        return progressed

    # ================================================================== pull

    def _pull_all(self, epoch: str, report: SyncReport) -> None:
        while True:
            with self.db.read() as session:
                cursor = store.get_setting(session, SETTING_CURSOR)
            page = self.hub.pull(cursor, epoch)
            if page.changes:
                self._guard_mass_deletion(page.changes)
                self._apply_page(page.changes, page.next_cursor, report)
            elif page.next_cursor != cursor:
                with self.db.session() as session:
                    store.set_setting(session, SETTING_CURSOR, page.next_cursor)
            if not page.has_more:
                return

    def _apply_page(self, changes: list[Change], next_cursor: str, report: SyncReport) -> None:
        """Apply a page slice by slice; the cursor is stored with the last slice.

        Each slice is one short write transaction, so the write lock is never held for a whole
        page. A crash between slices leaves the cursor where it was: the page comes again and
        the changes already applied are skipped on their versions.
        """
        starts = range(0, len(changes), APPLY_SLICE)
        for start in starts:
            last = start == starts[-1]
            self._apply_slice(
                changes[start : start + APPLY_SLICE], next_cursor if last else None, report
            )

    def _apply_slice(
        self, changes: list[Change], next_cursor: str | None, report: SyncReport
    ) -> None:
        """Apply changes (and the cursor, if given) in one local transaction.

        Fast path: the whole slice in one flush. If the database refuses something (a
        constraint, an immutable record), the transaction rolls back and the slice is applied
        again with one savepoint per change, so only the bad change is flagged.
        """
        self._prefetch_blobs(changes)
        slice_report = SyncReport()
        try:
            self._apply_slice_once(changes, next_cursor, slice_report, isolate=False)
        except (DBAPIError, ImmutableRecordError):
            slice_report = SyncReport()
            self._apply_slice_once(changes, next_cursor, slice_report, isolate=True)
        report.absorb(slice_report)

    def _apply_slice_once(
        self, changes: list[Change], next_cursor: str | None, report: SyncReport, *, isolate: bool
    ) -> None:
        with self._apply_session() as session:
            store.preload(session, [(c.table, c.row_id) for c in changes], rows=False)
            # Rows only for changes newer than what this device holds (its own pushes and
            # replayed pages are skipped on the metadata alone).
            store.preload(session, [(c.table, c.row_id) for c in changes if _newer(session, c)])
            for index, change in enumerate(changes):
                self._apply_change(session, change, report, isolate=isolate)
                if index % YIELD_EVERY == YIELD_EVERY - 1:
                    time.sleep(0)  # let the GUI thread take the interpreter lock now
            if next_cursor is None:
                return
            store.set_setting(session, SETTING_CURSOR, next_cursor)
            if self.after_page is not None:
                self.after_page(len(changes))

    def _prefetch_blobs(self, changes: list[Change]) -> None:
        """Download the blobs of a slice's new rows before its transaction takes the write lock.

        Attachments can be megabytes: fetched inside the transaction, a slow hub would hold up
        every save. Envelopes of tables with blob columns are opened twice (here and when
        applied); the few rows involved make that cheap.
        """
        self._blobs = {}
        with self.db.read() as session:
            wanted = [c for c in changes if _has_blobs(c.table) and _newer(session, c)]
        for change in wanted:
            try:
                data = open_row(
                    self.keyring,
                    change.envelope or "",
                    table=change.table,
                    row_id=change.row_id,
                    row_version=change.row_version,
                )
            except EnvelopeError:
                continue  # flagged when the change is applied
            for sha in dict(data.get("blobs", {})).values():
                self._blobs[sha] = self.hub.download_blob(sha)

    def _guard_mass_deletion(self, changes: list[Change]) -> None:
        if self.allow_mass_deletion:
            return
        with self.db.read() as session:
            deletions = sum(
                1 for c in changes if c.deleted and store.is_live(session, c.table, c.row_id)
            )
            if deletions < MASS_DELETE_MINIMUM:
                return
            live = store.live_row_count(session)
        if deletions > MASS_DELETE_SHARE * live:
            raise MassDeletionPaused(deletions, live)

    def _apply_change(
        self, session: Session, change: Change, report: SyncReport, *, isolate: bool = True
    ) -> None:
        meta = store.find_meta(session, change.table, change.row_id)
        if meta is not None and meta.hub_version >= change.row_version:
            return  # already have this version (our own push, or a replayed page)
        state = RowState(
            row_version=change.row_version,
            server_seq=change.server_seq,
            kind=change.kind,
            deleted=change.deleted,
            envelope=change.envelope,
            hlc=change.hlc,
            device_id=change.device_id,
        )
        if isolate:
            self._merge_remote(session, change.table, change.row_id, state, report)
        else:
            self._merge_remote_row(session, change.table, change.row_id, state, report)
        report.pulled += 1

    # ================================================================== merge

    def _merge_remote(
        self, session: Session, table: str, row_id: str, state: RowState, report: SyncReport
    ) -> None:
        """Merge one remote row state, isolated in a savepoint so one bad row can't stall sync."""
        try:
            with session.begin_nested():
                self._merge_remote_row(session, table, row_id, state, report)
        except (DBAPIError, ImmutableRecordError) as exc:
            meta = store.row_meta(session, table, row_id)
            meta.hub_version = state.row_version  # don't fetch it again and again
            meta.state, meta.error = "error", f"not applied: {type(exc).__name__}"
            report.notes.append(f"a change to {table} could not be applied and was flagged")

    def _merge_remote_row(
        self, session: Session, table: str, row_id: str, state: RowState, report: SyncReport
    ) -> None:
        remote = self._open(session, table, row_id, state, report)
        if remote is None:
            return
        values, remote_hlc, blob_refs = remote
        meta = store.row_meta(session, table, row_id)
        self._observe(state.hlc, remote_hlc)
        changed, local_hlc = store.pending_fields(session, table, row_id)
        local = store.row_payload(session, table, row_id)
        if local is not None and _append_only(table):
            # The same immutable record reached this device by two paths (an offline bundle and
            # the hub): nothing to merge, and rewriting it would be refused by the database.
            store.discard_pending(session, table, row_id)
            meta.hub_version, meta.field_hlc = state.row_version, dict(remote_hlc)
            meta.state, meta.error = "synced", ""
            return
        if local is None or not changed:
            blobs = self._download_blobs(table, row_id, blob_refs)
            store.apply_payload(session, table, row_id, values, stamp=state.hlc, blobs=blobs)
            meta.hub_version, meta.field_hlc = state.row_version, dict(remote_hlc)
            meta.state, meta.error = "synced", ""
            return
        merged = merge_row(
            table,
            local,
            {**meta.field_hlc, **local_hlc},
            changed,
            values,
            remote_hlc,
            dict(meta.field_hlc),
        )
        self._store_merge(session, table, row_id, state, merged, remote_hlc, report)

    def _store_merge(
        self,
        session: Session,
        table: str,
        row_id: str,
        state: RowState,
        merged: MergeResult,
        remote_hlc: dict[str, str],
        report: SyncReport,
    ) -> None:
        store.apply_payload(session, table, row_id, merged.values, stamp=state.hlc)
        meta = store.row_meta(session, table, row_id)
        # The remote version is the new base; local edits stay pending and re-push on it.
        meta.hub_version, meta.field_hlc = state.row_version, dict(remote_hlc)
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
            report.conflicts += 1
        if merged.resurrected:
            session.add(
                SyncConflict(
                    table_name=table,
                    row_id=row_id,
                    field="deleted_at",
                    local_value=None,
                    remote_value=None,
                    winner="edit",
                    review_required=False,
                )
            )
            report.conflicts += 1
            store.enqueue_full_row(session, table, row_id, self.clock.now().encode())

    def _open(
        self, session: Session, table: str, row_id: str, state: RowState, report: SyncReport
    ) -> tuple[dict[str, Any], dict[str, str], dict[str, str]] | None:
        try:
            store.model_for(table)
        except KeyError:
            report.notes.append(f"skipped a change for unknown table {table!r}")
            return None
        if state.envelope is None:
            if state.deleted:
                stamp = state.hlc or self.clock.now().encode()
                return {"deleted_at": utcnow().isoformat()}, {"deleted_at": stamp}, {}
            return None
        try:
            data = open_row(
                self.keyring,
                state.envelope,
                table=table,
                row_id=row_id,
                row_version=state.row_version,
            )
        except EnvelopeError as exc:
            meta = store.row_meta(session, table, row_id)
            meta.state, meta.error = "error", f"integrity: {type(exc).__name__}"
            report.integrity_errors += 1
            log.warning("rejected a tampered or unreadable change for %s", table)
            return None
        return dict(data["values"]), dict(data.get("field_hlc", {})), dict(data.get("blobs", {}))

    def _download_blobs(self, table: str, row_id: str, refs: dict[str, str]) -> dict[str, bytes]:
        return {
            column: open_blob(
                self.key, table, row_id, column, self._blobs.get(sha) or self.hub.download_blob(sha)
            )
            for column, sha in refs.items()
        }

    def _observe(self, op_hlc: str, field_hlc: dict[str, str]) -> None:
        newest = max([op_hlc, *field_hlc.values()], default="")
        if newest:
            try:
                self.clock.observe(Hlc.decode(newest))
            except ValueError:
                log.warning("ignored a malformed HLC from the hub")

    def _apply_session(self) -> Any:
        return _ApplySession(self.db)

    # ================================================================== epoch

    def _recover_from_epoch_change(self, epoch: str, report: SyncReport) -> None:
        """The hub was restored from a backup: re-announce every row it lacks or has older."""
        report.epoch_changed = True
        report.notes.append("The hub was restored from a backup; re-sending what it lacks.")
        # Ask the hub first: no network wait while this vault's write lock is held.
        hub_tables = {table: self._hub_row_versions(table, epoch) for table in _synced_tables()}
        with self.db.session() as session:
            for table, hub_versions in hub_tables.items():
                for row_id in store.local_row_ids(session, table):
                    meta = store.row_meta(session, table, row_id)
                    hub_version = hub_versions.get(row_id, 0)
                    if hub_version < meta.hub_version or hub_version == 0:
                        meta.hub_version = hub_version
                        store.enqueue_full_row(session, table, row_id, self.clock.now().encode())
                    elif hub_version > meta.hub_version:
                        meta.hub_version = 0  # newer on the hub: let the pull bring it
            store.set_setting(session, SETTING_EPOCH, epoch)
            store.set_setting(session, SETTING_CURSOR, None)

    def _hub_row_versions(self, table: str, epoch: str) -> dict[str, int]:
        versions: dict[str, int] = {}
        after: str | None = None
        while True:
            page = self.hub.manifest_rows(table, epoch, after)
            for row in page.rows:
                versions[row.row_id] = row.row_version
            if page.next_after is None:
                return versions
            after = page.next_after


class _ApplySession:
    """A unit of work that applies remote changes without echoing them into the outbox."""

    def __init__(self, db: Database) -> None:
        self._context = db.session()
        self._session: Session | None = None

    def __enter__(self) -> Session:
        self._session = self._context.__enter__()
        self._session.info[SYNC_APPLY] = True
        return self._session

    def __exit__(self, *exc_info: Any) -> None:
        self._context.__exit__(*exc_info)


def _newer(session: Session, change: Change) -> bool:
    meta = store.find_meta(session, change.table, change.row_id)
    return meta is None or meta.hub_version < change.row_version


def _has_blobs(table: str) -> bool:
    try:
        return bool(store.blob_columns(store.model_for(table)))
    except KeyError:
        return False


def _append_only(table: str) -> bool:
    return store.model_for(table).__sync__ == "append_only"


def _already_there(table: str, result: OpResult) -> bool:
    """An append-only record the hub already has (it arrived there from another device)."""
    return result.reason is RejectReason.ALREADY_EXISTS and _append_only(table)


def _push_kind(group: store.PendingRow, payload: dict[str, Any], base: int) -> OpKind:
    model = store.model_for(group.table)
    if base == 0:
        return OpKind.APPEND if model.__sync__ == "append_only" else OpKind.INSERT
    if payload.get("deleted_at") is not None and "deleted_at" in group.changed:
        return OpKind.DELETE
    return OpKind.UPDATE


def _batches(ops: list[PushOp]) -> list[list[PushOp]]:
    batches: list[list[PushOp]] = [[]]
    size = 0
    for op in ops:
        op_size = len(op.envelope or "") + 512
        if len(batches[-1]) >= MAX_BATCH_OPS or size + op_size > PUSH_BATCH_BYTES:
            batches.append([])
            size = 0
        batches[-1].append(op)
        size += op_size
    return [batch for batch in batches if batch]


def _synced_tables() -> list[str]:
    return list(SYNCED_TABLES)


def content_hash(payload: dict[str, Any]) -> str:
    """A stable hash of a row payload (used to compare device states in tests and checks)."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return base64.b16encode(hashlib.sha256(text.encode()).digest()).decode().lower()


__all__ = [
    "EpochChanged",
    "MassDeletionPaused",
    "SyncEngine",
    "SyncReport",
    "content_hash",
]
