"""The local stack (`make dev`): its Lambda emulation in-process, and the running stack as a subprocess.

The in-process tests drive the stream poller against moto directly, one poll at
a time, so batching and retries are checked without waiting on a clock. The
subprocess tests start the stack (python -m devstack) with a probe template
(tests/e2e/fixtures/probe_template.yaml) whose functions e-mail what they get,
and read the results from /_local/outbox.json as a developer would.
"""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import cfn
import pytest
from moto import mock_aws

from devstack.functions import LocalFunction, template_functions
from devstack.scheduler import Cron, Schedule, parse_time, rate_interval, scheduler_event, schedules
from devstack.ses import Outbox
from devstack.stream import (
    FailureDestination,
    PatternError,
    StreamPoller,
    StreamSubscription,
    check_pattern,
    first_failed_index,
    matches,
    stream_subscriptions,
)
from tests.e2e.stack import PROBE_TEMPLATE, REPO, Stack, StackFailed, built_site, running_stack, wait_until

REGION = "ap-southeast-1"
TABLE = "local-stack-test"
NOTIFY_PATTERN = {"eventName": ["INSERT"], "dynamodb": {"Keys": {"SK": {"S": [{"prefix": "EVENT#"}]}}}}


def _stream_record(event_name: str, sort_key: str, history_event: str | None = None) -> dict[str, Any]:
    keys = {"PK": {"S": "P#x#R#1"}, "SK": {"S": sort_key}}
    image = {**keys, **({"event": {"S": history_event}} if history_event else {})}
    return {"eventName": event_name, "dynamodb": {"Keys": keys, "NewImage": image}}


# ---------------------------------------------------------------- filters


@pytest.mark.parametrize(
    ("event_name", "sort_key", "history_event", "delivered"),
    [
        ("INSERT", "OUTBOX#EVENT#2026-11-22T01:30:00Z#1#office", None, True),
        ("MODIFY", "OUTBOX#EVENT#2026-11-22T01:30:00Z#1#office", None, False),  # a claim or a mark
        ("INSERT", "EVENT#2026-11-22T01:30:00Z#1", "close", True),  # starts the retention period
        ("INSERT", "EVENT#2026-11-22T01:30:00Z#1", "submitted", False),  # its messages have their items
        ("MODIFY", "EVENT#2026-11-22T01:30:00Z#1", "close", False),
        ("REMOVE", "EVENT#2026-11-22T01:30:00Z#1", "close", False),
        ("INSERT", "REQUEST", None, False),
    ],
)
def test_the_sender_filter_passes_only_new_outbox_items_and_closing_events(
    event_name: str, sort_key: str, history_event: str | None, delivered: bool
) -> None:
    template = cfn.load_template()
    subscriptions = stream_subscriptions(template_functions(template, REPO, REGION))
    notify = next(s for s in subscriptions if s.function.logical_id == "NotifyFunction")
    assert notify.accepts(_stream_record(event_name, sort_key, history_event)) is delivered


def test_filter_needs_the_key_it_names() -> None:
    assert not matches(NOTIFY_PATTERN, {"eventName": "INSERT", "dynamodb": {"Keys": {"PK": {"S": "x"}}}})
    assert not matches({"eventName": ["INSERT"]}, {})


def test_filter_operators() -> None:
    assert matches({"a": [{"suffix": ".pdf"}]}, {"a": "x.pdf"})
    assert matches({"a": [{"anything-but": ["x"]}]}, {"a": "y"})
    assert not matches({"a": [{"anything-but": ["x"]}]}, {"a": "x"})
    assert matches({"a": [{"exists": False}]}, {})
    assert not matches({"a": [{"exists": True}]}, {})
    assert matches({"a": ["x", "y"]}, {"a": ["z", "y"]})


def test_filters_speak_eventbridges_pattern_language() -> None:
    image = {"dynamodb": {"NewImage": {"n": 5, "kind": "repair"}}}
    assert matches({"dynamodb": {"NewImage": {"n": [{"numeric": [">", 1, "<=", 5]}]}}}, image)
    assert not matches({"dynamodb": {"NewImage": {"n": [{"numeric": [">", 5]}]}}}, image)
    either = {
        "$or": [{"dynamodb": {"NewImage": {"n": [9]}}}, {"dynamodb": {"NewImage": {"kind": ["repair"]}}}]
    }
    assert matches(either, image)


