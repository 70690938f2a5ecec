"""Attachment bytes encrypted for the hub (content-addressed by the ciphertext's SHA-256).

The associated data binds table, row and column, so the hub cannot swap one attachment for
another.
"""

from __future__ import annotations

import json
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from casedesk.sync.envelope import EnvelopeIntegrityError, SyncKey

_PREFIX = b"cdblob1"
_NONCE = 12


def _cipher(key: SyncKey) -> AESGCM:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"casedesk blob v1"
    ).derive(key.secret_bytes())
    return AESGCM(derived)


def _aad(table: str, row_id: str, column: str) -> bytes:
    return json.dumps([table, row_id, column], separators=(",", ":")).encode()


def seal_blob(key: SyncKey, table: str, row_id: str, column: str, data: bytes) -> bytes:
    """Encrypt attachment bytes for upload."""
    nonce = secrets.token_bytes(_NONCE)
    return _PREFIX + nonce + _cipher(key).encrypt(nonce, data, _aad(table, row_id, column))


def open_blob(key: SyncKey, table: str, row_id: str, column: str, sealed: bytes) -> bytes:
    """Decrypt and authenticate attachment bytes from the hub.

    Raises:
        EnvelopeIntegrityError: tampered, truncated, or meant for another row.
    """
    if not sealed.startswith(_PREFIX) or len(sealed) < len(_PREFIX) + _NONCE + 16:
        raise EnvelopeIntegrityError("attachment is not a casedesk blob")
    nonce = sealed[len(_PREFIX) : len(_PREFIX) + _NONCE]
    try:
        return _cipher(key).decrypt(
            nonce, sealed[len(_PREFIX) + _NONCE :], _aad(table, row_id, column)
        )
    except InvalidTag:
        raise EnvelopeIntegrityError("attachment failed its integrity check") from None
