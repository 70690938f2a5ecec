"""Schemathesis over the hub's own OpenAPI schema, on SQLite and PostgreSQL.

Every operation gets schema-valid and schema-violating requests from a real hub over loopback
HTTP, authenticated as an enrolled device (so the endpoints are exercised past the 401). It
fails on any 5xx, on a response that does not match the schema, on schema-violating input that
is accepted, and on an unlisted method that is not answered with 405.

Bounded by example count, not by time (no wall-clock limits in tests): ``derandomize`` makes the
examples the same on every run, so CI is reproducible.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import schemathesis
from hub_helpers import Device, RunningHub
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode
from sqlalchemy import create_engine

from casedesk.hub.app import create_app
from casedesk.hub.store import HubStore
from casedesk.sync.protocol import ErrorCode

MAX_EXAMPLES = 30
"""Per operation and generation mode: about 20 s of CPU per backend (more wall time when the
machine is shared)."""


def _hub_openapi() -> dict[str, Any]:
    """The document every hub serves at /openapi.json (it does not depend on the database).

    Loaded at import because schemathesis' fixture-based loader does not run under pytest 9.2;
    ``test_fuzzed_schema_is_the_one_the_hub_serves`` checks it is the served one.
    """
    engine = create_engine("sqlite://")
    try:
        return create_app(HubStore(engine)).openapi()
    finally:
        engine.dispose()


# Refusals a schema-valid request can earn for what it means rather than how it is written
# (an unsigned cursor, an old epoch, an unknown protocol, a body over the byte limit, a blob
# chunk out of order). Malformed-request refusals stay unexpected: see _is_valid below.
SEMANTIC_REFUSALS = ["400", "410", "413", "416", "422", "426"]
CONFIG = SchemathesisConfig.from_dict({
    # Unknown query parameters are ignored on purpose, like unknown body fields (a newer
    # client may send one an older hub does not know), so they are not generated as "invalid".
    "generation": {"allow-extra-parameters": False, "deterministic": True},
    "checks": {
        "positive_data_acceptance": {
            "expected-statuses": ["2xx", "401", "403", "404", "409", *SEMANTIC_REFUSALS],
        },
        "negative_data_rejection": {
            "expected-statuses": ["401", "403", "404", "405", "409", *SEMANTIC_REFUSALS],
        },
    },
})
schema = schemathesis.openapi.from_dict(_hub_openapi(), config=CONFIG)


def _is_valid(case: Any) -> bool:
    return case.meta is not None and case.meta.generation.mode is GenerationMode.POSITIVE


def _as_the_device(case: Any, device: Device) -> None:
    """Valid pushes carry the enrolled device's id and epoch, so they reach the database.

    Only schema-valid cases are edited: a schema-violating one must stay violating.
    """
    if case.operation.path == "/v1/push" and _is_valid(case) and isinstance(case.body, dict):
        case.body["device_id"] = device.device_id
        case.body["epoch"] = device.epoch


@pytest.mark.slow
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@schema.parametrize()
def test_hub_never_answers_5xx_and_keeps_its_schema(
    case: Any, hub: RunningHub, device: Device
) -> None:
    _as_the_device(case, device)
    response = case.call_and_validate(base_url=hub.url,
                                      headers={"Authorization": f"Bearer {device.token}"})

    if _is_valid(case) and response.status_code == 400:
        # The hub's validation must agree with the schema it publishes.
        assert response.json()["error"] != ErrorCode.BAD_REQUEST, case.as_curl_command()


def test_fuzzed_schema_is_the_one_the_hub_serves(hub: RunningHub) -> None:
    assert httpx.get(f"{hub.url}/openapi.json").json() == _hub_openapi()
