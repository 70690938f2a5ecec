"""Sync use cases: set up, pair, join, sync once, status, conflicts, offline bundles.

The connection (hub URL, device token, device id, account id, sync key) is kept in the vault's
``local_meta`` table, so it is encrypted with the vault and never written anywhere in clear.
``sync_once`` may run on any thread (the background scheduler runs it on its own thread with its
own pooled connection); a lock makes sure only one round runs at a time.
"""

from __future__ import annotations

import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casedesk.domain.clock import utcnow
from casedesk.domain.enums import ConflictState
from casedesk.services import audit
from casedesk.services.errors import NotFound, ValidationError, VaultError
from casedesk.services.files import check_output_path
from casedesk.storage import sync_store as store
from casedesk.storage.engine import Database
from casedesk.storage.models import SyncConflict, SyncRowMeta
from casedesk.sync import bundle as bundles
from casedesk.sync import state
from casedesk.sync.engine import MassDeletionPaused, SyncEngine, SyncReport
from casedesk.sync.envelope import SyncKey
from casedesk.sync.http_client import (
    HubClient,
    HubRejected,
    HubUnreachable,
    NotAuthorized,
    UpgradeRequired,
)
from casedesk.sync.pairing import (
    DEFAULT_KDF_COST,
    KdfCost,
    PairingCodeError,
    make_pairing_code,
    open_pairing_code,
)
from casedesk.sync.scheduler import RoundOutcome, SyncScheduler
from casedesk.sync.state import Connection, SyncPhase, SyncStatus

HubFactory = Callable[[str, "str | None"], HubClient]
StatusListener = Callable[[SyncStatus], None]
PageHook = Callable[[int], None]
KEPT, OTHER = "kept", "other"


class SyncProblem(VaultError):
    """A sync step failed for a reason a person can act on (the message says which)."""


@dataclass(frozen=True)
class PairingOffer:
    """What the first device shows so a new device can join."""

    text: str
    short_code: str
    qr_payload: str


@dataclass(frozen=True)
class SyncResult:
    """The outcome of one sync round."""

    phase: SyncPhase
    in_sync: bool
    message: str
    pushed: int = 0
    pulled: int = 0
    conflicts: int = 0
    rejected: int = 0
    integrity_errors: int = 0
    epoch_changed: bool = False
    pending: int = 0
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConflictView:
    """One conflict, side by side: the value kept now and the other device's value."""

    id: str
    table: str
    row_id: str
    field: str
    kept_value: Any
    other_value: Any
    kept_hlc: str
    other_hlc: str
    detected_at: datetime | None
    review_required: bool
    delete_vs_edit: bool
    state: ConflictState
    resolution: Any


def check_hub_url(url: str) -> str:
    """A hub address fit to connect to (trimmed), refused in plain words otherwise.

    Raises:
        ValidationError: on ``hub``, e.g. for ``http://[::1`` (an unclosed IPv6 bracket).
    """
    text = url.strip()
    try:
        parts = urllib.parse.urlsplit(text)
        _ = parts.port  # raises for a port that is not a number from 0 to 65535
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(
            {"hub": "That is not a hub address; it looks like https://hub.example.org:8765."}
        )
    return text


def _default_hub(url: str, token: str | None) -> HubClient:
    # Loading the CA bundle for a TLS context holds the interpreter lock for ~0.1 s (a GUI
    # stall when it happens on the sync thread). A plain-http hub (loopback, a LAN hub
    # behind a TLS proxy) has no certificate to verify, so skip it there; https verifies.
    plain = url.lower().startswith("http://")
    return HubClient(url, token, verify=not plain)


