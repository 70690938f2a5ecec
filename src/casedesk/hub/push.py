"""Applying one push batch inside one write transaction, with a handful of statements.

A batch is decided in memory and written in bulk: one query loads the stored results of its op
ids, one per table loads the heads of the rows it touches, then the change-log rows, new and
updated heads and refusals are written with one executemany each. An applied op's result is its
change-log row (unique per account and op id), so it is not stored twice. Round trips, not
rows, dominate the cost of a push (above all on PostgreSQL), so this keeps 10,000 changes well
inside the target.

Sequence numbers are taken in op order inside the transaction that holds the append lock (see
:mod:`casedesk.hub.db`), so they grow with commit order. They are increasing, not dense: on
PostgreSQL, numbers reserved for ops that end as conflicts are simply never used.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Connection,
    String,
    any_,
    bindparam,
    func,
    insert,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY

from casedesk.hub import db
from casedesk.hub.models import ChangeLog, HubBase, OpResultRow, RowHead
from casedesk.sync.protocol import OpKind, OpResult, OpStatus, PushOp, RejectReason, RowState

_RowKey = tuple[str, str]


@dataclass
class _Head:
    """A row's current state as the batch sees it (database state plus earlier ops)."""

    row_version: int
    last_seq: int
    deleted: bool
    append_only: bool
    stored: bool  # already in hub_row_head (update) or new in this batch (insert)
    changed: bool = False


@dataclass(frozen=True)
class _Stored:
    """A final result given earlier for an op id."""

    table: str
    row_id: str
    status: OpStatus
    row_version: int | None
    server_seq: int | None
    reason: RejectReason | None