@pytest.mark.parametrize(
    ("pattern", "complaint"),
    [
        ({"eventName": [{"prefx": "INS"}]}, "unsupported rule"),  # a misspelt rule would match everything
        ({"eventName": "INSERT"}, "must be an object or an array"),
        ({"eventName": []}, "Empty arrays are not allowed"),
        ('{"eventName": ', "not JSON"),
        ('["INSERT"]', "must be an object"),
    ],
)
def test_a_pattern_lambda_would_refuse_is_refused_at_start(pattern: object, complaint: str) -> None:
    with pytest.raises(PatternError, match=complaint):
        check_pattern(pattern)


# ---------------------------------------------------------------- partial batch responses


def _batch(*sequence_numbers: str) -> list[dict[str, Any]]:
    return [{"dynamodb": {"SequenceNumber": number}} for number in sequence_numbers]


def test_partial_batch_response_resumes_at_the_first_failed_record() -> None:
    batch = _batch("11", "12", "13")
    response = {"batchItemFailures": [{"itemIdentifier": "13"}, {"itemIdentifier": "12"}]}
    assert first_failed_index(batch, response, report_batch_item_failures=True) == 1
    assert first_failed_index(batch, {"batchItemFailures": []}, report_batch_item_failures=True) is None
    assert first_failed_index(batch, None, report_batch_item_failures=True) is None


def test_unknown_item_identifier_fails_the_whole_batch() -> None:
    batch = _batch("11", "12")
    response = {"batchItemFailures": [{"itemIdentifier": "99"}]}
    assert first_failed_index(batch, response, report_batch_item_failures=True) == 0


def test_item_failures_are_ignored_without_report_batch_item_failures() -> None:
    response = {"batchItemFailures": [{"itemIdentifier": "11"}]}
    assert first_failed_index(_batch("11"), response, report_batch_item_failures=False) is None


# ---------------------------------------------------------------- the poller, in-process


class Recorder:
    """A stream handler that records each invocation and answers as told."""

    def __init__(self, answer: Callable[[list[dict[str, Any]], int], Any] | None = None) -> None:
        self.batches: list[list[str]] = []
        self.events: list[dict[str, Any]] = []
        self._answer = answer

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        self.events.append(event)
        self.batches.append([record["dynamodb"]["Keys"]["SK"]["S"] for record in event["Records"]])
        return self._answer(event["Records"], len(self.batches)) if self._answer else None


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, str]]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        cfn.create_table(dynamodb, cfn.load_template(), "RequestsTable", TABLE)
        yield dynamodb, dynamodb.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]


def _poller(
    stream_arn: str, handler: Recorder, *, batch_size: int = 10, retries: int = 2, bisect: bool = False
) -> tuple[StreamPoller, FailureDestination]:
    function = LocalFunction("ProbeFunction", "probe.handler", REPO, 128, 10, {}, region=REGION)
    function.implementation = handler
    subscription = StreamSubscription(
        event_name="Stream",
        function=function,
        batch_size=batch_size,
        maximum_retry_attempts=retries,
        report_batch_item_failures=True,
        bisect_on_error=bisect,
        filters=(NOTIFY_PATTERN,),
    )
    destination = FailureDestination()
    return StreamPoller(subscription, stream_arn, REGION, destination, backoff=0), destination


def _put(dynamodb: Any, sort_key: str, **attributes: str) -> None:
    item = {"PK": {"S": "P#harbour-view#R#20261122-0001"}, "SK": {"S": sort_key}}
    item.update({name: {"S": value} for name, value in attributes.items()})
    dynamodb.put_item(TableName=TABLE, Item=item)


