"""Through a real hub (SQLite and PostgreSQL): My details and the logo reach the worker's other
device; a note's stored lock and its "entered in error" status sync; both devices sweeping the
same note agree."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from PIL import Image

from casedesk.domain.notes import NoteInput
from casedesk.services.notes import NoteService
from vaultkit import sample_details

DETAILS = sample_details()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (80, 24), (30, 60, 120)).save(out, format="PNG")
    return out.getvalue()


def test_my_details_and_logo_set_on_one_device_appear_on_the_other(fleet) -> None:  # type: ignore[no-untyped-def]
    a, b = fleet.add("a"), fleet.add("b")
    assert not b.services.profile.get().ready_for_agreeing
    logo = _png()
    saved = a.services.profile.save(DETAILS, logo=logo)
    fleet.settle()
    fleet.assert_converged()
    on_b = b.services.profile.get()
    assert on_b == saved and on_b.ready_for_agreeing
    arrived = b.services.profile.logo()
    assert arrived is not None and arrived.data == logo and arrived.media_type == "image/png"

    b.services.profile.save(replace(on_b, phone="02 5550 9999"))
    fleet.settle()
    assert a.services.profile.get().phone == "02 5550 9999"  # and back again


def test_note_locks_and_entered_in_error_sync(fleet) -> None:  # type: ignore[no-untyped-def]
    a, b = fleet.add("a"), fleet.add("b")
    client = a.add_client("Ana")
    written = datetime.now(UTC) - timedelta(days=4)
    old = NoteService(a.db, now=lambda: written).add_note(NoteInput(client, "an old note"))
    wrong = a.services.notes.add_note(NoteInput(client, "meant for someone else"), lock=True)
    fleet.settle()
    # Both devices sweep the same overdue note: the same lock time, so no conflict.
    assert a.services.notes.lock_due_notes() == 1 and b.services.notes.lock_due_notes() == 1
    b.services.notes.mark_entered_in_error(wrong.id, "Wrong client")
    fleet.settle()
    fleet.assert_converged()
    for device in (a, b):
        shown = device.services.notes.list_notes(client)
        assert [n.id for n in shown] == [old.id]
        assert shown[0].locked_at == written + timedelta(hours=72)
        retracted = next(
            n
            for n in device.services.notes.list_notes(client, include_entered_in_error=True)
            if n.id == wrong.id
        )
        assert retracted.entered_in_error and retracted.error_reason == "Wrong client"
        assert device.sync.conflicts() == []
