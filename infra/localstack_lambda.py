"""The Lambda side of the local stack: the template's functions, their schedules and their stream.

- :func:`template_functions` reads every ``AWS::Serverless::Function`` of the
  template and imports its handler the way Lambda does (``CodeUri`` is the
  import root).
- :class:`StreamPoller` is a local event source mapping: it reads the table's
  stream from moto, applies the event's ``FilterCriteria``, cuts batches of
  ``BatchSize``, honours partial batch responses and ``MaximumRetryAttempts``,
  and keeps what would go to the on-failure destination.
- :func:`scheduler_event` / :class:`ScheduleClock` invoke ``ScheduleV2``
  functions as EventBridge Scheduler would.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import re
import sys
import threading
import time
import traceback
import uuid
from base64 import b64encode
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import boto3
from cfn import Tag
from localstack_aws import FUNCTIONS_DIR, TABLE_RESOURCE, StackError, utc_now_iso, with_parameter_defaults
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodbstreams.models import dynamodbstreams_backends

log = logging.getLogger("lobby.local")

ACCOUNT_ID = DEFAULT_ACCOUNT_ID
Handler = Callable[[dict[str, Any], Any], Any]


# ---------------------------------------------------------------------------
# Functions of the template
# ---------------------------------------------------------------------------


@dataclass
class LambdaContext:
    """The attributes of Lambda's context object that Powertools and handlers read."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    timeout_seconds: int
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = ""
    log_stream_name: str = "local"
    tenant_id: str | None = None
    _started: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        elapsed = time.monotonic() - self._started
        return max(0, int((self.timeout_seconds - elapsed) * 1000))


@dataclass
class LocalFunction:
    """One ``AWS::Serverless::Function`` of the template."""

    logical_id: str
    handler: str
    code_dir: Path
    memory_mb: int
    timeout_seconds: int
    events: dict[str, Any]
    region: str = "us-east-1"
    # The handler once imported; a test may set it directly to skip the import.
    implementation: Handler | None = field(default=None, repr=False)

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{ACCOUNT_ID}:function:{self.logical_id}"

    def context(self) -> LambdaContext:
        return LambdaContext(
            function_name=self.logical_id,
            invoked_function_arn=self.arn,
            memory_limit_in_mb=self.memory_mb,
            timeout_seconds=self.timeout_seconds,
            log_group_name=f"/aws/lambda/{self.logical_id}",
        )

    def load(self) -> Handler:
        """Import the handler (once), with ``CodeUri`` as the import root as in Lambda."""
        if self.implementation is None:
            module_name, _, attribute = self.handler.rpartition(".")
            code_dir = self.code_dir.resolve()
            if code_dir == FUNCTIONS_DIR or FUNCTIONS_DIR in code_dir.parents:
                # Under functions/ import by package path, so two functions' app.py never collide.
                prefix = code_dir.relative_to(FUNCTIONS_DIR).parts
                module_name = ".".join([*prefix, module_name])
                root = FUNCTIONS_DIR
            else:
                root = code_dir
            if str(root) not in sys.path:
                sys.path.insert(0, str(root))
            self.implementation = getattr(importlib.import_module(module_name), attribute)
        return self.implementation

    def invoke(self, event: dict[str, Any]) -> Any:
        return self.load()(event, self.context())


def template_functions(template: dict[str, Any], template_dir: Path, region: str) -> dict[str, LocalFunction]:
    defaults = template.get("Globals", {}).get("Function", {}) or {}
    functions = {}
    for logical_id, resource in (template.get("Resources") or {}).items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        props = {**defaults, **(resource.get("Properties") or {})}
        if not isinstance(props.get("CodeUri"), str) or not isinstance(props.get("Handler"), str):
            log.warning("%s: CodeUri and Handler must be plain strings to run locally; skipped", logical_id)
            continue
        functions[logical_id] = LocalFunction(
            logical_id=logical_id,
            handler=props["Handler"],
            code_dir=(template_dir / props["CodeUri"]),
            memory_mb=int(props.get("MemorySize", 128)),
            timeout_seconds=int(props.get("Timeout", 3)),
            events={
                name: {
                    **event,
                    "Properties": {
                        key: with_parameter_defaults(template, value)
                        for key, value in (event.get("Properties") or {}).items()
                    },
                }
                for name, event in (props.get("Events") or {}).items()
            },
            region=region,
        )
    return functions


