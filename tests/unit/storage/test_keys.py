"""The key file and key hierarchy: damage is reported as damage, recovery keys parse tolerantly."""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casedesk.storage.errors import VaultDamaged, WrongPassphrase
from casedesk.storage.keys import (
    KEY_BYTES,
    MIN_INTERACTIVE_KDF,
    TEST_KDF,
    KeyFile,
    calibrate_kdf,
    derive_subkey,
    new_recovery_key,
    recovery_key_bytes,
)

PASS = "key file test passphrase"


def _fresh(db_key: bytes | None = None) -> tuple[KeyFile, bytes, str]:
    key = db_key or secrets.token_bytes(KEY_BYTES)
    recovery = new_recovery_key()
    return KeyFile.create(key, PASS, recovery, TEST_KDF), key, recovery


def _document() -> dict[str, Any]:
    key_file, _, _ = _fresh()
    return dict(json.loads(key_file.to_json()))


def _legacy_document() -> dict[str, Any]:
    """A key file as written before key files carried a checksum."""
    document = _document()
    del document["checksum"]
    return document


def _load(tmp_path: Path, content: bytes) -> KeyFile:
    path = tmp_path / "vault.key"
    path.write_bytes(content)
    return KeyFile.load(path)


def test_round_trip_through_disk(tmp_path: Path) -> None:
    key_file, key, recovery = _fresh()
    key_file.save(tmp_path / "vault.key")
    loaded = KeyFile.load(tmp_path / "vault.key")
    assert bytes(loaded.unwrap_with_passphrase(PASS)) == key
    assert bytes(loaded.unwrap_with_recovery_key(recovery)) == key
    assert (tmp_path / "vault.key").stat().st_mode & 0o777 == 0o600
    assert not list(tmp_path.glob(".*.tmp"))  # atomic write left no temp file


def test_wrong_secrets_are_wrong_passphrase_errors() -> None:
    key_file, _, _ = _fresh()
    with pytest.raises(WrongPassphrase, match="passphrase does not open"):
        key_file.unwrap_with_passphrase("nope")
    with pytest.raises(WrongPassphrase, match="recovery key does not open"):
        key_file.unwrap_with_recovery_key(new_recovery_key())


def test_wraps_are_bound_to_their_vault_and_slot() -> None:
    first, _, _ = _fresh()
    second, _, _ = _fresh()
    second.slots["passphrase"] = dict(first.slots["passphrase"])  # moved between vaults
    second.salt, second.kdf = first.salt, first.kdf
    with pytest.raises(WrongPassphrase):
        second.unwrap_with_passphrase(PASS)
    first.slots["recovery"] = dict(first.slots["passphrase"])  # moved between slots
    with pytest.raises(WrongPassphrase):
        first.unwrap_with_recovery_key(new_recovery_key())


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        (b"{bad json", "not readable"),
        (b"\xff\xfe\x00garbage", "not readable"),
        (b"[]", "a field is missing"),
        (b"{}", "a field is missing"),
    ],
)
def test_unreadable_key_file_is_damaged(tmp_path: Path, content: bytes, detail: str) -> None:
    with pytest.raises(VaultDamaged, match=detail) as caught:
        _load(tmp_path, content)
    assert "vault.key" in str(caught.value)


def _drop(path: tuple[str, ...]) -> Any:
    def change(doc: dict[str, Any]) -> None:
        target = doc
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


def _set(path: tuple[str, ...], value: Any) -> Any:
    def change(doc: dict[str, Any]) -> None:
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


B64_20 = base64.b64encode(b"x" * 20).decode()
B64_48 = base64.b64encode(b"x" * 48).decode()


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        (_drop(("vault_id",)), "a field is missing"),
        (_drop(("kdf",)), "a field is missing"),
        (_drop(("kdf", "salt")), "a field is missing"),
        (_drop(("kdf", "memory_kib")), "a field is missing"),
        (_drop(("slots", "passphrase")), "passphrase entry is missing"),
        (_drop(("slots", "recovery", "nonce")), "a field is missing"),
        (_set(("format",), "something-else"), "not a casedesk key file"),
        (_set(("version",), 99), "newer casedesk"),
        (_set(("kdf", "time_cost"), "lots"), "damaged"),
        (_set(("kdf", "time_cost"), 0), "out of range"),
        (_set(("kdf", "salt"), "!!not base64!!"), "corrupt"),
        (_set(("kdf", "salt"), base64.b64encode(b"short").decode()), "salt has the wrong length"),
        (_set(("slots", "passphrase", "ciphertext"), B64_20), "wrapped key has the wrong length"),
        (_set(("slots", "recovery", "ciphertext"), B64_48 + "AAAA"), "wrong length"),
        (_set(("slots", "passphrase", "nonce"), B64_20), "nonce has the wrong length"),
        (_set(("slots", "passphrase", "ciphertext"), 12345), "corrupt"),
        (_set(("kdf", "salt"), 12345), "wrong type"),
        (_set(("slots",), "not a mapping"), "damaged"),
    ],
)
def test_damaged_fields_are_named(tmp_path: Path, change: Any, detail: str) -> None:
    document = _document()
    change(document)
    with pytest.raises(VaultDamaged, match=detail):
        _load(tmp_path, json.dumps(document).encode())


