"""Fuzz the API from its own OpenAPI document (schemathesis), through the deployed Lambda handler.

Every operation of /api/openapi.json gets schema-valid and schema-invalid requests, JSON and
form-encoded. Expected: no 5xx; every answer is one the document lists, with its content type
and body schema; anything the document calls invalid is refused (negative_data_rejection); every
answer carries the security headers.

A second run uses the same document made as strict as the API's validation
(tests/fuzz/precise_document.py): there, valid cases must also be accepted
(positive_data_acceptance), and an invalid case is invalid in one known way, so a refusal
cannot hide behind an unrelated bad field.

Bounded and repeatable: a fixed number of examples per operation, derandomized, so CI always
runs the same cases. Explore further locally with, e.g.:
    LOBBY_FUZZ_EXAMPLES=300 LOBBY_FUZZ_RANDOM=1 .venv/bin/python -m pytest tests/fuzz -q
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import AcceptedNegativeData
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from lobby.catalog import load_catalog
from tests.fuzz.lambda_asgi import LambdaAsgi
from tests.fuzz.precise_document import precise_document, register_formats
from tests.integration.conftest import TABLE, Aws

EXAMPLES = int(os.environ.get("LOBBY_FUZZ_EXAMPLES", "50"))
RANDOM = os.environ.get("LOBBY_FUZZ_RANDOM") == "1"


@schemathesis.check
def security_headers(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every answer is uncached and not sniffed, and sends no address onward (no referrer, or only the
    site's origin from the pages whose forms post back, so their posts carry an Origin to check:
    api/request_page.py); every HTML page loads nothing but the site's own stylesheet and cannot be
    framed (api/http.py SECURITY_HEADERS, HTML_HEADERS)."""
    headers = {name.lower(): value for name, value in response.headers.items()}
    assert headers.get("cache-control") == ["no-store"], headers.get("cache-control")
    assert headers.get("x-content-type-options") == ["nosniff"]
    assert headers.get("referrer-policy") in (["no-referrer"], ["strict-origin"])
    if (headers.get("content-type") or [""])[0].startswith("text/html"):
        policy = (headers.get("content-security-policy") or [""])[0]
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy, policy
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    security_headers,
]


def lobby_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from api.app import lambda_handler

    return lambda_handler(event, context)


# The refusals the document declares: unreadable (400), not posted from the site's own page (403: the
# request page's steps check the Origin before anything else), unknown kind or not a genuine link
# (404), too large (413), not JSON or form (415), fields in error (422). Anything else for invalid
# input counts as accepting it.
REFUSALS = ["400", "403", "404", "405", "413", "415", "422"]
SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=not RANDOM,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)


def configured(schema: Any) -> Any:
    schema.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        max_examples=EXAMPLES,
        deterministic=not RANDOM,
    )
    schema.config.phases.update(phases=["examples", "coverage", "fuzzing"])
    schema.config.checks.negative_data_rejection.expected_statuses = REFUSALS
    return schema


# Loaded at collection from the handler itself (GET /api/openapi.json needs no AWS). Not through
# schemathesis.pytest.from_fixture: with pytest 9 it fails on ``request.node._nodeid``.
app = LambdaAsgi(lobby_handler)
api = configured(schemathesis.openapi.from_asgi("/api/openapi.json", app))

_catalog = load_catalog()
register_formats(today=datetime.now(ZoneInfo(_catalog.property.time_zone)).date())
# A request to a signed-link route is schema-valid with any token, but only a token the API signed is
# accepted: those routes are in the first run (no server error, documented answers), not this one.
precise_api = configured(schemathesis.openapi.from_dict(precise_document(api.raw_schema, _catalog))).exclude(
    tag="signed-link"
)
precise_api.app = app
precise_api.config.phases.update(phases=["examples", "fuzzing"])


@api.parametrize()
@SETTINGS
def test_the_api_keeps_to_its_openapi_document(case: Any, aws: Aws) -> None:
    case.call_and_validate(checks=CHECKS)
    forget_everything(aws)


def refuses_what_is_invalid_beyond_its_formats(ctx: Any, response: Any, case: Any) -> bool | None:
    """negative_data_rejection, except for a case whose one fault is a generator format of the precise
    document: those formats stand for the API's normalisation (control characters dropped, ends
    trimmed), so such text is accepted once cleaned, as the first run's document allows."""
    try:
        return negative_data_rejection(ctx, response, case)
    except AcceptedNegativeData as failure:
        if "violates `format`" in failure.message:
            return None
        raise


@precise_api.parametrize()
@SETTINGS
def test_the_api_accepts_exactly_what_a_precise_document_allows(case: Any, aws: Aws) -> None:
    checks = [check for check in CHECKS if check is not negative_data_rejection]
    case.call_and_validate(
        checks=[*checks, refuses_what_is_invalid_beyond_its_formats, positive_data_acceptance]
    )
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


def test_the_document_lists_every_operation_the_api_serves() -> None:
    """Every route and method the resolver serves is in the document, so the runs above fuzz them all
    (the submit route once per kind of the catalog). The Lambda resolver takes a route module in when a
    request first needs it (api/wiring.py); here a fresh one takes them all."""
    from aws_lambda_powertools.event_handler.api_gateway import APIGatewayHttpResolver

    from api.wiring import ROUTE_MODULES, configure, load_routes

    app = configure(APIGatewayHttpResolver())
    for prefix in ROUTE_MODULES:
        load_routes(app, prefix)
    routes = app._static_routes + app._dynamic_routes  # Powertools keeps no public list
    # The desk (staff pages behind a session, tested in tests/integration/test_desk_*.py) is the
    # staff's web app, not the API this document describes.
    served = {
        (route.method, route.path.replace("<", "{").replace(">", "}"))
        for route in routes
        if not (route.path == "/desk" or route.path.startswith("/desk/"))
    }
    documented = {(method.upper(), path) for path, item in api.raw_schema["paths"].items() for method in item}
    kinds = {("POST", f"/api/requests/{kind}") for kind in _catalog.kinds}
    assert kinds <= documented
    assert served - {("POST", "/api/requests/{kind}")} <= documented, served - documented
    assert documented - kinds <= served, documented - kinds - served
