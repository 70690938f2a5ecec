"""Hub use cases over its own database: accounts, enrollment, hello, push, pull, manifest, blobs.

Every method takes the authenticated :class:`DeviceIdentity` and touches only that account's
rows: account isolation is a ``WHERE account_id = ...`` on every statement, never a filter applied
afterwards. Errors are :class:`HubError` carrying a protocol :class:`ErrorCode`.
"""

from __future__ import annotations

import hashlib
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from casedesk.hub import db
from casedesk.hub.models import (
    ACCOUNT_NAME_MAX,
    Account,
    Blob,
    BlobChunk,
    ChangeLog,
    Device,
    EnrollmentToken,
    HubMeta,
    RowHead,
)
from casedesk.hub.push import PushBatch
from casedesk.hub.security import (
    DEVICE_TOKEN_PREFIX,
    ENROLLMENT_TOKEN_PREFIX,
    PAIRING_GRANT_PREFIX,
    CursorError,
    CursorState,
    decode_cursor,
    encode_cursor,
    hash_token,
    new_token,
)
from casedesk.sync.protocol import (
    MAX_BATCH_OPS,
    MAX_BLOB_CHUNK_BYTES,
    MAX_BODY_BYTES,
    MAX_PULL_LIMIT,
    BlobStatus,
    Change,
    EnrollRequest,
    EnrollResponse,
    ErrorCode,
    HelloRequest,
    HelloResponse,
    HubLimits,
    ManifestRequest,
    ManifestResponse,
    ManifestRowsResponse,
    OpKind,
    OpStatus,
    PairingGrantResponse,
    PullResponse,
    PushRequest,
    PushResponse,
    RowVersion,
    negotiate_protocol,
    table_digest,
)