def describe_failure(error: BaseException, debug: bool) -> str:
    """An error for the console: type and frames, without the message unless ``debug``.

    Exception messages (a validator's above all) can quote the input, which holds
    residents' names and phone numbers; the console never shows personal data.
    """
    if debug:
        return "".join(traceback.format_exception(error))
    frames = "".join(traceback.format_tb(error.__traceback__))
    return f"{frames}{type(error).__name__} (message hidden: run with --debug to show it)"


# ---------------------------------------------------------------------------
# Event filtering (the subset of EventBridge patterns Lambda filters use here)
# ---------------------------------------------------------------------------

_OPERATORS = ("prefix", "suffix", "equals-ignore-case", "anything-but", "exists")


class PatternError(ValueError):
    """A filter pattern uses something the local stack does not implement."""


def check_pattern(pattern: Any, where: str = "pattern") -> None:
    """Refuse, at start-up, a pattern the matcher would misread."""
    if not isinstance(pattern, Mapping):
        raise PatternError(f"{where}: must be an object")
    for key, expected in pattern.items():
        if isinstance(expected, Mapping):
            check_pattern(expected, f"{where}.{key}")
        elif isinstance(expected, list):
            for rule in expected:
                if isinstance(rule, Mapping) and (len(rule) != 1 or next(iter(rule)) not in _OPERATORS):
                    raise PatternError(f"{where}.{key}: unsupported rule {rule!r}")
        else:
            raise PatternError(f"{where}.{key}: a value must be a list or an object")


def matches(pattern: Mapping[str, Any], event: Mapping[str, Any]) -> bool:
    """Whether ``event`` matches an event pattern (every key must match; lists are alternatives)."""
    for key, expected in pattern.items():
        present = key in event
        value = event.get(key)
        if isinstance(expected, Mapping):
            if not isinstance(value, Mapping) or not matches(expected, value):
                return False
        elif not _matches_any(expected, value, present):
            return False
    return True


def _matches_any(rules: list[Any], value: Any, present: bool) -> bool:
    values = value if isinstance(value, list) else [value]
    for rule in rules:
        if isinstance(rule, Mapping):
            if _operator_matches(rule, values, present):
                return True
        elif present and any(candidate == rule and type(candidate) is type(rule) for candidate in values):
            return True
    return False


def _operator_matches(rule: Mapping[str, Any], values: list[Any], present: bool) -> bool:
    ((operator, argument),) = rule.items()
    if operator == "exists":
        return present == bool(argument)
    if not present:
        return False
    strings = [candidate for candidate in values if isinstance(candidate, str)]
    if operator == "prefix":
        return any(candidate.startswith(argument) for candidate in strings)
    if operator == "suffix":
        return any(candidate.endswith(argument) for candidate in strings)
    if operator == "equals-ignore-case":
        return any(candidate.casefold() == str(argument).casefold() for candidate in strings)
    if operator == "anything-but":
        excluded = argument if isinstance(argument, list) else [argument]
        return all(candidate not in excluded for candidate in values)
    raise PatternError(f"unsupported rule {operator!r}")


# ---------------------------------------------------------------------------
# DynamoDB stream → Lambda (a local event source mapping)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StreamSubscription:
    """A function's ``Type: DynamoDB`` event on the requests table.

    ``MaximumBatchingWindowInSeconds`` is not emulated: records go out on the
    next poll, which is never later than the window would allow.
    """

    event_name: str
    function: LocalFunction
    batch_size: int = 100
    maximum_retry_attempts: int = -1  # Lambda's default: retry until the record expires
    report_batch_item_failures: bool = False
    bisect_on_error: bool = False
    filters: tuple[Mapping[str, Any], ...] = ()

    def accepts(self, record: Mapping[str, Any]) -> bool:
        return not self.filters or any(matches(pattern, record) for pattern in self.filters)


def _references_table(stream: Any) -> bool:
    if isinstance(stream, Tag) and stream.name == "GetAtt":
        target = stream.value if isinstance(stream.value, str) else ".".join(stream.value)
        return target == f"{TABLE_RESOURCE}.StreamArn"
    return False


