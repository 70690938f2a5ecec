"""Pairing codes: how a second device receives the hub address, a join grant and the sync key.

The first device asks the hub for a one-time *pairing grant* and shows two things:

* the **pairing code**: ``CDP1-XXXXX-XXXXX-...`` (grouped RFC 4648 base32, also shown as a QR
  code). It holds the hub URL and account id in clear, plus the grant and the account sync key
  encrypted with AES-256-GCM under a key derived by Argon2id from
* the **short code**: 8 Crockford base32 characters (``ABCD-EFGH``, 40 bits) read out or typed
  by the worker on the new device.

Whoever sees only the pairing code (a photo of the screen, a copied clipboard) learns neither the
sync key nor the grant; guessing the short code offline costs one Argon2id run per guess, and the
grant expires on the hub within minutes and works once. The associated data binds the hub URL and
account id, so a code edited to point at another hub fails to open.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from casedesk.sync.envelope import SyncKey

PAIRING_PREFIX = "CDP1"
_GROUP = 5
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_SHORT_CODE_CHARS = 8
_LOOKALIKES = str.maketrans("OIL", "011")
_SALT_BYTES = 16
_NONCE_BYTES = 12


@dataclass(frozen=True)
class KdfCost:
    """Argon2id parameters for the short-code key (tests pass tiny ones)."""

    time_cost: int = 3
    memory_kib: int = 64 * 1024
    parallelism: int = 1


DEFAULT_KDF_COST = KdfCost()


class PairingCodeError(ValueError):
    """The pairing code is malformed (mistyped, truncated, or not a casedesk code)."""


class WrongShortCodeError(PairingCodeError):
    """The short code does not open this pairing code (mistyped, or the code was altered)."""


@dataclass(frozen=True)
class PairingCode:
    """What the first device shows: the long code (text and QR) and the short code."""

    text: str
    short_code: str


@dataclass(frozen=True)
class PairingPayload:
    """What the new device gets once it opens a pairing code."""

    hub_url: str
    account_id: str
    grant: str
    sync_key: SyncKey


def new_short_code() -> str:
    """Eight random Crockford base32 characters, grouped as ``XXXX-XXXX``."""
    chars = "".join(secrets.choice(_CROCKFORD) for _ in range(_SHORT_CODE_CHARS))
    return f"{chars[:4]}-{chars[4:]}"


def normalise_short_code(short_code: str) -> str:
    """Uppercase, drop separators and map look-alikes (O→0, I/L→1) as Crockford base32 does.

    Raises:
        WrongShortCodeError: Wrong length or characters outside the alphabet.
    """
    cleaned = short_code.upper().replace("-", "").replace(" ", "")
    cleaned = cleaned.translate(_LOOKALIKES)
    if len(cleaned) != _SHORT_CODE_CHARS or any(char not in _CROCKFORD for char in cleaned):
        raise WrongShortCodeError("the short code is 8 letters and digits, like ABCD-EFGH")
    return cleaned


def _derive_key(short_code: str, salt: bytes, cost: KdfCost) -> bytes:
    return hash_secret_raw(
        normalise_short_code(short_code).encode(),
        salt,
        time_cost=cost.time_cost,
        memory_cost=cost.memory_kib,
        parallelism=cost.parallelism,
        hash_len=32,
        type=Type.ID,
    )


def _aad(hub_url: str, account_id: str) -> bytes:
    return json.dumps(["casedesk pairing v1", hub_url, account_id]).encode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_pairing_code(
    hub_url: str,
    account_id: str,
    grant: str,
    sync_key: SyncKey,
    *,
    short_code: str | None = None,
    cost: KdfCost = DEFAULT_KDF_COST,
) -> PairingCode:
    """Build the pairing code a first device shows to a new device.

    Args:
        hub_url: Base URL of the hub.
        account_id: The account both devices belong to.
        grant: One-time pairing grant from ``POST /v1/pairing-grants``.
        sync_key: The account sync key.
        short_code: Fix the short code (tests); random when omitted.
        cost: Argon2id parameters, stored in the code so the reader uses the same.

    Returns:
        The long code and the short code to show side by side.
    """
    short = short_code or new_short_code()
    salt = secrets.token_bytes(_SALT_BYTES)
    nonce = secrets.token_bytes(_NONCE_BYTES)
    secret = json.dumps({"g": grant, "k": _b64(sync_key.secret_bytes())}).encode()
    cipher = AESGCM(_derive_key(short, salt, cost))
    sealed = cipher.encrypt(nonce, secret, _aad(hub_url, account_id))
    document = {
        "u": hub_url,
        "a": account_id,
        "c": [cost.time_cost, cost.memory_kib, cost.parallelism],
        "s": _b64(salt),
        "n": _b64(nonce),
        "x": _b64(sealed),
    }
    raw = json.dumps(document, separators=(",", ":")).encode()
    letters = base64.b32encode(raw).decode().rstrip("=")
    groups = [letters[i : i + _GROUP] for i in range(0, len(letters), _GROUP)]
    return PairingCode(text="-".join([PAIRING_PREFIX, *groups]), short_code=short)


def _decode_document(text: str) -> dict[str, object]:
    cleaned = "".join(text.split()).upper()
    if not cleaned.startswith(PAIRING_PREFIX + "-"):
        raise PairingCodeError("this is not a casedesk pairing code (it starts with CDP1-)")
    letters = cleaned[len(PAIRING_PREFIX) + 1 :].replace("-", "")
    try:
        raw = base64.b32decode(letters + "=" * (-len(letters) % 8))
        document = json.loads(raw)
    except (binascii.Error, ValueError):
        raise PairingCodeError("the pairing code is incomplete or mistyped") from None
    if not isinstance(document, dict):
        raise PairingCodeError("the pairing code is incomplete or mistyped")
    return document


def open_pairing_code(text: str, short_code: str) -> PairingPayload:
    """Recover hub URL, account, grant and sync key on the new device.

    Args:
        text: The long pairing code (separators, spaces and case are ignored).
        short_code: The 8-character short code shown next to it.

    Returns:
        Everything the new device needs to enroll and decrypt.

    Raises:
        PairingCodeError: The long code is malformed.
        WrongShortCodeError: The short code is wrong or the long code was altered.
    """
    document = _decode_document(text)
    try:
        hub_url = str(document["u"])
        account_id = str(document["a"])
        time_cost, memory_kib, parallelism = (int(v) for v in document["c"])  # type: ignore[attr-defined]
        salt, nonce, sealed = (_unb64(str(document[k])) for k in ("s", "n", "x"))
    except (KeyError, TypeError, ValueError, binascii.Error):
        raise PairingCodeError("the pairing code is incomplete or mistyped") from None
    cost = KdfCost(time_cost=time_cost, memory_kib=memory_kib, parallelism=parallelism)
    if not (1 <= time_cost <= 10 and 8 <= memory_kib <= 1024 * 1024 and 1 <= parallelism <= 8):
        # An edited code must not make this device burn minutes or gigabytes on the KDF.
        raise PairingCodeError("the pairing code asks for unsupported key-derivation settings")
    try:
        secret = AESGCM(_derive_key(short_code, salt, cost)).decrypt(
            nonce, sealed, _aad(hub_url, account_id)
        )
    except InvalidTag:
        raise WrongShortCodeError("the short code does not match this pairing code") from None
    inner = json.loads(secret)
    return PairingPayload(
        hub_url=hub_url,
        account_id=account_id,
        grant=str(inner["g"]),
        sync_key=SyncKey(_unb64(str(inner["k"]))),
    )