class PushBatch:
    """Decides every op of a batch in order, then writes the outcome in bulk.

    Args:
        connection: Connection inside the batch's write transaction.
        account_id: The caller's account.
        device_id: The caller's device.
        ops: The batch, in request order.
    """

    def __init__(self, connection: Connection, account_id: str, device_id: str,
                 ops: Sequence[PushOp]) -> None:
        self.connection = connection
        self.account_id = account_id
        self.device_id = device_id
        self.ops = ops
        self._stored = self._load_results()
        self._heads = self._load_heads()
        self._seen: dict[str, OpResult] = {}
        self._changes: dict[int, dict[str, Any]] = {}
        self._results: list[dict[str, Any]] = []
        self._seqs = self._reserve_seqs()

    # ------------------------------------------------------------ loading

    def _load_results(self) -> dict[str, _Stored]:
        """Final results already given for these op ids.

        Applied ones live in the change log itself (unique per account and op id), refusals in
        hub_op_result.
        """
        op_ids = list({op.op_id for op in self.ops})
        if not op_ids:
            return {}
        applied = self.connection.execute(
            select(ChangeLog.op_id, ChangeLog.table_name, ChangeLog.row_id,
                   ChangeLog.row_version, ChangeLog.server_seq).where(
                ChangeLog.account_id == self.account_id,
                _any_of(ChangeLog.op_id, op_ids, self.connection),
            )
        ).all()
        refused = self.connection.execute(
            select(OpResultRow.op_id, OpResultRow.table_name, OpResultRow.row_id,
                   OpResultRow.reason).where(
                OpResultRow.account_id == self.account_id,
                _any_of(OpResultRow.op_id, op_ids, self.connection),
            )
        ).all()
        stored = {row.op_id: _Stored(row.table_name, row.row_id, OpStatus.APPLIED,
                                     row.row_version, row.server_seq, None) for row in applied}
        for row in refused:
            reason = RejectReason(row.reason) if row.reason else None
            stored[row.op_id] = _Stored(row.table_name, row.row_id, OpStatus.REJECTED,
                                        None, None, reason)
        return stored

    def _load_heads(self) -> dict[_RowKey, _Head]:
        """Heads of the touched rows, one indexed query per table (batches span few tables)."""
        by_table: dict[str, set[str]] = {}
        for op in self.ops:
            by_table.setdefault(op.table, set()).add(op.row_id)
        heads: dict[_RowKey, _Head] = {}
        for table, row_ids in by_table.items():
            rows = self.connection.execute(
                select(RowHead.row_id, RowHead.row_version, RowHead.last_seq, RowHead.deleted,
                       RowHead.append_only).where(
                    RowHead.account_id == self.account_id,
                    RowHead.table_name == table,
                    _any_of(RowHead.row_id, sorted(row_ids), self.connection),
                )
            ).all()
            for row in rows:
                heads[(table, row.row_id)] = _Head(
                    row_version=row.row_version, last_seq=row.last_seq, deleted=row.deleted,
                    append_only=row.append_only, stored=True,
                )
        return heads

    def _reserve_seqs(self) -> Iterator[int]:
        needed = sum(1 for op in self.ops if op.op_id not in self._stored)
        if needed == 0:
            return iter(())
        if db.is_postgres_connection(self.connection):
            values = self.connection.execute(
                text("SELECT nextval(pg_get_serial_sequence('hub_change_log', 'server_seq')) "
                     "FROM generate_series(1, :n)"),
                {"n": needed},
            ).scalars()
            return iter(sorted(int(value) for value in values))
        # SQLite: the write lock is ours (BEGIN IMMEDIATE), so the next numbers are free.
        last = self.connection.execute(select(func.max(ChangeLog.server_seq))).scalar() or 0
        known = self.connection.execute(
            text("SELECT seq FROM sqlite_sequence WHERE name = 'hub_change_log'")
        ).scalar() or 0
        start = max(int(last), int(known)) + 1
        return iter(range(start, start + needed))

    # ------------------------------------------------------------ deciding

    def decide(self) -> list[OpResult]:
        """The result of every op, in request order (nothing is written yet)."""
        results = []
        for op in self.ops:
            result = self._decide(op)
            self._seen[op.op_id] = result
            results.append(result)
        return results

    def _decide(self, op: PushOp) -> OpResult:
        replay = self._replayed(op)
        if replay is not None:
            return replay
        head = self._heads.get((op.table, op.row_id))
        refusal = _refusal(op, head)
        if refusal is not None:
            self._record_refusal(op, refusal)
            return OpResult(op_id=op.op_id, status=OpStatus.REJECTED, reason=refusal)
        current_version = head.row_version if head is not None else 0
        if head is not None and (op.base_version or 0) != current_version:
            # Not recorded: the device merges and may push the same op id on the new base.
            return OpResult(
                op_id=op.op_id, status=OpStatus.CONFLICT, row_version=current_version,
                server_seq=head.last_seq, current=self._row_state(head.last_seq),
            )
        return self._apply(op, head, current_version + 1)

    def _replayed(self, op: PushOp) -> OpResult | None:
        earlier = self._seen.get(op.op_id)
        if earlier is not None:
            if earlier.status in (OpStatus.APPLIED, OpStatus.DUPLICATE):
                return earlier.model_copy(update={"status": OpStatus.DUPLICATE})
            return earlier
        stored = self._stored.get(op.op_id)
        if stored is None:
            return None
        if (stored.table, stored.row_id) != (op.table, op.row_id):
            return OpResult(op_id=op.op_id, status=OpStatus.REJECTED,
                            reason=RejectReason.OP_ID_REUSED)
        if stored.status is OpStatus.APPLIED:
            return OpResult(op_id=op.op_id, status=OpStatus.DUPLICATE,
                            row_version=stored.row_version, server_seq=stored.server_seq)
        return OpResult(op_id=op.op_id, status=stored.status, reason=stored.reason)

    def _apply(self, op: PushOp, head: _Head | None, new_version: int) -> OpResult:
        seq = next(self._seqs)
        deleted = op.kind is OpKind.DELETE
        self._changes[seq] = {
            "server_seq": seq, "account_id": self.account_id, "op_id": op.op_id,
            "device_id": self.device_id, "table_name": op.table, "row_id": op.row_id,
            "kind": op.kind.value, "row_version": new_version, "deleted": deleted,
            "envelope": op.envelope.encode("ascii") if op.envelope is not None else None,
            "hlc": op.hlc, "schema_version": op.schema_version, "received_at_ms": db.now_ms(),
        }
        if head is None:
            head = _Head(row_version=0, last_seq=0, deleted=False,
                         append_only=op.kind is OpKind.APPEND, stored=False)
            self._heads[(op.table, op.row_id)] = head
        head.row_version, head.last_seq, head.deleted = new_version, seq, deleted
        head.changed = True
        return OpResult(op_id=op.op_id, status=OpStatus.APPLIED, row_version=new_version,
                        server_seq=seq)

    def _record_refusal(self, op: PushOp, reason: RejectReason) -> None:
        self._results.append({
            "account_id": self.account_id, "op_id": op.op_id, "table_name": op.table,
            "row_id": op.row_id, "status": OpStatus.REJECTED.value, "row_version": None,
            "server_seq": None, "reason": reason.value, "created_at_ms": db.now_ms(),
        })

    def _row_state(self, seq: int) -> RowState:
        entry = self._changes.get(seq)
        if entry is None:
            row = self.connection.execute(
                select(ChangeLog.__table__).where(
                    ChangeLog.account_id == self.account_id, ChangeLog.server_seq == seq
                )
            ).one()
            entry = dict(row._mapping)
        envelope = entry["envelope"]
        return RowState(
            row_version=entry["row_version"], server_seq=entry["server_seq"],
            kind=OpKind(entry["kind"]), deleted=entry["deleted"],
            envelope=None if envelope is None else bytes(envelope).decode("ascii"),
            hlc=entry["hlc"], device_id=entry["device_id"],
        )

    # ------------------------------------------------------------ writing

    @property
    def appended_seqs(self) -> list[int]:
        """Sequence numbers of the change-log rows this batch adds."""
        return sorted(self._changes)

    def write(self) -> None:
        """Write change-log rows, heads and op results (one executemany each)."""
        _bulk_insert(self.connection, ChangeLog, [self._changes[s] for s in self.appended_seqs])
        self._write_heads()
        _bulk_insert(self.connection, OpResultRow, self._results)

    def _write_heads(self) -> None:
        new, changed = [], []
        for (table, row_id), head in self._heads.items():
            if not head.changed:
                continue
            values = {"account_id": self.account_id, "table_name": table, "row_id": row_id,
                      "row_version": head.row_version, "last_seq": head.last_seq,
                      "deleted": head.deleted}
            if head.stored:
                changed.append({f"b_{key}": value for key, value in values.items()})
            else:
                new.append(values | {"append_only": head.append_only})
        _bulk_insert(self.connection, RowHead, new)
        if changed:
            statement = (
                update(RowHead)
                .where(RowHead.account_id == bindparam("b_account_id"),
                       RowHead.table_name == bindparam("b_table_name"),
                       RowHead.row_id == bindparam("b_row_id"))
                .values(row_version=bindparam("b_row_version"),
                        last_seq=bindparam("b_last_seq"), deleted=bindparam("b_deleted"))
            )
            self.connection.execute(statement, changed)


