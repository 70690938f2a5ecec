"""A damaged key file is exit 4 ("damaged"), never exit 3 ("wrong passphrase") (issue 11 item 7).

A flipped salt, nonce, vault id or KDF parameter makes the unwrap fail exactly like a wrong
passphrase; the key file's checksum tells the two apart before any key is derived. Unbounded
KDF parameters and hostile JSON are damage too, reported at once. Nothing is rewritten.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from vaultkit import (
    NEW_PASSPHRASE,
    PASSPHRASE,
    WRONG_PASSPHRASE,
    InProcessCli,
    tree_digest,
)


def _flip_b64(*path: str) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        *parents, last = path
        target = doc
        for key in parents:
            target = target[key]
        raw = bytearray(base64.b64decode(target[last]))
        raw[-1] ^= 0x80
        target[last] = base64.b64encode(bytes(raw)).decode()

    return change


def _set_kdf(name: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        doc["kdf"][name] = value

    return change


def _flip_vault_id(doc: dict[str, Any]) -> None:
    doc["vault_id"] = doc["vault_id"][:-1] + ("a" if doc["vault_id"][-1] != "a" else "b")


FLIPS: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "salt": (_flip_b64("kdf", "salt"), "checksum"),
    "passphrase nonce": (_flip_b64("slots", "passphrase", "nonce"), "checksum"),
    "wrapped key": (_flip_b64("slots", "passphrase", "ciphertext"), "checksum"),
    "vault id": (_flip_vault_id, "checksum"),
    "time cost": (_set_kdf("time_cost", 3), "checksum"),
    "time cost 2**31": (_set_kdf("time_cost", 2**31), "out of range"),
    "memory 2**40": (_set_kdf("memory_kib", 2**40), "out of range"),
    "memory 1e308": (_set_kdf("memory_kib", 1e308), "whole numbers"),
}


def _edit_key_file(vault_dir: Path, change: Callable[[dict[str, Any]], None]) -> None:
    path = vault_dir / "vault.key"
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(json.dumps(document, indent=2, sort_keys=True), encoding="utf-8")


@pytest.mark.parametrize("case", list(FLIPS))
def test_key_file_damage_is_exit_4_even_with_the_right_passphrase(
    case: str, cli: InProcessCli, vault_dir: Path
) -> None:
    change, detail = FLIPS[case]
    _edit_key_file(vault_dir, change)
    before = tree_digest(vault_dir)
    for passphrase in (PASSPHRASE, WRONG_PASSPHRASE):
        result = cli("check", CASEDESK_PASSPHRASE=passphrase)
        assert result.returncode == 4, (case, result.stderr)
        assert "key file (vault.key) is damaged" in result.stderr and detail in result.stderr
        assert "does not open" not in result.stderr
    assert tree_digest(vault_dir) == before


def test_hostile_key_file_is_exit_4(cli: InProcessCli, vault_dir: Path) -> None:
    (vault_dir / "vault.key").write_text("[" * 5000 + "]" * 5000, encoding="utf-8")
    result = cli("check")
    assert result.returncode == 4 and "damaged" in result.stderr, result.stderr


def test_an_intact_key_file_still_tells_a_wrong_passphrase(
    cli: InProcessCli, vault_dir: Path
) -> None:
    result = cli("check", CASEDESK_PASSPHRASE=WRONG_PASSPHRASE)
    assert result.returncode == 3 and "does not open" in result.stderr


def test_a_key_file_from_before_the_checksum_opens_and_gains_it_on_passwd(
    cli: InProcessCli, vault_dir: Path
) -> None:
    _edit_key_file(vault_dir, lambda doc: doc.pop("checksum"))
    assert cli("check").returncode == 0
    changed = cli("passwd", CASEDESK_NEW_PASSPHRASE=NEW_PASSPHRASE)
    assert changed.returncode == 0, changed.stderr
    document = json.loads((vault_dir / "vault.key").read_text(encoding="utf-8"))
    assert document["checksum"].startswith("sha256:")
    assert cli("check", CASEDESK_PASSPHRASE=NEW_PASSPHRASE).returncode == 0
