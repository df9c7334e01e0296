"""SES rejects or times out: the request is kept, the e-mail goes out when SES is back, and each
e-mail of an event goes out at most once however often the batch is retried."""

from __future__ import annotations

from typing import Any

from tests.faults.aws_faults import Fault, always, error_answer, failing
from tests.faults.stream import deliver, history_records, mails_to, sequence_of
from tests.integration.conftest import OFFICE_EMAILS, Aws, post_json, repair_fields
from tests.pii_guard import watching

OFFICE = OFFICE_EMAILS["engineering"]
RESIDENT = "resident@example.com"


def ses() -> Any:
    from lobby.mail import ses_client

    return ses_client()


def markers(aws: Aws) -> dict[str, str]:
    """Sent-markers by recipient role: ``sending`` while claimed, ``sent`` once SES took it."""
    return {
        item["SK"]["S"].rsplit("#", 1)[-1]: item["state"]["S"]
        for item in aws.items()
        if item["SK"]["S"].startswith("MAIL#")
    }


def submit(**overrides: str) -> str:
    response = post_json("/api/requests/repair", repair_fields(**overrides))
    assert response.status == 201, response.body
    return str(response.json()["reference"])


def test_an_ses_timeout_keeps_the_request_and_the_mail_goes_out_when_ses_is_back(aws: Aws) -> None:
    reference = submit()
    records = history_records(aws)

    with failing(ses(), Fault("SendEmail", always)) as timeout:  # every call times out
        assert deliver(records) == [sequence_of(records, reference)]  # reported, so Lambda retries
        assert deliver(records) == [sequence_of(records, reference)]  # and again

    assert timeout.calls == 2  # one attempt per delivery: the office e-mail, then the record fails
    assert [item["reference"]["S"] for item in aws.requests()] == [reference]
    assert aws.sent() == []
    assert markers(aws) == {}  # every claim released: nothing blocks the retry

    assert deliver(records) == []  # SES is back
    assert mails_to(aws, OFFICE, reference) == 1
    assert mails_to(aws, RESIDENT, reference) == 1
    assert markers(aws) == {"office": "sent", "resident": "sent"}


def test_a_rejected_resident_address_never_sends_the_office_mail_twice(aws: Aws) -> None:
    reference = submit()
    records = history_records(aws)

    def to_the_resident(_: int, parameters: dict[str, Any]) -> bool:
        return RESIDENT in parameters["Destination"]["ToAddresses"]

    with failing(ses(), Fault("SendEmail", to_the_resident, error_answer("MessageRejected"))) as rejected:
        for _ in range(3):  # Lambda's retries while SES keeps refusing
            assert deliver(records) == [sequence_of(records, reference)]

    assert len(rejected.failed) == 3
    assert mails_to(aws, OFFICE, reference) == 1
    assert mails_to(aws, RESIDENT, reference) == 0
    assert markers(aws) == {"office": "sent"}

    assert deliver(records) == []
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

    def to_the_resident(_: int, parameters: dict[str, Any]) -> bool:
        return RESIDENT in parameters["Destination"]["ToAddresses"]

    with watching() as logs, failing(ses(), Fault("SendEmail", to_the_resident, refusal)):
        assert deliver(records)  # the record failed: the refusal was handled, and logged
    assert logs.records_checked > 0
    assert [leak.describe() for leak in logs.leaks] == []


def test_a_retried_batch_after_partial_success_sends_each_mail_once(aws: Aws) -> None:
    references = [submit(description=f"第 {n} 处水管漏水，需要上门查看。", unit=f"150{n}") for n in (1, 2, 3)]
    records = history_records(aws)
    assert len(records) == 3
    second = references[1]

    def the_second_office_mail(_: int, parameters: dict[str, Any]) -> bool:
        subject = parameters["Content"]["Simple"]["Subject"]["Data"]
        return f"[{second}]" in subject and OFFICE in parameters["Destination"]["ToAddresses"]

    throttled = error_answer("TooManyRequestsException", status=429)
    with failing(ses(), Fault("SendEmail", the_second_office_mail, throttled)):
        assert deliver(records) == [sequence_of(records, second)]  # only the record that failed

    assert [mails_to(aws, OFFICE, reference) for reference in references] == [1, 0, 1]
    # Lambda retries from the failed record; after a bisection or a crash it is the whole batch again.
    assert deliver(records[1:]) == []
    assert deliver(records) == []

    for reference in references:
        assert mails_to(aws, OFFICE, reference) == 1, reference
        assert mails_to(aws, RESIDENT, reference) == 1, reference
