from __future__ import annotations

import dataclasses

import pytest

from casedesk.domain.documents import PaperSize, RenderOptions
from casedesk.export.assessment_pdf import build_assessment_pdf
from casedesk.export.radar import RadarSeries, radar_drawing
from casedesk.export.samples import sample_assessment


def test_same_assessment_gives_identical_bytes():
    first = build_assessment_pdf(sample_assessment())
    assert first.data == build_assessment_pdf(sample_assessment()).data
    assert first.page_count >= 2


@pytest.mark.parametrize("large", [False, True])
@pytest.mark.parametrize("paper", list(PaperSize))
def test_variants_render(large: bool, paper: PaperSize):
    built = build_assessment_pdf(sample_assessment(), RenderOptions(large_print=large, paper=paper))
    assert built.data.startswith(b"%PDF-")


def test_without_readings_or_carer_it_still_renders():
    document = dataclasses.replace(sample_assessment(), readings=(), carer=None, summary="")
    assert build_assessment_pdf(document).page_count >= 1


def test_two_domains_are_too_few_for_a_radar_but_render():
    base = sample_assessment()
    document = dataclasses.replace(
        base,
        domains=base.domains[:2],
        readings=tuple(dataclasses.replace(r, scores=r.scores[:2]) for r in base.readings),
    )
    assert build_assessment_pdf(document).page_count >= 1


def test_radar_draws_one_polygon_per_reading_and_rings():
    from reportlab.graphics.shapes import Polygon

    axes = ["A", "B", "C", "D", "E"]
    series = [
        RadarSeries("first", (1, 2, 3, 4, 5)),
        RadarSeries("latest", (5, 6, None, 8, 9)),
    ]
    drawing = radar_drawing(axes, series, 10, 400)
    polygons = [s for s in drawing.contents if isinstance(s, Polygon)]
    rings = 5  # 2, 4, 6, 8, 10
    assert len(polygons) == rings + len(series)
    latest = polygons[-1]
    assert len(latest.points) == 2 * 4  # the unscored axis is left out