def test_poller_delivers_filtered_records_in_lambda_shape_and_batch_size(table: tuple[Any, str]) -> None:
    dynamodb, stream_arn = table
    handler = Recorder()
    poller, _ = _poller(stream_arn, handler, batch_size=2)
    for sort_key in ("EVENT#1", "MAIL#EVENT#1#office", "EVENT#2", "EVENT#3"):
        _put(dynamodb, sort_key)
    _put(dynamodb, "EVENT#1", note="changed")  # a MODIFY: filtered out

    poller.poll_once()

    assert handler.batches == [["EVENT#1", "EVENT#2"], ["EVENT#3"]]
    record = handler.events[0]["Records"][0]
    assert set(record) == {
        "eventID",
        "eventName",
        "eventVersion",
        "eventSource",
        "awsRegion",
        "dynamodb",
        "eventSourceARN",
    }
    assert (record["eventName"], record["eventSource"], record["awsRegion"]) == (
        "INSERT",
        "aws:dynamodb",
        REGION,
    )
    assert record["eventSourceARN"] == stream_arn
    assert set(record["dynamodb"]) == {
        "ApproximateCreationDateTime",
        "Keys",
        "NewImage",
        "SequenceNumber",
        "SizeBytes",
        "StreamViewType",
    }
    assert record["dynamodb"]["NewImage"]["SK"] == {"S": "EVENT#1"}
    assert isinstance(record["dynamodb"]["ApproximateCreationDateTime"], int)


def test_poller_reads_only_new_records_on_the_next_poll(table: tuple[Any, str]) -> None:
    dynamodb, stream_arn = table
    handler = Recorder()
    poller, _ = _poller(stream_arn, handler)
    _put(dynamodb, "EVENT#1")
    poller.poll_once()
    _put(dynamodb, "EVENT#2")
    poller.poll_once()
    poller.poll_once()
    assert handler.batches == [["EVENT#1"], ["EVENT#2"]]


def test_poller_retries_from_the_first_failed_record(table: tuple[Any, str]) -> None:
    dynamodb, stream_arn = table

    def fail_second_once(records: list[dict[str, Any]], call: int) -> dict[str, Any]:
        failed = [{"itemIdentifier": records[1]["dynamodb"]["SequenceNumber"]}] if call == 1 else []
        return {"batchItemFailures": failed}

    handler = Recorder(fail_second_once)
    poller, destination = _poller(stream_arn, handler)
    for sort_key in ("EVENT#1", "EVENT#2", "EVENT#3"):
        _put(dynamodb, sort_key)

    poller.poll_once()

    assert handler.batches == [["EVENT#1", "EVENT#2", "EVENT#3"], ["EVENT#2", "EVENT#3"]]
    assert destination.records() == []


def test_poller_sends_an_exhausted_batch_to_the_failure_destination(table: tuple[Any, str]) -> None:
    dynamodb, stream_arn = table

    def always_fail_second(records: list[dict[str, Any]], call: int) -> dict[str, Any]:
        failed = [r for r in records if r["dynamodb"]["Keys"]["SK"]["S"] == "EVENT#2"]
        return {"batchItemFailures": [{"itemIdentifier": r["dynamodb"]["SequenceNumber"]} for r in failed]}

    handler = Recorder(always_fail_second)
    poller, destination = _poller(stream_arn, handler, retries=1)
    for sort_key in ("EVENT#1", "EVENT#2", "EVENT#3"):
        _put(dynamodb, sort_key)

    poller.poll_once()

    assert handler.batches == [["EVENT#1", "EVENT#2", "EVENT#3"], ["EVENT#2", "EVENT#3"]]
    (failure,) = destination.records()
    retried = handler.events[1]["Records"]
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["requestContext"]["approximateInvokeCount"] == 2
    assert failure["DDBStreamBatchInfo"]["startSequenceNumber"] == retried[0]["dynamodb"]["SequenceNumber"]
    assert failure["DDBStreamBatchInfo"]["endSequenceNumber"] == retried[1]["dynamodb"]["SequenceNumber"]
    assert failure["DDBStreamBatchInfo"]["batchSize"] == 2
    assert failure["DDBStreamBatchInfo"]["streamArn"] == stream_arn
    assert "NewImage" not in json.dumps(failure)  # a pointer into the stream, never the data


def test_poller_retries_a_crashed_batch_whole_then_moves_on(table: tuple[Any, str]) -> None:
    dynamodb, stream_arn = table

    def crash_on_first_batch(records: list[dict[str, Any]], call: int) -> None:
        if records[0]["dynamodb"]["Keys"]["SK"]["S"] == "EVENT#1":
            raise RuntimeError("handler bug")

    handler = Recorder(crash_on_first_batch)
    poller, destination = _poller(stream_arn, handler, retries=1)
    _put(dynamodb, "EVENT#1")
    _put(dynamodb, "EVENT#2")
    poller.poll_once()
    _put(dynamodb, "EVENT#3")
    poller.poll_once()

    assert handler.batches == [["EVENT#1", "EVENT#2"], ["EVENT#1", "EVENT#2"], ["EVENT#3"]]
    (failure,) = destination.records()
    assert failure["responseContext"]["functionError"] == "Unhandled"


