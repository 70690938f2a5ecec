"""Fixtures for export tests: a signing identity (made once), sample plans, a drawn signature."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from casedesk.domain.documents import PlanDocument, RenderOptions
from casedesk.export.plan_pdf import BuiltPlanPdf, build_plan_pdf
from casedesk.export.samples import sample_plan
from casedesk.export.signing import (
    GeneratedIdentity,
    SigningIdentity,
    generate_self_signed_identity,
    load_signing_identity,
)


def drawn_signature_png(width: int = 400, height: int = 120) -> bytes:
    """A zig-zag "signature" on a transparent background, as the signature pad exports it."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    points = [(10, 90), (80, 20), (140, 100), (220, 30), (300, 95), (390, 40)]
    draw.line(points, fill=(20, 20, 80, 255), width=7)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="session")
def generated_identity() -> GeneratedIdentity:
    return generate_self_signed_identity("Sam Okafor", "Riverbend Community Support")


@pytest.fixture(scope="session")
def identity(generated_identity: GeneratedIdentity) -> SigningIdentity:
    return load_signing_identity(generated_identity.pkcs12, generated_identity.password)


@pytest.fixture
def plan() -> PlanDocument:
    return sample_plan(3)


@pytest.fixture
def built(plan: PlanDocument) -> BuiltPlanPdf:
    return build_plan_pdf(plan, RenderOptions())


@pytest.fixture
def signature_png() -> bytes:
    return drawn_signature_png()
