"""Offline bundles: a round trip equals online sync, re-import is harmless, tampering is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from casedesk.domain.notes import NoteInput
from casedesk.services.sync_service import SyncProblem
from casedesk.storage.models import Attachment, Client


def test_bundle_round_trip_equals_online_sync_and_tamper_is_refused(fleet, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a = fleet.add("a")
    ana = a.add_client("Ana", phone="1")
    a.services.notes.add_note(NoteInput(client_id=ana, body="met at the library"))
    a.add_client("Ben")
    pdf = b"%PDF-1.7 signed plan" * 50
    with a.db.session() as session:
        scan = Attachment(
            client_id=ana, media_type="application/pdf", size=len(pdf), sha256="0" * 64, content=pdf
        )
        session.add(scan)
        session.flush()
        scan_id = scan.id
    b = fleet.add("b")  # joined, never synced: everything it gets comes from the bundle
    online = fleet.add("online")
    bundle = tmp_path / "a.cdbundle"
    assert a.sync.export_bundle(bundle).rows > 0

    damaged = tmp_path / "damaged.cdbundle"
    data = bytearray(bundle.read_bytes())
    data[-20] ^= 0x01
    damaged.write_bytes(bytes(data))
    before = b.table_hashes()
    with pytest.raises(SyncProblem, match="altered or damaged"):
        b.sync.import_bundle(damaged)
    assert b.table_hashes() == before  # nothing applied

    first = b.sync.import_bundle(bundle)
    assert first.changed == first.rows
    again = b.sync.import_bundle(bundle)
    assert (again.changed, again.conflicts) == (0, 0)  # idempotent

    a.sync_ok()
    online.sync_ok()
    assert b.table_hashes() == online.table_hashes() == a.table_hashes()
    for device in (b, online):  # attachment bytes: in the bundle for B, through the hub for C
        with device.db.read() as session:
            assert session.get(Attachment, scan_id).content == pdf

    # A later edit on B travels back to A by bundle too; then everyone syncs online and agrees.
    with b.db.session() as session:
        session.get(Client, ana).phone = "2"
    back = tmp_path / "b.cdbundle"
    b.sync.export_bundle(back)
    assert a.sync.import_bundle(back).changed >= 1
    assert a.services.clients.get_client(ana).phone == "2"
    fleet.settle()
    fleet.assert_converged()


def test_bundle_from_another_account_is_refused(fleet, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from syncfix import Fleet

    a = fleet.add("a")
    a.add_client("Ana")
    bundle = tmp_path / "a.cdbundle"
    a.sync.export_bundle(bundle)
    with Fleet(fleet.hub, tmp_path / "other") as other_account:
        (tmp_path / "other").mkdir()
        stranger = other_account.add("stranger")
        with pytest.raises(SyncProblem, match="another sync account"):
            stranger.sync.import_bundle(bundle)


@pytest.mark.parametrize("newest_first", [True, False], ids=["newer-then-older", "in-order"])
def test_bundles_of_one_device_in_any_order_record_no_conflict_and_keep_the_newest_data(
    fleet, tmp_path: Path, newest_first: bool
) -> None:  # type: ignore[no-untyped-def]
    a, b = fleet.add("a"), fleet.add("b")
    ana = a.add_client("Ana", phone="1", town="Aston")
    fleet.settle()  # both hold Ana as the hub has her
    bundles = []
    for phone, town in (("2", "Aston"), ("3", "Burford")):
        with a.db.session() as session:
            row = session.get(Client, ana)
            row.phone, row.town = phone, town
        bundles.append(tmp_path / f"a-{phone}.cdbundle")
        a.sync.export_bundle(bundles[-1])
    for bundle in reversed(bundles) if newest_first else bundles:
        assert b.sync.import_bundle(bundle).conflicts == 0
    record = b.services.clients.get_client(ana)
    assert (record.phone, record.town) == ("3", "Burford")
    assert b.sync.conflicts() == []
    fleet.settle()
    fleet.assert_converged()
    for device in (a, b):
        record = device.services.clients.get_client(ana)
        assert (record.phone, record.town) == ("3", "Burford")
        assert device.sync.conflicts() == []
