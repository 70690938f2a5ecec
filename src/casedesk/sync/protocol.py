"""Wire protocol v1 between a casedesk device and a casedesk hub.

Every message is a pydantic model so the hub validates requests and serves an OpenAPI schema, and
the HTTP client parses responses with the same definitions. The hub only ever sees ciphertext
envelopes (see :mod:`casedesk.sync.envelope`) plus the minimal metadata named here.

This module must stay importable by the hub, which may not reach client storage: it imports
nothing from ``casedesk.storage`` (an import-linter contract checks it).

The full narrative (error semantics, cursors, epochs, keys) is in ``docs/SYNC_PROTOCOL.md``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

PROTOCOL_VERSION = 1
"""The protocol version this code speaks."""

SUPPORTED_PROTOCOLS: tuple[int, ...] = (1,)
"""Every protocol version this code can speak, oldest first."""

API_PREFIX = "/v1"

MAX_BATCH_OPS = 500
"""Upper bound on operations in one push batch (the hub may announce a lower one in hello)."""

MAX_PULL_LIMIT = 1000
"""Upper bound on changes in one pull page."""

DEFAULT_PULL_LIMIT = 500

MAX_BODY_BYTES = 4 * 1024 * 1024
"""Default request body limit of the hub (413 above it)."""

MAX_BLOB_CHUNK_BYTES = 1024 * 1024
"""Largest blob chunk the client sends in one request."""

ENVELOPE_MAX_CHARS = 512 * 1024
"""Largest single envelope accepted in a push (one row, sealed)."""

INT32_MAX = 2**31 - 1
"""Largest integer a request may carry: the hub stores them in 32-bit columns on PostgreSQL."""

# Every request field has a bounded length and a character set the hub's databases can store:
# PostgreSQL refuses NUL in text, envelopes are stored as ASCII bytes, and the columns have
# fixed widths. Refusing at the schema makes such input a documented 400, never a 500.
_NAME = r"^[a-z][a-z0-9_]{0,62}$"
_ROW_ID = r"^[A-Za-z0-9_.:-]{1,64}$"
_SHA256 = r"^[0-9a-f]{64}$"
_ENVELOPE = r"^[A-Za-z0-9_=:.+/-]+$"
"""Envelope characters: base64 (standard and URL-safe) and the ``v1:key_id:`` separators."""
_OPAQUE_ID = r"^[A-Za-z0-9_.:-]*$"
"""HLC strings and batch ids: row-id characters, possibly empty."""
_SECRET = r"^[A-Za-z0-9_-]+$"
"""Enrollment tokens and pairing grants: a prefix and URL-safe base64."""
_CURSOR = r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$"
_TEXT = r"^[^\x00-\x1f\x7f-\x9f]*$"
"""Free text (a device's name): any character except control characters."""
_PRINTABLE_ASCII = r"^[ -~]*$"

TableName = Annotated[str, Field(pattern=_NAME, description="Synced table name (snake_case).")]
RowId = Annotated[str, Field(pattern=_ROW_ID, description="Row id chosen on the device (UUID).")]
Sha256Hex = Annotated[str, Field(pattern=_SHA256, description="Lower-case hex SHA-256.")]
Epoch = Annotated[str, Field(pattern=_ROW_ID, description="The hub's epoch, as hello gave it.")]
Cursor = Annotated[str, Field(max_length=400, pattern=_CURSOR,
                              description="Opaque pull position from a previous pull.")]


def _json_integer(value: object) -> object:
    """Refuse booleans for integers, as JSON Schema does (pydantic would read ``true`` as 1).

    Integral floats such as ``7.0`` stay accepted: JSON Schema counts them as integers.
    """
    if isinstance(value, bool):
        raise ValueError("a boolean is not an integer")
    return value


Int32 = Annotated[int, Field(ge=0, le=INT32_MAX), BeforeValidator(_json_integer)]
"""A non-negative integer in a request, small enough for every hub database column."""
Version = Annotated[int, Field(ge=1, le=INT32_MAX), BeforeValidator(_json_integer)]
"""A row version in a request (versions start at 1)."""


class ErrorCode(StrEnum):
    """Machine-readable error codes carried in every non-2xx response body."""

    UNAUTHORIZED = "unauthorized"  # 401: no token, unknown or revoked token
    FORBIDDEN = "forbidden"  # 403: token valid but not for this device/account/cursor
    NOT_FOUND = "not_found"  # 404
    METHOD_NOT_ALLOWED = "method_not_allowed"  # 405: the path exists, the method does not
    EPOCH_MISMATCH = "epoch_mismatch"  # 409: hub restored from a backup; re-announce
    CURSOR_EXPIRED = "cursor_expired"  # 410: history compacted past the cursor; full resync
    CURSOR_INVALID = "cursor_invalid"  # 400: cursor not issued by this hub or altered
    PAYLOAD_TOO_LARGE = "payload_too_large"  # 413
    BAD_REQUEST = "bad_request"  # 400 / 422: malformed message
    UPGRADE_REQUIRED = "upgrade_required"  # 426: the app is too old for this hub
    HUB_UPGRADE_REQUIRED = "hub_upgrade_required"  # 426: the hub is too old for this app
    BLOB_RANGE = "blob_range"  # 416: chunk does not start where the upload stands
    BLOB_HASH_MISMATCH = "blob_hash_mismatch"  # 422: assembled bytes do not hash to the name
    ENROLLMENT_INVALID = "enrollment_invalid"  # 403: token unknown, used or expired


ERROR_STATUS: dict[ErrorCode, int] = {
    ErrorCode.UNAUTHORIZED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.METHOD_NOT_ALLOWED: 405,
    ErrorCode.EPOCH_MISMATCH: 409,
    ErrorCode.CURSOR_EXPIRED: 410,
    ErrorCode.CURSOR_INVALID: 400,
    ErrorCode.PAYLOAD_TOO_LARGE: 413,
    ErrorCode.BAD_REQUEST: 400,
    ErrorCode.UPGRADE_REQUIRED: 426,
    ErrorCode.HUB_UPGRADE_REQUIRED: 426,
    ErrorCode.BLOB_RANGE: 416,
    ErrorCode.BLOB_HASH_MISMATCH: 422,
    ErrorCode.ENROLLMENT_INVALID: 403,
}
"""HTTP status the hub answers with for each error code."""


class _Message(BaseModel):
    """Base for wire messages: unknown fields are ignored so minor additions stay compatible."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class ErrorBody(_Message):
    """Body of every error response."""

    error: ErrorCode
    message: str = Field(description="Plain-language reason, safe to show; never contains data.")


# ---------------------------------------------------------------- enrollment and pairing


class EnrollRequest(_Message):
    """Exchange a one-time enrollment token or pairing grant for a per-device bearer token."""

    enrollment_token: str = Field(min_length=16, max_length=200, pattern=_SECRET)
    device_id: RowId
    device_name: str = Field(default="", max_length=100, pattern=_TEXT)


class EnrollResponse(_Message):
    """The device's own bearer token: shown once, the hub keeps only its hash."""

    account_id: str
    device_id: str
    device_token: str
    hub_id: str
    epoch: str


class PairingGrantResponse(_Message):
    """A one-time grant an enrolled device hands to a new device of the same account."""

    grant: str
    expires_at_ms: int


# ---------------------------------------------------------------- hello


class HelloRequest(_Message):
    """First call of every sync round: negotiates the protocol and checks schema skew."""

    protocols: list[Int32] = Field(min_length=1, max_length=16)
    schema_version: Int32
    app_version: str = Field(default="", max_length=40, pattern=_PRINTABLE_ASCII)


class HubLimits(_Message):
    """Limits the client must respect."""

    max_batch_ops: int
    max_body_bytes: int
    max_pull_limit: int
    max_blob_chunk_bytes: int


class HelloResponse(_Message):
    """The hub's identity, current epoch and negotiated protocol."""

    hub_id: str
    epoch: str
    protocol: int = Field(description="The protocol version both sides will use.")
    protocols: list[int]
    schema_min: int
    schema_max: int
    hub_time_ms: int
    e2ee_required: bool = True
    account_id: str
    device_id: str
    limits: HubLimits


def negotiate_protocol(client: Iterable[int], hub: Iterable[int]) -> int | None:
    """The highest protocol version both sides speak, or None when they share none."""
    common = set(client) & set(hub)
    return max(common) if common else None


# ---------------------------------------------------------------- push


class OpKind(StrEnum):
    """What an operation does to its row."""

    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"
    APPEND = "append"  # first write of a row in an append-only table; never updated or deleted


class PushOp(_Message):
    """One change to one row, sealed on the device.

    ``base_version`` is the hub row version the change was made on (None for a new row). When it
    is accepted, the row's new version is ``(base_version or 0) + 1``: the envelope must be sealed
    for that version (its associated data binds it), so a hub cannot replay an old version as new.
    """

    op_id: RowId
    table: TableName
    row_id: RowId
    kind: OpKind
    base_version: Version | None = None
    envelope: str | None = Field(default=None, max_length=ENVELOPE_MAX_CHARS, pattern=_ENVELOPE)
    hlc: str = Field(default="", max_length=100, pattern=_OPAQUE_ID)
    schema_version: Int32 = 0


class PushRequest(_Message):
    """A batch of operations, applied by the hub in one transaction."""

    device_id: RowId
    epoch: Epoch
    batch_id: str = Field(default="", max_length=64, pattern=_OPAQUE_ID)
    ops: list[PushOp] = Field(max_length=MAX_BATCH_OPS)


class OpStatus(StrEnum):
    """Outcome of one pushed operation."""

    APPLIED = "applied"
    DUPLICATE = "duplicate"  # op_id seen before: the stored result is returned unchanged
    CONFLICT = "conflict"  # stale base: merge with ``current`` and push again
    REJECTED = "rejected"  # permanent refusal; ``reason`` says why


class RejectReason(StrEnum):
    """Why an operation was refused for good."""

    APPEND_ONLY = "append_only"  # update/delete of a row first created by an append
    ALREADY_EXISTS = "already_exists"  # append of a row id that already exists
    MISSING_ENVELOPE = "missing_envelope"  # insert/update/append without ciphertext
    NOT_FOUND = "not_found"  # update/delete of a row the hub never saw
    OP_ID_REUSED = "op_id_reused"  # same op_id seen for another table or row


class RowState(_Message):
    """The hub's current state of a row, sent back with a conflict or listed by pull."""

    row_version: int
    server_seq: int
    kind: OpKind
    deleted: bool
    envelope: str | None
    hlc: str
    device_id: str


class OpResult(_Message):
    """Result for one op; every op of a batch appears exactly once, in request order."""

    op_id: str
    status: OpStatus
    row_version: int | None = None
    server_seq: int | None = None
    reason: RejectReason | None = None
    current: RowState | None = Field(default=None, description="Set for conflicts.")


class PushResponse(_Message):
    """Results of a push batch."""

    epoch: str
    results: list[OpResult]
    hub_time_ms: int


# ---------------------------------------------------------------- pull


class Change(_Message):
    """One entry of the hub's change log, in server order."""

    server_seq: int
    op_id: str
    table: str
    row_id: str
    kind: OpKind
    row_version: int
    deleted: bool
    envelope: str | None
    hlc: str
    device_id: str


class PullResponse(_Message):
    """A page of changes after the request's cursor."""

    epoch: str
    changes: list[Change]
    next_cursor: str = Field(description="Opaque; store it with the applied page.")
    has_more: bool
    high_water_seq: int = Field(description="Newest committed sequence number for the account.")


# ---------------------------------------------------------------- manifest


class TableDigest(_Message):
    """Order-independent digest of one table's (row_id, row_version) set."""

    table: TableName
    count: Int32
    set_hash: Sha256Hex


class ManifestRequest(_Message):
    """The client's digests, sent after an epoch change (or periodically) to find divergence."""

    epoch: Epoch
    tables: list[TableDigest] = Field(max_length=1000)


class ManifestResponse(_Message):
    """The hub's digests for every table it holds for the account, and which ones differ."""

    epoch: str
    tables: list[TableDigest]
    mismatched: list[str]


class RowVersion(_Message):
    """A row id and its hub version (used to find rows the hub lacks or holds older)."""

    row_id: str
    row_version: int
    deleted: bool


class ManifestRowsResponse(_Message):
    """A page of one table's row versions, ordered by row id."""

    epoch: str
    table: str
    rows: list[RowVersion]
    next_after: str | None = Field(description="Pass as ``after`` for the next page; None at end.")


def row_digest_item(table: str, row_id: str, row_version: int) -> int:
    """The 256-bit hash contributed by one row to its table's set hash."""
    digest = hashlib.sha256(f"{table}\x1f{row_id}\x1f{row_version}".encode()).digest()
    return int.from_bytes(digest, "big")


def table_digest(table: str, rows: Iterable[tuple[str, int]]) -> TableDigest:
    """CommCare-style set hash: XOR of each row's hash, so order does not matter.

    Both sides compute it over every row they know, tombstones included (a delete bumps the row
    version, so it changes the digest).

    Args:
        table: Table name.
        rows: ``(row_id, row_version)`` pairs.

    Returns:
        The digest of the set.
    """
    accumulator = 0
    count = 0
    for row_id, row_version in rows:
        accumulator ^= row_digest_item(table, row_id, row_version)
        count += 1
    return TableDigest(table=table, count=count, set_hash=f"{accumulator:064x}")


# ---------------------------------------------------------------- blobs


class BlobStatus(_Message):
    """Progress of a resumable, content-addressed blob upload."""

    sha256: str
    total_size: int | None
    received_bytes: int
    complete: bool


# ---------------------------------------------------------------- health

HealthState = Literal["ok"]


class HealthResponse(_Message):
    """Unauthenticated liveness answer; reveals nothing about accounts."""

    status: HealthState = "ok"
    protocols: list[int]
