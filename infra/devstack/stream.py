"""DynamoDB Streams → Lambda, locally: an event source mapping for the table's stream.

:class:`StreamPoller` reads the table's stream from moto, applies the event's
``FilterCriteria`` (with moto's own EventBridge pattern matcher, the language
Lambda's filters use), cuts batches of ``BatchSize``, honours partial batch
responses, ``MaximumRetryAttempts`` and ``BisectBatchOnFunctionError``, and keeps
what would go to the on-failure destination (:class:`FailureDestination`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
import uuid
from base64 import b64encode
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import boto3
from cfn import Tag
from moto.dynamodbstreams.models import dynamodbstreams_backends
from moto.events.exceptions import InvalidEventPatternException
from moto.events.models import EventPattern

from devstack.aws import TABLE_RESOURCE, utc_now_iso
from devstack.functions import ACCOUNT_ID, Background, LocalFunction, describe_failure

log = logging.getLogger("lobby.local")

# The comparison rules of EventBridge patterns that moto's matcher implements; it lets any other
# name match everything, so a misspelt rule is refused at start-up instead.
KNOWN_RULES = frozenset(
    {"prefix", "suffix", "equals-ignore-case", "anything-but", "exists", "numeric", "cidr", "wildcard"}
)


class PatternError(ValueError):
    """A filter pattern that Lambda would refuse or that the matcher would misread."""


def check_pattern(pattern: Any, where: str = "pattern") -> dict[str, Any]:
    """The pattern, parsed and validated by moto (as ``PutRule`` would) and checked for unknown rules."""
    if isinstance(pattern, str):
        try:
            pattern = json.loads(pattern)
        except ValueError:
            raise PatternError(f"{where}: not JSON") from None
    if not isinstance(pattern, Mapping):
        raise PatternError(f"{where}: must be an object")
    try:
        parsed = EventPattern.load(json.dumps(pattern)).get_pattern()
    except InvalidEventPatternException as error:
        raise PatternError(f"{where}: {error.message}") from None
    _check_rules(parsed, where)
    return parsed


def _check_rules(pattern: Mapping[str, Any], where: str) -> None:
    for key, expected in pattern.items():
        if key == "$or" and isinstance(expected, list):
            for index, alternative in enumerate(expected):
                if not isinstance(alternative, Mapping):
                    raise PatternError(f"{where}.$or[{index}]: must be an object")
                _check_rules(alternative, f"{where}.$or[{index}]")
        elif isinstance(expected, Mapping):
            _check_rules(expected, f"{where}.{key}")
        else:
            for rule in expected:
                if isinstance(rule, Mapping) and (len(rule) != 1 or next(iter(rule)) not in KNOWN_RULES):
                    raise PatternError(f"{where}.{key}: unsupported rule {rule!r}")


def matches(pattern: Mapping[str, Any], event: Mapping[str, Any]) -> bool:
    """Whether ``event`` matches an event pattern, as Lambda's filtering decides (moto's matcher)."""
    return EventPattern(None, dict(pattern)).matches_event(cast(Any, dict(event)))


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
                where = f"{function.logical_id}.{event_name}.Filters[{index}]"
                filters.append(check_pattern(entry["Pattern"], where))
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


class StreamPoller(Background):
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
        super().__init__(f"stream-{subscription.function.logical_id}")
        self.subscription = subscription
        self._stream_arn = stream_arn
        self._region = region
        self._destination = destination
        self._interval = interval
        self._backoff = backoff
        self._debug = debug
        self._iterator: str | None = None
        self._last_sequence: str | None = None
        self._client: Any = None

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
