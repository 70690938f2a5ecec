"""My details: the case manager's own contact, printed on plans, and the gate on agreeing.

Stored as one synced preference document (``profile.case_manager``) so every device of the
worker holds the same details; the optional logo is an ordinary vault attachment (synced as a
content-addressed encrypted blob, like scans), which the document names by id. A preference
document rather than a table of its own: it is one record per account, read whole and written
whole, and the preference table already syncs with the per-field merge (concurrent edits on
two devices: the later one wins and a conflict is recorded for review).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from casedesk.domain.my_details import (
    AGREE_NEEDS_DETAILS,
    MAX_LOGO_BYTES,
    MAX_LOGO_SIDE,
    MyDetails,
    logo_too_large,
    missing_for_agreeing,
    validate_my_details,
)
from casedesk.domain.plans import PlanTransitionError
from casedesk.services import audit, preferences
from casedesk.services.attachments import add_attachment
from casedesk.services.errors import ValidationError
from casedesk.services.preferences import PROFILE_KEY
from casedesk.storage.engine import Database
from casedesk.storage.models import Attachment

LOGO_LABEL = "Logo (My details)"
_IMAGE_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}


class MyDetailsMissing(PlanTransitionError):
    """A plan can't be agreed yet: the worker's name or phone number is not set."""

    def __init__(self, missing: tuple[str, ...]) -> None:
        super().__init__(AGREE_NEEDS_DETAILS)
        self.missing = missing


@dataclass(frozen=True)
class Logo:
    """The logo image as stored in the vault."""

    attachment_id: str
    media_type: str
    data: bytes


def require_details_for_agreeing(session: Session) -> None:
    """Refuse to agree a plan until the worker's name and phone number are set.

    Raises:
        MyDetailsMissing: with the plain message saying where to set them.
    """
    missing = missing_for_agreeing(preferences.my_details(session))
    if missing:
        raise MyDetailsMissing(missing)


def check_logo_image(data: bytes) -> str:
    """Check a logo image and return its media type.

    PNG or JPEG, at most 1 MB, at most 4096 pixels a side, and it must decode completely (a
    truncated or disguised file is refused). The size is read from the header *before* the
    pixels are decoded, so a small file declaring a huge image costs nothing.

    Raises:
        ValidationError: on the ``logo`` field, in plain words.
    """
    if len(data) > MAX_LOGO_BYTES:
        raise ValidationError({"logo": logo_too_large(len(data))})
    decoded = _decode_image(data)
    if decoded is None:
        raise ValidationError({"logo": "This file is not a PNG or JPEG image (or it is damaged)."})
    media_type, (width, height) = decoded
    if not (width <= MAX_LOGO_SIDE and height <= MAX_LOGO_SIDE):
        raise ValidationError(
            {
                "logo": f"The logo is {width}×{height} pixels; please use one at most "
                f"{MAX_LOGO_SIDE} pixels wide and high."
            }
        )
    return media_type


def _decode_image(data: bytes) -> tuple[str, tuple[int, int]] | None:
    """The media type and size of a PNG/JPEG that decodes completely (None otherwise)."""
    # Imported here: Pillow is needed only when a logo is chosen.
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data), formats=list(_IMAGE_FORMATS)) as image:
            width, height = image.size
            if width < 1 or height < 1:
                return None
            if width <= MAX_LOGO_SIDE and height <= MAX_LOGO_SIDE:
                image.load()  # only bounded images are decoded
            return _IMAGE_FORMATS[str(image.format)], (width, height)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None


class ProfileService:
    """Read and change My details (and the logo), and check they are ready for agreeing."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self) -> MyDetails:
        """The stored details (defaults when none were set)."""
        with self._db.read() as session:
            return preferences.my_details(session)

    def save(
        self, details: MyDetails, *, logo: bytes | None = None, remove_logo: bool = False
    ) -> MyDetails:
        """Validate and store the details, and optionally a new logo, in one transaction.

        Args:
            details: every text field (``logo_attachment_id`` is ignored: the stored logo is
                kept unless ``logo`` or ``remove_logo`` says otherwise).
            logo: a new logo image (PNG or JPEG); the previous one stays in the vault.
            remove_logo: stop using the logo (the image stays: attachments are permanent).

        Raises:
            ValidationError: a field needs attention (phone, email, lengths, the logo); nothing
                is stored.
        """
        cleaned = validate_my_details(details)
        media_type = check_logo_image(logo) if logo is not None else None
        with self._db.session() as session:
            logo_id = preferences.my_details(session).logo_attachment_id
            if logo is not None and media_type is not None:
                logo_id = add_attachment(session, None, logo, media_type, LOGO_LABEL).id
            elif remove_logo:
                logo_id = None
            stored = replace(cleaned, logo_attachment_id=logo_id)
            self._store(session, stored)
            return stored

    def set_logo(self, data: bytes) -> MyDetails:
        """Use a new logo, keeping the other details (see :meth:`save`)."""
        return self.save(self.get(), logo=data)

    def remove_logo(self) -> MyDetails:
        """Stop using the logo, keeping the other details (see :meth:`save`)."""
        return self.save(self.get(), remove_logo=True)

    def logo(self) -> Logo | None:
        """The logo in use, if any.

        None also when its image has not reached this device yet: synced details can name a
        logo whose bytes are still on their way.
        """
        with self._db.read() as session:
            attachment_id = preferences.my_details(session).logo_attachment_id
            row = None if attachment_id is None else session.get(Attachment, attachment_id)
            if row is None or row.deleted_at is not None:
                return None
            return Logo(row.id, row.media_type, bytes(row.content))

    @staticmethod
    def _store(session: Session, details: MyDetails) -> None:
        preferences.write(session, PROFILE_KEY, details.to_data())
        session.flush()
        audit.record(
            session, "my_details.changed", "preference", PROFILE_KEY, summary="My details changed"
        )
