"""The vault key file and key hierarchy.

A random 256-bit database key is the raw SQLCipher key. It is never stored in clear: the key file
holds it wrapped (AES-256-GCM) twice, by a key derived from the passphrase with Argon2id and by the
recovery key shown once at setup. Changing the passphrase re-wraps; the database never changes.
The key file holds no secret in clear, so it can sit beside the database.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from casedesk.domain.clock import utcnow
from casedesk.domain.ids import new_id
from casedesk.storage.errors import VaultDamaged, WrongPassphrase

KEY_FILE_FORMAT = "casedesk-vault-key"
KEY_FILE_VERSION = 1
KEY_BYTES = 32
SALT_BYTES = 16
NONCE_BYTES = 12
TAG_BYTES = 16  # AES-GCM authentication tag
SLOT_PASSPHRASE = "passphrase"
SLOT_RECOVERY = "recovery"
KDF_ENV = "CASEDESK_KDF"  # "test": tiny Argon2 cost, for automated tests only


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost parameters, stored with the wrap so unlock uses what setup used."""

    time_cost: int
    memory_kib: int
    parallelism: int

    def strength(self) -> int:
        """A rough cost figure used to refuse ever weakening the parameters."""
        return self.time_cost * self.memory_kib

    def as_json(self) -> dict[str, int]:
        """Serialisable form."""
        return {
            "time_cost": self.time_cost,
            "memory_kib": self.memory_kib,
            "parallelism": self.parallelism,
        }


TEST_KDF = KdfParams(time_cost=1, memory_kib=1024, parallelism=1)
MIN_INTERACTIVE_KDF = KdfParams(time_cost=2, memory_kib=64 * 1024, parallelism=1)
# What a key file may ask for. Calibration makes at most 12 passes over 64 MiB with one lane;
# a file outside these bounds is damaged (2**31 passes would hang unlock, 2**40 KiB crash it).
KDF_FLOOR = TEST_KDF
KDF_CEILING = KdfParams(time_cost=32, memory_kib=1024 * 1024, parallelism=16)
# A key file is well under 1 KB; bounding size and nesting before parsing keeps a damaged or
# hostile file from exhausting memory or the parser's recursion.
MAX_KEY_FILE_BYTES = 8 * 1024
MAX_KEY_FILE_NESTING = 4
CHECKSUM_FIELD = "checksum"


def default_kdf_params() -> KdfParams | None:
    """Tiny parameters when ``CASEDESK_KDF=test``; None means "calibrate on this machine"."""
    return TEST_KDF if os.environ.get(KDF_ENV) == "test" else None


def calibrate_kdf(target_seconds: float = 0.5, max_time_cost: int = 12) -> KdfParams:
    """Pick Argon2id parameters that take about ``target_seconds`` here (64 MiB, raise time)."""
    params = MIN_INTERACTIVE_KDF
    salt = secrets.token_bytes(16)
    while True:
        started = time.perf_counter()
        _argon2(b"calibration", salt, params)
        elapsed = time.perf_counter() - started
        if elapsed >= target_seconds or params.time_cost >= max_time_cost:
            return params
        scale = max(1, int(params.time_cost * target_seconds / max(elapsed, 1e-3)))
        params = KdfParams(
            min(max(scale, params.time_cost + 1), max_time_cost), params.memory_kib, 1
        )


def _argon2(secret: bytes, salt: bytes, params: KdfParams) -> bytes:
    return hash_secret_raw(
        secret,
        salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )


def derive_passphrase_key(passphrase: str, salt: bytes, params: KdfParams) -> bytearray:
    """The key-encryption key for the passphrase slot (the deliberate, slow step)."""
    return bytearray(_argon2(passphrase.encode("utf-8"), salt, params))


