"""Files kept inside the vault: scans, signed PDFs, signature images, the My details logo."""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from casedesk.storage.models import Attachment


def add_attachment(
    session: Session, client_id: str | None, data: bytes, media_type: str, label: str
) -> Attachment:
    """Store bytes as an (append-only, encrypted, blob-synced) attachment in this unit of work.

    Args:
        session: the unit of work.
        client_id: the client it belongs to (None for the worker's own files, e.g. a logo).
        data: the file's bytes.
        media_type: e.g. ``"image/png"``.
        label: a short description (never client data: it is shown in lists).
    """
    attachment = Attachment(
        client_id=client_id,
        media_type=media_type,
        label=label,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content=data,
    )
    session.add(attachment)
    session.flush()
    return attachment
