"""Per-field merge of a row changed on this device and on another (pure rules, no storage).

Each synced row travels with a per-field HLC map (``field -> hlc``): the time each field last
changed. When the hub returns a row this device has also changed (pending local edits), every
field is decided on its own:

- changed only locally -> keep local; changed only remotely -> take remote;
- changed on both sides to the same value -> nothing to decide;
- both values were made on the same device (same device id in both HLCs) -> one replaced the
  other there, so they are not concurrent: the later one is kept, no conflict. Offline bundles
  of one device imported out of order bring exactly that;
- changed on both sides to different values -> the larger ``(hlc, device)`` wins on every device
  (HLC strings end with the device id, so comparing them compares both), and a conflict is
  recorded for the worker to review. Review-required fields (risk, consent, safety) are
  recorded as needing a person's decision: the deterministic winner is shown meanwhile so all
  devices agree, and nothing is marked resolved until someone chooses.
- a tombstone against a concurrent edit keeps the edit (the row comes back) and is flagged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from casedesk.domain.hlc import Hlc

# Fields whose disagreement always needs a person: safety and consent judgements.
REVIEW_REQUIRED: Mapping[str, frozenset[str]] = {
    "risk_screen": frozenset(
        {
            "overall_level",
            "risk_to_self",
            "risk_to_others",
            "risk_from_others",
            "children_in_home",
            "worker_safety",
            "review_on",
            "status",
        }
    ),
    "consent": frozenset({"scope", "agencies", "given_on", "expires_on", "withdrawn_on"}),
    "client": frozenset({"status"}),
}

# Bookkeeping columns never merged field by field.
NOT_MERGED = frozenset({"id", "row_version", "created_at", "updated_at", "hlc"})


@dataclass(frozen=True)
class FieldConflict:
    """Both sides changed one field to different values."""

    field: str
    local_value: Any
    remote_value: Any
    local_hlc: str
    remote_hlc: str
    winner: str  # "local" or "remote"
    review_required: bool


@dataclass
class MergeResult:
    """What to store after merging: values, their HLCs, and what to tell the worker."""

    values: dict[str, Any]
    field_hlc: dict[str, str]
    conflicts: list[FieldConflict] = field(default_factory=list)
    resurrected: bool = False  # a delete lost to a concurrent edit


def is_review_required(table: str, name: str) -> bool:
    """Whether a disagreement on ``table.name`` must be decided by a person."""
    return name in REVIEW_REQUIRED.get(table, frozenset())


def merge_row(
    table: str,
    local: Mapping[str, Any],
    local_hlc: Mapping[str, str],
    locally_changed: set[str],
    remote: Mapping[str, Any],
    remote_hlc: Mapping[str, str],
    base_hlc: Mapping[str, str],
) -> MergeResult:
    """Merge one row field by field.

    Args:
        table: the synced table (decides which fields need review).
        local: this device's current values.
        local_hlc: HLC per field for the local values.
        locally_changed: fields changed here and not yet accepted by the hub.
        remote: the hub's values.
        remote_hlc: HLC per field for the remote values.
        base_hlc: HLC per field as last synced here (what both sides started from).

    Returns:
        The merged values and HLCs, with any conflicts.
    """
    values = dict(local)
    hlcs = dict(local_hlc)
    result = MergeResult(values, hlcs)
    for name in sorted(set(remote) | set(local)):
        if name in NOT_MERGED or name not in remote:
            continue
        remote_value, r_hlc = remote[name], remote_hlc.get(name, "")
        remote_changed = r_hlc > base_hlc.get(name, "")
        if name not in locally_changed:
            if remote_changed or name not in local:
                values[name], hlcs[name] = remote_value, r_hlc
            continue
        if not remote_changed or remote_value == local.get(name):
            continue
        l_hlc = local_hlc.get(name, "")
        if _same_device(r_hlc, l_hlc):
            if r_hlc > l_hlc:
                values[name], hlcs[name] = remote_value, r_hlc
            continue
        _decide(result, table, name, local.get(name), l_hlc, remote_value, r_hlc)
    _keep_edit_over_delete(result, remote, locally_changed, remote_hlc, base_hlc)
    return result


def _same_device(remote_hlc: str, local_hlc: str) -> bool:
    """Whether both edits were made on one device.

    One device's edits happen one after another, so the later was made on top of the
    earlier: they are not concurrent and there is nothing for a person to decide.
    """
    try:
        return Hlc.decode(remote_hlc).device_id == Hlc.decode(local_hlc).device_id
    except ValueError:
        return False


def _decide(
    result: MergeResult,
    table: str,
    name: str,
    local_value: Any,
    l_hlc: str,
    remote_value: Any,
    r_hlc: str,
) -> None:
    remote_wins = r_hlc > l_hlc
    if remote_wins:
        result.values[name], result.field_hlc[name] = remote_value, r_hlc
    result.conflicts.append(
        FieldConflict(
            field=name,
            local_value=local_value,
            remote_value=remote_value,
            local_hlc=l_hlc,
            remote_hlc=r_hlc,
            winner="remote" if remote_wins else "local",
            review_required=is_review_required(table, name),
        )
    )


def _keep_edit_over_delete(
    result: MergeResult,
    remote: Mapping[str, Any],
    locally_changed: set[str],
    remote_hlc: Mapping[str, str],
    base_hlc: Mapping[str, str],
) -> None:
    """Delete vs concurrent edit: the edit is kept and the row stays (or comes back)."""
    if result.values.get("deleted_at") is None:
        return
    edited_here = bool(locally_changed - {"deleted_at"})
    edited_there = any(
        name not in NOT_MERGED
        and name != "deleted_at"
        and remote_hlc.get(name, "") > base_hlc.get(name, "")
        for name in remote
    )
    deleted_here = "deleted_at" in locally_changed
    if (deleted_here and edited_there) or (not deleted_here and edited_here):
        result.values["deleted_at"] = None
        result.resurrected = True
