"""Drafts: typing survives a crash or lock; they are local only (never in the sync outbox)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from casedesk.services.drafts import DraftService
from casedesk.services.vault_service import VaultService
from casedesk.storage.keys import TEST_KDF
from casedesk.storage.models import OutboxOp

PASS = "correct horse battery staple"


def _outbox_count(vault: VaultService) -> int:
    with vault.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(OutboxOp)) or 0)


def test_save_load_replace_prefix_discard(tmp_path: Path) -> None:
    vault = VaultService(tmp_path / "vault", kdf=TEST_KDF)
    vault.create(PASS)
    drafts = DraftService(vault.db)
    before = _outbox_count(vault)
    drafts.save("note:new:client-1", {"body": "half a thought", "minutes": 15})
    drafts.save("note:new:client-2", {"body": "другой черновик 🌱"})
    drafts.save("note:new:client-1", {"body": "a whole thought"})
    drafts.save("plan:edit:p1", {"goals": ["a", "b"]})
    loaded = drafts.load("note:new:client-1")
    assert loaded is not None and loaded.payload == {"body": "a whole thought"}
    assert {d.key for d in drafts.with_prefix("note:new:")} == {
        "note:new:client-1",
        "note:new:client-2",
    }
    assert _outbox_count(vault) == before  # local only

    vault.lock()  # survives a lock (and so a crash after the commit)
    vault.unlock(PASS)
    drafts = DraftService(vault.db)
    assert drafts.load("note:new:client-2").payload == {"body": "другой черновик 🌱"}  # type: ignore[union-attr]
    drafts.discard("note:new:client-2")
    drafts.discard("never-saved")
    assert drafts.load("note:new:client-2") is None
    assert [d.key for d in drafts.with_prefix("plan:")] == ["plan:edit:p1"]
    vault.lock()