def test_poller_bisects_a_crashing_batch_to_isolate_the_bad_record(table: tuple[Any, str]) -> None:
    dynamodb, stream_arn = table

    def crash_on_third(records: list[dict[str, Any]], call: int) -> None:
        if any(record["dynamodb"]["Keys"]["SK"]["S"] == "EVENT#3" for record in records):
            raise RuntimeError("poison record")

    handler = Recorder(crash_on_third)
    poller, destination = _poller(stream_arn, handler, retries=0, bisect=True)
    for number in (1, 2, 3, 4):
        _put(dynamodb, f"EVENT#{number}")

    poller.poll_once()

    assert handler.batches == [
        ["EVENT#1", "EVENT#2", "EVENT#3", "EVENT#4"],
        ["EVENT#1", "EVENT#2"],
        ["EVENT#3", "EVENT#4"],
        ["EVENT#3"],
        ["EVENT#4"],
    ]
    (failure,) = destination.records()
    assert failure["DDBStreamBatchInfo"]["batchSize"] == 1


def test_template_settings_reach_the_notify_subscription() -> None:
    template = cfn.load_template()
    events = template["Resources"]["NotifyFunction"]["Properties"]["Events"]
    settings = next(event["Properties"] for event in events.values() if event["Type"] == "DynamoDB")
    (notify,) = [
        s
        for s in stream_subscriptions(template_functions(template, REPO, REGION))
        if s.function.logical_id == "NotifyFunction"
    ]
    assert notify.batch_size == settings["BatchSize"]
    assert notify.maximum_retry_attempts == settings["MaximumRetryAttempts"]
    assert notify.report_batch_item_failures
    assert notify.bisect_on_error is settings.get("BisectBatchOnFunctionError", False)
    assert notify.function.handler == "notify.app.lambda_handler"


# ---------------------------------------------------------------- schedules


def _schedule(**overrides: Any) -> Schedule:
    function = LocalFunction("TickFunction", "probe.tick", REPO, 128, 10, {}, region=REGION)
    values: dict[str, Any] = {"event_name": "Tick", "function": function, "expression": "rate(15 minutes)"}
    return Schedule(**{**values, **overrides})


def test_scheduler_event_carries_the_chosen_time_and_fills_the_input() -> None:
    schedule = _schedule(input='{"job": "reminders", "at": "<aws.scheduler.scheduled-time>"}')
    event = scheduler_event(schedule, parse_time("2026-11-23T09:45:00+08:00"))
    assert event["time"] == "2026-11-23T01:45:00Z"
    assert event["at"] == "2026-11-23T01:45:00Z"
    assert event["job"] == "reminders"
    assert event["source"] == "aws.scheduler"
    assert event["detail-type"] == "Scheduled Event"
    assert event["resources"] == [schedule.arn]


def test_the_templates_schedules_run_on_the_propertys_clock() -> None:
    template = cfn.load_template()
    found = schedules(template_functions(template, REPO, REGION))
    zone = template["Parameters"]["TimeZone"]["Default"]
    assert found, "template.yaml has no ScheduleV2 events"
    for schedule in found:
        assert schedule.time_zone == zone
        assert rate_interval(schedule.expression) or Cron.parse(schedule.expression), schedule.expression
        event = scheduler_event(schedule, parse_time("2026-11-23T01:45:00Z"))
        assert event["time"] == "2026-11-23T01:45:00Z"


def test_rate_and_cron_expressions() -> None:
    assert rate_interval("rate(15 minutes)") == timedelta(minutes=15)
    assert rate_interval("rate(1 day)") == timedelta(days=1)
    assert rate_interval("cron(0 * * * ? *)") is None
    cron = Cron.parse("cron(0/15 8-17 ? * MON-FRI *)")
    assert cron is not None
    assert cron.fires_at(datetime(2026, 11, 23, 8, 15))  # a Monday
    assert not cron.fires_at(datetime(2026, 11, 23, 8, 20))
    assert not cron.fires_at(datetime(2026, 11, 22, 8, 15))  # a Sunday
    assert not cron.fires_at(datetime(2026, 11, 23, 18, 0))
    assert Cron.parse("cron(0 12 L * ? *)") is None  # the local clock skips L, W and #


