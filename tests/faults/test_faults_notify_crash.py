"""The sender dies in the middle of a batch (a crash, or Lambda's timeout): Lambda then delivers the
whole batch again, and the retry schedule looks at what is left. Nothing may be lost and nothing
e-mailed twice; an e-mail that may have left with the dead process is parked for a person, never
sent again.

A Lambda timeout is not an exception the code can catch: the process is stopped. It is simulated
with an exception outside ``Exception`` (so no ``except Exception`` in the code can catch it)
that unwinds the invocation at the chosen point, leaving the table exactly as the dead process
would have left it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from lobby.outbox import LEASE
from tests.faults.stream import Clock, deliver, history_records, mails_to, outbox_states
from tests.integration.conftest import OFFICE_EMAILS, Aws, post_json, repair_fields

OFFICE = OFFICE_EMAILS["engineering"]
RESIDENT = "resident@example.com"


class LambdaTimeout(BaseException):
    """The invocation is stopped here, as Lambda stops it at its timeout."""


def three_requests() -> list[str]:
    references = []
    for n in (1, 2, 3):
        fields = repair_fields(description=f"第 {n} 处水管漏水，需要上门查看。", unit=f"150{n}")
        response = post_json("/api/requests/repair", fields)
        assert response.status == 201, response.body
        references.append(response.json()["reference"])
    return references


def crashed(records: list[dict[str, Any]]) -> None:
    with pytest.raises(LambdaTimeout):
        deliver(records)


def assert_each_mail_once(aws: Aws, references: list[str]) -> None:
    for reference in references:
        assert mails_to(aws, OFFICE, reference) == 1, reference
        assert mails_to(aws, RESIDENT, reference) == 1, reference
    assert len(aws.sent()) == 2 * len(references)


def stop_when(
    monkeypatch: pytest.MonkeyPatch, target: Any, name: str, when: Callable[..., bool], after: bool
) -> None:
    """Stop the invocation at ``target.name`` when ``when(*args)`` holds: before or after the real call."""
    real = getattr(target, name)

    def stopping(*args: Any, **kwargs: Any) -> Any:
        if not when(*args, **kwargs):
            return real(*args, **kwargs)
        if not after:
            raise LambdaTimeout
        real(*args, **kwargs)
        raise LambdaTimeout

    monkeypatch.setattr(target, name, stopping)


def test_a_crash_before_the_second_record_loses_nothing_and_repeats_nothing(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    references = three_requests()
    records = history_records(aws)
    from lobby.storage import Store

    with monkeypatch.context() as patched:
        stop_when(
            patched, Store, "get_request", lambda _store, reference: reference == references[1], after=False
        )
        crashed(records)
    assert [mails_to(aws, OFFICE, reference) for reference in references] == [1, 0, 0]

    assert deliver(records) == []  # Lambda retries the whole batch
    assert_each_mail_once(aws, references)
    assert set(outbox_states(aws).values()) == {"sent"}


def test_a_timeout_after_the_first_mail_of_a_record_sends_only_the_rest_on_retry(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    references = three_requests()
    records = history_records(aws)
    from lobby.storage import Store

    def second_office_mail_recorded(_store: Store, claimed: Any, _now: datetime) -> bool:
        return claimed.body.reference == references[1] and claimed.body.role == "office"

    with monkeypatch.context() as patched:
        stop_when(patched, Store, "outbox_sent", second_office_mail_recorded, after=True)
        crashed(records)
    assert mails_to(aws, OFFICE, references[1]) == 1
    assert mails_to(aws, RESIDENT, references[1]) == 0

    assert deliver(records) == []
    assert_each_mail_once(aws, references)


def second_office_mail(references: list[str]) -> Callable[[Any, str], bool]:
    return lambda mail, _sender: mail.role == "office" and f"[{references[1]}]" in mail.subject


def parked_metrics(output: str) -> list[dict[str, Any]]:
    """The ``OutboxParked`` embedded-metric lines the sender printed."""
    import json

    lines = [json.loads(line) for line in output.splitlines() if line.startswith('{"_aws"')]
    return [line for line in lines if line.get("OutboxParked") == 1]


def test_a_timeout_after_ses_took_the_mail_but_before_it_was_recorded_does_not_send_it_again(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The e-mail left, but the process died before writing "sent": the claim (a lease) must stop
    # the retry from sending it a second time.
    clock = Clock(monkeypatch)
    references = three_requests()
    records = history_records(aws)
    import lobby.sender

    with monkeypatch.context() as patched:
        stop_when(patched, lobby.sender, "send", second_office_mail(references), after=True)
        crashed(records)

    deliver(records)  # Lambda retries the batch: it must not send again
    for minutes in (1, 3, 7, 20):  # nor the retry schedule, before or after the claim's lease ran out
        clock.now += timedelta(minutes=minutes)
        clock.run_schedule(aws)
    assert mails_to(aws, OFFICE, references[1]) == 1
    assert mails_to(aws, RESIDENT, references[1]) == 1
    assert_each_mail_once(aws, references)
    # It is parked, with the reason and the alarm's metric, for a person to check.
    assert outbox_states(aws)[(references[1], "office")] == "parked"
    [parked] = [item for item in aws.outbox().values() if item["state"] == "parked"]
    assert parked["error"] == "MaybeSent"
    assert parked["GSI2PK"].endswith("#PARKED")


# A claim left "sending" by a dead invocation means "maybe sent": it is never sent again by itself
# (at most once), and it is never silently taken for "sent" either: it is parked and alarmed.
def test_a_timeout_while_ses_is_called_is_never_taken_for_sent(
    aws: Aws, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = Clock(monkeypatch)
    references = three_requests()
    records = history_records(aws)
    import lobby.sender

    with monkeypatch.context() as patched:
        stop_when(
            patched, lobby.sender, "send", second_office_mail(references), after=False
        )  # SES never got it
        crashed(records)

    deliver(records)
    clock.now += LEASE + timedelta(minutes=1)
    capsys.readouterr()
    clock.run_schedule(aws)

    sent = mails_to(aws, OFFICE, references[1])
    state = outbox_states(aws)[(references[1], "office")]
    assert sent == 1 or state == "parked", "the e-mail was silently lost"
    assert sent <= 1
    assert [metric["reason"] for metric in parked_metrics(capsys.readouterr().out)] == ["MaybeSent"]


def test_a_mail_that_may_have_left_is_not_sent_again_when_the_retries_outlast_the_lease(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    references = three_requests()
    records = history_records(aws)
    import lobby.sender

    with monkeypatch.context() as patched:
        stop_when(patched, lobby.sender, "send", second_office_mail(references), after=True)  # SES took it
        crashed(records)

    # The resident's address keeps being refused, so the item keeps being retried, minutes apart.
    from botocore.exceptions import ClientError

    real_send = lobby.sender.send

    def resident_refused(mail: Any, sender: str) -> str:
        if mail.role == "resident":
            raise ClientError({"Error": {"Code": "MessageRejected", "Message": "refused"}}, "SendEmail")
        return real_send(mail, sender)

    monkeypatch.setattr(lobby.sender, "send", resident_refused)
    for minutes in (0, 1, 3, 7):
        clock.now += timedelta(minutes=minutes)
        deliver(records)
        clock.run_schedule(aws)
    assert mails_to(aws, OFFICE, references[1]) == 1
    assert outbox_states(aws)[(references[1], "resident")] == "pending"
