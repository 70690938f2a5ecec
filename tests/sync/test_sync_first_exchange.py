"""Two devices each record X before their first exchange, for every synced table.

Every device registers the built-in reference data on its own (the assessment screen does it
on first use), so each scenario also has both devices create the built-in domain set before
they ever talk. Through a real hub (SQLite for every table on its own; SQLite and PostgreSQL
for all tables at once) and through offline bundles, both devices must end with the same
data, no record flagged or left waiting, no conflict (both sides wrote the same contents),
and a third device joining afterwards gets everything with nothing flagged.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from recordkit import live_ids, record_of
from sqlalchemy import select, text

from casedesk.domain.domain_sets import builtin_domain_sets, to_data
from casedesk.domain.enums import AssessmentStage
from casedesk.domain.my_details import MyDetails
from casedesk.paths import resources_dir
from casedesk.services.assessments import ReadingInput
from casedesk.services.domain_sets_service import DEFAULT_SET_KEY
from casedesk.services.goals import GoalInput
from casedesk.storage.migrate import head_revision, upgrade_to
from casedesk.storage.models import SYNCED_TABLES, AssessmentReading, DomainSetRecord
from vaultkit import with_my_details

ALL_TABLES = sorted(SYNCED_TABLES)
LEGACY_TABLES = ("domain_set", "assessment", "assessment_reading")
LEGACY_UNIQUE_INDEX = "CREATE UNIQUE INDEX ix_domain_set_key_version ON domain_set (key, version)"


def _fresh(fleet: Any, name: str) -> Any:
    """A device joined to the account that opened the assessment screen once, offline."""
    device = fleet.add(name)
    device.services.domain_sets.ensure_builtin()
    return device


def _settle(devices: list[Any], rounds: int = 3) -> int:
    """Sync every device in turn; each round must end in sync. Returns conflicts recorded."""
    conflicts = 0
    for _ in range(rounds):
        for device in devices:
            result = device.sync_ok()  # nothing waiting, nothing flagged
            assert (result.rejected, result.integrity_errors) == (0, 0), result
            conflicts += result.conflicts
    return conflicts


def _assert_everywhere(devices: list[Any], made: dict[str, set[str]]) -> None:
    for device in devices:
        for table, ids in made.items():
            missing = ids - live_ids(device, table)
            assert not missing, f"{device.name} lacks {len(missing)} {table} record(s)"


def _both_record(devices: list[Any], tables: list[str]) -> dict[str, set[str]]:
    return {table: {record_of(device, table) for device in devices} for table in tables}


def _join_third_and_check(fleet: Any, devices: list[Any], made: dict[str, set[str]]) -> None:
    third = _fresh(fleet, "c")
    assert _settle([*devices, third]) == 0
    fleet.assert_converged()
    _assert_everywhere([*devices, third], made)


@pytest.mark.slow
@pytest.mark.parametrize("hub", ["sqlite"], indirect=True)
@pytest.mark.parametrize("table", ALL_TABLES)
def test_two_devices_each_record_one_table_before_first_exchange(fleet: Any, table: str) -> None:
    a, b = _fresh(fleet, "a"), _fresh(fleet, "b")
    made = _both_record([a, b], [table])
    assert _settle([a, b]) == 0
    fleet.assert_converged()
    _assert_everywhere([a, b], made)
    _join_third_and_check(fleet, [a, b], made)


def test_two_devices_each_record_every_table_before_first_exchange(fleet: Any) -> None:
    a, b = _fresh(fleet, "a"), _fresh(fleet, "b")
    made = _both_record([a, b], ALL_TABLES)
    assert _settle([a, b]) == 0
    fleet.assert_converged()
    _assert_everywhere([a, b], made)
    _join_third_and_check(fleet, [a, b], made)


def test_every_table_recorded_on_two_devices_meets_through_bundles(
    fleet: Any, tmp_path: Path
) -> None:
    a, b = _fresh(fleet, "a"), _fresh(fleet, "b")
    made = _both_record([a, b], ALL_TABLES)
    for source, target in ((a, b), (b, a)):
        bundle = tmp_path / f"{source.name}.cdbundle"
        source.sync.export_bundle(bundle)
        summary = target.sync.import_bundle(bundle)
        assert summary.conflicts == 0
        again = target.sync.import_bundle(bundle)
        assert (again.changed, again.conflicts) == (0, 0)  # importing twice changes nothing
    _assert_everywhere([a, b], made)
    assert _settle([a, b]) == 0  # and what the bundles carried goes on to the hub cleanly
    fleet.assert_converged()
    _join_third_and_check(fleet, [a, b], made)


# ----------------------------------------------------------------------------- vaults from before


def _as_before_the_fix(device: Any) -> str:
    """Put a device in the state earlier versions left it in; returns its built-in set's id.

    The vault is set back to revision 0005 with its unique (key, version) index, and the
    built-in set is registered under a random id, as every device used to do on its own.
    Migrations after 0006 stay in place (today's code runs on the device): see :func:`_upgrade`.
    """
    core = next(s for s in builtin_domain_sets(resources_dir()) if s.key == DEFAULT_SET_KEY)
    with device.db.session() as session:
        session.execute(text("DROP INDEX ix_domain_set_key_version"))
        session.execute(text(LEGACY_UNIQUE_INDEX))
        session.execute(text("UPDATE alembic_version SET version_num = '0005'"))
        row = DomainSetRecord(key=core.key, version=core.version, name=core.name, builtin=True)
        row.definition = to_data(core)
        session.add(row)
        session.flush()
        return str(row.id)


def _final_assessment(device: Any, set_id: str) -> tuple[str, str]:
    """A client with a finalised assessment on the given set; (assessment id, reading id)."""
    client = device.add_client(f"Client of {device.name}")
    assessments = device.services.assessments
    started = assessments.start(client, AssessmentStage.INITIAL, domain_set_id=set_id)
    domain = started.domain_set.domain_set.domains[0].key
    reading = ReadingInput(domain, client_score=6, strengths=f"{device.name} strengths")
    assessments.finalise(started.id, replace(started.as_input(), readings=(reading,)))
    with device.db.read() as session:
        reading_id = session.scalars(
            select(AssessmentReading.id).where(AssessmentReading.assessment_id == started.id)
        ).one()
    return started.id, reading_id


def _upgrade(device: Any) -> None:
    """Run migration 0006 on the device, then lock and unlock, as after an update.

    The device is at 0005 only in what 0006 changes; the later migrations' columns are there
    (a real downgrade would drop audit device names the hub already holds), so the vault is
    migrated to 0006 and then labelled with the head before it reopens.
    """
    upgrade_to(device.db.engine, "0006")
    with device.db.session() as session:
        session.execute(
            text("UPDATE alembic_version SET version_num = :head"), {"head": head_revision()}
        )
    device.close()
    device.reopen()


def _two_devices_from_before(fleet: Any) -> tuple[Any, Any, dict[str, set[str]]]:
    """Two devices as earlier versions left them, each with a finalised assessment."""
    a, b = fleet.add("a"), fleet.add("b")
    made: dict[str, set[str]] = {table: set() for table in LEGACY_TABLES}
    for device in (a, b):
        set_id = _as_before_the_fix(device)
        assessment, reading = _final_assessment(device, set_id)
        for table, row_id in zip(LEGACY_TABLES, (set_id, assessment, reading), strict=True):
            made[table].add(row_id)
    return a, b, made


def test_vaults_stuck_on_the_built_in_set_heal_on_the_next_sync(fleet: Any) -> None:
    a, b, made = _two_devices_from_before(fleet)
    for device in (a, b, a):  # the reported state: the other device's records are refused
        result = device.sync.sync_once()
    assert not result.in_sync and "3 records could not be synced" in result.message

    for device in (a, b):
        _upgrade(device)
    assert _settle([a, b]) == 0
    fleet.assert_converged()
    _assert_everywhere([a, b], made)
    canonical = {d.services.domain_sets.default_set().id for d in (a, b)}
    assert len(canonical) == 1  # both devices now offer the same built-in set
    _join_third_and_check(fleet, [a, b], made)
    for device in (a, b):  # every assessment still opens with the wording it was made with
        for assessment in made["assessment"]:
            assert device.services.assessments.get(assessment).is_final


def test_vaults_from_before_exchange_bundles_without_error(fleet: Any, tmp_path: Path) -> None:
    a, b, made = _two_devices_from_before(fleet)
    for device in (a, b):
        _upgrade(device)
    for source, target in ((a, b), (b, a)):
        bundle = tmp_path / f"{source.name}.cdbundle"
        source.sync.export_bundle(bundle)
        assert target.sync.import_bundle(bundle).conflicts == 0
    _assert_everywhere([a, b], made)
    assert _settle([a, b]) == 0
    fleet.assert_converged()
    _join_third_and_check(fleet, [a, b], made)


def test_one_plan_agreed_on_two_devices_while_apart_keeps_both_versions(fleet: Any) -> None:
    a, b = fleet.add("a"), fleet.add("b")
    client = a.add_client("Ana")
    plan = a.services.plans.start_plan(client)
    a.services.goals.add_goal(plan.id, GoalInput(client_words="Keep my tenancy"))
    with_my_details(a.services)  # agreeing needs them; b gets them from a
    assert _settle([a, b]) == 0
    for device in (a, b):  # plan_version (plan, number) is a natural key: both make number 1
        device.services.plans.agree(plan.id)
    made = {"plan_version": live_ids(a, "plan_version") | live_ids(b, "plan_version")}
    assert len(made["plan_version"]) == 2
    assert _settle([a, b]) == 0
    fleet.assert_converged()
    _assert_everywhere([a, b], made)
    for device in (a, b):  # both agreed versions are evidence: both listed, both intact
        listed = device.services.plans.get_plan(plan.id).versions
        assert {v.id for v in listed} == made["plan_version"]
        assert device.services.plans.verify_version(plan.id, 1)
    _join_third_and_check(fleet, [a, b], made)


def test_one_preference_saved_differently_on_two_devices_is_one_conflict(fleet: Any) -> None:
    a, b = fleet.add("a"), fleet.add("b")
    for device, phone in ((a, "0400 111 111"), (b, "0400 222 222")):  # the id is the key
        device.services.profile.save(MyDetails(name="Sam Worker", phone=phone))
    _settle([a, b])
    fleet.assert_converged()
    views = [device.sync.conflicts() for device in (a, b)]
    assert [len(view) for view in views] == [1, 1]  # recorded once, seen on both devices
    assert views[0][0].id == views[1][0].id
    sides = (views[0][0].kept_value, views[0][0].other_value)
    assert {side["phone"] for side in sides} == {"0400 111 111", "0400 222 222"}
    kept = {device.services.profile.get().phone for device in (a, b)}
    assert kept == {views[0][0].kept_value["phone"]}
