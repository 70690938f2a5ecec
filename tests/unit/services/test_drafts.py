"""Drafts: typing survives a crash or lock; they are local only (never in the sync outbox)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from casedesk.domain.clients import ClientInput
from casedesk.domain.clock import today
from casedesk.domain.consent import ConsentInput
from casedesk.domain.enums import ClosureReason, ConsentScope
from casedesk.domain.notes import NoteInput
from casedesk.services.bundle import Services
from casedesk.services.drafts import DraftService
from casedesk.services.errors import ValidationError
from casedesk.services.exits import ExitInput
from casedesk.services.goals import ActionInput, GoalInput
from casedesk.services.intake import IntakeInput
from casedesk.services.referrals import ReferralInput
from casedesk.services.vault_service import VaultService
from casedesk.storage.keys import TEST_KDF
from casedesk.storage.models import AuditEvent, OutboxOp

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


# ---------------------------------------------------------------- saving a form ends its draft


@dataclass
class Case:
    """A client with a plan, a goal and action, a note, a locked note and a referral."""

    services: Services
    vault: VaultService
    client_id: str
    plan_id: str
    goal_id: str
    action_id: str
    note_id: str
    locked_note_id: str
    referral_id: str


@pytest.fixture
def case(tmp_path: Path) -> Iterator[Case]:
    vault = VaultService(tmp_path / "vault", kdf=TEST_KDF)
    vault.create(PASS)
    services = Services.for_vault(vault)
    cid = services.clients.add_client(ClientInput("Ada", "Lovelace", date_of_birth="1980-02-03")).id
    plan = services.plans.start_plan(cid)
    plan = services.goals.add_goal(plan.id, GoalInput("Keep my flat"))
    goal_id = plan.goals[0].id
    plan = services.goals.add_action(goal_id, ActionInput("Call the landlord"))
    note = services.notes.add_note(NoteInput(cid, "First visit"))
    locked = services.notes.add_note(NoteInput(cid, "Second visit"), lock=True)
    referral = services.referrals.add_referral(ReferralInput(cid, agency_name="Food bank"))
    yield Case(
        services,
        vault,
        cid,
        plan.id,
        goal_id,
        plan.goals[0].actions[0].id,
        note.id,
        locked.id,
        referral.id,
    )
    vault.lock()


# Each form's save, given its draft key: (name, call).
SAVES: list[tuple[str, Callable[[Case, str], object]]] = [
    (
        "note added",
        lambda c, k: c.services.notes.add_note(NoteInput(c.client_id, "x"), draft_key=k),
    ),
    (
        "note edited",
        lambda c, k: c.services.notes.update_note(
            c.note_id, NoteInput(c.client_id, "x"), draft_key=k
        ),
    ),
    ("note amended", lambda c, k: c.services.notes.amend_note(c.locked_note_id, "x", draft_key=k)),
    ("goal added", lambda c, k: c.services.goals.add_goal(c.plan_id, GoalInput("x"), draft_key=k)),
    (
        "goal edited",
        lambda c, k: c.services.goals.update_goal(c.goal_id, GoalInput("x"), draft_key=k),
    ),
    (
        "action added",
        lambda c, k: c.services.goals.add_action(c.goal_id, ActionInput("x"), draft_key=k),
    ),
    (
        "action edited",
        lambda c, k: c.services.goals.update_action(c.action_id, ActionInput("x"), draft_key=k),
    ),
    (
        "intake saved",
        lambda c, k: c.services.intake.save_intake(
            c.client_id, IntakeInput(reason="x"), draft_key=k
        ),
    ),
    (
        "consent added",
        lambda c, k: c.services.consent.add_consent(
            ConsentInput(c.client_id, ConsentScope.COLLECT_STORE, today()), draft_key=k
        ),
    ),
    (
        "referral added",
        lambda c, k: c.services.referrals.add_referral(
            ReferralInput(c.client_id, agency_name="x"), draft_key=k
        ),
    ),
    (
        "referral edited",
        lambda c, k: c.services.referrals.update_referral(
            c.referral_id, ReferralInput(c.client_id, agency_name="x"), draft_key=k
        ),
    ),
    (
        "support ended",
        lambda c, k: c.services.exits.exit_client(
            c.client_id, ExitInput(today(), ClosureReason.GOALS_ACHIEVED), draft_key=k
        ),
    ),
    (
        "client added",
        lambda c, k: c.services.clients.add_client(ClientInput("Grace", "Hopper"), draft_key=k),
    ),
    (
        "client edited",
        lambda c, k: c.services.clients.update_client(
            c.client_id, ClientInput("Ada", "King", date_of_birth="1980-02-03"), draft_key=k
        ),
    ),
]
KEY = "form:under-test"


def _audit_count(vault: VaultService) -> int:
    with vault.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


@pytest.mark.parametrize(("name", "save"), SAVES, ids=[name for name, _ in SAVES])
def test_saving_a_form_deletes_its_draft_in_the_same_transaction(
    case: Case, name: str, save: Callable[[Case, str], object]
) -> None:
    drafts = case.services.drafts
    drafts.save(KEY, {"typed": name})
    before = _audit_count(case.vault)
    # The draft's deletion fails inside the save's unit of work: the record is not saved either.
    with case.vault.db.engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TRIGGER refuse_draft_delete BEFORE DELETE ON draft "
                "BEGIN SELECT RAISE(ABORT, 'draft delete refused'); END"
            )
        )
    with pytest.raises(IntegrityError, match="draft delete refused"):
        save(case, KEY)
    assert _audit_count(case.vault) == before  # every save audits in its transaction
    assert drafts.load(KEY) is not None
    with case.vault.db.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER refuse_draft_delete"))
    # And when it can be deleted, both happen together.
    save(case, KEY)
    assert _audit_count(case.vault) > before
    assert drafts.load(KEY) is None


def test_a_save_that_fails_keeps_the_draft(case: Case) -> None:
    drafts = case.services.drafts
    drafts.save(KEY, {"body": ""})
    with pytest.raises(ValidationError):
        case.services.notes.add_note(NoteInput(case.client_id, "   "), draft_key=KEY)
    assert drafts.load(KEY) is not None
