from __future__ import annotations

import dataclasses

import pytest

from casedesk.export.content_hash import (
    parse_qr_payload,
    plan_content_hash,
    qr_payload,
    short_hash,
)
from casedesk.export.samples import SAMPLE_VERSION_ID, sample_plan


def test_content_hash_is_stable_and_covers_the_content():
    plan = sample_plan(3)
    assert plan_content_hash(plan) == plan_content_hash(sample_plan(3))
    changed_goal = dataclasses.replace(plan.goals[0], client_words=plan.goals[0].client_words + "!")
    changed = dataclasses.replace(plan, goals=(changed_goal, *plan.goals[1:]))
    assert plan_content_hash(changed) != plan_content_hash(plan)
    assert plan_content_hash(dataclasses.replace(plan, version_number=4)) != plan_content_hash(plan)


def test_short_hash_is_the_grouped_prefix():
    full = "ae760ade623a34d5fed75d4e0754b59fb61dda4683ca1db13bcede740168b22b"
    assert short_hash(full) == "ae76 0ade 623a"


def test_qr_payload_round_trips():
    digest = plan_content_hash(sample_plan(1))
    payload = qr_payload(SAMPLE_VERSION_ID, digest)
    assert payload == payload.upper()  # alphanumeric QR mode: smaller code
    assert parse_qr_payload(payload) == (SAMPLE_VERSION_ID, digest)
    assert parse_qr_payload("  " + payload.lower() + "\n") == (SAMPLE_VERSION_ID, digest)


@pytest.mark.parametrize(
    "junk",
    [
        "",
        "hello",
        "CASEDESK:PLAN:1/ABC/123",
        "https://example.org",
        "CASEDESK:PLAN:2/A/" + "0" * 64,
    ],
)
def test_parse_qr_payload_rejects_other_codes(junk):
    with pytest.raises(ValueError, match="not from a casedesk plan"):
        parse_qr_payload(junk)
