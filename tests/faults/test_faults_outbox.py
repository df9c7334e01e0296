"""SES or the signing secret away for a while, on a simulated clock: every message waits in the outbox
and is delivered exactly once when they are back; after a whole day of failures it is parked, counted
for the alarm, and a replay delivers it.

Requests are filed through the API while the outage lasts; the table's stream hands each new outbox
item to the sender at once (as Lambda would), and the sender's retry schedule runs every simulated
minute, as EventBridge Scheduler runs it.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.faults.aws_faults import Fault, error_answer, failing
from tests.faults.stream import Clock, mails_to, outbox_states
from tests.integration.conftest import (
    OFFICE_EMAILS,
    SIGNING_PARAMETER,
    SIGNING_SECRET,
    Aws,
    LambdaContext,
    post_json,
    repair_fields,
    use_catalog_with_years,
)

OFFICE = OFFICE_EMAILS["engineering"]
RESIDENT = "resident@example.com"
SES_DOWN = error_answer("ServiceUnavailable", "SES is down", status=503)
STEP = timedelta(seconds=5)


def ses() -> Any:
    from lobby.mail import ses_client

    return ses_client()


def file_request(n: int) -> str:
    fields = repair_fields(description=f"第 {n} 户厨房水管漏水，需要上门查看。", unit=f"{1500 + n}")
    response = post_json("/api/requests/repair", fields)
    assert response.status == 201, response.body
    return str(response.json()["reference"])


def run(
    aws: Aws,
    clock: Clock,
    until: timedelta,
    *,
    filing_for: timedelta = timedelta(0),
    file_every: timedelta = timedelta(seconds=20),
    at_each_step: Callable[[], None] | None = None,
) -> list[str]:
    """Advance the clock in 5-second steps to ``until``: file a request every ``file_every`` while
    ``filing_for`` lasts (its outbox items go to the sender through the stream), and run the retry
    schedule every minute. Returns the references filed."""
    start = clock.now
    references: list[str] = []
    next_filing, next_run = start, start
    while clock.now < start + until:
        if at_each_step:
            at_each_step()
        if clock.now < start + filing_for and clock.now >= next_filing:
            references.append(file_request(len(references) + 1))
            assert aws.notify_batch()["batchItemFailures"] == []
            next_filing += file_every
        if clock.now >= next_run:
            clock.run_schedule(aws)
            next_run += timedelta(minutes=1)
        clock.advance(STEP)
    return references


def ses_down_while(clock: Clock, start: datetime, length: timedelta) -> Fault:
    return Fault("SendEmail", lambda _n, _p: start <= clock.now < start + length, SES_DOWN)


def assert_delivered_once(aws: Aws, references: list[str]) -> None:
    assert references
    for reference in references:
        assert mails_to(aws, OFFICE, reference) == 1, reference
        assert mails_to(aws, RESIDENT, reference) == 1, reference
    assert len(aws.sent()) == 2 * len(references)
    states = outbox_states(aws)
    assert len(states) == 2 * len(references)
    assert set(states.values()) == {"sent"}  # nothing parked, nothing left waiting


def test_ses_refusing_everything_for_two_minutes_while_requests_are_filed_loses_and_repeats_nothing(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    outage = ses_down_while(clock, clock.now, timedelta(minutes=2))
    with failing(ses(), outage):
        references = run(aws, clock, timedelta(minutes=2), filing_for=timedelta(minutes=2))
        assert aws.sent() == []  # SES took nothing while it was down
        assert len(references) == 6
        run(aws, clock, timedelta(minutes=10))

    assert outage.failed  # the outage was real: sends were refused
    assert_delivered_once(aws, references)


@pytest.mark.parametrize(
    ("outage", "watch"),
    [(timedelta(seconds=25), timedelta(minutes=5)), (timedelta(minutes=30), timedelta(minutes=75))],
    ids=["25-seconds", "30-minutes"],
)
def test_every_message_is_delivered_once_after_an_ses_outage(
    aws: Aws, monkeypatch: pytest.MonkeyPatch, outage: timedelta, watch: timedelta
) -> None:
    clock = Clock(monkeypatch)
    fault = ses_down_while(clock, clock.now, outage)
    with failing(ses(), fault):
        references = run(aws, clock, watch, filing_for=min(outage, timedelta(minutes=2)))

    assert fault.failed
    assert_delivered_once(aws, references)
    # The retries backed off: a 30-minute outage costs each e-mail a handful of tries, not one a minute.
    assert max(item["attempts"] for item in aws.outbox().values()) <= 8


def test_a_missing_signing_secret_holds_only_the_messages_with_links_until_it_is_restored(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3

    from lobby import links

    links.secret_store.cache_clear()  # nothing cached from an earlier test
    ssm = boto3.client("ssm")
    ssm.delete_parameter(Name=SIGNING_PARAMETER)
    clock = Clock(monkeypatch)
    start = clock.now
    restored: list[bool] = []

    def restore_after_five_minutes() -> None:
        if not restored and clock.now >= start + timedelta(minutes=5):
            ssm.put_parameter(Name=SIGNING_PARAMETER, Value=SIGNING_SECRET, Type="SecureString")
            restored.append(True)

    references = run(
        aws, clock, timedelta(minutes=4), filing_for=timedelta(minutes=4), file_every=timedelta(minutes=1)
    )
    # While the secret is missing, every resident's receipt went out at once; the office e-mails,
    # whose action links must be signed, wait.
    for reference in references:
        assert mails_to(aws, RESIDENT, reference) == 1
        assert mails_to(aws, OFFICE, reference) == 0
    assert {item["error"] for item in aws.outbox().values() if item["role"] == "office"} == {
        "LinkUnavailable"
    }

    run(aws, clock, timedelta(minutes=20), at_each_step=restore_after_five_minutes)
    assert restored
    assert_delivered_once(aws, references)
    for mail in aws.sent():
        assert "unsigned.invalid" not in mail.html
        if mail.to == [OFFICE]:
            assert "https://lobby.example/api/actions/" in mail.html


def parked_metrics(output: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in output.splitlines() if line.startswith('{"_aws"')]
    return [line for line in lines if line.get("OutboxParked") == 1]


def test_retries_back_off_for_a_day_then_the_message_is_parked_alarmed_and_replayable(
    aws: Aws, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from notify.app import lambda_handler

    clock = Clock(monkeypatch)
    start = clock.now
    tries: list[datetime] = []

    def refused(_n: int, parameters: dict[str, Any]) -> bool:
        if OFFICE in parameters["Destination"]["ToAddresses"]:
            tries.append(clock.now)
        return True

    with failing(ses(), Fault("SendEmail", refused, SES_DOWN)):
        [reference] = run(aws, clock, STEP, filing_for=STEP)
        capsys.readouterr()
        # Run the schedule at every moment an item falls due (runs in between find nothing due).
        while pending := [item for item in aws.outbox().values() if item["state"] == "pending"]:
            clock.now = max(clock.now, min(datetime.fromisoformat(item["next_at"]) for item in pending))
            clock.run_schedule(aws)
            assert clock.now < start + timedelta(hours=25)
        assert clock.run_schedule(aws)["sent"] == 0  # nothing due any more: parked items are off the index

    gaps = [later - earlier for earlier, later in itertools.pairwise(tries)]
    assert gaps[:7] == [timedelta(seconds=30 * 2**n) for n in range(7)]  # 30 s, 1 min, 2 min … 32 min
    assert set(gaps[7:-1]) == {timedelta(hours=1)}  # then hourly
    assert tries[-1] - tries[0] == timedelta(hours=24)  # for a day from the first failure
    assert len(tries) == 31

    states = outbox_states(aws)
    assert states == {(reference, "office"): "parked", (reference, "resident"): "parked"}
    assert {item["error"] for item in aws.outbox().values()} == {"ServiceUnavailable"}
    metrics = parked_metrics(capsys.readouterr().out)
    assert [metric["reason"] for metric in metrics] == ["ServiceUnavailable"] * 2
    assert metrics[0]["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Lobby"
    assert metrics[0]["Table"] == "lobby-test"
    assert aws.sent() == []

    # SES is back; the operator replays the parked items (site/docs/operations).
    clock.advance(timedelta(hours=2))
    report = lambda_handler({"replay": "parked", "time": clock.now.isoformat()}, LambdaContext())
    assert report["replayed"] == 2
    assert report["sent"] == 2
    assert_delivered_once(aws, [reference])


def test_the_digest_and_the_monthly_report_wait_out_an_ses_outage_in_the_same_outbox(
    aws: Aws, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    from lobby.catalog import load_catalog
    from schedules.digest import lambda_handler as digest
    from schedules.monthly import lambda_handler as monthly

    clock = Clock(monkeypatch)
    # Whatever today is, the calendar knows this year and the next (an empty arrangement where the package
    # does not), so that no warning about an unknown year joins the two messages under test.
    known = load_catalog().property.calendar.known_years
    years = [{"year": year} for year in (clock.now.year, clock.now.year + 1) if year not in known]
    use_catalog_with_years(tmp_path, monkeypatch, *years)
    reference = file_request(1)
    aws.notify_batch()  # the receipts
    received = len(aws.sent())
    morning = clock.now.replace(hour=0, minute=30, second=0, microsecond=0)  # 08:30 in Shanghai
    while morning.weekday() >= 5 or morning.date() == morning.replace(day=1).date():
        morning += timedelta(days=1)
    first_of_month = (morning.replace(day=28) + timedelta(days=4)).replace(day=1, hour=0)

    with failing(ses(), Fault("SendEmail", lambda _n, _p: True, SES_DOWN)):
        assert digest({"time": morning.isoformat()}, LambdaContext())["queued"] == ["engineering"]
        assert monthly({"time": first_of_month.isoformat()}, LambdaContext())["mail"] == "queued"
        assert aws.notify_batch()["batchItemFailures"] == []  # tried at once, refused
        assert len(aws.sent()) == received

    clock.advance(timedelta(minutes=1))
    assert clock.run_schedule(aws)["sent"] == 2
    assert digest({"time": morning.isoformat()}, LambdaContext())["already"] == ["engineering"]
    assert monthly({"time": first_of_month.isoformat()}, LambdaContext())["mail"] == "already queued"
    aws.notify_batch()
    clock.advance(timedelta(minutes=5))
    clock.run_schedule(aws)

    new = aws.sent()[received:]
    assert [mail.to for mail in new].count([OFFICE]) == 1  # the digest, once
    [digest_mail] = [mail for mail in new if mail.to == [OFFICE]]
    assert reference in digest_mail.html
    [report] = [
        mail for mail in new if mail.to == [OFFICE_EMAILS["management"]]
    ]  # the director's report, once
    assert len(new) == 2
    kinds = {key.split("#")[2] for key in (item["PK"] for item in aws.outbox().values()) if "#R#" not in key}
    assert kinds == {"DIGEST", "MONTHLY"}  # their own partitions, never a fake reference
    assert report.subject
