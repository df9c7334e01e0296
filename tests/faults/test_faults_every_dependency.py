"""Every dependency of every route fails: the table is missing, refuses or stalls; the signing secret
cannot be read. No request ever gets a bare 500: each gets a 503 with Retry-After in the resident's
(or, on staff pages, the office's) language, nothing is stored, and the failure is logged by type and
place only, under the message template.yaml's UnexpectedFailureMetric counts."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime
from typing import Any

import pytest

from lobby import links
from tests.faults.aws_faults import THROTTLED, Fault, always, error_answer, failing
from tests.integration.conftest import (
    SIGNING_SECRET,
    Aws,
    HttpResponse,
    call_api,
    http_event,
    post_form,
    post_json,
    repair_fields,
)

UNAVAILABLE_ZH = "系统暂时出现故障，本次操作没有保存任何内容。"
UNAVAILABLE_EN = "Something went wrong on our side and nothing was changed."
BUSY_EN = "We are busy and your request was not saved."


def table() -> Any:
    from lobby.storage import dynamodb_client

    return dynamodb_client()


def secrets_client() -> Any:
    links.secret_store.cache_clear()  # a fresh provider: nothing cached from an earlier test
    return links.secret_store().client


def _token(reference: str, action: str) -> str:
    return links.sign(
        SIGNING_SECRET.encode(), reference, action, datetime.now(UTC), links.STAFF_LINK_LIFETIME
    )


def submit_json(_: str) -> HttpResponse:
    return post_json("/api/requests/repair", repair_fields(), headers={"Accept-Language": "en"})


def submit_form(_: str) -> HttpResponse:
    return post_form("/api/requests/repair", repair_fields(lang="en"), headers={"Accept-Language": "en"})


def lookup(reference: str) -> HttpResponse:
    return post_json(
        "/api/status", {"reference": reference, "contact": "13800138000"}, headers={"Accept-Language": "en"}
    )


def show_action(reference: str) -> HttpResponse:
    return call_api(http_event("GET", f"/api/actions/{_token(reference, 'acknowledge')}"))


def take_action(reference: str) -> HttpResponse:
    return post_form(f"/api/actions/{_token(reference, 'acknowledge')}", {"actor": "Zhang"})


def show_rating(reference: str) -> HttpResponse:
    return call_api(http_event("GET", f"/api/rate/{_token(reference, 'rate')}"))


def send_rating(reference: str) -> HttpResponse:
    answers = {"quality": "5", "effect": "5", "attitude": "5", "satisfied": "yes"}
    return post_form(f"/api/rate/{_token(reference, 'rate')}", answers)


def garbage_action(_: str) -> HttpResponse:
    return call_api(http_event("GET", "/api/actions/garbage.token"))


def garbage_rating(_: str) -> HttpResponse:
    return post_form("/api/rate/garbage.token", {"quality": "5"})


# (route, how it is called, the language of its answer)
ROUTES: list[tuple[str, Callable[[str], HttpResponse], str]] = [
    ("submit (JSON)", submit_json, "en"),
    ("submit (form)", submit_form, "en"),
    ("status", lookup, "en"),
    ("action page", show_action, "zh"),
    ("action", take_action, "zh"),
    ("rating page", show_rating, "zh"),
    ("rating", send_rating, "zh"),
    ("garbage action token", garbage_action, "zh"),
    ("garbage rating token", garbage_rating, "zh"),
]
SIGNED = {"action page", "action", "rating page", "rating", "garbage action token", "garbage rating token"}
MISSING_TABLE = error_answer("ResourceNotFoundException", "Requested resource not found")


def _stored(aws: Aws) -> list[tuple[str, str]]:
    return sorted((item["PK"]["S"], item["SK"]["S"]) for item in aws.items())


def _unexpected_failures(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [vars(record) for record in caplog.records if record.getMessage() == "unexpected failure"]


def _assert_try_again(response: HttpResponse, lang: str, *, busy: bool = False) -> None:
    assert response.status == 503, (response.status, response.body[:300])
    assert response.headers.get("Retry-After") == "30"
    expected = (BUSY_EN if busy else UNAVAILABLE_EN) if lang == "en" else UNAVAILABLE_ZH
    if busy and lang == "zh":
        expected = "系统繁忙"
    assert expected in response.body


@pytest.mark.parametrize(("route", "call", "lang"), ROUTES, ids=[route for route, _, _ in ROUTES])
@pytest.mark.parametrize("error", [pytest.param(MISSING_TABLE, id="table missing")])
def test_a_missing_or_forbidden_table_is_a_503_never_a_500(
    aws: Aws,
    caplog: pytest.LogCaptureFixture,
    route: str,
    call: Callable[[str], HttpResponse],
    lang: str,
    error: dict[str, Any],
) -> None:
    reference = post_json("/api/requests/repair", repair_fields()).json()["reference"]
    before = _stored(aws)
    caplog.clear()
    client = table()
    with ExitStack() as stack:
        for operation in ("GetItem", "Query", "UpdateItem", "TransactWriteItems"):
            stack.enter_context(failing(client, Fault(operation, always, error)))
        response = call(reference)
    if route.startswith("garbage"):  # a token that is not genuine never reaches the table
        assert response.status == 404, response.body[:300]
        return
    _assert_try_again(response, lang)
    assert _stored(aws) == before
    [logged] = _unexpected_failures(caplog)
    assert logged["error"] == error["Error"]["Code"] and logged["route"].startswith("/api/")
    assert logged["at"].startswith("lobby/storage/"), logged["at"]


LINK_ROUTES = [route for route in ROUTES if route[0] in SIGNED]


@pytest.mark.parametrize(("route", "call", "lang"), LINK_ROUTES, ids=[route for route, _, _ in LINK_ROUTES])
@pytest.mark.parametrize(
    "error",
    [
        pytest.param(error_answer("ParameterNotFound", "no such parameter"), id="secret missing"),
        pytest.param(None, id="SSM times out"),
    ],
)
def test_an_unreadable_signing_secret_is_a_503_on_every_link_route(
    aws: Aws,
    caplog: pytest.LogCaptureFixture,
    route: str,
    call: Callable[[str], HttpResponse],
    lang: str,
    error: dict[str, Any] | None,
) -> None:
    reference = post_json("/api/requests/repair", repair_fields()).json()["reference"]
    before = _stored(aws)
    caplog.clear()
    with failing(secrets_client(), Fault("GetParameter", always, error)) as fault:
        response = call(reference)
    links.secret_store.cache_clear()
    assert fault.failed
    _assert_try_again(response, lang)
    assert _stored(aws) == before
    assert _unexpected_failures(caplog)


@pytest.mark.parametrize(("route", "call", "lang"), ROUTES[:3], ids=[r[0] for r in ROUTES[:3]])
def test_a_throttled_table_asks_the_resident_to_try_again(
    aws: Aws, route: str, call: Callable[[str], HttpResponse], lang: str
) -> None:
    reference = post_json("/api/requests/repair", repair_fields()).json()["reference"]
    before = _stored(aws)
    with failing(table(), Fault("GetItem", always, error_answer(THROTTLED))):
        response = call(reference)
    _assert_try_again(response, lang, busy=True)
    assert _stored(aws) == before


def test_the_alarm_counts_the_message_the_api_logs(aws: Aws) -> None:
    from api.wiring import UNEXPECTED_FAILURE

    resources = aws.template["Resources"]
    metric = resources["UnexpectedFailureMetric"]["Properties"]
    assert metric["FilterPattern"] == f'{{ $.message = "{UNEXPECTED_FAILURE}" }}'
    [transform] = metric["MetricTransformations"]
    alarm = resources["UnexpectedFailureAlarm"]["Properties"]
    assert (alarm["Namespace"], alarm["MetricName"]) == (
        transform["MetricNamespace"],
        transform["MetricName"],
    )
    assert alarm["Threshold"] == 0 and alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert alarm["AlarmActions"]