# ---------------------------------------------------------------- the outbox, in-process


def test_outbox_keeps_text_and_html_of_simple_and_raw_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        outbox = Outbox(REGION)
        uninstall = outbox.install()
        try:
            ses = boto3.client("sesv2", region_name=REGION)
            ses.create_email_identity(EmailIdentity="desk@lobby.local")
            ses.send_email(
                FromEmailAddress="desk@lobby.local",
                Destination={"ToAddresses": ["engineering@lobby.local"]},
                Content={
                    "Simple": {
                        "Subject": {"Data": "[20261122-0001] 报修"},
                        "Body": {"Text": {"Data": "纯文本"}, "Html": {"Data": "<p>网页</p>"}},
                    }
                },
            )
            raw = (
                "From: desk@lobby.local\r\nTo: resident@example.com\r\nSubject: Raw\r\nMIME-Version: 1.0\r\n"
                'Content-Type: multipart/alternative; boundary="b"\r\n\r\n--b\r\n'
                "Content-Type: text/plain; charset=utf-8\r\n\r\nplain part\r\n--b\r\n"
                "Content-Type: text/html; charset=utf-8\r\n\r\n<p>html part</p>\r\n--b--\r\n"
            )
            ses.send_email(
                FromEmailAddress="desk@lobby.local",
                Destination={"ToAddresses": ["resident@example.com"]},
                Content={"Raw": {"Data": raw.encode()}},
            )
            simple, mime = outbox.messages()
        finally:
            uninstall()
    assert simple["to"] == ["engineering@lobby.local"]
    assert (simple["subject"], simple["text"], simple["html"]) == (
        "[20261122-0001] 报修",
        "纯文本",
        "<p>网页</p>",
    )
    assert mime["to"] == ["resident@example.com"]
    assert (mime["subject"], mime["text"].strip(), mime["html"].strip()) == (
        "Raw",
        "plain part",
        "<p>html part</p>",
    )
    assert parse_time(simple["sent_at"]) <= parse_time(mime["sent_at"])


# ---------------------------------------------------------------- the running stack (subprocess)


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with running_stack(template=PROBE_TEMPLATE) as running:
        yield running


def _aws_client(stack: Stack, service: str) -> Any:
    return boto3.client(
        service, endpoint_url=stack.health["aws_endpoint"], region_name=stack.health["region"]
    )


def _put_remote(stack: Stack, sort_key: str, probe: str | None = None) -> None:
    item = {"PK": {"S": "P#probe#R#1"}, "SK": {"S": sort_key}}
    if probe:
        item["probe"] = {"S": probe}
    _aws_client(stack, "dynamodb").put_item(TableName=stack.health["table"], Item=item)


def _subject_is(subject: str) -> Callable[[dict[str, Any]], bool]:
    return lambda mail: bool(mail["subject"] == subject)


def test_home_is_chinese_and_english_lives_under_en(stack: Stack) -> None:
    home, english = stack.get("/"), stack.get("/en/")
    assert home.status == 200
    assert home.headers["content-type"] == "text/html; charset=utf-8"
    assert '<html lang="zh' in home.text
    assert english.status == 200
    assert '<html lang="en' in english.text


def test_directory_url_without_slash_redirects_keeping_the_query(stack: Stack) -> None:
    answer = stack.get("/en/repair?from=test")
    assert answer.status == 301
    assert answer.headers["location"] == "/en/repair/?from=test"


def test_unknown_page_gets_the_404_page(stack: Stack) -> None:
    answer = stack.get("/no-such-page/")
    assert answer.status == 404
    assert answer.body == (built_site() / "404.html").read_bytes()


def test_assets_have_their_types(stack: Stack) -> None:
    css = stack.get("/assets/stylesheets/lobby.css")
    js = stack.get("/assets/javascripts/lobby.js")
    assert (css.status, css.headers["content-type"]) == (200, "text/css; charset=utf-8")
    assert (js.status, js.headers["content-type"]) == (200, "text/javascript; charset=utf-8")