class SyncService:
    """Sync for one unlocked vault.

    Args:
        db: the open vault database.
        device_id: this device's id (the vault's; also its id on the hub).
        hub_factory: builds a hub client from (URL, token); tests inject proxies here.
        pairing_cost: Argon2id cost for pairing codes (tests pass a small one).
    """

    def __init__(
        self,
        db: Database,
        device_id: str,
        *,
        hub_factory: HubFactory = _default_hub,
        pairing_cost: KdfCost = DEFAULT_KDF_COST,
    ) -> None:
        self._db = db
        self._device_id = device_id
        self.hub_factory = hub_factory
        self.pairing_cost = pairing_cost
        self.after_page: PageHook | None = None
        self._round = threading.Lock()
        self._state_lock = threading.Lock()
        self._phase: SyncPhase | None = None
        self._reason = ""
        self._clients: dict[tuple[str, str], HubClient] = {}
        self._scheduler: SyncScheduler | None = None
        self._listener: StatusListener | None = None
        self._allow_mass_deletion = False

    # ------------------------------------------------------------------ setup

    @property
    def is_set_up(self) -> bool:
        """Whether this device has a hub connection."""
        return self._connection() is not None

    def setup(self, hub_url: str, enrollment_token: str) -> None:
        """First device of an account: make the sync key and enroll with the hub.

        Raises:
            SyncProblem: already set up, or the hub refused or could not be reached.
        """
        self._require_not_set_up()
        key = SyncKey.generate()
        try:
            self._enroll(hub_url, enrollment_token, key)
        finally:
            key.wipe()

    def join(self, pairing_code: str, short_code: str, hub_url: str | None = None) -> None:
        """Next device: open the pairing code with its short code and enroll.

        Args:
            pairing_code: the long code shown on the first device.
            short_code: the short code shown next to it.
            hub_url: overrides the hub URL inside the code (e.g. another address for the hub).

        Raises:
            SyncProblem: a wrong or damaged code, or the hub refused the grant.
        """
        self._require_not_set_up()
        try:
            payload = open_pairing_code(pairing_code, short_code)
        except PairingCodeError as exc:
            raise SyncProblem(str(exc)) from None
        try:
            self._enroll(hub_url or payload.hub_url, payload.grant, payload.sync_key)
        finally:
            payload.sync_key.wipe()

    def pairing_code(self) -> PairingOffer:
        """A one-time pairing code (text and QR payload) for a new device of this account."""
        connection = self._require_connection()
        with self._guarded():
            grant = self._hub(connection).create_pairing_grant()
        key = connection.sync_key()
        try:
            code = make_pairing_code(
                connection.hub_url,
                connection.account_id,
                grant.grant,
                key,
                cost=self.pairing_cost,
            )
        finally:
            key.wipe()
        return PairingOffer(text=code.text, short_code=code.short_code, qr_payload=code.text)

    def forget(self) -> None:
        """Remove the hub connection from this device (data and outbox are kept)."""
        with self._db.session() as session:
            for name in (state.HUB_URL, state.DEVICE_TOKEN, state.ACCOUNT_ID, state.SYNC_KEY):
                store.set_setting(session, name, None)

    def _enroll(self, hub_url: str, token: str, key: SyncKey) -> None:
        hub_url = check_hub_url(hub_url)
        with self._db.read() as session:
            device_name = audit.device_name(session)  # as named in Settings, else the host name
        with self._guarded(), self.hub_factory(hub_url, None) as hub:
            enrolled = hub.enroll(token, self._device_id, device_name)
        connection = Connection(
            hub_url=hub_url,
            device_token=enrolled.device_token,
            device_id=enrolled.device_id,
            account_id=enrolled.account_id,
            key_b64=state.encode_key(key),
        )
        with self._db.session() as session:
            state.save_connection(session, connection)

    # ------------------------------------------------------------------ sync

    def sync_once(self, allow_mass_deletion: bool = False) -> SyncResult:
        """One full round (push, pull, merge). Never raises for network or hub problems.

        Args:
            allow_mass_deletion: apply a pull that deletes many records (after a person agreed).

        Returns:
            What happened, with ``in_sync`` true when nothing is left to do.
        """
        connection = self._connection()
        if connection is None:
            return self._result_without_round(SyncPhase.NOT_SET_UP, "Sync is not set up.")
        if not self._round.acquire(blocking=False):
            return self._result_without_round(SyncPhase.SYNCING, "A sync is already running.")
        try:
            self._set_phase(SyncPhase.SYNCING, "")
            report = self._run_engine(connection, allow_mass_deletion)
        except (HubRejected, HubUnreachable, MassDeletionPaused) as exc:
            phase, reason = _classify(exc)
            self._set_phase(phase, reason)
            return SyncResult(phase=phase, in_sync=False, message=reason, pending=self._pending())
        except BaseException:
            self._set_phase(SyncPhase.ERROR, "the last sync stopped unexpectedly")
            raise
        finally:
            self._round.release()
        return self._finish(report)

    def _run_engine(self, connection: Connection, allow_mass_deletion: bool) -> SyncReport:
        key = connection.sync_key()
        try:
            engine = SyncEngine(
                self._db,
                self._hub(connection),
                key,
                connection.device_id,
                allow_mass_deletion=allow_mass_deletion,
                after_page=self.after_page,
            )
            return engine.sync()
        finally:
            key.wipe()

    def _finish(self, report: SyncReport) -> SyncResult:
        flagged = self._flagged_rows()
        problems = []
        if report.pending_after:
            problems.append(f"{report.pending_after:,} changes could not be sent yet")
        if flagged:
            problems.append(f"{flagged:,} records could not be synced (damaged or refused)")
        in_sync = not problems
        phase = SyncPhase.IN_SYNC if in_sync else SyncPhase.ERROR
        message = "In sync." if in_sync else "; ".join(problems) + "."
        self._set_phase(None if in_sync else phase, "" if in_sync else message)
        return SyncResult(
            phase=phase,
            in_sync=in_sync,
            message=message,
            pushed=report.pushed,
            pulled=report.pulled,
            conflicts=report.conflicts,
            rejected=report.rejected,
            integrity_errors=report.integrity_errors,
            epoch_changed=report.epoch_changed,
            pending=report.pending_after,
            notes=tuple(report.notes),
        )

    def _result_without_round(self, phase: SyncPhase, message: str) -> SyncResult:
        return SyncResult(phase=phase, in_sync=False, message=message, pending=self._pending())

    def mark_offline(self, reason: str) -> None:
        """Record that the hub could not be reached (the scheduler calls this)."""
        self._set_phase(SyncPhase.OFFLINE, reason)

    # ------------------------------------------------------------------ background

    def start_background(
        self, on_status: StatusListener | None = None, scheduler: SyncScheduler | None = None
    ) -> None:
        """Sync in the background whenever the hub is reachable (own thread, own connection).

        Args:
            on_status: called (on the sync thread) with the new status at the start and end of
                every round; the UI forwards it to the GUI thread by a queued signal.
            scheduler: a scheduler to use (tests inject one with a fake timer).
        """
        self._listener = on_status
        if self._scheduler is None:
            self._scheduler = scheduler or SyncScheduler(self.background_round)
        self._scheduler.start()

    def stop_background(self, timeout: float = 10.0) -> None:
        """Stop background sync (before the vault locks) and close hub connections.

        Closing the connections first cuts a request in flight, so a round waiting on a slow
        hub ends promptly instead of holding up the lock.
        """
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None:
            scheduler.stop(timeout=0)
        self.close()
        if scheduler is not None:
            scheduler.join(timeout)

    def sync_now(self) -> None:
        """Ask the background loop for a round at once ("Sync now", a local change)."""
        if self._scheduler is not None:
            self._scheduler.trigger()

    def allow_mass_deletion_once(self) -> None:
        """A person confirmed a paused mass deletion: the next background round applies it."""
        self._allow_mass_deletion = True

    def background_round(self) -> RoundOutcome:
        """One scheduled round, reported to the status listener; never raises."""
        if not self.is_set_up:
            self._notify()
            return RoundOutcome.HOLD
        self._set_phase(SyncPhase.SYNCING, "")
        self._notify()
        allow, self._allow_mass_deletion = self._allow_mass_deletion, False
        try:
            result = self.sync_once(allow_mass_deletion=allow)
        finally:
            self._notify()
        if result.in_sync or result.phase is SyncPhase.SYNCING:
            return RoundOutcome.DONE
        if result.phase in (SyncPhase.PAUSED, SyncPhase.NOT_SET_UP):
            return RoundOutcome.HOLD
        return RoundOutcome.RETRY

    def _notify(self) -> None:
        if self._listener is not None:
            self._listener(self.status())

    # ------------------------------------------------------------------ status

    def status(self) -> SyncStatus:
        """Offline / syncing / N changes waiting / last synced at / a problem in plain words."""
        with self._db.read() as session:
            connection = state.load_connection(session)
            if connection is None:  # nothing to count or report until sync is set up
                return SyncStatus(SyncPhase.NOT_SET_UP, 0, None, "", 0)
            pending = store.pending_count(session)
            last = store.get_setting(session, state.LAST_SYNCED_AT)
            conflicts = _open_conflicts(session)
        last_at = datetime.fromisoformat(last) if last else None
        with self._state_lock:
            phase, reason = self._phase, self._reason
        if phase is None:
            phase = SyncPhase.WAITING if pending else SyncPhase.IN_SYNC
        return SyncStatus(phase, pending, last_at, reason, conflicts)

    # ------------------------------------------------------------------ conflicts

    def conflicts(self, include_resolved: bool = False) -> list[ConflictView]:
        """Conflicts, review-required first, newest first."""
        with self._db.read() as session:
            query = select(SyncConflict).where(SyncConflict.deleted_at.is_(None))
            if not include_resolved:
                query = query.where(SyncConflict.state == ConflictState.OPEN)
            views = [_view(row) for row in session.scalars(query)]
        views.sort(key=lambda v: (not v.review_required, v.state.value, -_ts(v.detected_at)))
        return views

    def resolve(self, conflict_id: str, choice: str) -> ConflictView:
        """Keep one side of a conflict: written as a normal local edit, so the choice syncs.

        Args:
            conflict_id: the conflict's id.
            choice: ``"kept"`` (the value shown now) or ``"other"`` (the other device's value).

        Raises:
            NotFound: no such conflict.
            SyncProblem: an unknown choice.
        """
        if choice not in (KEPT, OTHER):
            raise SyncProblem(f"choose {KEPT!r} or {OTHER!r}")
        with self._db.session() as session:
            conflict = session.get(SyncConflict, conflict_id)
            if conflict is None:
                raise NotFound("That conflict no longer exists.")
            view = _view(conflict)
            value = view.kept_value if choice == KEPT else view.other_value
            _write_choice(session, view, choice, value)
            conflict.state = ConflictState.RESOLVED
            conflict.resolved_at = utcnow()
            conflict.resolution = {"choice": choice, "value": value}
            session.flush()
            return _view(conflict)

    # ------------------------------------------------------------------ bundles

    def export_bundle(self, out_file: Path) -> bundles.BundleSummary:
        """Write every synced row (sealed) to an encrypted, authenticated bundle file.

        Raises:
            FileRefused: ``out_file`` is inside a vault or not an ordinary file (nothing written).
        """
        check_output_path(out_file, (self._db.path.parent,))
        connection = self._require_connection()
        key = connection.sync_key()
        try:
            return bundles.export_bundle(self._db, key, self._device_id, Path(out_file))
        finally:
            key.wipe()

    def import_bundle(self, in_file: Path) -> bundles.BundleSummary:
        """Apply a bundle idempotently (all or nothing).

        Raises:
            SyncProblem: the file was altered, damaged, or made for another account.
        """
        connection = self._require_connection()
        key = connection.sync_key()
        try:
            return bundles.import_bundle(self._db, key, Path(in_file))
        except bundles.BundleError as exc:
            raise SyncProblem(str(exc)) from None
        finally:
            key.wipe()

    # ------------------------------------------------------------------ helpers

    def _connection(self) -> Connection | None:
        with self._db.read() as session:
            return state.load_connection(session)

    def _require_connection(self) -> Connection:
        connection = self._connection()
        if connection is None:
            raise SyncProblem("Sync is not set up on this device (run sync-setup or sync-join).")
        return connection

    def _require_not_set_up(self) -> None:
        if self._connection() is not None:
            raise SyncProblem("Sync is already set up on this device.")

    def _hub(self, connection: Connection) -> HubClient:
        """One pooled client per (hub, token), reused across rounds (keep-alive, one TLS setup)."""
        ident = (connection.hub_url, connection.device_token)
        with self._state_lock:
            client = self._clients.get(ident)
            if client is None:
                client = self._clients[ident] = self.hub_factory(*ident)
            return client

    def close(self) -> None:
        """Close pooled hub connections (the vault is locking)."""
        with self._state_lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()

    def _guarded(self) -> _HubErrors:
        return _HubErrors()

    def _set_phase(self, phase: SyncPhase | None, reason: str) -> None:
        with self._state_lock:
            self._phase, self._reason = phase, reason

    def _pending(self) -> int:
        with self._db.read() as session:
            return store.pending_count(session)

    def _flagged_rows(self) -> int:
        with self._db.read() as session:
            query = (
                select(func.count()).select_from(SyncRowMeta).where(SyncRowMeta.state != "synced")
            )
            return int(session.scalar(query) or 0)


