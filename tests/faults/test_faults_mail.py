"""SES rejects or times out: the request is kept, the e-mail waits in the outbox and goes out when SES
is back, and each e-mail goes out at most once however often the stream is redelivered."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.faults.aws_faults import Fault, always, error_answer, failing
from tests.faults.stream import Clock, deliver, history_records, mails_to, outbox_states
from tests.integration.conftest import OFFICE_EMAILS, Aws, post_json, repair_fields
from tests.pii_guard import watching

OFFICE = OFFICE_EMAILS["engineering"]
RESIDENT = "resident@example.com"


def ses() -> Any:
    from lobby.mail import ses_client

    return ses_client()


def submit(**overrides: str) -> str:
    response = post_json("/api/requests/repair", repair_fields(**overrides))
    assert response.status == 201, response.body
    return str(response.json()["reference"])


def to_the_resident(_: int, parameters: dict[str, Any]) -> bool:
    return RESIDENT in parameters["Destination"]["ToAddresses"]


def test_an_ses_timeout_keeps_the_request_and_the_mail_goes_out_when_ses_is_back(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    reference = submit()
    records = history_records(aws)

    with failing(ses(), Fault("SendEmail", always)) as timeout:  # every call times out
        assert deliver(records) == []  # nothing for Lambda to retry: the items wait in the table
        clock.advance(timedelta(minutes=1))
        assert clock.run_schedule(aws)["retrying"] == 2  # the retry schedule tries again, and fails

    assert timeout.calls == 4  # each e-mail tried once on the stream and once by the schedule
    assert [item["reference"]["S"] for item in aws.requests()] == [reference]
    assert aws.sent() == []
    assert outbox_states(aws) == {(reference, "office"): "pending", (reference, "resident"): "pending"}

    clock.advance(timedelta(minutes=2))
    assert clock.run_schedule(aws)["sent"] == 2  # SES is back
    assert mails_to(aws, OFFICE, reference) == 1
    assert mails_to(aws, RESIDENT, reference) == 1
    assert outbox_states(aws) == {(reference, "office"): "sent", (reference, "resident"): "sent"}


def test_a_rejected_resident_address_never_sends_the_office_mail_twice(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    reference = submit()
    records = history_records(aws)

    with failing(ses(), Fault("SendEmail", to_the_resident, error_answer("MessageRejected"))) as rejected:
        deliver(records)
        for _ in range(3):  # the retry schedule, while SES keeps refusing the resident's address
            clock.advance(timedelta(minutes=5))
            clock.run_schedule(aws)
            deliver(records)  # and Lambda redelivering the stream on top

    assert len(rejected.failed) == 4
    assert mails_to(aws, OFFICE, reference) == 1
    assert mails_to(aws, RESIDENT, reference) == 0
    assert outbox_states(aws) == {(reference, "office"): "sent", (reference, "resident"): "pending"}

    clock.advance(timedelta(minutes=10))
    clock.run_schedule(aws)
    assert mails_to(aws, OFFICE, reference) == 1
    assert mails_to(aws, RESIDENT, reference) == 1


def test_a_refused_address_is_not_written_to_the_logs(aws: Aws) -> None:
    submit()
    records = history_records(aws)
    # SES's own words for a recipient it will not mail (sandbox): they name the address.
    refusal = error_answer(
        "MessageRejected",
        f"Email address is not verified. The following identities failed the check in region AP-SOUTHEAST-1: {RESIDENT}",
    )

    with watching() as logs, failing(ses(), Fault("SendEmail", to_the_resident, refusal)) as refused:
        deliver(records)
    assert len(refused.failed) == 1  # the refusal was handled, and logged
    assert logs.records_checked > 0
    assert [leak.describe() for leak in logs.leaks] == []
    stored = [item.get("error") for item in aws.outbox().values()]
    assert "MessageRejected" in stored and not any(RESIDENT in str(error) for error in stored)


def test_a_redelivered_batch_after_partial_success_sends_each_mail_once(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    references = [submit(description=f"第 {n} 处水管漏水，需要上门查看。", unit=f"150{n}") for n in (1, 2, 3)]
    records = history_records(aws)
    assert len(records) == 6  # an office and a resident e-mail each
    second = references[1]

    def the_second_office_mail(_: int, parameters: dict[str, Any]) -> bool:
        subject = parameters["Content"]["Simple"]["Subject"]["Data"]
        return f"[{second}]" in subject and OFFICE in parameters["Destination"]["ToAddresses"]

    throttled = error_answer("TooManyRequestsException", status=429)
    with failing(ses(), Fault("SendEmail", the_second_office_mail, throttled)):
        assert deliver(records) == []

    assert [mails_to(aws, OFFICE, reference) for reference in references] == [1, 0, 1]
    # Lambda may deliver the records again (after a bisection or a crash): nothing goes out twice,
    # and the failed e-mail waits for the schedule rather than the stream.
    assert deliver(records[1:]) == []
    assert deliver(records) == []
    assert [mails_to(aws, OFFICE, reference) for reference in references] == [1, 0, 1]

    clock.advance(timedelta(minutes=1))
    assert clock.run_schedule(aws)["sent"] == 1
    for reference in references:
        assert mails_to(aws, OFFICE, reference) == 1, reference
        assert mails_to(aws, RESIDENT, reference) == 1, reference