@pytest.mark.parametrize(
    "raw_path",
    ["/..%2F..%2Fpyproject.toml", "/%2e%2e/%2e%2e/pyproject.toml", "/assets/..%2F..%2F..%2Fpyproject.toml"],
)
def test_nothing_outside_the_site_is_served(stack: Stack, raw_path: str) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=10)
    try:
        connection.request("GET", raw_path)
        answer = connection.getresponse()
        body = answer.read()
    finally:
        connection.close()
    assert answer.status == 404
    assert b"[project]" not in body


def test_api_is_mounted_under_api(stack: Stack) -> None:
    answer = stack.get("/api/openapi.json")
    assert answer.status == 200
    assert "paths" in answer.json()


def test_unknown_local_tool_is_404(stack: Stack) -> None:
    assert stack.get("/_local/nothing").status == 404


def test_stream_reaches_the_function_filtered(stack: Stack) -> None:
    _put_remote(stack, "EVENT#filter-1")
    _put_remote(stack, "MAIL#EVENT#filter-1#office")
    _put_remote(stack, "EVENT#filter-2")
    stack.wait_for_mail(lambda mail: mail["subject"].startswith("stream INSERT EVENT#filter-2 "), timeout=5)
    subjects = [mail["subject"] for mail in stack.outbox()]
    assert any(subject.startswith("stream INSERT EVENT#filter-1 ") for subject in subjects)
    assert not any("MAIL#" in subject for subject in subjects)


def test_reported_failures_are_retried_then_sent_to_the_failure_destination(stack: Stack) -> None:
    _put_remote(stack, "EVENT#report-1", probe="report")
    first = stack.wait_for_mail(lambda mail: mail["subject"].startswith("stream INSERT EVENT#report-1 "))
    sequence_number = json.loads(first["text"])["dynamodb"]["SequenceNumber"]

    def failure_of_this_record() -> dict[str, Any] | None:
        failures = stack.get("/_local/failures.json").json()
        return next(
            (f for f in failures if f["DDBStreamBatchInfo"]["startSequenceNumber"] == sequence_number), None
        )

    failure = wait_until(failure_of_this_record, timeout=10)
    assert failure is not None, "the batch never reached the failure destination"
    assert failure["requestContext"]["approximateInvokeCount"] == 2  # 1 + MaximumRetryAttempts
    attempts = [m for m in stack.outbox() if m["subject"].startswith("stream INSERT EVENT#report-1 ")]
    assert len(attempts) == 2


def test_a_crashing_function_does_not_stop_the_stream(stack: Stack) -> None:
    _put_remote(stack, "EVENT#crash-1", probe="crash")
    stack.wait_for_mail(lambda mail: mail["subject"].startswith("crash "), timeout=5)
    _put_remote(stack, "EVENT#after-crash")
    stack.wait_for_mail(
        lambda mail: mail["subject"].startswith("stream INSERT EVENT#after-crash "), timeout=10
    )


def test_schedule_runs_at_the_chosen_time(stack: Stack) -> None:
    answer = stack.post_json("/_local/schedules/Tick", {"time": "2026-11-23T09:45:00+08:00"})
    assert answer.status == 200, answer.text
    result = answer.json()
    assert result["function"] == "TickFunction"
    assert result["time"] == "2026-11-23T01:45:00Z"
    event = result["result"]["event"]
    assert (event["time"], event["scheduled"], event["probe"]) == ("2026-11-23T01:45:00Z",) * 2 + ("tick",)
    assert event["source"] == "aws.scheduler"
    mail = stack.wait_for_mail(_subject_is("tick 2026-11-23T01:45:00Z"))
    assert mail["to"] == ["probe@lobby.local"]


def test_schedule_can_be_named_by_its_function(stack: Stack) -> None:
    answer = stack.post_json("/_local/schedules/TickFunction")
    assert answer.status == 200, answer.text
    assert parse_time(answer.json()["time"]) > datetime(2026, 1, 1, tzinfo=UTC)


def test_the_local_clock_moves_the_schedules_and_returns_to_the_real_time(stack: Stack) -> None:
    try:
        moved = stack.post_json("/_local/clock", {"time": "2026-11-27T20:00:00+08:00"})
        assert moved.status == 200, moved.text
        assert moved.json()["set"] is True
        assert abs(parse_time(moved.json()["time"]) - datetime(2026, 11, 27, 12, tzinfo=UTC)) < timedelta(
            seconds=5
        )
        # A schedule run without a time runs at the stack's time, as the schedule clock does.
        ran = stack.post_json("/_local/schedules/Tick").json()
        assert abs(parse_time(ran["time"]) - datetime(2026, 11, 27, 12, tzinfo=UTC)) < timedelta(minutes=1)
        assert parse_time(ran["result"]["event"]["time"]) == parse_time(ran["time"]).replace(microsecond=0)
        shown = stack.get("/_local/clock").json()
        assert shown["set"] is True and shown["time"].startswith("2026-11-27T12:0")
    finally:
        real = stack.post_json("/_local/clock", {"time": None})
    assert real.status == 200 and real.json()["set"] is False
    assert abs(parse_time(real.json()["time"]) - datetime.now(UTC)) < timedelta(minutes=1)