class HubError(Exception):
    """A refusal with a protocol error code and a plain-language message (never data)."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class AmbiguousDeviceError(Exception):
    """Several accounts hold a device with this id; the operator must say which account."""

    def __init__(self, device_id: str, account_ids: Sequence[str]) -> None:
        super().__init__(
            f"device {device_id} is enrolled in {len(account_ids)} accounts "
            f"({', '.join(account_ids)}); say which one with --account"
        )
        self.account_ids = list(account_ids)


def check_account_name(name: str) -> str:
    """The name, if the hub can store it as an account's name.

    Raises:
        ValueError: Empty, too long, or with control characters or undecodable bytes (a plain
            message for the operator).
    """
    if not name.strip():
        raise ValueError("an account name cannot be empty")
    if len(name) > ACCOUNT_NAME_MAX:
        raise ValueError(f"an account name has at most {ACCOUNT_NAME_MAX} characters "
                         f"(this one has {len(name)})")
    # Cc: control characters (PostgreSQL refuses NUL); Cs: bytes the terminal could not decode.
    if any(unicodedata.category(char) in ("Cc", "Cs") for char in name):
        raise ValueError("an account name cannot contain control characters or undecodable bytes")
    return name


@dataclass(frozen=True)
class DeviceIdentity:
    """Who is calling, established from the bearer token."""

    account_id: str
    device_id: str


@dataclass(frozen=True)
class HubSettings:
    """Limits and timings of one hub instance."""

    max_body_bytes: int = MAX_BODY_BYTES
    max_batch_ops: int = MAX_BATCH_OPS
    max_pull_limit: int = MAX_PULL_LIMIT
    max_blob_chunk_bytes: int = MAX_BLOB_CHUNK_BYTES
    max_blob_bytes: int = 512 * 1024 * 1024
    pairing_grant_ttl_ms: int = 15 * 60 * 1000


@dataclass
class PushStats:
    """Counts for the structured log line of one push (no payloads)."""

    applied: int = 0
    duplicate: int = 0
    conflict: int = 0
    rejected: int = 0

    def count(self, status: OpStatus) -> None:
        """Add one result."""
        setattr(self, status.value, getattr(self, status.value) + 1)


AppendHook = Callable[[DeviceIdentity, Sequence[int]], None]
_LAST_SEEN_RESOLUTION_MS = 60_000


class HubStore:
    """The hub's storage and protocol semantics (no HTTP here).

    Args:
        engine: Engine from :func:`casedesk.hub.db.make_engine`; schema must be initialised.
        settings: Limits.
    """

    def __init__(self, engine: Engine, settings: HubSettings | None = None) -> None:
        self.engine = engine
        self.settings = settings or HubSettings()
        self.after_append: AppendHook | None = None
        """Test seam: called inside the push transaction after the change-log inserts, before
        commit, with the new sequence numbers. Lets a test hold a transaction open."""

    # ------------------------------------------------------------ identity and meta

    def meta(self, connection: Connection | None = None) -> Any:
        """The hub identity row (hub_id, epoch, ranges, cursor key)."""
        if connection is not None:
            return connection.execute(select(HubMeta.__table__)).one()
        with self.engine.connect() as own:
            return own.execute(select(HubMeta.__table__)).one()

    def current_epoch(self) -> str:
        """The epoch clients must present."""
        return str(self.meta().epoch)

    def set_schema_range(self, schema_min: int, schema_max: int) -> None:
        """Change the accepted client sync-schema range (admin action, and tests)."""
        with db.write_transaction(self.engine) as connection:
            connection.execute(
                update(HubMeta).where(HubMeta.id == 1).values(
                    schema_min=schema_min, schema_max=schema_max
                )
            )

    # ------------------------------------------------------------ accounts and enrollment

    def create_account(self, name: str) -> tuple[str, str]:
        """Create an account and its one-time enrollment token.

        Returns:
            ``(account_id, enrollment_token)``; the token is not stored in clear anywhere.

        Raises:
            ValueError: A name the hub cannot store (see :func:`check_account_name`).
        """
        check_account_name(name)
        account_id = str(uuid.uuid4())
        token = new_token(ENROLLMENT_TOKEN_PREFIX)
        stamp = db.now_ms()
        with db.write_transaction(self.engine) as connection:
            connection.execute(
                insert(Account).values(id=account_id, name=name, created_at_ms=stamp)
            )
            self._store_enrollment(connection, account_id, token, "account", None)
        return account_id, token

    def _store_enrollment(
        self, connection: Connection, account_id: str, token: str, purpose: str,
        expires_at_ms: int | None,
    ) -> None:
        connection.execute(
            insert(EnrollmentToken).values(
                token_hash=hash_token(token),
                account_id=account_id,
                purpose=purpose,
                created_at_ms=db.now_ms(),
                expires_at_ms=expires_at_ms,
            )
        )

    def create_pairing_grant(self, identity: DeviceIdentity) -> PairingGrantResponse:
        """A one-time, short-lived grant so a new device can join the caller's account."""
        grant = new_token(PAIRING_GRANT_PREFIX)
        expires = db.now_ms() + self.settings.pairing_grant_ttl_ms
        with db.write_transaction(self.engine) as connection:
            self._store_enrollment(connection, identity.account_id, grant, "pairing", expires)
        return PairingGrantResponse(grant=grant, expires_at_ms=expires)

    def enroll(self, request: EnrollRequest) -> EnrollResponse:
        """Exchange an enrollment token or pairing grant for a device bearer token.

        Raises:
            HubError: ENROLLMENT_INVALID when the token is unknown, used or expired.
        """
        token_hash = hash_token(request.enrollment_token)
        device_token = new_token(DEVICE_TOKEN_PREFIX)
        stamp = db.now_ms()
        with db.write_transaction(self.engine) as connection:
            claimed = connection.execute(
                update(EnrollmentToken)
                .where(
                    EnrollmentToken.token_hash == token_hash,
                    EnrollmentToken.used_at_ms.is_(None),
                    (EnrollmentToken.expires_at_ms.is_(None))
                    | (EnrollmentToken.expires_at_ms > stamp),
                )
                .values(used_at_ms=stamp, used_by_device=request.device_id)
                .returning(EnrollmentToken.account_id)
            ).first()
            if claimed is None:
                raise HubError(
                    ErrorCode.ENROLLMENT_INVALID,
                    "this enrollment token or pairing code is unknown, already used or expired",
                )
            account_id = str(claimed.account_id)
            self._upsert_device(connection, account_id, request, hash_token(device_token))
            meta = self.meta(connection)
        return EnrollResponse(
            account_id=account_id,
            device_id=request.device_id,
            device_token=device_token,
            hub_id=meta.hub_id,
            epoch=meta.epoch,
        )

    def _upsert_device(
        self, connection: Connection, account_id: str, request: EnrollRequest, token_hash: str
    ) -> None:
        existing = connection.execute(
            select(Device.id).where(
                Device.account_id == account_id, Device.device_id == request.device_id
            )
        ).first()
        if existing is not None:
            # Re-joining the same device replaces its token; the old one stops working.
            connection.execute(
                update(Device)
                .where(Device.id == existing.id)
                .values(token_hash=token_hash, revoked=False, name=request.device_name)
            )
            return
        connection.execute(
            insert(Device).values(
                account_id=account_id,
                device_id=request.device_id,
                name=request.device_name,
                token_hash=token_hash,
                created_at_ms=db.now_ms(),
                revoked=False,
            )
        )

    def authenticate(self, token: str | None) -> DeviceIdentity:
        """The device a bearer token belongs to.

        Raises:
            HubError: UNAUTHORIZED for a missing, unknown or revoked token.
        """
        if not token:
            raise HubError(ErrorCode.UNAUTHORIZED, "sign-in required: this device has no token")
        with self.engine.connect() as connection:
            row = connection.execute(
                select(Device.account_id, Device.device_id).where(
                    Device.token_hash == hash_token(token), Device.revoked.is_(False)
                )
            ).first()
        if row is None:
            raise HubError(ErrorCode.UNAUTHORIZED, "this device's token is not valid on this hub")
        return DeviceIdentity(account_id=str(row.account_id), device_id=str(row.device_id))

    def list_devices(self) -> list[dict[str, Any]]:
        """Every enrolled device (for the operator): ids, names, last seen, revoked."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(Device.account_id, Account.name.label("account_name"), Device.device_id,
                       Device.name, Device.last_seen_at_ms, Device.revoked)
                .join(Account, Account.id == Device.account_id)
                .order_by(Device.account_id, Device.device_id)
            ).all()
        return [dict(row._mapping) for row in rows]

    def revoke_device(self, device_id: str, account_id: str | None = None) -> str | None:
        """Stop a device's token from working (a lost or retired laptop).

        Device ids are unique per account only, so without ``account_id`` the id must belong to
        a single account.

        Returns:
            The account whose device was revoked, or None when no such device exists.

        Raises:
            AmbiguousDeviceError: No account given and several accounts hold this device id.
        """
        query = select(Device.account_id).where(Device.device_id == device_id)
        if account_id is not None:
            query = query.where(Device.account_id == account_id)
        with db.write_transaction(self.engine) as connection:
            holders = sorted(str(holder) for holder in connection.execute(query).scalars())
            if len(holders) > 1:
                raise AmbiguousDeviceError(device_id, holders)
            if not holders:
                return None
            connection.execute(
                update(Device)
                .where(Device.account_id == holders[0], Device.device_id == device_id)
                .values(revoked=True)
            )
        return holders[0]

    # ------------------------------------------------------------ hello

    def hello(self, identity: DeviceIdentity, request: HelloRequest) -> HelloResponse:
        """Negotiate the protocol and check the client's sync-schema version.

        Raises:
            HubError: UPGRADE_REQUIRED (app too old) or HUB_UPGRADE_REQUIRED (hub too old).
        """
        meta = self.meta()
        self._touch_last_seen(identity)
        hub_protocols = list(range(meta.protocol_min, meta.protocol_max + 1))
        chosen = negotiate_protocol(request.protocols, hub_protocols)
        if chosen is None:
            too_old = max(request.protocols) < meta.protocol_min
            raise self._upgrade_error(too_old)
        if request.schema_version < meta.schema_min:
            raise self._upgrade_error(app_too_old=True)
        if request.schema_version > meta.schema_max:
            raise self._upgrade_error(app_too_old=False)
        return HelloResponse(
            hub_id=meta.hub_id,
            epoch=meta.epoch,
            protocol=chosen,
            protocols=hub_protocols,
            schema_min=meta.schema_min,
            schema_max=meta.schema_max,
            hub_time_ms=db.now_ms(),
            e2ee_required=True,
            account_id=identity.account_id,
            device_id=identity.device_id,
            limits=self._limits(),
        )

    def _touch_last_seen(self, identity: DeviceIdentity) -> None:
        """Record when a device last said hello, at most once a minute.

        Every device says hello each round; taking the write lock each time would make idle
        devices queue behind real pushes (SQLite has one writer).
        """
        stamp = db.now_ms()
        stale = stamp - _LAST_SEEN_RESOLUTION_MS
        mine = (Device.account_id == identity.account_id) & (Device.device_id == identity.device_id)
        with self.engine.connect() as connection:
            seen = connection.execute(select(Device.last_seen_at_ms).where(mine)).scalar()
        if seen is not None and seen > stale:
            return
        with db.write_transaction(self.engine) as connection:
            connection.execute(update(Device).where(mine).values(last_seen_at_ms=stamp))

    @staticmethod
    def _upgrade_error(app_too_old: bool) -> HubError:
        if app_too_old:
            return HubError(
                ErrorCode.UPGRADE_REQUIRED,
                "this version of casedesk is too old for the hub; update casedesk to sync "
                "(your unsynced changes are kept)",
            )
        return HubError(
            ErrorCode.HUB_UPGRADE_REQUIRED,
            "the hub runs an older casedesk-hub than this app; ask for the hub to be updated "
            "(your unsynced changes are kept)",
        )

    def _limits(self) -> HubLimits:
        return HubLimits(
            max_batch_ops=self.settings.max_batch_ops,
            max_body_bytes=self.settings.max_body_bytes,
            max_pull_limit=self.settings.max_pull_limit,
            max_blob_chunk_bytes=self.settings.max_blob_chunk_bytes,
        )

    # ------------------------------------------------------------ push

    def push(
        self, identity: DeviceIdentity, request: PushRequest
    ) -> tuple[PushResponse, PushStats]:
        """Apply a batch in one transaction; replays return stored results.

        Raises:
            HubError: FORBIDDEN (device id not the token's), EPOCH_MISMATCH, PAYLOAD_TOO_LARGE.
        """
        if request.device_id != identity.device_id:
            raise HubError(ErrorCode.FORBIDDEN, "this token belongs to another device")
        if len(request.ops) > self.settings.max_batch_ops:
            raise HubError(ErrorCode.PAYLOAD_TOO_LARGE, "too many operations in one batch")
        with db.write_transaction(self.engine, identity.account_id) as connection:
            meta = self.meta(connection)
            self._check_epoch(meta.epoch, request.epoch)
            batch = PushBatch(connection, identity.account_id, identity.device_id, request.ops)
            results = batch.decide()
            batch.write()
            if batch.appended_seqs and self.after_append is not None:
                self.after_append(identity, batch.appended_seqs)
        stats = PushStats()
        for result in results:
            stats.count(result.status)
        response = PushResponse(epoch=meta.epoch, results=results, hub_time_ms=db.now_ms())
        return response, stats

    @staticmethod
    def _check_epoch(current: str, presented: str | None) -> None:
        if presented is not None and presented != current:
            raise HubError(
                ErrorCode.EPOCH_MISMATCH,
                "the hub was restored from a backup; this device will re-send what the hub lacks",
            )

    # ------------------------------------------------------------ pull

    def pull(
        self, identity: DeviceIdentity, cursor: str | None, epoch: str | None, limit: int
    ) -> PullResponse:
        """A page of the account's change log after the cursor, in server order.

        Raises:
            HubError: CURSOR_INVALID, FORBIDDEN (another account's cursor), EPOCH_MISMATCH,
                CURSOR_EXPIRED.
        """
        limit = max(1, min(limit, self.settings.max_pull_limit))
        with db.read_transaction(self.engine) as connection:
            meta = self.meta(connection)
            after = self._cursor_seq(meta, identity, cursor, epoch)
            rows = connection.execute(
                select(ChangeLog.__table__)
                .where(ChangeLog.account_id == identity.account_id, ChangeLog.server_seq > after)
                .order_by(ChangeLog.server_seq)
                .limit(limit + 1)
            ).all()
            high_water = connection.execute(
                select(func.max(ChangeLog.server_seq)).where(
                    ChangeLog.account_id == identity.account_id
                )
            ).scalar()
        page = rows[:limit]
        changes = [_change(row) for row in page]
        last = changes[-1].server_seq if changes else after
        next_cursor = encode_cursor(
            meta.cursor_key, CursorState(identity.account_id, meta.epoch, last)
        )
        return PullResponse(
            epoch=meta.epoch,
            changes=changes,
            next_cursor=next_cursor,
            has_more=len(rows) > limit,
            high_water_seq=int(high_water or 0),
        )

    @staticmethod
    def _cursor_seq(meta: Any, identity: DeviceIdentity, cursor: str | None,
                    epoch: str | None) -> int:
        HubStore._check_epoch(meta.epoch, epoch)
        if not cursor:
            return 0
        try:
            state = decode_cursor(meta.cursor_key, cursor)
        except CursorError as error:
            raise HubError(ErrorCode.CURSOR_INVALID, str(error)) from None
        if state.account_id != identity.account_id:
            raise HubError(ErrorCode.FORBIDDEN, "this cursor belongs to another account")
        HubStore._check_epoch(meta.epoch, state.epoch)
        if state.seq < meta.compacted_seq:
            raise HubError(
                ErrorCode.CURSOR_EXPIRED,
                "this device was away longer than the hub keeps history; a full resync follows",
            )
        return state.seq

    # ------------------------------------------------------------ manifest

    def manifest(self, identity: DeviceIdentity, request: ManifestRequest) -> ManifestResponse:
        """Compare the client's per-table set hashes with the hub's."""
        with db.read_transaction(self.engine) as connection:
            meta = self.meta(connection)
            self._check_epoch(meta.epoch, request.epoch)
            heads = connection.execute(
                select(RowHead.table_name, RowHead.row_id, RowHead.row_version)
                .where(RowHead.account_id == identity.account_id)
                .order_by(RowHead.table_name)
            ).all()
        by_table: dict[str, list[tuple[str, int]]] = {}
        for head in heads:
            by_table.setdefault(head.table_name, []).append((head.row_id, head.row_version))
        hub_digests = {name: table_digest(name, rows) for name, rows in by_table.items()}
        client_digests = {digest.table: digest for digest in request.tables}
        names = sorted(set(hub_digests) | set(client_digests))
        mismatched = [
            name for name in names
            if _digest_key(hub_digests.get(name)) != _digest_key(client_digests.get(name))
        ]
        return ManifestResponse(
            epoch=meta.epoch, tables=list(hub_digests.values()), mismatched=mismatched
        )

    def manifest_rows(
        self, identity: DeviceIdentity, table: str, epoch: str | None, after: str | None,
        limit: int,
    ) -> ManifestRowsResponse:
        """One page of a table's (row id, version) list, for finding what the hub lacks."""
        limit = max(1, min(limit, self.settings.max_pull_limit * 10))
        with db.read_transaction(self.engine) as connection:
            meta = self.meta(connection)
            self._check_epoch(meta.epoch, epoch)
            query = select(RowHead.row_id, RowHead.row_version, RowHead.deleted).where(
                RowHead.account_id == identity.account_id, RowHead.table_name == table
            )
            if after:
                query = query.where(RowHead.row_id > after)
            rows = connection.execute(query.order_by(RowHead.row_id).limit(limit + 1)).all()
        page = rows[:limit]
        return ManifestRowsResponse(
            epoch=meta.epoch,
            table=table,
            rows=[RowVersion(row_id=r.row_id, row_version=r.row_version, deleted=r.deleted)
                  for r in page],
            next_after=page[-1].row_id if len(rows) > limit else None,
        )

    # ------------------------------------------------------------ blobs

    def blob_status(self, identity: DeviceIdentity, sha256: str) -> BlobStatus:
        """Upload progress of a blob (zero bytes for an unknown one)."""
        with self.engine.connect() as connection:
            row = self._blob_row(connection, identity, sha256)
        return _blob_status(sha256, row)

    @staticmethod
    def _blob_row(connection: Connection, identity: DeviceIdentity, sha256: str) -> Any:
        return connection.execute(
            select(Blob.__table__).where(
                Blob.account_id == identity.account_id, Blob.sha256 == sha256
            )
        ).first()

    def put_blob_chunk(
        self, identity: DeviceIdentity, sha256: str, start: int, total: int, data: bytes
    ) -> BlobStatus:
        """Store one chunk at ``start``; on the last one verify the SHA-256 and complete.

        A chunk that was already received (a retry after a lost response) is accepted as a
        no-op, so uploads are idempotent.

        Raises:
            HubError: PAYLOAD_TOO_LARGE, BLOB_RANGE (gap or size change), BLOB_HASH_MISMATCH.
        """
        if total > self.settings.max_blob_bytes or len(data) > self.settings.max_blob_chunk_bytes:
            raise HubError(ErrorCode.PAYLOAD_TOO_LARGE, "attachment or chunk too large")
        with db.write_transaction(self.engine) as connection:
            row = self._blob_row(connection, identity, sha256)
            if row is None:
                connection.execute(
                    insert(Blob).values(
                        account_id=identity.account_id, sha256=sha256, total_size=total,
                        received_bytes=0, complete=False, created_at_ms=db.now_ms(),
                    )
                )
                row = self._blob_row(connection, identity, sha256)
            if row.complete or start + len(data) <= row.received_bytes:
                return _blob_status(sha256, row)
            if row.total_size != total or start != row.received_bytes:
                raise HubError(
                    ErrorCode.BLOB_RANGE,
                    f"upload must continue at byte {row.received_bytes} of {row.total_size}",
                )
            received = start + len(data)
            if received > total:
                raise HubError(ErrorCode.BLOB_RANGE, "chunk runs past the announced size")
            connection.execute(
                insert(BlobChunk).values(
                    account_id=identity.account_id, sha256=sha256, offset=start, data=data
                )
            )
            complete = received == total
            if complete and not self._hash_matches(connection, identity, sha256):
                # Every chunk is suspect, so the device must start over: drop them all, commit
                # that, then refuse.
                self._discard_blob(connection, identity, sha256)
                discarded = True
            else:
                discarded = False
                connection.execute(
                    update(Blob)
                    .where(Blob.account_id == identity.account_id, Blob.sha256 == sha256)
                    .values(received_bytes=received, complete=complete)
                )
                row = self._blob_row(connection, identity, sha256)
        if discarded:
            raise HubError(
                ErrorCode.BLOB_HASH_MISMATCH,
                "the uploaded bytes do not match their SHA-256; the upload was discarded",
            )
        return _blob_status(sha256, row)

    def _hash_matches(self, connection: Connection, identity: DeviceIdentity, sha256: str) -> bool:
        digest = hashlib.sha256()
        for chunk in self._chunks(connection, identity, sha256):
            digest.update(chunk)
        return digest.hexdigest() == sha256

    @staticmethod
    def _discard_blob(connection: Connection, identity: DeviceIdentity, sha256: str) -> None:
        for model in (BlobChunk, Blob):
            connection.execute(
                delete(model).where(model.account_id == identity.account_id, model.sha256 == sha256)
            )

    @staticmethod
    def _chunks(connection: Connection, identity: DeviceIdentity, sha256: str) -> Iterable[bytes]:
        rows = connection.execute(
            select(BlobChunk.data)
            .where(BlobChunk.account_id == identity.account_id, BlobChunk.sha256 == sha256)
            .order_by(BlobChunk.offset)
        )
        for row in rows:
            yield bytes(row.data)

    def read_blob(self, identity: DeviceIdentity, sha256: str) -> bytes:
        """The complete blob.

        Raises:
            HubError: NOT_FOUND when absent, incomplete or another account's.
        """
        with db.read_transaction(self.engine) as connection:
            row = self._blob_row(connection, identity, sha256)
            if row is None or not row.complete:
                raise HubError(ErrorCode.NOT_FOUND, "no such attachment on the hub")
            return b"".join(self._chunks(connection, identity, sha256))


def _digest_key(digest: Any) -> tuple[int, str] | None:
    return None if digest is None else (digest.count, digest.set_hash)


def _envelope_text(raw: bytes | None) -> str | None:
    return None if raw is None else bytes(raw).decode("ascii")


def _change(row: Any) -> Change:
    return Change(
        server_seq=row.server_seq,
        op_id=row.op_id,
        table=row.table_name,
        row_id=row.row_id,
        kind=OpKind(row.kind),
        row_version=row.row_version,
        deleted=row.deleted,
        envelope=_envelope_text(row.envelope),
        hlc=row.hlc,
        device_id=row.device_id,
    )


def _blob_status(sha256: str, row: Any) -> BlobStatus:
    if row is None:
        return BlobStatus(sha256=sha256, total_size=None, received_bytes=0, complete=False)
    return BlobStatus(
        sha256=sha256,
        total_size=row.total_size,
        received_bytes=row.received_bytes,
        complete=row.complete,
    )