def test_missing_recovery_slot_is_damage_not_a_crash(tmp_path: Path) -> None:
    document = _legacy_document()  # with a checksum, the missing slot is caught on load
    del document["slots"]["recovery"]
    key_file = _load(tmp_path, json.dumps(document).encode())
    with pytest.raises(VaultDamaged, match="recovery entry is missing"):
        key_file.unwrap_with_recovery_key(new_recovery_key())


def _flip_b64(path: tuple[str, ...]) -> Any:
    """Flip one bit of a base64 field, keeping it valid base64 of the same length."""

    def change(doc: dict[str, Any]) -> None:
        target = doc
        for key in path[:-1]:
            target = target[key]
        raw = bytearray(base64.b64decode(target[path[-1]]))
        raw[0] ^= 0x01
        target[path[-1]] = base64.b64encode(bytes(raw)).decode()

    return change


def _flip_vault_id(doc: dict[str, Any]) -> None:
    vault_id = doc["vault_id"]
    doc["vault_id"] = vault_id[:-1] + ("0" if vault_id[-1] != "0" else "1")


FLIPS = {
    "salt": _flip_b64(("kdf", "salt")),
    "passphrase nonce": _flip_b64(("slots", "passphrase", "nonce")),
    "passphrase wrap": _flip_b64(("slots", "passphrase", "ciphertext")),
    "recovery nonce": _flip_b64(("slots", "recovery", "nonce")),
    "vault id": _flip_vault_id,
    "time cost": _set(("kdf", "time_cost"), 2),
    "memory": _set(("kdf", "memory_kib"), 2048),
    "created at": _set(("created_at",), "2020-01-01T00:00:00+00:00"),
}


@pytest.mark.parametrize("field", list(FLIPS))
def test_a_flipped_field_is_damage_not_a_wrong_passphrase(tmp_path: Path, field: str) -> None:
    key_file, _, _ = _fresh()
    key_file.save(tmp_path / "vault.key")
    document = json.loads((tmp_path / "vault.key").read_text(encoding="utf-8"))
    FLIPS[field](document)
    (tmp_path / "vault.key").write_text(json.dumps(document, indent=2), encoding="utf-8")
    with pytest.raises(VaultDamaged, match="do not match its checksum"):
        KeyFile.load(tmp_path / "vault.key")


def test_a_flipped_checksum_is_damage(tmp_path: Path) -> None:
    document = _document()
    document["checksum"] = document["checksum"][:-1] + "x"
    with pytest.raises(VaultDamaged, match="checksum"):
        _load(tmp_path, json.dumps(document).encode())


def test_key_file_without_checksum_still_opens_and_gains_one_on_rewrite(tmp_path: Path) -> None:
    # What every casedesk before the checksum wrote: it must keep opening.
    key_file, key, recovery = _fresh()
    legacy = json.loads(key_file.to_json())
    del legacy["checksum"]
    loaded = _load(tmp_path, json.dumps(legacy).encode())
    assert bytes(loaded.unwrap_with_passphrase(PASS)) == key
    loaded.set_passphrase(key, "a new passphrase", TEST_KDF)
    loaded.save(tmp_path / "vault.key")
    rewritten = json.loads((tmp_path / "vault.key").read_text(encoding="utf-8"))
    assert rewritten["checksum"].startswith("sha256:")
    assert bytes(KeyFile.load(tmp_path / "vault.key").unwrap_with_recovery_key(recovery)) == key


@pytest.mark.parametrize(
    ("field", "value", "detail"),
    [
        ("time_cost", 2**31, "out of range"),
        ("time_cost", 33, "out of range"),
        ("memory_kib", 2**40, "out of range"),
        ("memory_kib", 512, "out of range"),  # below the floor
        ("memory_kib", 1e308, "whole numbers"),
        ("memory_kib", 65536.0, "whole numbers"),
        ("parallelism", True, "whole numbers"),
        ("parallelism", 0, "out of range"),
        ("parallelism", 17, "out of range"),
        ("algorithm", "scrypt", "unknown key-derivation"),
    ],
)
def test_kdf_parameters_are_bounded_before_any_derivation(
    tmp_path: Path, field: str, value: Any, detail: str
) -> None:
    document = _legacy_document()  # no checksum: the bounds hold on their own
    document["kdf"][field] = value
    with pytest.raises(VaultDamaged, match=detail):
        _load(tmp_path, json.dumps(document).encode())


