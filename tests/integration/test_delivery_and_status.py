"""A failing mail service never loses a request; the status lookup answers only the resident."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.conftest import (
    OFFICE_EMAILS,
    Aws,
    call_api,
    http_event,
    post_form,
    post_json,
    repair_fields,
)


def _ses_down(*_: Any, **__: Any) -> None:
    raise ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "SES is down"}}, "SendEmail")


def states(aws: Aws) -> dict[str, str]:
    """Outbox states by recipient role."""
    return {sort_key.rsplit("#", 1)[-1]: item["state"] for sort_key, item in aws.outbox().items()}


def test_a_mail_failure_keeps_the_request_and_the_mail_waits_for_its_retry(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    response = post_json("/api/requests/repair", repair_fields())
    assert response.status == 201
    reference = response.json()["reference"]

    import lobby.sender

    with monkeypatch.context() as patched:
        patched.setattr(lobby.sender, "send", _ses_down)
        failed = aws.notify_batch()

    assert failed["batchItemFailures"] == []  # the item waits in the table, not on the stream
    assert aws.sent() == []
    assert [item["reference"]["S"] for item in aws.requests()] == [reference]
    assert states(aws) == {"office": "pending", "resident": "pending"}
    assert {item["error"] for item in aws.outbox().values()} == {"ServiceUnavailable"}

    # Lambda redelivering the stream sends nothing: the retry belongs to the schedule.
    aws._shard_iterators.clear()
    assert aws.notify_batch()["batchItemFailures"] == []
    assert aws.sent() == []

    # The service is back: the next retry run sends both e-mails, once.
    later = datetime.now(UTC) + timedelta(minutes=1)
    assert aws.outbox_run(later)["sent"] == 2
    assert aws.outbox_run(later + timedelta(minutes=1))["sent"] == 0
    assert sorted(mail.to[0] for mail in aws.sent()) == sorted(
        [OFFICE_EMAILS["engineering"], "resident@example.com"]
    )
    assert states(aws) == {"office": "sent", "resident": "sent"}


def test_a_failure_after_the_office_mail_does_not_send_it_again(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    post_json("/api/requests/repair", repair_fields())
    import lobby.sender

    real_send = lobby.sender.send

    def office_only(mail: Any, sender: str) -> str:
        if mail.role != "office":
            _ses_down()
        return real_send(mail, sender)

    with monkeypatch.context() as patched:
        patched.setattr(lobby.sender, "send", office_only)
        aws.notify_batch()
        assert [mail.to for mail in aws.sent()] == [[OFFICE_EMAILS["engineering"]]]
        assert states(aws) == {"office": "sent", "resident": "pending"}

    aws._shard_iterators.clear()
    aws.notify_batch()
    aws.outbox_run(datetime.now(UTC) + timedelta(minutes=1))
    recipients = [mail.to[0] for mail in aws.sent()]
    assert recipients.count(OFFICE_EMAILS["engineering"]) == 1
    assert recipients.count("resident@example.com") == 1


def test_the_status_lookup_shows_the_public_timeline_to_the_resident(aws: Aws) -> None:
    reference = post_json("/api/requests/repair", repair_fields(phone="138 0013 8000")).json()["reference"]

    for contact in ("13800138000", "138-0013-8000", "RESIDENT@example.com"):
        response = post_json("/api/status", {"reference": reference, "contact": contact, "lang": "en"})
        assert response.status == 200, contact
        status = response.json()
        assert status["reference"] == reference
        assert status["status"] == "received"
        assert status["kind_name"] == "Repair"
        assert status["owner"] == "Engineering and Maintenance"
        assert [entry["text"] for entry in status["history"]] == ["We received your request (online)"]
        assert "13800138000" not in response.body  # the timeline shows no personal data back


def test_a_wrong_contact_gets_exactly_the_unknown_reference_answer(aws: Aws) -> None:
    reference = post_json("/api/requests/repair", repair_fields()).json()["reference"]

    wrong = post_json("/api/status", {"reference": reference, "contact": "13900000000"})
    unknown = post_json("/api/status", {"reference": "20200101-0001", "contact": "13800138000"})
    garbage = post_json("/api/status", {"reference": "../../etc", "contact": "x"})

    assert wrong.status == unknown.status == garbage.status == 404
    assert wrong.body == unknown.body == garbage.body


def test_status_is_never_given_for_a_contact_in_the_url(aws: Aws) -> None:
    """The phone number stays out of URLs (and so out of access logs and browser history): the
    status is only given for a posted contact; the GET form is gone."""
    reference = post_json("/api/requests/repair", repair_fields()).json()["reference"]
    answer = call_api(
        http_event(
            "GET",
            f"/api/requests/{reference}",
            query={"contact": "13800138000"},
            headers={"accept-language": "en"},
        )
    )
    assert answer.status == 405
    assert answer.headers["Allow"] == "POST"
    assert answer.json() == {"message": "This address does not accept that kind of request."}
    assert reference not in answer.body


def test_the_status_lookup_without_javascript_is_an_html_page(aws: Aws) -> None:
    reference = post_json("/api/requests/repair", repair_fields()).json()["reference"]
    found = post_form("/api/status", {"reference": reference, "contact": "13800138000", "lang": "zh"})
    missing = post_form("/api/status", {"reference": reference, "contact": "000", "lang": "zh"})
    assert found.status == 200 and reference in found.body and "已收到您的诉求" in found.body
    assert missing.status == 404 and "没有找到" in missing.body


def test_concurrent_submissions_get_distinct_references(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    # A Lambda resolver serves one event per process, so concurrency is exercised where it
    # matters: many submissions racing through intake and the table at once. moto's
    # in-process backend is not thread-safe, so single API calls are serialised (as DynamoDB
    # serialises writes to one item) while the submissions interleave freely between calls.
    import threading
    from datetime import UTC, datetime

    from botocore.client import BaseClient

    from lobby.catalog import load_catalog
    from lobby.intake import receive
    from lobby.storage import Store

    lock = threading.Lock()
    real_call = BaseClient._make_api_call

    def one_call_at_a_time(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        with lock:
            return real_call(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", one_call_at_a_time)
    catalog = load_catalog()
    store = Store("lobby-test", catalog.property.id)

    def submit(n: int) -> str:
        fields = repair_fields(description=f"第 {n} 户的水管漏水，需要上门查看。")
        receipt = receive(store, catalog, catalog.kinds["repair"], fields, datetime.now(UTC))
        assert receipt.created
        return receipt.request.reference

    with ThreadPoolExecutor(max_workers=8) as pool:
        references = list(pool.map(submit, range(24)))

    assert len(set(references)) == 24
    assert sorted(int(ref.split("-")[1]) for ref in references) == list(range(1, 25))
    assert len(aws.requests()) == 24