def derive_subkey(master: bytes | bytearray, purpose: str) -> bytearray:
    """An independent key for ``purpose`` (e.g. backups) derived from the database key."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=purpose.encode())
    return bytearray(hkdf.derive(bytes(master)))


# ----------------------------------------------------------------------------- recovery key


def new_recovery_key() -> str:
    """256 random bits as grouped base32 (e.g. ``ABCD-EFGH-…``), easy to print and retype."""
    raw = base64.b32encode(secrets.token_bytes(KEY_BYTES)).decode().rstrip("=")
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def recovery_key_bytes(text: str) -> bytes:
    """Decode a recovery key typed by a person (case, spaces and dashes don't matter).

    Raises:
        WrongPassphrase: when the text cannot be a recovery key.
    """
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    cleaned = cleaned.replace("0", "O").replace("1", "I").replace("8", "B")
    padded = cleaned + "=" * (-len(cleaned) % 8)
    try:
        raw = base64.b32decode(padded)
    except ValueError:
        raise WrongPassphrase("That is not a valid recovery key.") from None
    if len(raw) != KEY_BYTES:
        raise WrongPassphrase("That recovery key is incomplete: please check every group.")
    return raw


def _recovery_wrapping_key(recovery: bytes) -> bytearray:
    # The recovery key is already 256 random bits, so a fast KDF is enough.
    return derive_subkey(recovery, "casedesk recovery wrap v1")


# ----------------------------------------------------------------------------- key file


@dataclass
class KeyFile:
    """Parsed contents of ``vault.key``: KDF parameters, salt and the wrapped database key."""

    vault_id: str
    created_at: str
    kdf: KdfParams
    salt: bytes
    slots: dict[str, dict[str, str]]

    # -- creation and (un)wrapping ---------------------------------------------------------

    @classmethod
    def create(
        cls, db_key: bytes | bytearray, passphrase: str, recovery_key: str, kdf: KdfParams
    ) -> KeyFile:
        """A new key file wrapping ``db_key`` for the passphrase and the recovery key."""
        key_file = cls(new_id(), utcnow().isoformat(), kdf, secrets.token_bytes(SALT_BYTES), {})
        key_file.set_passphrase(db_key, passphrase, kdf)
        key_file._wrap(
            SLOT_RECOVERY, _recovery_wrapping_key(recovery_key_bytes(recovery_key)), db_key
        )
        return key_file

    def set_passphrase(self, db_key: bytes | bytearray, passphrase: str, kdf: KdfParams) -> None:
        """Re-wrap the database key for a new passphrase (fresh salt; never weaker params)."""
        if kdf.strength() < self.kdf.strength():
            kdf = self.kdf
        self.kdf = kdf
        self.salt = secrets.token_bytes(SALT_BYTES)
        kek = derive_passphrase_key(passphrase, self.salt, kdf)
        try:
            self._wrap(SLOT_PASSPHRASE, kek, db_key)
        finally:
            wipe(kek)

    def unwrap_with_passphrase(self, passphrase: str) -> bytearray:
        """The database key, or :class:`WrongPassphrase`."""
        kek = derive_passphrase_key(passphrase, self.salt, self.kdf)
        try:
            return self._unwrap(SLOT_PASSPHRASE, kek, "That passphrase does not open this vault.")
        finally:
            wipe(kek)

    def unwrap_with_recovery_key(self, recovery_key: str) -> bytearray:
        """The database key, or :class:`WrongPassphrase` for a wrong recovery key."""
        kek = _recovery_wrapping_key(recovery_key_bytes(recovery_key))
        try:
            return self._unwrap(SLOT_RECOVERY, kek, "That recovery key does not open this vault.")
        finally:
            wipe(kek)

    def _aad(self, slot: str) -> bytes:
        # Binding the vault id and slot stops a wrap being moved between vaults or slots.
        return f"{KEY_FILE_FORMAT}|v{KEY_FILE_VERSION}|{self.vault_id}|{slot}".encode()

    def _wrap(self, slot: str, kek: bytes | bytearray, db_key: bytes | bytearray) -> None:
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = AESGCM(bytes(kek)).encrypt(nonce, bytes(db_key), self._aad(slot))
        self.slots[slot] = {"nonce": _b64(nonce), "ciphertext": _b64(sealed)}

    def _unwrap(self, slot: str, kek: bytes | bytearray, wrong_message: str) -> bytearray:
        entry = self.slots.get(slot)
        if entry is None:
            raise VaultDamaged(f"The vault key file is damaged: the {slot} entry is missing.")
        try:
            plain = AESGCM(bytes(kek)).decrypt(
                _unb64(entry["nonce"]), _unb64(entry["ciphertext"]), self._aad(slot)
            )
        except InvalidTag:
            raise WrongPassphrase(wrong_message) from None
        return bytearray(plain)

    # -- persistence ------------------------------------------------------------------------

    def to_json(self) -> str:
        """Serialise (no secrets in clear)."""
        document: dict[str, Any] = {
            "format": KEY_FILE_FORMAT,
            "version": KEY_FILE_VERSION,
            "vault_id": self.vault_id,
            "created_at": self.created_at,
            "kdf": {"algorithm": "argon2id", "salt": _b64(self.salt), **self.kdf.as_json()},
            "slots": self.slots,
        }
        document[CHECKSUM_FIELD] = _checksum(document)
        return json.dumps(document, indent=2, sort_keys=True)

    def save(self, path: Path) -> None:
        """Write atomically with owner-only permissions (a crash leaves the old file intact)."""
        write_private_file(path, self.to_json().encode())

    @classmethod
    def load(cls, path: Path) -> KeyFile:
        """Read and validate ``vault.key``.

        Raises:
            VaultDamaged: naming what is wrong with the file.
        """
        try:
            data = _read_bounded(path)
        except FileNotFoundError:
            raise VaultDamaged(f"The vault key file is missing ({path.name}).") from None
        except OSError as exc:
            raise VaultDamaged(
                f"The vault key file ({path.name}) cannot be read: {exc.strerror or exc}."
            ) from None
        except ValueError as exc:
            raise VaultDamaged(f"The vault key file ({path.name}) is damaged: {exc}.") from None
        return cls.from_bytes(data, path.name)

    @classmethod
    def from_bytes(cls, data: bytes, name: str) -> KeyFile:
        """Parse and validate key file contents (e.g. the copy inside a backup).

        Raises:
            VaultDamaged: naming what is wrong; ``name`` says which file.
        """
        try:
            if len(data) > MAX_KEY_FILE_BYTES:
                raise ValueError("it is far larger than a key file")
            document = _parse(data)
        except ValueError as exc:
            raise VaultDamaged(f"The vault key file ({name}) is damaged: {exc}.") from None
        return cls._from_document(document, name)

    @classmethod
    def _from_document(cls, document: Any, name: str) -> KeyFile:
        try:
            _check_format(document)
            kdf_doc = document["kdf"]
            kdf = _kdf_params(kdf_doc)
            slots = {
                slot: {"nonce": str(entry["nonce"]), "ciphertext": str(entry["ciphertext"])}
                for slot, entry in document["slots"].items()
            }
            if SLOT_PASSPHRASE not in slots:
                raise ValueError("the passphrase entry is missing")
            salt = _unb64(kdf_doc["salt"])
            if len(salt) != SALT_BYTES:
                raise ValueError("the salt has the wrong length")
            _check_slot_sizes(slots)
            vault_id, created_at = document["vault_id"], document["created_at"]
            if not isinstance(vault_id, str) or not isinstance(created_at, str):
                raise ValueError("the vault id or creation time has the wrong type")
            _check_checksum(document)
            return cls(vault_id, created_at, kdf, salt, slots)
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            detail = str(exc) if isinstance(exc, ValueError) and str(exc) else "a field is missing"
            raise VaultDamaged(f"The vault key file ({name}) is damaged: {detail}.") from None


# ----------------------------------------------------------------------------- key file checks
#
# A flipped salt, nonce, vault id or KDF parameter makes the unwrap fail exactly as a wrong
# passphrase does, so without help it would be reported as one (exit 3) and the user would keep
# retyping a correct passphrase. The key file therefore carries a SHA-256 checksum of its
# canonical contents: a mismatch is damage (exit 4) before any key is derived. It is not a MAC
# (nothing secret exists before unlock) and needs none: the wraps are already authenticated;
# the checksum only tells accidents apart from a wrong passphrase. Files written before it
# existed have none and still open; the next rewrite (passphrase change, recovery, restore)
# adds it.


def _read_bounded(path: Path) -> bytes:
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise ValueError("it is not an ordinary file")
    if info.st_size > MAX_KEY_FILE_BYTES:
        raise ValueError("it is far larger than a key file")
    with path.open("rb") as handle:
        data = handle.read(MAX_KEY_FILE_BYTES + 1)
    if len(data) > MAX_KEY_FILE_BYTES:
        raise ValueError("it is far larger than a key file")
    return data


def _parse(data: bytes) -> Any:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("it is not readable") from None
    if _nesting_depth(text) > MAX_KEY_FILE_NESTING:
        raise ValueError("it is not readable (nested too deeply)")
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # JSONDecodeError, or an integer of 4,300+ digits
        raise ValueError("it is not readable") from None


def _nesting_depth(text: str) -> int:
    """The deepest nesting of JSON arrays/objects in ``text`` (brackets in strings ignored)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _check_format(document: Any) -> None:
    if document["format"] != KEY_FILE_FORMAT:
        raise ValueError("it is not a casedesk key file")
    version = document["version"]
    if type(version) is not int:
        raise ValueError("its version is not a number")
    if version > KEY_FILE_VERSION:
        raise ValueError("it was written by a newer casedesk")


def _kdf_params(kdf_doc: Any) -> KdfParams:
    if kdf_doc["algorithm"] != "argon2id":
        raise ValueError("it names an unknown key-derivation method")
    values = [kdf_doc[name] for name in ("time_cost", "memory_kib", "parallelism")]
    if any(type(value) is not int for value in values):  # 1e308, true, "2" are all damage
        raise ValueError("the key-derivation parameters are not whole numbers")
    kdf = KdfParams(*values)
    in_bounds = all(
        low <= value <= high
        for low, value, high in zip(
            KDF_FLOOR.as_json().values(), values, KDF_CEILING.as_json().values(), strict=True
        )
    )
    if not in_bounds or kdf.memory_kib < 8 * kdf.parallelism:
        raise ValueError("the key-derivation parameters are out of range")
    return kdf


def _check_slot_sizes(slots: dict[str, dict[str, str]]) -> None:
    for slot, entry in slots.items():
        # A wrap of the wrong size can never decrypt: that is damage, not a wrong
        # passphrase, and must be reported as such.
        if len(_unb64(entry["nonce"])) != NONCE_BYTES:
            raise ValueError(f"the {slot} entry's nonce has the wrong length")
        if len(_unb64(entry["ciphertext"])) != KEY_BYTES + TAG_BYTES:
            raise ValueError(f"the {slot} entry's wrapped key has the wrong length")


def _checksum(document: dict[str, Any]) -> str:
    content = {key: value for key, value in document.items() if key != CHECKSUM_FIELD}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return "sha256:" + hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _check_checksum(document: dict[str, Any]) -> None:
    if CHECKSUM_FIELD in document and document[CHECKSUM_FIELD] != _checksum(document):
        raise ValueError("its contents do not match its checksum")


def wipe(buffer: bytearray) -> None:
    """Overwrite a key buffer in place (best effort: Python may hold other copies)."""
    for index in range(len(buffer)):
        buffer[index] = 0


def write_private_file(path: Path, data: bytes) -> None:
    """Atomically replace ``path`` with ``data``, readable by the owner only."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    fsync_dir(path.parent)


def fsync_dir(directory: Path) -> None:
    """Make a rename in ``directory`` durable (best effort: some platforms can't open a folder)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise ValueError("an encoded value has the wrong type")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise ValueError("an encoded value is corrupt") from None