def stream_subscriptions(functions: Mapping[str, LocalFunction]) -> list[StreamSubscription]:
    found = []
    for function in functions.values():
        for event_name, event in function.events.items():
            props = event.get("Properties") or {}
            if event.get("Type") != "DynamoDB" or not _references_table(props.get("Stream")):
                continue
            filters = []
            for index, entry in enumerate((props.get("FilterCriteria") or {}).get("Filters") or []):
                pattern = entry["Pattern"]
                pattern = json.loads(pattern) if isinstance(pattern, str) else pattern
                check_pattern(pattern, f"{function.logical_id}.{event_name}.Filters[{index}]")
                filters.append(pattern)
            found.append(
                StreamSubscription(
                    event_name=event_name,
                    function=function,
                    batch_size=int(props.get("BatchSize", 100)),
                    maximum_retry_attempts=int(props.get("MaximumRetryAttempts", -1)),
                    report_batch_item_failures="ReportBatchItemFailures"
                    in (props.get("FunctionResponseTypes") or []),
                    bisect_on_error=bool(props.get("BisectBatchOnFunctionError", False)),
                    filters=tuple(filters),
                )
            )
    return found


def _wire_value(value: dict[str, Any]) -> dict[str, Any]:
    """An attribute value as Lambda's JSON carries it (boto3 hands binary back as bytes)."""
    ((kind, inner),) = value.items()
    if kind == "B":
        return {"B": b64encode(inner).decode()}
    if kind == "BS":
        return {"BS": [b64encode(item).decode() for item in inner]}
    if kind == "M":
        return {"M": {name: _wire_value(item) for name, item in inner.items()}}
    if kind == "L":
        return {"L": [_wire_value(item) for item in inner]}
    return {kind: inner}


def _wire_image(image: dict[str, Any]) -> dict[str, Any]:
    return {name: _wire_value(value) for name, value in image.items()}


def lambda_record(raw: Mapping[str, Any], region: str, stream_arn: str) -> dict[str, Any]:
    """A ``GetRecords`` record in the shape Lambda delivers it to a function."""
    stream = raw["dynamodb"]
    created = stream.get("ApproximateCreationDateTime")
    dynamodb: dict[str, Any] = {
        "ApproximateCreationDateTime": int(created.timestamp()) if created else int(time.time()),
        "Keys": _wire_image(stream["Keys"]),
    }
    for image in ("NewImage", "OldImage"):
        if image in stream:
            dynamodb[image] = _wire_image(stream[image])
    dynamodb["SequenceNumber"] = stream["SequenceNumber"]
    dynamodb["SizeBytes"] = stream["SizeBytes"]
    dynamodb["StreamViewType"] = stream["StreamViewType"]
    return {
        "eventID": raw["eventID"],
        "eventName": raw["eventName"],
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    }


def first_failed_index(
    batch: list[dict[str, Any]], response: Any, report_batch_item_failures: bool
) -> int | None:
    """Where Lambda resumes after this response: ``None`` when the whole batch succeeded.

    As on AWS, an identifier that names no record of the batch fails the whole batch.
    """
    if not report_batch_item_failures or not isinstance(response, Mapping):
        return None
    failures = response.get("batchItemFailures") or []
    sequence = [record["dynamodb"]["SequenceNumber"] for record in batch]
    indexes = []
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, Mapping) else None
        if identifier not in sequence:
            return 0
        indexes.append(sequence.index(identifier))
    return min(indexes) if indexes else None


class FailureDestination:
    """The on-failure destination: what Lambda would send to SQS/SNS, kept in memory."""

    def __init__(self) -> None:
        self._records: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def send(self, record: dict[str, Any]) -> None:
        with self._lock:
            self._records.append(record)

    def records(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._records)


