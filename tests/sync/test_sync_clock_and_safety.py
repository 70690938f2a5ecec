"""Clock skew and a clock going backwards; the mass-deletion fail-safe; review-required fields;
zero knowledge (a canary never reaches the hub's files, dumps or logs)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from sqlalchemy import select
from syncfix import Device as SyncDevice

from casedesk.domain.clock import utcnow
from casedesk.domain.hlc import Hlc
from casedesk.domain.notes import NoteInput
from casedesk.storage.models import Client, OutboxOp, RiskScreen
from casedesk.sync.state import SyncPhase

DAY_MS = 86_400_000
NOW_MS = 1_800_000_000_000  # a fixed "now": no test depends on the real clock


def _set(device: SyncDevice, model: type, row_id: str, **values: object) -> None:
    with device.db.session() as session:
        row = session.get(model, row_id)
        for name, value in values.items():
            setattr(row, name, value)


def _fixed(ms: list[int]):  # type: ignore[no-untyped-def]
    return lambda: ms[0]


def test_clock_skew_same_winner_everywhere_and_causality_kept(fleet) -> None:  # type: ignore[no-untyped-def]
    a, b = fleet.add("a"), fleet.add("b")
    wall_a, wall_b = [NOW_MS + 3 * DAY_MS], [NOW_MS]
    a.set_clock(_fixed(wall_a))
    b.set_clock(_fixed(wall_b))
    client = b.add_client("Ana")  # so B has never seen A's clock before the concurrent edits
    fleet.settle()
    _set(a, Client, client, phone="from-A-ahead")
    _set(b, Client, client, phone="from-B-correct")
    fleet.settle()
    fleet.assert_converged()
    phones = {d.services.clients.get_client(client).phone for d in (a, b)}
    assert phones == {"from-A-ahead"}  # the larger HLC wins on every device and the hub
    conflicts = [d.sync.conflicts() for d in (a, b)]
    assert all(len(c) == 1 for c in conflicts) and conflicts[0][0].id == conflicts[1][0].id
    assert conflicts[0][0].kept_hlc > conflicts[0][0].other_hlc
    # B has now seen A's change: B's next edit sorts after it although B's wall clock is behind.
    _set(b, Client, client, phone="B-after-seeing-A")
    fleet.settle()
    fleet.assert_converged()
    assert a.services.clients.get_client(client).phone == "B-after-seeing-A"


def test_skew_the_other_way_gives_the_same_deterministic_winner(fleet) -> None:  # type: ignore[no-untyped-def]
    a, b = fleet.add("a"), fleet.add("b")
    a.set_clock(_fixed([NOW_MS - 3 * DAY_MS]))
    b.set_clock(_fixed([NOW_MS]))
    client = b.add_client("Ana")
    fleet.settle()
    _set(a, Client, client, phone="A-behind")
    _set(b, Client, client, phone="B")
    # Sync B first this time: the winner must not depend on who syncs first.
    for device in (b, a, b, a):
        device.sync_ok()
    fleet.assert_converged()
    phones = {d.services.clients.get_client(client).phone for d in (a, b)}
    (conflict,) = a.sync.conflicts()
    assert (conflict.id,) == tuple(c.id for c in b.sync.conflicts())
    assert phones == {conflict.kept_value} and conflict.kept_hlc > conflict.other_hlc


def test_clock_going_backwards_keeps_hlcs_increasing_and_last_edit_wins(fleet) -> None:  # type: ignore[no-untyped-def]
    a, b = fleet.add("a"), fleet.add("b")
    wall = [NOW_MS]
    a.set_clock(_fixed(wall))
    client = a.add_client("Ana")
    fleet.settle()
    _set(a, Client, client, phone="first")
    wall[0] = NOW_MS - DAY_MS  # the clock is set back a day between two edits
    _set(a, Client, client, town="second")
    _set(a, Client, client, phone="third")
    with a.db.read() as session:
        stamps = [
            Hlc.decode(op.hlc) for op in session.scalars(select(OutboxOp).order_by(OutboxOp.seq))
        ]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    fleet.settle()
    fleet.assert_converged()
    record = b.services.clients.get_client(client)
    assert (record.phone, record.town) == ("third", "second")


def test_risk_field_is_never_resolved_automatically(fleet) -> None:  # type: ignore[no-untyped-def]
    a, b = fleet.add("a"), fleet.add("b")
    client = a.add_client("Ana")
    fleet.settle()
    screen = _risk_screen(a, client)
    fleet.settle()
    _set(a, RiskScreen, screen, overall_level=_level("high"))
    _set(b, RiskScreen, screen, overall_level=_level("low"))
    fleet.settle()
    fleet.assert_converged()
    for device in (a, b):
        views = device.sync.conflicts()
        assert len(views) == 1 and views[0].review_required
        assert {views[0].kept_value, views[0].other_value} == {"high", "low"}
    # Stays open through further syncs until a person chooses.
    fleet.settle()
    assert b.sync.conflicts()[0].review_required and b.sync.status().open_conflicts == 1
    b.sync.resolve(b.sync.conflicts()[0].id, "other")
    fleet.settle()
    fleet.assert_converged()
    assert a.sync.conflicts() == []
    levels = {_risk_level(d, screen) for d in (a, b)}
    assert len(levels) == 1


def _level(value: str) -> object:
    from casedesk.domain.enums import RiskLevel

    return RiskLevel(value)


def _risk_screen(device: SyncDevice, client_id: str) -> str:
    from datetime import date

    from casedesk.domain.enums import RiskLevel

    with device.db.session() as session:
        screen = RiskScreen(
            client_id=client_id, screened_on=date(2026, 1, 1), overall_level=RiskLevel.MEDIUM
        )
        session.add(screen)
        session.flush()
        return str(screen.id)


def _risk_level(device: SyncDevice, screen_id: str) -> object:
    with device.db.read() as session:
        return session.get(RiskScreen, screen_id).overall_level


def test_mass_deletion_pauses_and_asks(fleet) -> None:  # type: ignore[no-untyped-def]
    a, b = fleet.add("a"), fleet.add("b")
    ids = [a.add_client(f"C{i}") for i in range(40)]
    fleet.settle()
    with a.db.session() as session:
        for row_id in ids[:30]:
            session.get(Client, row_id).deleted_at = utcnow()
    a.sync_ok()
    paused = b.sync.sync_once()
    assert paused.phase is SyncPhase.PAUSED and not paused.in_sync
    assert "30" in paused.message
    assert b.sync.status().phase is SyncPhase.PAUSED
    assert len(b.services.clients.list_clients()) == 40  # nothing deleted before confirmation
    b.sync_ok(allow_mass_deletion=True)
    assert len(b.services.clients.list_clients()) == 10
    fleet.assert_converged()


CANARY = "CANARYqz7Xw"


def test_canary_never_reaches_the_hub_files_dumps_or_logs(fleet, hub_log: Path) -> None:  # type: ignore[no-untyped-def]
    a = fleet.add("a")
    client = a.add_client(f"{CANARY}Given", f"{CANARY}Family", phone=f"{CANARY}555")
    a.services.notes.add_note(NoteInput(client_id=client, body=f"visit {CANARY} at home"))
    a.sync_ok()
    b = fleet.add("b")
    b.sync_ok()
    assert b.services.clients.get_client(client).given_name == f"{CANARY}Given"
    haystacks = {"log": hub_log.read_bytes()}
    url = fleet.hub.db_url
    if url.startswith("sqlite"):
        base = Path(url.removeprefix("sqlite:///"))
        for path in base.parent.glob(base.name + "*"):
            haystacks[path.name] = path.read_bytes()
        haystacks["dump"] = subprocess.run(
            ["sqlite3", str(base), ".dump"], capture_output=True, check=False
        ).stdout
    else:
        name = url.rsplit("/", 1)[1]
        haystacks["pg_dump"] = subprocess.run(
            ["pg_dump", "-h", "127.0.0.1", "-U", "postgres", name],
            capture_output=True,
            check=True,
        ).stdout
    assert any(len(v) > 1000 for v in haystacks.values())
    for needle in (CANARY.encode(), CANARY.encode("utf-16-le")):
        hits = [name for name, data in haystacks.items() if needle in data]
        assert hits == []
