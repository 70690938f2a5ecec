"""Ways to change a signed PDF, shared by unit and poppler tests."""

from __future__ import annotations

import io

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter


def flip_byte_in_signed_range(pdf: bytes) -> bytes:
    """Change one letter of the document title (in the first, signed revision)."""
    marker = b"/Title ("
    index = pdf.index(marker) + len(marker)
    original = pdf[index : index + 1]
    replacement = b"X" if original != b"X" else b"Y"
    return pdf[:index] + replacement + pdf[index + 1 :]


def append_info_update(pdf: bytes, title: str = "Changed after signing") -> bytes:
    """Append an incremental update that rewrites the document title (/Info)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    info_ref = writer.trailer.raw_get("/Info")
    info = info_ref.get_object()
    info[generic.NameObject("/Title")] = generic.TextStringObject(title)
    writer.mark_update(info_ref)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
