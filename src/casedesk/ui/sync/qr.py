"""QR codes in memory: segno renders PNG bytes into a buffer, Qt loads them (no temp files)."""

from __future__ import annotations

import io

import segno
from PySide6.QtGui import QPixmap


def qr_pixmap(text: str, scale: int = 4) -> QPixmap:
    """A QR code for ``text`` as a pixmap."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=scale, border=2)
    pixmap = QPixmap()
    pixmap.loadFromData(buffer.getvalue(), "PNG")
    return pixmap