class _HubErrors:
    """Turn hub errors during setup and pairing into plain ``SyncProblem`` messages."""

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, _tb: Any
    ) -> None:
        if isinstance(exc, (HubRejected, HubUnreachable)):
            raise SyncProblem(_classify(exc)[1]) from None


def _classify(exc: BaseException) -> tuple[SyncPhase, str]:
    if isinstance(exc, HubUnreachable):
        return SyncPhase.OFFLINE, str(exc) or "the hub cannot be reached"
    if isinstance(exc, MassDeletionPaused):
        return SyncPhase.PAUSED, str(exc)
    if isinstance(exc, NotAuthorized):
        return SyncPhase.ERROR, "the hub no longer accepts this device; set up sync again"
    if isinstance(exc, UpgradeRequired):
        if exc.hub_too_old:
            return SyncPhase.ERROR, "the hub must be upgraded before this device can sync"
        return SyncPhase.ERROR, "this app must be upgraded before it can sync"
    if isinstance(exc, HubRejected):
        return SyncPhase.ERROR, exc.reason or "the hub refused the request"
    return SyncPhase.ERROR, str(exc)


def _open_conflicts(session: Session) -> int:
    query = (
        select(func.count())
        .select_from(SyncConflict)
        .where(SyncConflict.state == ConflictState.OPEN, SyncConflict.deleted_at.is_(None))
    )
    return int(session.scalar(query) or 0)


