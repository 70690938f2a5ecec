"""Tasks screen: grouped tasks, kind filter, quick links; and the grouped task model."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from PySide6.QtCore import Qt

from casedesk.domain.tasks import Bucket, Task, TaskKind
from casedesk.ui.tasks_screen import TasksScreen
from casedesk.ui.tasks_screen.models import CLIENT_ID_ROLE, GroupedTaskModel, due_text


@pytest.fixture
def screen(qtbot, ctx, make_client, make_note) -> TasksScreen:
    old = make_client("Olwen", "Overdue")
    make_note(old.id, "Visit.", occurred_at=datetime.now(UTC) - timedelta(days=40))
    make_client("Tomas", "Today")
    widget = TasksScreen(ctx)
    qtbot.addWidget(widget)
    widget.reload()
    return widget


def _group(model: GroupedTaskModel, which: Bucket) -> list:
    """Tasks under one heading."""
    headings = [*model.heading_rows(), model.rowCount()]
    number = [Bucket.OVERDUE, Bucket.TODAY, Bucket.NEXT_7_DAYS].index(which)
    rows = range(headings[number] + 1, headings[number + 1])
    return [model.task_at(model.index(r, 0)) for r in rows]


def _all(model: GroupedTaskModel) -> list:
    return [t for b in (Bucket.OVERDUE, Bucket.TODAY, Bucket.NEXT_7_DAYS) for t in _group(model, b)]


def test_tasks_are_grouped_overdue_today_week(screen):
    model = screen.model
    headings = model.heading_rows()
    assert len(headings) == 3
    assert model.index(headings[0], 0).data().startswith("Overdue")
    assert model.index(headings[1], 0).data().startswith("Due today")
    assert model.index(headings[2], 0).data().startswith("Next 7 days")
    overdue = _group(model, Bucket.OVERDUE)
    today = _group(model, Bucket.TODAY)
    assert len(overdue) == 1  # no contact for 40 days
    assert {t.kind for t in today} == {TaskKind.CONSENT_MISSING, TaskKind.NO_CONTACT}
    assert "overdue" in screen.summary.text()
    assert screen.view.columnSpan(headings[1], 0) == 4


def test_kind_filter_narrows_the_list(screen):
    screen.kind_filter.setCurrentIndex(5)  # No contact
    assert {t.kind for t in _all(screen.model)} == {TaskKind.NO_CONTACT}
    screen.kind_filter.setCurrentIndex(0)
    assert screen.model.task_count() == 4


def test_double_click_or_enter_opens_the_client(screen, qtbot):
    index = screen.model.index(1, 1)  # the first overdue task
    with qtbot.waitSignal(screen.ctx.hub.open_client, timeout=1000) as signal:
        screen.view.doubleClicked.emit(index)
    assert signal.args[0] == index.data(CLIENT_ID_ROLE)
    screen.view.setCurrentIndex(index)
    with qtbot.waitSignal(screen.ctx.hub.open_client, timeout=1000):
        qtbot.keyClick(screen.view, Qt.Key.Key_Return)


def test_group_rows_open_nothing(screen, qtbot):
    with qtbot.assertNotEmitted(screen.ctx.hub.open_client):
        screen.view.doubleClicked.emit(screen.model.index(0, 0))  # the "Overdue" heading


def test_dispose_clears(screen):
    screen.dispose()
    assert screen.model.task_count() == 0
    assert screen.summary.text() == ""


def test_model_passes_the_model_tester(screen, qtmodeltester):
    qtmodeltester.check(screen.model)


def test_grouped_model_with_every_bucket(qtmodeltester):
    today = date(2026, 11, 22)
    tasks = [
        Task(TaskKind.ACTION_DUE, "a", "Ann", today - timedelta(days=2), "Call"),
        Task(TaskKind.PLAN_REVIEW, "b", "Bo", today, "Review"),
        Task(TaskKind.RISK_REVIEW, "c", "Cy", today + timedelta(days=3), "Risk"),
        Task(TaskKind.RISK_REVIEW, "d", "Di", today + timedelta(days=30), "Later"),
    ]
    model = GroupedTaskModel()
    model.set_tasks(tasks, today)
    qtmodeltester.check(model)
    assert model.heading_rows() == [0, 2, 4]
    assert model.rowCount() == 6  # three headings, three tasks (the later one left out)
    assert model.index(1, 0).data() == "2 days overdue"
    assert model.task_at(model.index(0, 0)) is None
    assert model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsSelectable == Qt.ItemFlag(0)
    assert [model.count(b) for b in (Bucket.OVERDUE, Bucket.TODAY, Bucket.NEXT_7_DAYS)] == [
        1,
        1,
        1,
    ]
    model.clear()
    qtmodeltester.check(model)
    assert model.task_count() == 0 and model.heading_rows() == [0, 1, 2]


def test_due_text():
    today = date(2026, 11, 22)
    assert due_text(today, today) == "Today"
    assert due_text(today + timedelta(days=1), today) == "Tomorrow"
    assert due_text(today - timedelta(days=1), today) == "1 day overdue"
    assert due_text(today + timedelta(days=3), today).endswith("25 Nov")
