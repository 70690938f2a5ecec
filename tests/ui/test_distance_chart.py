"""Distance-travelled charts: the right number of series and points for given data."""

from datetime import date

import pytest

from casedesk.domain.enums import AssessmentStage
from casedesk.services.assessments import DistanceData, DistancePoint
from casedesk.ui.assessments.charts import DistancePanel

DOMAINS = (("housing", "Housing"), ("money", "Money"), ("health", "Health"), ("legal", "Legal"))


def _point(n: int, when: date, scores: dict[str, int]) -> DistancePoint:
    return DistancePoint(f"a{n}", when, AssessmentStage.REVIEW, scores)


@pytest.fixture
def panel(qtbot):
    widget = DistancePanel()
    qtbot.addWidget(widget)
    widget.resize(1000, 520)
    return widget


def _trend_points(panel):
    series = panel.trend.chart().series()
    return len(series), [s.count() for s in series]


def test_four_readings_show_first_previous_latest(panel):
    data = DistanceData(
        DOMAINS,
        (
            _point(1, date(2025, 1, 5), {"housing": 2, "money": 4, "health": 5, "legal": 6}),
            _point(2, date(2025, 4, 5), {"housing": 3, "money": 4, "health": 5}),
            _point(3, date(2025, 7, 5), {"housing": 5, "money": 6, "health": 6, "legal": 7}),
            _point(4, date(2025, 10, 5), {"housing": 7, "money": 6, "health": 8}),
        ),
    )
    panel.set_data(data)
    radar = panel.radar
    assert radar.axes == ("Housing", "Money", "Health", "Legal")
    assert [s.kind for s in radar.series] == ["first", "previous", "latest"]
    assert [s.points for s in radar.series] == [4, 4, 3]
    assert radar.series[2].scores == (7, 6, 8, None)
    assert "First (05 Jan 2025)" in radar.series[0].label
    # Trend of the first area: one line with one point per reading.
    assert _trend_points(panel) == (1, [4])
    panel.area.setCurrentIndex(panel.area.findData("legal"))
    assert _trend_points(panel) == (1, [2])
    assert not panel.grab().isNull()  # paints without error


def test_two_readings_show_first_and_latest(panel):
    data = DistanceData(
        DOMAINS,
        (
            _point(1, date(2025, 1, 5), {"housing": 2, "money": 4, "health": 5, "legal": 6}),
            _point(2, date(2025, 4, 5), {"housing": 3}),
        ),
    )
    panel.set_data(data)
    assert [(s.kind, s.points) for s in panel.radar.series] == [("first", 4), ("latest", 1)]
    assert _trend_points(panel) == (1, [2])


def test_no_readings_draw_an_empty_chart(panel):
    panel.set_data(DistanceData(DOMAINS, ()))
    assert panel.radar.series == ()
    assert _trend_points(panel) == (1, [0])
    assert "No finalised" in panel.note.text()
    assert not panel.grab().isNull()


def test_panel_on_a_real_vault(qtbot, ctx, services, make_client):
    from casedesk.services.assessments import AssessmentInput, ReadingInput
    from casedesk.ui.assessments.tab import AssessmentsTab

    client = make_client()
    for n, score in enumerate((3, 6)):
        when = date(2025, 1 + 3 * n, 10)
        draft = services.assessments.start(client.id, AssessmentStage.REVIEW, assessed_on=when)
        services.assessments.finalise(
            draft.id,
            AssessmentInput(AssessmentStage.REVIEW, when, (ReadingInput("housing", score),)),
        )
    tab = AssessmentsTab(ctx, client.id)
    qtbot.addWidget(tab)
    assert len(tab.distance.radar.axes) == 14
    assert [s.points for s in tab.distance.radar.series] == [1, 1]
    tab.distance.area.setCurrentIndex(tab.distance.area.findData("housing"))
    assert _trend_points(tab.distance) == (1, [2])


def test_one_chart_at_a_time_gets_the_whole_card(panel):
    """Side by side at 1366x768 neither chart had room: labels and the legend were cut."""
    panel.resize(790, 540)
    panel.show()
    panel.set_data(DistanceData(DOMAINS, (_point(1, date(2025, 1, 5), {"housing": 2}),)))
    assert panel.charts.currentWidget() is panel.radar
    assert panel.radar.width() > 700  # the whole card, not a share of it
    assert "1 finalised assessment." in panel.note.text()
    panel.show_chart(DistancePanel.TREND)
    assert panel.charts.currentIndex() == DistancePanel.TREND
    assert panel.trend.isVisibleTo(panel) and not panel.radar.isVisibleTo(panel)