def _view(row: SyncConflict) -> ConflictView:
    delete_vs_edit = row.field == "deleted_at"
    remote_kept = row.winner == "remote"
    kept, other = (
        (row.remote_value, row.local_value)
        if remote_kept
        else (
            row.local_value,
            row.remote_value,
        )
    )
    kept_hlc, other_hlc = (
        (row.remote_hlc, row.local_hlc)
        if remote_kept
        else (
            row.local_hlc,
            row.remote_hlc,
        )
    )
    if delete_vs_edit:
        kept, other = "kept (edited on one device)", "deleted (on another device)"
    return ConflictView(
        id=row.id,
        table=row.table_name,
        row_id=row.row_id,
        field=row.field,
        kept_value=kept,
        other_value=other,
        kept_hlc=kept_hlc,
        other_hlc=other_hlc,
        detected_at=row.created_at,
        review_required=row.review_required,
        delete_vs_edit=delete_vs_edit,
        state=row.state,
        resolution=row.resolution,
    )


def _write_choice(session: Session, view: ConflictView, choice: str, value: Any) -> None:
    model = store.model_for(view.table)
    row = session.get(model, view.row_id)
    if row is None:
        return
    if view.delete_vs_edit:
        row.deleted_at = utcnow() if choice == OTHER else None
        return
    new_value = store.value_from_json(view.table, view.field, value)
    if getattr(row, view.field) != new_value:
        setattr(row, view.field, new_value)


def _ts(when: datetime | None) -> float:
    return when.timestamp() if when else 0.0
