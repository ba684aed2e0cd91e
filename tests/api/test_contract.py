"""Contract tests generated from the OpenAPI document (schemathesis): for every route, on SQLite
and PostgreSQL, generated requests — valid and malformed — never make the hub fail, and every
answer matches the document (status, content type, schema)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (content_type_conformance, not_a_server_error, response_schema_conformance,
                                 status_code_conformance)

from tests.api.conftest import CONFIG, PLM_SECRET, make_api
from tests.conftest import FakeClock
from tests.support.messages import bom, envelope, item

EXAMPLES = 20
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def contract_api(make_hub, monkeypatch):
    monkeypatch.setenv("MFGSYNC_TEST_PLM_SECRET", PLM_SECRET)
    clock = FakeClock()
    api = make_api(make_hub(CONFIG, clock=clock), clock, rate_per_second=1e9, burst=1e9)
    api.hub.intake.ingest([envelope("item.upserted", item("PMP-100")),
                           envelope("bom.released", bom("PMP-100", "A", {"GHOST": 1}), correlationid="ECO-42")])
    return api


def _check(operation, mode: GenerationMode, api, failures: list[str]) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(case):
        case.call_and_validate(headers=api.as_("admin"), checks=CHECKS)
    try:
        run()
    except Unsatisfiable:
        pass  # nothing in the operation can be malformed (no parameters, no body)
    except Exception as failure:  # one operation's failure is reported beside the others'
        failures.append(f"{operation.label} ({mode.value}): {str(failure)[:2000]}")


@pytest.mark.slow
def test_every_route_answers_within_its_contract(contract_api):
    schema = schemathesis.openapi.from_asgi("/openapi.json", contract_api.client.app,
                                            headers=contract_api.as_("admin"))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    failures: list[str] = []
    for operation in operations:
        for mode in GenerationMode:
            _check(operation, mode, contract_api, failures)
    assert failures == [], "\n\n".join(failures)
