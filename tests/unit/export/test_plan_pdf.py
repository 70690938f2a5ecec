from __future__ import annotations

import dataclasses
import itertools

import pytest

from casedesk.domain.documents import (
    CopyKind,
    PaperSize,
    PlanDocument,
    RenderOptions,
    SignatureRole,
)
from casedesk.export.page import FrameGeometry, Typography, make_styles
from casedesk.export.plan_pdf import build_plan_pdf, plan_layout
from casedesk.export.samples import sample_plan

ALL_OPTIONS = [
    RenderOptions(copy=copy, large_print=large, paper=paper)
    for copy, large, paper in itertools.product(CopyKind, (False, True), PaperSize)
]


def test_same_input_gives_identical_bytes(plan: PlanDocument):
    first = build_plan_pdf(plan, RenderOptions())
    second = build_plan_pdf(sample_plan(3), RenderOptions())
    assert first.data == second.data
    assert first.sha256 == second.sha256


@pytest.mark.parametrize(
    "options", ALL_OPTIONS, ids=lambda o: f"{o.copy}-{o.large_print}-{o.paper}"
)
def test_every_variant_renders_deterministically(plan: PlanDocument, options: RenderOptions):
    built = build_plan_pdf(plan, options)
    assert built.data.startswith(b"%PDF-")
    assert built.page_count >= 2
    assert build_plan_pdf(plan, options).data == built.data


def test_copies_share_the_content_hash_but_not_the_bytes(plan: PlanDocument):
    client = build_plan_pdf(plan, RenderOptions())
    file_copy = build_plan_pdf(plan, RenderOptions(copy=CopyKind.FILE))
    assert client.content_hash == file_copy.content_hash
    assert client.data != file_copy.data


def test_fonts_are_embedded(built):
    # reportlab always lists Helvetica as /F1 in the resources; no text uses it.
    assert b"/FontFile2" in built.data
    assert b"+DejaVuSans" in built.data
    assert b"+DejaVuSans-Bold" in built.data


def test_large_print_body_is_at_least_14_points():
    styles = make_styles(Typography.for_options(RenderOptions(large_print=True)))
    for name in ("body", "cell", "cell_head", "small", "muted", "kicker", "quote"):
        assert styles[name].fontSize >= 14, name


@pytest.mark.parametrize(
    "options", ALL_OPTIONS, ids=lambda o: f"{o.copy}-{o.large_print}-{o.paper}"
)
def test_signature_boxes_sit_inside_the_frame_without_overlapping(options: RenderOptions):
    plan = sample_plan(1, with_guardian=True, with_interpreter=True)
    layout = plan_layout(plan, options)
    frame = FrameGeometry.for_options(options)
    boxes = [*layout.boxes.values(), layout.qr]
    for box in boxes:
        assert frame.x <= box.x and box.x + box.width <= frame.x + frame.width + 0.01
        assert frame.y <= box.y and box.y + box.height <= frame.y + frame.height
    for a, b in itertools.combinations(boxes, 2):
        apart = (
            a.x + a.width <= b.x
            or b.x + b.width <= a.x
            or a.y + a.height <= b.y
            or b.y + b.height <= a.y
        )
        assert apart, (a, b)


def test_client_and_case_manager_boxes_do_not_move_when_co_signers_are_added():
    options = RenderOptions()
    two = plan_layout(sample_plan(1, with_guardian=False), options)
    four = plan_layout(sample_plan(1, with_guardian=True, with_interpreter=True), options)
    assert set(two.boxes) == {SignatureRole.CLIENT, SignatureRole.CASE_MANAGER}
    assert set(four.boxes) == set(SignatureRole)
    assert two.boxes[SignatureRole.CLIENT].x == four.boxes[SignatureRole.CLIENT].x


@pytest.mark.parametrize(
    "name",
    [
        "Zoë Ångström-Łukasiewicz",
        "Σοφία Παπαδοπούλου",
        "Дмитрий Иванов",
        "محمد عبد الله",
        "דוד כהן",
        "Nguyễn Thị Minh Khai 😊",
        "A" * 300,
        "<b>not markup</b> & friends",
    ],
)
def test_any_name_renders(name: str):
    plan = sample_plan(1, client_name=name)
    for copy in CopyKind:
        assert build_plan_pdf(plan, RenderOptions(copy=copy)).page_count >= 1


def test_sparse_draft_plan_renders():
    plan = dataclasses.replace(
        sample_plan(0, with_guardian=False),
        agreed_on=None,
        period_start=None,
        period_end=None,
        next_review_on=None,
        supports=(),
        referrals=(),
        reviews=(),
        out_of_hours_help="",
    )
    for options in ALL_OPTIONS:
        assert build_plan_pdf(plan, options).page_count <= 2


def test_long_free_text_flows_across_pages():
    plan = sample_plan(1)
    long_goal = dataclasses.replace(plan.goals[0], client_words="I want to " + "keep going " * 400)
    built = build_plan_pdf(dataclasses.replace(plan, goals=(long_goal,)))
    assert built.page_count >= 3


def test_spanish_client_copy_uses_spanish_labels():
    plan = sample_plan(1, language="es")
    assert build_plan_pdf(plan).data != build_plan_pdf(plan, RenderOptions(language="en")).data


def test_bytes_are_identical_in_another_process_with_another_hash_seed():
    import os
    import subprocess
    import sys

    code = (
        "from casedesk.export.plan_pdf import build_plan_pdf\n"
        "from casedesk.export.samples import sample_plan\n"
        "print(build_plan_pdf(sample_plan(4, client_name='Zoë محمد')).sha256)\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": os.pathsep.join(sys.path)}
    other = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert other == build_plan_pdf(sample_plan(4, client_name="Zoë محمد")).sha256
