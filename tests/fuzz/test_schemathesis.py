"""Fuzz the API from its own OpenAPI document (schemathesis), through the deployed Lambda handler.

Every operation of /api/openapi.json gets schema-valid and schema-invalid requests, JSON and
form-encoded. Expected: no 5xx; every answer is one the document lists, with its content type
and body schema; anything the document calls invalid is refused (negative_data_rejection).

Bounded and repeatable: a fixed number of examples per operation, derandomized, so CI always
runs the same cases. Explore further locally with, e.g.:
    LOBBY_FUZZ_EXAMPLES=300 LOBBY_FUZZ_RANDOM=1 .venv/bin/python -m pytest tests/fuzz -q
"""

from __future__ import annotations

import os
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.fuzz.lambda_asgi import LambdaAsgi
from tests.integration.conftest import TABLE, Aws

EXAMPLES = int(os.environ.get("LOBBY_FUZZ_EXAMPLES", "25"))
RANDOM = os.environ.get("LOBBY_FUZZ_RANDOM") == "1"

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


def lobby_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from api.app import lambda_handler

    return lambda_handler(event, context)


# Loaded at collection from the handler itself (GET /api/openapi.json needs no AWS). Not through
# schemathesis.pytest.from_fixture: with pytest 9 it fails on ``request.node._nodeid``.
app = LambdaAsgi(lobby_handler)
api = schemathesis.openapi.from_asgi("/api/openapi.json", app)
api.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], deterministic=not RANDOM
)
api.config.phases.update(phases=["examples", "coverage", "fuzzing"])
# The refusals the document declares: unreadable (400), unknown kind (404), too large (413), not
# JSON or form (415), fields in error (422). Anything else for invalid input counts as accepting it.
api.config.checks.negative_data_rejection.expected_statuses = ["400", "404", "405", "413", "415", "422"]


@api.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=not RANDOM,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_the_api_keeps_to_its_openapi_document(case: Any, aws: Aws) -> None:
    case.call_and_validate(checks=CHECKS)
    forget_everything(aws)


def forget_everything(account: Aws) -> None:
    """Empty the table after each case: moto copies the whole table on every transaction, so a
    table that grew with every accepted case would make each later case slower."""
    items = account.items()
    for start in range(0, len(items), 25):
        batch = [
            {"DeleteRequest": {"Key": {"PK": item["PK"], "SK": item["SK"]}}}
            for item in items[start : start + 25]
        ]
        account.dynamodb.batch_write_item(RequestItems={TABLE: batch})
