"""Place drawn (handwritten) signatures into their boxes, before the digital signature.

The signature pad hands over PNG bytes (transparent background). They are added to the last page
as image XObjects in an incremental update of the unsigned PDF, so the case manager's digital
signature, applied afterwards, covers them: changing a drawn signature after signing breaks it.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping

from PIL import Image, UnidentifiedImageError
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.images import pil_image
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from casedesk.domain.documents import SignatureRole
from casedesk.export.signature_panel import Box, SignatureLayout

INK_PADDING = 5.0
# In the case manager's box the bottom strip is kept free for the digital signature's stamp text.
CASE_MANAGER_INK_SHARE = 0.6
MAX_PIXELS = 4_000_000  # a signature pad image is small; refuse anything absurd


class SignatureImageError(ValueError):
    """A drawn signature could not be used; the message is fit to show to the user."""


def _open_png(data: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError) as error:
        raise SignatureImageError("The drawn signature is not a readable image.") from error
    if image.width * image.height > MAX_PIXELS or image.width == 0 or image.height == 0:
        raise SignatureImageError("The drawn signature image has an unexpected size.")
    return image.convert("RGBA" if "A" in image.getbands() or image.mode == "P" else "RGB")


def ink_area(role: SignatureRole, box: Box) -> Box:
    """The part of a signature box a drawn signature may use."""
    area = box.shrink(INK_PADDING)
    if role is SignatureRole.CASE_MANAGER:
        keep = area.height * CASE_MANAGER_INK_SHARE
        return Box(area.x, area.y + area.height - keep, area.width, keep)
    return area


def _fit(image: Image.Image, area: Box) -> Box:
    """The largest box with the image's aspect ratio, centred in ``area``."""
    scale = min(area.width / image.width, area.height / image.height)
    width, height = image.width * scale, image.height * scale
    return Box(
        area.x + (area.width - width) / 2, area.y + (area.height - height) / 2, width, height
    )


def place_signature_images(
    pdf: bytes,
    images: Mapping[SignatureRole, bytes],
    layout: SignatureLayout,
    *,
    page_index: int | None = None,
) -> bytes:
    """Draw signature images into their boxes on the signature page.

    Args:
        pdf: the unsigned plan PDF.
        images: PNG bytes per signing role (only roles present in ``layout``).
        layout: the plan's signature layout.
        page_index: page holding the signature blocks; default the last page.

    Returns:
        The PDF with the images added (as an incremental update).

    Raises:
        SignatureImageError: an image is unreadable, or its role has no box on this plan.
    """
    if not images:
        return pdf
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    _derive_document_id(writer, pdf, images)
    page = page_index if page_index is not None else _page_count(pdf) - 1
    operators: list[str] = []
    xobjects = generic.DictionaryObject()  # type: ignore[no-untyped-call]
    # Sorted by role so the same images always give the same bytes.
    for number, role in enumerate(sorted(images, key=lambda r: r.value)):
        if role not in layout.boxes:
            raise SignatureImageError(f"This plan has no signature box for {role.value}.")
        image = _open_png(images[role])
        target = _fit(image, ink_area(role, layout.boxes[role]))
        name = f"/CdSig{number}"
        xobjects[generic.NameObject(name)] = pil_image(image, writer)
        operators.append(
            f"q {target.width:.2f} 0 0 {target.height:.2f} {target.x:.2f} {target.y:.2f} cm "
            f"{name} Do Q"
        )
    stream = generic.StreamObject(stream_data="\n".join(operators).encode("ascii"))
    # pyHanko's writer API is untyped; these calls are exercised by the tests.
    stream.compress()  # type: ignore[no-untyped-call]
    resources = generic.DictionaryObject(  # type: ignore[no-untyped-call]
        {generic.NameObject("/XObject"): xobjects}
    )
    writer.add_stream_to_page(  # type: ignore[no-untyped-call]
        page, writer.add_object(stream), resources=resources
    )
    output = io.BytesIO()
    writer.write(output)  # type: ignore[no-untyped-call]
    return output.getvalue()


def _derive_document_id(
    writer: IncrementalPdfFileWriter, pdf: bytes, images: Mapping[SignatureRole, bytes]
) -> None:
    """Replace pyHanko's random second /ID half with one derived from the inputs.

    The spec wants a new second half for a changed document; deriving it from the input bytes
    satisfies that and keeps "same plan, same drawings -> same bytes" true.
    """
    digest = hashlib.sha256(pdf)
    for role in sorted(images, key=lambda r: r.value):
        digest.update(role.value.encode("ascii"))
        digest.update(hashlib.sha256(images[role]).digest())
    first_half = writer._document_id[0]
    writer._document_id = generic.ArrayObject(
        [first_half, generic.ByteStringObject(digest.digest()[:16])]
    )


def _page_count(pdf: bytes) -> int:
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    return int(reader.root["/Pages"]["/Count"])
