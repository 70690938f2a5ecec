"""AEAD envelopes: how a row leaves the device so the hub sees only ciphertext.

Format (text, safe inside JSON)::

    v1:<key_id>:<base64url(salt[16] || nonce[12] || ciphertext+tag)>

* The account sync key (32 random bytes) never encrypts directly: each envelope derives its own
  AES-256-GCM key with HKDF-SHA256 from the sync key and a fresh random 16-byte salt. A fresh key
  per envelope removes the birthday bound on random 96-bit nonces under one long-lived key (the
  role the per-record DEK plays in the reference design, without storing wrapped keys).
* The associated data binds the format version, table, row id, row version and key id. A hub that
  swaps two rows' ciphertexts, moves one to another table, or replays an old version as a newer one
  makes :func:`open_row` fail with :class:`EnvelopeIntegrityError`.
* The plaintext is the row's JSON (sorted keys, UTF-8).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

ENVELOPE_VERSION = "v1"
ENVELOPE_PREFIX = ENVELOPE_VERSION + ":"
SYNC_KEY_BYTES = 32
_SALT_BYTES = 16
_NONCE_BYTES = 12
_TAG_BYTES = 16
_KEY_ID_INFO = b"casedesk sync key id v1"
_HKDF_INFO = b"casedesk envelope v1"


class EnvelopeError(Exception):
    """An envelope could not be opened. Never carries plaintext."""


class EnvelopeFormatError(EnvelopeError):
    """The envelope text is not a well-formed ``v1`` envelope."""


class UnknownKeyError(EnvelopeError):
    """The envelope names a key id this device does not hold."""


class EnvelopeIntegrityError(EnvelopeError):
    """Authentication failed: the ciphertext was altered, swapped to another row, or replayed."""


class SyncKey:
    """The account sync key: 32 random bytes shared by the account's devices, never sent in clear.

    The secret is kept in a ``bytearray`` so :meth:`wipe` can overwrite it when the vault locks.
    """

    __slots__ = ("_secret", "key_id")

    def __init__(self, secret: bytes | bytearray) -> None:
        if len(secret) != SYNC_KEY_BYTES:
            raise ValueError(f"a sync key is {SYNC_KEY_BYTES} bytes, got {len(secret)}")
        self._secret = bytearray(secret)
        self.key_id = derive_key_id(self._secret)

    @classmethod
    def generate(cls) -> SyncKey:
        """A new random account sync key (made once, on the account's first device)."""
        return cls(secrets.token_bytes(SYNC_KEY_BYTES))

    def secret_bytes(self) -> bytes:
        """The raw key, for wrapping into the vault or a pairing code. Handle with care."""
        if not any(self._secret):
            raise ValueError("this sync key has been wiped")
        return bytes(self._secret)

    def wipe(self) -> None:
        """Overwrite the key material in memory."""
        for index in range(len(self._secret)):
            self._secret[index] = 0

    def __repr__(self) -> str:
        return f"SyncKey(key_id={self.key_id!r})"


def derive_key_id(secret: bytes | bytearray) -> str:
    """A short public identifier of a key (16 hex digits); reveals nothing about the key."""
    return hmac.new(bytes(secret), _KEY_ID_INFO, hashlib.sha256).hexdigest()[:16]


class Keyring:
    """Sync keys by key id, so envelopes sealed before a key rotation still open."""

    def __init__(self, keys: Iterable[SyncKey] = ()) -> None:
        self._keys: dict[str, SyncKey] = {key.key_id: key for key in keys}

    def add(self, key: SyncKey) -> None:
        """Hold another key."""
        self._keys[key.key_id] = key

    def get(self, key_id: str) -> SyncKey:
        """The key with this id.

        Raises:
            UnknownKeyError: No such key on this device.
        """
        try:
            return self._keys[key_id]
        except KeyError:
            raise UnknownKeyError(f"envelope sealed with unknown key {key_id}") from None


def associated_data(table: str, row_id: str, row_version: int, key_id: str) -> bytes:
    """The bytes every envelope authenticates besides its ciphertext."""
    fields = [ENVELOPE_VERSION, table, row_id, str(row_version), key_id]
    return json.dumps(fields, separators=(",", ":")).encode()


def _envelope_cipher(key: SyncKey, salt: bytes) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=_HKDF_INFO).derive(
        key.secret_bytes()
    )
    return AESGCM(derived)


