"""DynamoDB throttles or stalls: the resident gets a clear "try again" (503, Retry-After, in their
language) and nothing half-stored: no request without its event, no event without its request, no
duplicate guard pointing at nothing. The next attempt then stores the request once."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ReadTimeoutError

from tests.faults.aws_faults import (
    THROTTLED,
    Fault,
    always,
    error_answer,
    failing,
    transaction_cancelled,
)
from tests.integration.conftest import (
    Aws,
    HttpResponse,
    call_api,
    http_event,
    post_form,
    post_json,
    repair_fields,
)

BUSY_ZH = "系统繁忙，您的诉求没有保存。请稍后再试"
BUSY_EN = "We are busy and your request was not saved. Please try again"

# Each DynamoDB call of a submission, failing the way DynamoDB fails once botocore's retries are spent.
SUBMIT_STEPS = [
    pytest.param("GetItem", error_answer(THROTTLED), id="duplicate-guard read throttled"),
    pytest.param("GetItem", None, id="duplicate-guard read times out"),
    pytest.param("UpdateItem", error_answer(THROTTLED), id="reference counter throttled"),
    pytest.param("UpdateItem", None, id="reference counter times out"),
    pytest.param("TransactWriteItems", error_answer(THROTTLED), id="transaction throttled"),
    pytest.param(
        "TransactWriteItems",
        transaction_cancelled("None", "None", "ThrottlingError"),
        id="transaction cancelled: the guard throttled",
    ),
    pytest.param(
        "TransactWriteItems",
        transaction_cancelled("None", "TransactionConflict", "None"),
        id="transaction cancelled: conflict",
    ),
    pytest.param("TransactWriteItems", error_answer("InternalServerError", status=500), id="DynamoDB error"),
    pytest.param("TransactWriteItems", None, id="transaction times out"),
]


def table() -> Any:
    from lobby.storage import dynamodb_client

    return dynamodb_client()


def kinds_stored(aws: Aws) -> dict[str, int]:
    """Items by kind: REQUEST, EVENT, DEDUPE (guards), MAIL, SEQ (counters)."""
    counts: dict[str, int] = {}
    for item in aws.items():
        sort_key = item["SK"]["S"]
        kind = sort_key.split("#", 1)[0] if item["PK"]["S"].count("#R#") else sort_key
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def assert_try_again(response: HttpResponse, message: str) -> None:
    assert response.status == 503, response.body
    assert response.headers.get("Retry-After") == "30"
    assert message in response.body


def assert_stored_once(aws: Aws, reference: str) -> None:
    stored = kinds_stored(aws)
    assert stored.get("REQUEST") == 1 and stored.get("EVENT") == 1 and stored.get("DEDUPE") == 1, stored
    [guard] = [item for item in aws.items() if item["SK"]["S"] == "DEDUPE"]
    assert guard["reference"]["S"] == reference == aws.requests()[0]["reference"]["S"]


@pytest.mark.parametrize(("operation", "error"), SUBMIT_STEPS)
def test_a_failing_table_asks_the_resident_to_try_again_and_stores_nothing(
    aws: Aws, operation: str, error: dict[str, Any] | None
) -> None:
    with failing(table(), Fault(operation, always, error)) as fault:
        response = post_json("/api/requests/repair", repair_fields(), headers={"Accept-Language": "en"})
    assert fault.failed, f"{operation} was never called"
    assert_try_again(response, BUSY_EN)
    stored = kinds_stored(aws)
    # At most a used-up number of the day and the limits' counts of the attempt, never part of a request.
    assert set(stored) <= {"SEQ", "LIMIT"}, stored

    again = post_json("/api/requests/repair", repair_fields())
    assert again.status == 201, again.body
    assert_stored_once(aws, again.json()["reference"])


def test_a_form_post_gets_the_try_again_page_in_the_browsers_language(aws: Aws) -> None:
    with failing(table(), Fault("TransactWriteItems", always, error_answer(THROTTLED))):
        response = post_form("/api/requests/repair", repair_fields())
    assert_try_again(response, BUSY_ZH)
    assert response.headers["Content-Type"].startswith("text/html")
    assert '<html lang="zh' in response.body
    assert kinds_stored(aws).keys() <= {"SEQ", "LIMIT"}


def test_a_status_lookup_on_a_throttled_table_asks_to_try_again(aws: Aws) -> None:
    reference = post_json("/api/requests/repair", repair_fields()).json()["reference"]
    with failing(table(), Fault("GetItem", always, error_answer(THROTTLED))):
        response = post_json("/api/status", {"reference": reference, "contact": "13800138000"})
    assert_try_again(response, BUSY_ZH)


def test_a_submission_whose_answer_was_lost_is_recognised_when_sent_again(aws: Aws) -> None:
    # DynamoDB committed the transaction but the answer never arrived: whatever the resident saw,
    # sending the same form again must find that request, not store a second one.
    def lost_answer(**_: Any) -> None:
        raise ReadTimeoutError(endpoint_url="https://dynamodb.amazonaws.com/")

    client = table()
    client.meta.events.register("after-call.dynamodb.TransactWriteItems", lost_answer, unique_id="lost")
    try:
        first = submit_or_none(repair_fields())
    finally:
        client.meta.events.unregister("after-call.dynamodb.TransactWriteItems", unique_id="lost")
    assert first is None or first.status >= 500

    again = post_json("/api/requests/repair", repair_fields())
    assert again.status == 200, again.body  # the duplicate guard answers with the stored request
    assert again.json()["duplicate"] is True
    assert_stored_once(aws, again.json()["reference"])


def submit_or_none(fields: dict[str, str]) -> HttpResponse | None:
    """The answer, or None when the invocation itself failed (API Gateway then answers 500)."""
    import json

    try:
        return call_api(
            http_event(
                "POST", "/api/requests/repair", body=json.dumps(fields), content_type="application/json"
            )
        )
    except ReadTimeoutError:
        return None
