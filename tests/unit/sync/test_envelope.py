"""AEAD envelopes: round trip, and tamper / swap / replay / wrong key all fail loudly."""

from __future__ import annotations

import base64

import pytest

from casedesk.sync.envelope import (
    EnvelopeFormatError,
    EnvelopeIntegrityError,
    Keyring,
    SyncKey,
    UnknownKeyError,
    envelope_key_id,
    open_row,
    seal_row,
)

ROW = {"name": "Ada Lindqvist", "phone": "0441 555 0199", "risk": "high"}


@pytest.fixture
def key() -> SyncKey:
    return SyncKey.generate()


def _seal(key: SyncKey, row_id: str = "r1", version: int = 1, table: str = "client") -> str:
    return seal_row(key, table=table, row_id=row_id, row_version=version, payload=ROW)


def test_round_trip(key: SyncKey) -> None:
    envelope = _seal(key)

    assert envelope.startswith(f"v1:{key.key_id}:")
    assert open_row(key, envelope, table="client", row_id="r1", row_version=1) == ROW


def test_plaintext_is_not_visible_and_each_seal_differs(key: SyncKey) -> None:
    first, second = _seal(key), _seal(key)

    assert first != second
    assert "Lindqvist" not in first and "0441" not in first


def _flip_bit(envelope: str, position: int) -> str:
    prefix, body = envelope.rsplit(":", 1)
    raw = bytearray(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    raw[position] ^= 0x01
    return prefix + ":" + base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")


@pytest.mark.parametrize("position", [0, 20, 40, -1], ids=["salt", "nonce", "body", "tag"])
def test_any_flipped_bit_is_detected(key: SyncKey, position: int) -> None:
    tampered = _flip_bit(_seal(key), position)

    with pytest.raises(EnvelopeIntegrityError, match="failed authentication"):
        open_row(key, tampered, table="client", row_id="r1", row_version=1)


def test_swapped_rows_are_detected(key: SyncKey) -> None:
    envelope_of_r2 = _seal(key, row_id="r2")

    with pytest.raises(EnvelopeIntegrityError):
        open_row(key, envelope_of_r2, table="client", row_id="r1", row_version=1)


def test_old_version_replayed_as_new_is_detected(key: SyncKey) -> None:
    version_one = _seal(key, version=1)

    with pytest.raises(EnvelopeIntegrityError):
        open_row(key, version_one, table="client", row_id="r1", row_version=2)


def test_moved_to_another_table_is_detected(key: SyncKey) -> None:
    with pytest.raises(EnvelopeIntegrityError):
        open_row(key, _seal(key), table="contact", row_id="r1", row_version=1)


def test_another_accounts_key_cannot_open(key: SyncKey) -> None:
    with pytest.raises(UnknownKeyError):
        open_row(SyncKey.generate(), _seal(key), table="client", row_id="r1", row_version=1)


def test_key_id_swapped_in_the_text_is_detected(key: SyncKey) -> None:
    other = SyncKey.generate()
    relabelled = _seal(other).replace(other.key_id, key.key_id)

    with pytest.raises(EnvelopeIntegrityError):
        open_row(key, relabelled, table="client", row_id="r1", row_version=1)


def test_keyring_opens_envelopes_of_older_keys(key: SyncKey) -> None:
    newer = SyncKey.generate()
    ring = Keyring([key, newer])

    assert open_row(ring, _seal(key), table="client", row_id="r1", row_version=1) == ROW
    assert envelope_key_id(_seal(newer)) == newer.key_id
    with pytest.raises(UnknownKeyError):
        Keyring([newer]).get(key.key_id)


@pytest.mark.parametrize("text", ["", "v2:abc:def", "v1:short:AAAA", "v1:0123456789abcdef:!!",
                                  "v1:0123456789abcdef:AAAA"])
def test_malformed_envelopes_are_format_errors(key: SyncKey, text: str) -> None:
    with pytest.raises(EnvelopeFormatError):
        open_row(key, text, table="client", row_id="r1", row_version=1)


def test_sync_key_checks_length_and_wipes() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        SyncKey(b"short")
    key = SyncKey(bytes(range(32)))
    same = SyncKey(bytes(range(32)))

    assert key.key_id == same.key_id and len(key.key_id) == 16
    assert "secret" not in repr(key) and key.key_id in repr(key)
    key.wipe()
    with pytest.raises(ValueError, match="wiped"):
        key.secret_bytes()