@pytest.mark.parametrize("body", [{}, {"time": "tomorrow"}, {"when": "2026-11-27T20:00:00+08:00"}, [1]])
def test_a_bad_clock_setting_is_400_and_changes_nothing(stack: Stack, body: Any) -> None:
    answer = stack.post_json("/_local/clock", body)
    assert answer.status == 400
    assert "time" in answer.json()["message"]
    assert stack.get("/_local/clock").json()["set"] is False


def test_unknown_schedule_is_404_and_a_bad_time_is_400(stack: Stack) -> None:
    unknown = stack.post_json("/_local/schedules/NoSuchSchedule")
    assert unknown.status == 404
    assert unknown.json()["known"] == ["Tick"]
    assert stack.post_json("/_local/schedules/Tick", {"time": "tomorrow"}).status == 400


def test_outbox_json_and_page(stack: Stack) -> None:
    ses = _aws_client(stack, "sesv2")
    for subject in ("outbox probe", "outbox probe, later"):
        ses.send_email(
            FromEmailAddress="desk@lobby.local",
            Destination={"ToAddresses": ["engineering@lobby.local"]},
            Content={
                "Simple": {
                    "Subject": {"Data": subject},
                    "Body": {
                        "Text": {"Data": "text part"},
                        "Html": {"Data": '<p class="x">html part</p><script>alert("x")</script>'},
                    },
                }
            },
        )
    mail = stack.wait_for_mail(_subject_is("outbox probe"))
    assert set(mail) == {"channel", "to", "from", "subject", "text", "html", "sent_at"}
    assert mail["channel"] == "email"
    assert mail["to"] == ["engineering@lobby.local"]
    assert mail["from"] == "desk@lobby.local"
    assert (mail["text"], mail["html"]) == (
        "text part",
        '<p class="x">html part</p><script>alert("x")</script>',
    )
    assert parse_time(mail["sent_at"]).tzinfo is not None

    page = stack.get("/_local/outbox")
    assert page.status == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert '<iframe sandbox=""' in page.text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page.text
    assert "<script>" not in page.text
    assert page.text.index("<h2>outbox probe, later</h2>") < page.text.index("<h2>outbox probe</h2>")


def test_missing_site_refuses_to_start(tmp_path: Path) -> None:
    with (
        pytest.raises(StackFailed, match="no site in"),
        running_stack(site_dir=tmp_path, template=PROBE_TEMPLATE),
    ):
        pass


def test_port_in_use_refuses_to_start() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(StackFailed, match=f"port {port} is in use"):  # noqa: SIM117
            with running_stack(port=port, template=PROBE_TEMPLATE):
                pass


def _port_left_by_a_crash() -> int:
    """A port nothing listens on, whose last connection the server's side closed first.

    That end of the connection lingers in TIME_WAIT for about a minute, as a crashed stack's do.
    """
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = int(server.getsockname()[1])
        with socket.create_connection(("127.0.0.1", port)) as client:
            accepted, _ = server.accept()
            accepted.close()
            client.recv(1)  # the server's FIN: the client closes second
    return port


def test_the_stack_starts_on_a_port_a_crashed_stack_left_behind() -> None:
    port = _port_left_by_a_crash()
    with socket.socket() as plain, pytest.raises(OSError):  # the state that refused `make dev` after a crash
        plain.bind(("127.0.0.1", port))
    with running_stack(port=port, template=PROBE_TEMPLATE) as own:
        assert own.get("/_local/health").json()["status"] == "ok"


def test_ctrl_c_stops_the_stack_cleanly() -> None:
    with running_stack(template=PROBE_TEMPLATE) as own:
        assert own.interrupt(timeout=10) == 0
        assert "Stopped." in own.console()