@pytest.mark.parametrize(
    "content",
    [
        b"[" * 100_000 + b"]" * 100_000,  # far too big
        b"[" * 3000 + b"]" * 3000,  # small enough, nested far too deeply
        b'{"format": ' * 20 + b"1" + b"}" * 20,
        b'{"version": ' + b"9" * 5000 + b"}",  # an integer Python refuses to parse
        b'{"version": 1e999}',
    ],
)
def test_hostile_json_is_damage_not_a_crash(tmp_path: Path, content: bytes) -> None:
    with pytest.raises(VaultDamaged, match="damaged"):
        _load(tmp_path, content)


def test_brackets_inside_strings_do_not_count_as_nesting(tmp_path: Path) -> None:
    document = _legacy_document()
    document["created_at"] = "[[[[[[[[{{{{{{\\\"" + "]" * 10
    loaded = _load(tmp_path, json.dumps(document).encode())
    assert loaded.created_at == document["created_at"]


def test_a_key_file_that_is_a_pipe_is_damage_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "vault.key")  # reading it would wait for a writer forever
    with pytest.raises(VaultDamaged, match="not an ordinary file"):
        KeyFile.load(tmp_path / "vault.key")


def test_missing_key_file(tmp_path: Path) -> None:
    with pytest.raises(VaultDamaged, match="missing"):
        KeyFile.load(tmp_path / "vault.key")


def test_set_passphrase_uses_a_fresh_salt_and_never_weakens() -> None:
    key_file, key, _ = _fresh()
    salt = key_file.salt
    weaker = type(TEST_KDF)(time_cost=1, memory_kib=8, parallelism=1)
    key_file.set_passphrase(key, "second passphrase", weaker)
    assert key_file.salt != salt
    assert key_file.kdf == TEST_KDF
    assert bytes(key_file.unwrap_with_passphrase("second passphrase")) == key


def test_calibration_never_goes_below_the_interactive_minimum() -> None:
    params = calibrate_kdf(target_seconds=0.0)
    assert params.time_cost >= MIN_INTERACTIVE_KDF.time_cost
    assert params.memory_kib >= MIN_INTERACTIVE_KDF.memory_kib
    assert params.strength() >= MIN_INTERACTIVE_KDF.strength()


def test_subkeys_are_independent_per_purpose() -> None:
    key = secrets.token_bytes(KEY_BYTES)
    backup = derive_subkey(key, "casedesk backup v1")
    assert backup != derive_subkey(key, "something else")
    assert bytes(backup) != key and len(backup) == KEY_BYTES


# ----------------------------------------------------------------------------- recovery keys


def _grouped(raw: bytes) -> str:
    text = base64.b32encode(raw).decode().rstrip("=")
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def test_new_recovery_key_shape() -> None:
    key = new_recovery_key()
    groups = key.split("-")
    assert len(groups) == 13 and all(1 <= len(g) <= 4 for g in groups)
    assert len(recovery_key_bytes(key)) == KEY_BYTES
    assert new_recovery_key() != key


@settings(max_examples=200)
@given(
    raw=st.binary(min_size=KEY_BYTES, max_size=KEY_BYTES),
    lower=st.booleans(),
    separator=st.sampled_from(["-", " ", "", "  ", "\t", " - "]),
    padding=st.sampled_from(["", " ", "\n", "  \n"]),
)
def test_recovery_key_round_trip_and_tolerant_parsing(
    raw: bytes, lower: bool, separator: str, padding: str
) -> None:
    typed = separator.join(_grouped(raw).split("-"))
    typed = typed.lower() if lower else typed
    assert recovery_key_bytes(padding + typed + padding) == raw


@given(raw=st.binary(min_size=KEY_BYTES, max_size=KEY_BYTES))
def test_recovery_key_lookalike_digits_are_accepted(raw: bytes) -> None:
    # 0, 1 and 8 are not base32 digits; people type them for O, I and B.
    typed = _grouped(raw).replace("O", "0").replace("I", "1").replace("B", "8")
    assert recovery_key_bytes(typed) == raw


@given(text=st.text(max_size=120))
def test_any_text_is_either_a_key_or_a_wrong_key_error(text: str) -> None:
    try:
        raw = recovery_key_bytes(text)
    except WrongPassphrase:
        return
    assert len(raw) == KEY_BYTES


def test_truncated_recovery_key_says_incomplete() -> None:
    key = new_recovery_key()
    with pytest.raises(WrongPassphrase, match="incomplete"):
        recovery_key_bytes(key[:-5])
