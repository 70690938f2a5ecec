"""Bearer/enrollment tokens (stored only as hashes) and HMAC-signed pull cursors."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

DEVICE_TOKEN_PREFIX = "cdt_"
ENROLLMENT_TOKEN_PREFIX = "cde_"
PAIRING_GRANT_PREFIX = "cdg_"
_TOKEN_BYTES = 32
_CURSOR_MAC_BYTES = 16


def new_token(prefix: str) -> str:
    """A random 256-bit token with a recognisable prefix (helps secret scanners and support)."""
    return prefix + secrets.token_urlsafe(_TOKEN_BYTES)


def hash_token(token: str) -> str:
    """SHA-256 of a token. Tokens carry 256 random bits, so a fast hash is enough to store them."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class CursorState:
    """What an opaque cursor carries: whose log, which epoch, and the last applied sequence."""

    account_id: str
    epoch: str
    seq: int


class CursorError(ValueError):
    """The cursor was not issued by this hub or was altered."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_cursor(key: bytes, state: CursorState) -> str:
    """Sign a cursor so clients cannot forge or edit one (it stays opaque to them)."""
    body = json.dumps([state.account_id, state.epoch, state.seq], separators=(",", ":")).encode()
    mac = hmac.new(key, body, hashlib.sha256).digest()[:_CURSOR_MAC_BYTES]
    return f"{_b64(body)}.{_b64(mac)}"


def decode_cursor(key: bytes, cursor: str) -> CursorState:
    """Verify and unpack a cursor.

    Raises:
        CursorError: Bad signature or shape.
    """
    body_text, sep, mac_text = cursor.partition(".")
    try:
        body, mac = _unb64(body_text), _unb64(mac_text)
    except (binascii.Error, ValueError):
        raise CursorError("cursor is not valid") from None
    expected = hmac.new(key, body, hashlib.sha256).digest()[:_CURSOR_MAC_BYTES]
    if not sep or not hmac.compare_digest(mac, expected):
        raise CursorError("cursor was not issued by this hub")
    account_id, epoch, seq = json.loads(body)
    return CursorState(account_id=str(account_id), epoch=str(epoch), seq=int(seq))
