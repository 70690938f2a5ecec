"""The plan content hash printed on every page, and the QR payload that carries it.

The hash is SHA-256 over a canonical JSON form of the :class:`PlanDocument` (every field, sorted
keys, ISO dates, UTF-8, no whitespace), prefixed by a schema tag. It covers what was agreed, not
how it was printed: the client copy, the file copy, large print and both paper sizes of one
version all carry the same hash, and it exists before anyone signs (so it can be printed for wet
ink). It is *not* the hash of the PDF bytes: that one (``sha256`` of the signed file) is returned
by signing and stored with the version by the caller.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from datetime import date
from enum import Enum

from casedesk.domain.documents import PlanDocument

HASH_SCHEMA = "casedesk.plan-content/1"
SHORT_HASH_LENGTH = 12  # 48 bits: plenty to tell versions apart by eye, short enough to read out
QR_PREFIX = "CASEDESK:PLAN:1"

# Upper case only, so the payload fits QR "alphanumeric" mode: a smaller, easier-to-scan code.
_QR_PATTERN = re.compile(
    r"^CASEDESK:PLAN:1/(?P<version>[0-9A-Z][0-9A-Z-]{0,63})/(?P<hash>[0-9A-F]{64})$"
)


def _jsonable(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot hash a {type(value).__name__}")


def canonical_plan_json(document: PlanDocument) -> bytes:
    """The exact bytes the content hash is computed over."""
    payload = {"schema": HASH_SCHEMA, "plan": dataclasses.asdict(document)}
    text = json.dumps(
        payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_jsonable
    )
    return text.encode("utf-8")


def plan_content_hash(document: PlanDocument) -> str:
    """Full SHA-256 (64 lower-case hex digits) of the plan's content."""
    return hashlib.sha256(canonical_plan_json(document)).hexdigest()


def short_hash(full_hash: str) -> str:
    """The first 12 hex digits, grouped in threes of four for reading aloud: ``3f2a 9c01 be77``."""
    head = full_hash[:SHORT_HASH_LENGTH]
    return " ".join(head[i : i + 4] for i in range(0, len(head), 4))


def qr_payload(version_id: str, full_hash: str) -> str:
    """Text encoded in the QR code: ``CASEDESK:PLAN:1/<VERSION-ID>/<SHA256>`` (upper case)."""
    return f"{QR_PREFIX}/{version_id.upper()}/{full_hash.upper()}"


def parse_qr_payload(text: str) -> tuple[str, str]:
    """Turn a scanned QR payload back into ``(version_id, content_hash)``, both lower case.

    Args:
        text: the decoded QR text (case and surrounding whitespace do not matter).

    Raises:
        ValueError: if the text is not a casedesk plan QR payload.
    """
    match = _QR_PATTERN.match(text.strip().upper())
    if match is None:
        raise ValueError("This QR code is not from a casedesk plan.")
    return match["version"].lower(), match["hash"].lower()
