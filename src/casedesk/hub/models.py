"""The hub's own tables. Separate metadata from the client vault: the hub never imports storage.

Stored per change: ciphertext envelope plus table, row id, row version, sequence, device, HLC and
times. Nothing here can hold a client's plaintext.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

HUB_SCHEMA_VERSION = 1
"""Version of these tables; bumped with a migration step in :mod:`casedesk.hub.db`."""

ACCOUNT_NAME_MAX = 200
"""Characters in an account's name (PostgreSQL enforces the column width)."""

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL needs BIGINT for a long log.
SeqType = BigInteger().with_variant(Integer(), "sqlite")


class HubBase(DeclarativeBase):
    """Declarative base with the hub's own metadata."""


class HubMeta(HubBase):
    """One row: the hub's identity, current epoch and negotiated ranges."""

    __tablename__ = "hub_meta"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hub_id: Mapped[str] = mapped_column(String(36))
    epoch: Mapped[str] = mapped_column(String(36))
    hub_schema_version: Mapped[int] = mapped_column(Integer)
    protocol_min: Mapped[int] = mapped_column(Integer)
    protocol_max: Mapped[int] = mapped_column(Integer)
    schema_min: Mapped[int] = mapped_column(Integer)
    schema_max: Mapped[int] = mapped_column(Integer)
    cursor_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    compacted_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at_ms: Mapped[int] = mapped_column(BigInteger)
    epoch_changed_at_ms: Mapped[int] = mapped_column(BigInteger)


class Account(HubBase):
    """A worker's (or team's) account; every other row is scoped to one."""

    __tablename__ = "hub_account"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(ACCOUNT_NAME_MAX))
    created_at_ms: Mapped[int] = mapped_column(BigInteger)


class EnrollmentToken(HubBase):
    """One-time tokens (account enrollment or pairing grant), stored only as SHA-256."""

    __tablename__ = "hub_enrollment"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("hub_account.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    created_at_ms: Mapped[int] = mapped_column(BigInteger)
    expires_at_ms: Mapped[int | None] = mapped_column(BigInteger)
    used_at_ms: Mapped[int | None] = mapped_column(BigInteger)
    used_by_device: Mapped[str | None] = mapped_column(String(64))


class Device(HubBase):
    """An enrolled device with its bearer token's hash.

    Device ids are chosen by the devices, so they are unique per account only: two accounts may
    each hold a device with the same id, and admin commands name the account.
    """

    __tablename__ = "hub_device"
    __table_args__ = (UniqueConstraint("account_id", "device_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("hub_account.id"))
    device_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at_ms: Mapped[int] = mapped_column(BigInteger)
    last_seen_at_ms: Mapped[int | None] = mapped_column(BigInteger)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class ChangeLog(HubBase):
    """Append-only, server-ordered log of accepted operations."""

    __tablename__ = "hub_change_log"
    __table_args__ = (
        UniqueConstraint("account_id", "op_id"),
        Index("ix_hub_change_log_account_seq", "account_id", "server_seq"),
        {"sqlite_autoincrement": True},
    )

    server_seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(String(36))
    op_id: Mapped[str] = mapped_column(String(64))
    device_id: Mapped[str] = mapped_column(String(64))
    table_name: Mapped[str] = mapped_column(String(63))
    row_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(8))
    row_version: Mapped[int] = mapped_column(Integer)
    deleted: Mapped[bool] = mapped_column(Boolean)
    envelope: Mapped[bytes | None] = mapped_column(LargeBinary)
    hlc: Mapped[str] = mapped_column(String(100))
    schema_version: Mapped[int] = mapped_column(Integer)
    received_at_ms: Mapped[int] = mapped_column(BigInteger)


class RowHead(HubBase):
    """Current version of each row: the base-version check and the manifest read this."""

    __tablename__ = "hub_row_head"

    account_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    table_name: Mapped[str] = mapped_column(String(63), primary_key=True)
    row_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    row_version: Mapped[int] = mapped_column(Integer)
    last_seq: Mapped[int] = mapped_column(BigInteger)
    deleted: Mapped[bool] = mapped_column(Boolean)
    append_only: Mapped[bool] = mapped_column(Boolean)


class OpResultRow(HubBase):
    """A refused operation id, so a replay gets the same refusal (idempotency).

    Applied operations need no row here: their change-log row is their stored result.
    """

    __tablename__ = "hub_op_result"

    account_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    op_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    table_name: Mapped[str] = mapped_column(String(63))
    row_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12))
    row_version: Mapped[int | None] = mapped_column(Integer)
    server_seq: Mapped[int | None] = mapped_column(BigInteger)
    reason: Mapped[str | None] = mapped_column(String(32))
    created_at_ms: Mapped[int] = mapped_column(BigInteger)


class Blob(HubBase):
    """A content-addressed (ciphertext) blob and its upload progress."""

    __tablename__ = "hub_blob"

    account_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    total_size: Mapped[int] = mapped_column(BigInteger)
    received_bytes: Mapped[int] = mapped_column(BigInteger)
    complete: Mapped[bool] = mapped_column(Boolean)
    created_at_ms: Mapped[int] = mapped_column(BigInteger)


class BlobChunk(HubBase):
    """One received chunk of a blob, keyed by its byte offset."""

    __tablename__ = "hub_blob_chunk"

    account_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    offset: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
