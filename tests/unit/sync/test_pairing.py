"""Pairing codes: round trip, wrong short code, altered code, tolerant typing."""

from __future__ import annotations

import pytest

from casedesk.sync.envelope import SyncKey
from casedesk.sync.pairing import (
    KdfCost,
    PairingCode,
    PairingCodeError,
    WrongShortCodeError,
    make_pairing_code,
    new_short_code,
    normalise_short_code,
    open_pairing_code,
)

CHEAP = KdfCost(time_cost=1, memory_kib=64, parallelism=1)
HUB = "https://hub.example.org:8765"


def _code(key: SyncKey, short: str | None = None) -> PairingCode:
    return make_pairing_code(HUB, "acct-1", "cdg_grant-token-value", key, short_code=short,
                             cost=CHEAP)


def test_round_trip_recovers_hub_grant_and_key() -> None:
    key = SyncKey.generate()
    code = _code(key)

    payload = open_pairing_code(code.text, code.short_code)

    assert (payload.hub_url, payload.account_id, payload.grant) == (
        HUB, "acct-1", "cdg_grant-token-value")
    assert payload.sync_key.secret_bytes() == key.secret_bytes()


def test_code_is_grouped_text_without_secrets_in_clear() -> None:
    key = SyncKey.generate()
    code = _code(key)
    groups = code.text.split("-")

    assert groups[0] == "CDP1" and all(len(group) <= 5 for group in groups[1:])
    assert "GRANT" not in code.text.upper()
    assert key.secret_bytes().hex().upper() not in code.text


def test_typing_is_forgiving() -> None:
    key = SyncKey.generate()
    code = _code(key, short="AB1C-0EFG")
    sloppy = code.text.lower().replace("-", " - ")

    assert open_pairing_code(sloppy, "abic oefg").grant == "cdg_grant-token-value"


def test_wrong_short_code_is_refused() -> None:
    code = _code(SyncKey.generate(), short="ABCD-EFGH")

    with pytest.raises(WrongShortCodeError):
        open_pairing_code(code.text, "ABCD-EFGJ")


def test_code_pointed_at_another_hub_does_not_open() -> None:
    import base64
    import json

    code = _code(SyncKey.generate(), short="ABCD-EFGH")
    letters = code.text.split("-", 1)[1].replace("-", "")
    document = json.loads(base64.b32decode(letters + "=" * (-len(letters) % 8)))
    document["u"] = "https://evil.example"
    forged = "CDP1-" + base64.b32encode(json.dumps(document).encode()).decode().rstrip("=")

    with pytest.raises(WrongShortCodeError):
        open_pairing_code(forged, "ABCD-EFGH")


@pytest.mark.parametrize("text", ["", "hello", "CDP1-!!!!", "CDP1-MZXW6YTBOI"])
def test_malformed_codes_are_refused(text: str) -> None:
    with pytest.raises(PairingCodeError):
        open_pairing_code(text, "ABCD-EFGH")


def test_short_codes() -> None:
    short = new_short_code()

    assert len(short) == 9 and short[4] == "-"
    assert normalise_short_code(short) == short.replace("-", "")
    with pytest.raises(WrongShortCodeError):
        normalise_short_code("ABC")
