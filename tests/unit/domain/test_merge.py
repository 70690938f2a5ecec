"""Per-field merge: two edits made on one device are history, not a conflict."""

from __future__ import annotations

from casedesk.domain.hlc import Hlc
from casedesk.domain.merge import MergeResult, merge_row


def _hlc(wall_ms: int, device: str) -> str:
    return Hlc(wall_ms, 0, device).encode()


BASE = {"phone": _hlc(100, "dev-a")}


def _merge(local_stamp: str, remote_stamp: str) -> MergeResult:
    return merge_row(
        "client",
        {"id": "c1", "phone": "3"},
        {"phone": local_stamp},
        {"phone"},
        {"id": "c1", "phone": "2"},
        {"phone": remote_stamp},
        BASE,
    )


def test_an_older_copy_of_the_same_devices_edit_is_not_a_conflict() -> None:
    merged = _merge(_hlc(300, "dev-a"), _hlc(200, "dev-a"))
    assert merged.values["phone"] == "3" and merged.conflicts == []


def test_edits_of_two_devices_still_conflict_whichever_is_older() -> None:
    for remote in (_hlc(200, "dev-b"), _hlc(400, "dev-b")):
        merged = _merge(_hlc(300, "dev-a"), remote)
        assert [c.field for c in merged.conflicts] == ["phone"]


def test_a_later_edit_of_the_same_device_is_taken_without_a_conflict() -> None:
    merged = _merge(_hlc(300, "dev-a"), _hlc(400, "dev-a"))
    assert merged.values["phone"] == "2" and merged.conflicts == []
    assert merged.field_hlc["phone"] == _hlc(400, "dev-a")