class StreamPoller:
    """Reads the table's stream every ``interval`` seconds and invokes the subscribed function."""

    def __init__(
        self,
        subscription: StreamSubscription,
        stream_arn: str,
        region: str,
        destination: FailureDestination,
        *,
        interval: float = 0.25,
        backoff: float = 0.2,
        debug: bool = False,
    ) -> None:
        self.subscription = subscription
        self._stream_arn = stream_arn
        self._region = region
        self._destination = destination
        self._interval = interval
        self._backoff = backoff
        self._debug = debug
        self._iterator: str | None = None
        self._last_sequence: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"stream-{subscription.function.logical_id}", daemon=True
        )
        self._client: Any = None

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
            except Exception as error:  # the poller outlives any one bad read
                log.warning("stream poller: %s", describe_failure(error, self._debug))
                self._iterator = None
            self._stop.wait(self._interval)

    def poll_once(self) -> None:
        """Read what is new on the stream and deliver it."""
        if self._client is None:
            self._client = boto3.client("dynamodbstreams")
        # A fresh iterator after the last record seen, every time: moto rolls a cancelled transaction
        # back by restoring a copy of the table, and a kept iterator would go on reading the old stream.
        self._iterator = self._open_iterator()
        response = self._client.get_records(ShardIterator=self._iterator, Limit=1000)
        self._forget_iterator(self._iterator)
        if response["Records"]:
            self._last_sequence = str(response["Records"][-1]["dynamodb"]["SequenceNumber"])
        records = [lambda_record(raw, self._region, self._stream_arn) for raw in response["Records"]]
        accepted = [record for record in records if self.subscription.accepts(record)]
        size = self.subscription.batch_size
        for start in range(0, len(accepted), size):
            if self._stop.is_set():
                return
            self._deliver(accepted[start : start + size])

    def _open_iterator(self) -> str:
        stream = self._client.describe_stream(StreamArn=self._stream_arn)["StreamDescription"]
        shard_id = stream["Shards"][0]["ShardId"]
        position: dict[str, str] = (
            {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": self._last_sequence}
            if self._last_sequence
            else {"ShardIteratorType": "TRIM_HORIZON"}
        )
        iterator = self._client.get_shard_iterator(StreamArn=self._stream_arn, ShardId=shard_id, **position)
        return str(iterator["ShardIterator"])

    def _forget_iterator(self, iterator: str) -> None:
        """Drop a used iterator from moto, which otherwise keeps every one (four a second) forever."""
        with contextlib.suppress(KeyError, AttributeError):
            dynamodbstreams_backends[ACCOUNT_ID][self._region].shard_iterators.pop(iterator, None)

    def _deliver(self, batch: list[dict[str, Any]]) -> None:
        """Invoke until the batch succeeds, retrying from the first failed record, then give up.

        With ``BisectBatchOnFunctionError`` a batch whose invocation raised is
        split in two and each half delivered on its own; as on Lambda, the split
        does not count against ``MaximumRetryAttempts``.
        """
        subscription = self.subscription
        pending = batch
        attempts = 0
        while True:
            attempts += 1
            failed_from, error_kind = self._invoke(pending, attempts)
            if failed_from is None:
                return
            pending = pending[failed_from:]
            if error_kind and subscription.bisect_on_error and len(pending) > 1:
                half = len(pending) // 2
                for part in (pending[:half], pending[half:]):
                    if self._stop.is_set():
                        return
                    self._deliver(part)
                return
            retries_left = (
                subscription.maximum_retry_attempts < 0 or attempts <= subscription.maximum_retry_attempts
            )
            if not retries_left:
                self._give_up(pending, attempts, error_kind)
                return
            if self._stop.wait(min(self._backoff * attempts, 2.0)):
                return

    def _invoke(self, batch: list[dict[str, Any]], attempt: int) -> tuple[int | None, str | None]:
        function = self.subscription.function
        try:
            response = function.invoke({"Records": batch})
        except Exception as error:  # a crash fails the whole batch, as on Lambda
            log.warning(
                "%s failed on %d record(s), attempt %d:\n%s",
                function.logical_id,
                len(batch),
                attempt,
                describe_failure(error, self._debug),
            )
            return 0, "Unhandled"
        failed_from = first_failed_index(batch, response, self.subscription.report_batch_item_failures)
        if failed_from is not None:
            log.warning(
                "%s reported %d of %d record(s) failed, attempt %d",
                function.logical_id,
                len(response.get("batchItemFailures") or []),
                len(batch),
                attempt,
            )
        return failed_from, None

    def _give_up(self, batch: list[dict[str, Any]], attempts: int, error_kind: str | None) -> None:
        function = self.subscription.function
        first, last = batch[0]["dynamodb"], batch[-1]["dynamodb"]
        self._destination.send(
            {
                "requestContext": {
                    "requestId": str(uuid.uuid4()),
                    "functionArn": function.arn,
                    "condition": "RetryAttemptsExhausted",
                    "approximateInvokeCount": attempts,
                },
                "responseContext": {
                    "statusCode": 200,
                    "executedVersion": "$LATEST",
                    "functionError": error_kind,
                },
                "version": "1.0",
                "timestamp": utc_now_iso(),
                "DDBStreamBatchInfo": {
                    "shardId": self._iterator_shard(),
                    "startSequenceNumber": first["SequenceNumber"],
                    "endSequenceNumber": last["SequenceNumber"],
                    "approximateArrivalOfFirstRecord": _iso(first["ApproximateCreationDateTime"]),
                    "approximateArrivalOfLastRecord": _iso(last["ApproximateCreationDateTime"]),
                    "batchSize": len(batch),
                    "streamArn": self._stream_arn,
                },
            }
        )
        log.warning(
            "%s: %d record(s) (sequence %s..%s) sent to the on-failure destination after %d attempt(s)",
            function.logical_id,
            len(batch),
            first["SequenceNumber"],
            last["SequenceNumber"],
            attempts,
        )

    def _iterator_shard(self) -> str:
        try:
            stream = self._client.describe_stream(StreamArn=self._stream_arn)["StreamDescription"]
            return str(stream["Shards"][0]["ShardId"])
        except Exception:  # informational only
            return ""


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z")


# ---------------------------------------------------------------------------
# EventBridge Scheduler (ScheduleV2)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Schedule:
    """A function's ``Type: ScheduleV2`` event."""

    event_name: str
    function: LocalFunction
    expression: str
    time_zone: str = "UTC"
    input: str | None = None
    schedule_name: str | None = None
    enabled: bool = True

    @property
    def arn(self) -> str:
        name = self.schedule_name or f"{self.function.logical_id}-{self.event_name}"
        return f"arn:aws:scheduler:{self.function.region}:{ACCOUNT_ID}:schedule/default/{name}"

    def answers_to(self, name: str) -> bool:
        return name in (self.event_name, self.schedule_name, self.function.logical_id)


def schedules(functions: Mapping[str, LocalFunction]) -> list[Schedule]:
    found = []
    for function in functions.values():
        for event_name, event in function.events.items():
            if event.get("Type") != "ScheduleV2":
                continue
            props = event.get("Properties") or {}
            name = props.get("Name")
            found.append(
                Schedule(
                    event_name=event_name,
                    function=function,
                    expression=str(props.get("ScheduleExpression", "")),
                    time_zone=_time_zone(function, event_name, props.get("ScheduleExpressionTimezone")),
                    input=props.get("Input") if isinstance(props.get("Input"), str) else None,
                    schedule_name=name if isinstance(name, str) else None,
                    enabled=props.get("State", "ENABLED") != "DISABLED",
                )
            )
    return found


def _time_zone(function: LocalFunction, event_name: str, value: Any) -> str:
    if value is None:
        return "UTC"
    try:
        return ZoneInfo(str(value)).key
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        raise StackError(
            f"{function.logical_id}.{event_name}: ScheduleExpressionTimezone {value!r} is not a time zone"
        ) from None


def find_schedule(found: list[Schedule], name: str) -> Schedule | None:
    return next((schedule for schedule in found if schedule.answers_to(name)), None)


def parse_time(text: str) -> datetime:
    """An ISO-8601 instant; a time without an offset is taken as UTC."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def scheduler_event(schedule: Schedule, at: datetime) -> dict[str, Any]:
    """The event EventBridge Scheduler hands the function at ``at``, merged with the schedule's Input.

    The Input's context attributes (``<aws.scheduler.scheduled-time>`` …) are
    filled in, as Scheduler does for templated targets.
    """
    moment = at.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    execution = str(uuid.uuid4())
    event: dict[str, Any] = {
        "version": "0",
        "id": execution,
        "detail-type": "Scheduled Event",
        "source": "aws.scheduler",
        "account": ACCOUNT_ID,
        "time": moment,
        "region": schedule.function.region,
        "resources": [schedule.arn],
        "detail": {},
    }
    if schedule.input:
        attributes = {
            "<aws.scheduler.scheduled-time>": moment,
            "<aws.scheduler.execution-id>": execution,
            "<aws.scheduler.schedule-arn>": schedule.arn,
            "<aws.scheduler.attempt-number>": "1",
        }
        text = schedule.input
        for placeholder, value in attributes.items():
            text = text.replace(placeholder, value)
        extra = json.loads(text)
        if not isinstance(extra, dict):
            raise ValueError(f"{schedule.event_name}: Input must be a JSON object")
        event.update(extra)
    return event


def run_schedule(schedule: Schedule, at: datetime) -> Any:
    return schedule.function.invoke(scheduler_event(schedule, at))


_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def rate_interval(expression: str) -> timedelta | None:
    match = _RATE.match(expression.strip())
    if not match:
        return None
    return timedelta(seconds=int(match[1]) * _UNIT_SECONDS[match[2].rstrip("s")])


_MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_MONTHS = {name: index for index, name in enumerate(_MONTH_NAMES, 1)}
_WEEKDAYS = {name: index for index, name in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], 1)}


def _cron_field(text: str, low: int, high: int, names: Mapping[str, int]) -> set[int] | None:
    """The values a cron field allows; ``None`` when it uses syntax the local clock skips (L, W, #)."""
    values: set[int] = set()
    for written in text.upper().split(","):
        if written in ("*", "?"):
            values.update(range(low, high + 1))
            continue
        part = written
        for name, number in names.items():
            part = part.replace(name, str(number))
        if re.search(r"[^0-9*?/-]", part):
            return None
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if base in ("*", "?"):
            start, end = low, high
        elif "-" in base:
            first, last = base.split("-", 1)
            start, end = int(first), int(last)
        else:
            start = int(base)
            end = high if step_text else start
        values.update(range(start, end + 1, step))
    return values


@dataclass(frozen=True)
class Cron:
    """AWS's six-field cron (minutes hours day-of-month month day-of-week year), common syntax only."""

    minutes: set[int]
    hours: set[int]
    days: set[int]
    months: set[int]
    weekdays: set[int]  # 1 = Sunday, as AWS counts
    years: set[int]
    day_is_any: bool
    weekday_is_any: bool

    @classmethod
    def parse(cls, expression: str) -> Cron | None:
        match = re.match(r"^cron\((.*)\)$", expression.strip())
        if not match or len(match[1].split()) != 6:
            return None
        minute, hour, day, month, weekday, year = match[1].split()
        fields = (
            _cron_field(minute, 0, 59, {}),
            _cron_field(hour, 0, 23, {}),
            _cron_field(day, 1, 31, {}),
            _cron_field(month, 1, 12, _MONTHS),
            _cron_field(weekday, 1, 7, _WEEKDAYS),
            _cron_field(year, 1970, 2199, {}),
        )
        if any(values is None for values in fields):
            return None
        return cls(*fields, day_is_any=day in ("*", "?"), weekday_is_any=weekday in ("*", "?"))  # type: ignore[arg-type]

    def fires_at(self, moment: datetime) -> bool:
        weekday = moment.isoweekday() % 7 + 1
        day_ok = moment.day in self.days if not self.day_is_any else True
        weekday_ok = weekday in self.weekdays if not self.weekday_is_any else True
        return (
            moment.minute in self.minutes
            and moment.hour in self.hours
            and moment.month in self.months
            and moment.year in self.years
            and day_ok
            and weekday_ok
        )


class ScheduleClock:
    """Runs each enabled schedule on its own clock (``make dev`` only), checking once a minute."""

    def __init__(self, found: list[Schedule], *, debug: bool = False) -> None:
        self._debug = debug
        self._stop = threading.Event()
        self._rates: list[tuple[Schedule, timedelta]] = []
        self._crons: list[tuple[Schedule, Cron]] = []
        for schedule in found:
            if not schedule.enabled:
                continue
            interval = rate_interval(schedule.expression)
            cron = Cron.parse(schedule.expression)
            if interval:
                self._rates.append((schedule, interval))
            elif cron:
                self._crons.append((schedule, cron))
            else:
                log.info(
                    "schedule %s (%s) is not run by the local clock; POST /_local/schedules/%s runs it",
                    schedule.event_name,
                    schedule.expression,
                    schedule.event_name,
                )
        self._thread = threading.Thread(target=self._run, name="schedule-clock", daemon=True)

    @property
    def count(self) -> int:
        return len(self._rates) + len(self._crons)

    def start(self) -> None:
        if self.count:
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        started = datetime.now(UTC)
        due = {schedule.event_name: started + interval for schedule, interval in self._rates}
        while not self._stop.wait(60 - time.time() % 60 + 0.05):
            now = datetime.now(UTC).replace(second=0, microsecond=0)
            for schedule, interval in self._rates:
                if now >= due[schedule.event_name].replace(second=0, microsecond=0):
                    due[schedule.event_name] = now + interval
                    self._fire(schedule, now)
            for schedule, cron in self._crons:
                if cron.fires_at(now.astimezone(ZoneInfo(schedule.time_zone))):
                    self._fire(schedule, now)

    def _fire(self, schedule: Schedule, now: datetime) -> None:
        try:
            run_schedule(schedule, now)
            log.info("schedule %s ran at %s", schedule.event_name, now.isoformat())
        except Exception as error:  # one failed run never stops the clock
            log.warning("schedule %s failed:\n%s", schedule.event_name, describe_failure(error, self._debug))