def _bulk_insert(connection: Connection, model: type[HubBase], rows: list[dict[str, Any]]) -> None:
    """Insert many rows: COPY on PostgreSQL (one round trip), executemany on SQLite.

    COPY runs on the same driver connection, so it is part of the batch's transaction.
    """
    if not rows:
        return
    if not db.is_postgres_connection(connection):
        connection.execute(insert(model), rows)
        return
    columns = list(rows[0])
    names = ", ".join(f'"{column}"' for column in columns)
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY {model.__tablename__} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[column] for column in columns])


def _any_of(column: Any, values: list[str], connection: Connection) -> Any:
    """``column IN values``, written as ``= ANY(array)`` on PostgreSQL.

    The array form keeps the SQL text the same whatever the batch size, so hundreds of
    placeholders are not re-rendered and re-parsed for every batch.
    """
    if db.is_postgres_connection(connection):
        return column == any_(literal(values, ARRAY(String)))
    return column.in_(values)


def _refusal(op: PushOp, head: _Head | None) -> RejectReason | None:
    if op.kind is not OpKind.DELETE and op.envelope is None:
        return RejectReason.MISSING_ENVELOPE
    if head is None:
        return RejectReason.NOT_FOUND if op.kind in (OpKind.UPDATE, OpKind.DELETE) else None
    if head.append_only and op.kind in (OpKind.UPDATE, OpKind.DELETE):
        return RejectReason.APPEND_ONLY
    if op.kind is OpKind.APPEND:
        return RejectReason.ALREADY_EXISTS
    return None
