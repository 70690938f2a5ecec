"""Wire messages: negotiation, set hashes, validation and error mapping."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from casedesk.sync.protocol import (
    ERROR_STATUS,
    ErrorCode,
    OpKind,
    PushOp,
    PushRequest,
    negotiate_protocol,
    table_digest,
)


def test_negotiation_picks_the_highest_common_version() -> None:
    assert negotiate_protocol([1, 2, 3], [2, 3, 4]) == 3
    assert negotiate_protocol([1], [2]) is None


def test_set_hash_ignores_order_and_sees_versions() -> None:
    forward = table_digest("client", [("a", 1), ("b", 2)])
    backward = table_digest("client", [("b", 2), ("a", 1)])
    bumped = table_digest("client", [("a", 1), ("b", 3)])
    other_table = table_digest("goal", [("a", 1), ("b", 2)])

    assert forward == backward and forward.count == 2
    assert forward.set_hash != bumped.set_hash != other_table.set_hash
    assert table_digest("client", []).set_hash == "0" * 64


def test_every_error_code_has_a_status() -> None:
    assert set(ERROR_STATUS) == set(ErrorCode)
    assert ERROR_STATUS[ErrorCode.EPOCH_MISMATCH] == 409
    assert ERROR_STATUS[ErrorCode.CURSOR_EXPIRED] == 410
    assert ERROR_STATUS[ErrorCode.UPGRADE_REQUIRED] == 426
    assert ERROR_STATUS[ErrorCode.PAYLOAD_TOO_LARGE] == 413


@pytest.mark.parametrize("change", [
    {"table": "Client"}, {"table": "client; drop"}, {"row_id": ""}, {"base_version": 0},
    {"kind": "upsert"}, {"row_id": "x" * 65},
])
def test_invalid_ops_are_rejected(change: dict[str, object]) -> None:
    fields: dict[str, object] = {"op_id": "op-1", "table": "client", "row_id": "r1",
                                 "kind": "insert", "envelope": "v1:x"}
    with pytest.raises(ValidationError):
        PushOp.model_validate(fields | change)


def test_unknown_fields_are_ignored_for_forward_compatibility() -> None:
    op = PushOp.model_validate({"op_id": "op-1", "table": "client", "row_id": "r1",
                                "kind": "append", "envelope": "v1:x", "future": 1})

    assert op.kind is OpKind.APPEND


def test_batches_are_bounded() -> None:
    op = {"op_id": "op-1", "table": "client", "row_id": "r1", "kind": "delete"}
    with pytest.raises(ValidationError):
        PushRequest.model_validate({"device_id": "d", "epoch": "e", "ops": [op] * 501})