def seal_row(
    key: SyncKey, *, table: str, row_id: str, row_version: int, payload: Mapping[str, Any]
) -> str:
    """Encrypt one row's fields for the hub.

    Args:
        key: The account sync key.
        table: Synced table name.
        row_id: The row's id.
        row_version: The version the row will have on the hub once accepted
            (``(base_version or 0) + 1``).
        payload: JSON-serialisable row fields.

    Returns:
        The envelope text (``v1:...``).
    """
    plaintext = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    salt = secrets.token_bytes(_SALT_BYTES)
    nonce = secrets.token_bytes(_NONCE_BYTES)
    aad = associated_data(table, row_id, row_version, key.key_id)
    ciphertext = _envelope_cipher(key, salt).encrypt(nonce, plaintext, aad)
    body = base64.urlsafe_b64encode(salt + nonce + ciphertext).decode().rstrip("=")
    return f"{ENVELOPE_PREFIX}{key.key_id}:{body}"


def envelope_key_id(envelope: str) -> str:
    """The key id named by an envelope (without opening it).

    Raises:
        EnvelopeFormatError: Not a ``v1`` envelope.
    """
    return _split(envelope)[0]


def _split(envelope: str) -> tuple[str, bytes]:
    if not envelope.startswith(ENVELOPE_PREFIX):
        raise EnvelopeFormatError("not a v1 envelope")
    key_id, sep, body = envelope[len(ENVELOPE_PREFIX) :].partition(":")
    if not sep or len(key_id) != 16:
        raise EnvelopeFormatError("envelope has no key id")
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        raise EnvelopeFormatError("envelope body is not base64") from None
    if len(raw) < _SALT_BYTES + _NONCE_BYTES + _TAG_BYTES:
        raise EnvelopeFormatError("envelope is truncated")
    return key_id, raw


def open_row(
    keys: SyncKey | Keyring, envelope: str, *, table: str, row_id: str, row_version: int
) -> dict[str, Any]:
    """Decrypt and authenticate an envelope received for a given row and version.

    Args:
        keys: The sync key, or a keyring when several key generations exist.
        envelope: Envelope text as received from the hub.
        table: The table the hub says the row belongs to.
        row_id: The row id the hub says it is.
        row_version: The version the hub says it is.

    Returns:
        The row fields.

    Raises:
        EnvelopeFormatError: Malformed envelope.
        UnknownKeyError: Sealed with a key this device does not hold.
        EnvelopeIntegrityError: Tampered, swapped between rows, or replayed at another version.
    """
    key_id, raw = _split(envelope)
    key = keys.get(key_id) if isinstance(keys, Keyring) else keys
    if key.key_id != key_id:
        raise UnknownKeyError(f"envelope sealed with unknown key {key_id}")
    salt, nonce, ciphertext = (
        raw[:_SALT_BYTES],
        raw[_SALT_BYTES : _SALT_BYTES + _NONCE_BYTES],
        raw[_SALT_BYTES + _NONCE_BYTES :],
    )
    aad = associated_data(table, row_id, row_version, key_id)
    try:
        plaintext = _envelope_cipher(key, salt).decrypt(nonce, ciphertext, aad)
    except InvalidTag:
        raise EnvelopeIntegrityError(
            f"envelope for {table} row {row_id} v{row_version} failed authentication "
            "(altered, swapped or replayed)"
        ) from None
    payload = json.loads(plaintext)
    if not isinstance(payload, dict):
        raise EnvelopeFormatError("envelope payload is not an object")
    return payload
