from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from casedesk.domain.documents import RenderOptions, SignatureRole
from casedesk.export.plan_pdf import build_plan_pdf
from casedesk.export.samples import sample_plan
from casedesk.export.signature_images import (
    SignatureImageError,
    ink_area,
    place_signature_images,
)
from casedesk.export.signing import sign_plan_pdf
from casedesk.export.verify import VerificationStatus, verify_plan_pdf


def _last_page_xobjects(pdf: bytes) -> list[str]:
    reader = PdfFileReader(io.BytesIO(pdf))
    page = reader.root["/Pages"]["/Kids"][-1]
    resources = page["/Resources"]
    return sorted(str(name) for name in resources.get("/XObject", {}))


def test_images_are_added_to_the_last_page(built, signature_png):
    placed = place_signature_images(
        built.data,
        {SignatureRole.CLIENT: signature_png, SignatureRole.GUARDIAN: signature_png},
        built.layout,
    )
    assert placed.startswith(built.data)
    assert _last_page_xobjects(placed) == ["/CdSig0", "/CdSig1"]


def test_placing_is_deterministic(built, signature_png):
    images = {SignatureRole.CLIENT: signature_png}
    assert place_signature_images(built.data, images, built.layout) == place_signature_images(
        built.data, images, built.layout
    )


def test_no_images_leaves_the_pdf_alone(built):
    assert place_signature_images(built.data, {}, built.layout) == built.data


def test_case_manager_ink_leaves_room_for_the_stamp(built):
    box = built.layout.box(SignatureRole.CASE_MANAGER)
    area = ink_area(SignatureRole.CASE_MANAGER, box)
    assert area.y > box.y + box.height * 0.3
    assert area.y + area.height <= box.y + box.height


def test_role_without_a_box_is_refused(signature_png):
    plan = sample_plan(1, with_guardian=False)
    built = build_plan_pdf(plan, RenderOptions())
    with pytest.raises(SignatureImageError, match="no signature box"):
        place_signature_images(built.data, {SignatureRole.GUARDIAN: signature_png}, built.layout)


def test_unreadable_image_is_refused(built):
    with pytest.raises(SignatureImageError, match="not a readable image"):
        place_signature_images(built.data, {SignatureRole.CLIENT: b"not png"}, built.layout)


def test_the_digital_signature_covers_the_drawn_signatures(identity, built, signature_png):
    placed = place_signature_images(
        built.data,
        {SignatureRole.CLIENT: signature_png, SignatureRole.CASE_MANAGER: signature_png},
        built.layout,
    )
    signed = sign_plan_pdf(placed, identity, built.layout)
    assert verify_plan_pdf(signed.data).ok
    # Change one byte of the embedded drawing after signing: the signature breaks.
    image_header = signed.data.index(b"/Subtype /Image", len(built.data))
    data_start = signed.data.index(b"stream", image_header) + len(b"stream\n")
    assert data_start < len(placed)  # the drawing sits inside the signed revision
    damaged = bytearray(signed.data)
    damaged[data_start + 10] ^= 0xFF
    assert verify_plan_pdf(bytes(damaged)).status is VerificationStatus.TAMPERED
