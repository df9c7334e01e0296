"""What Lobby costs on AWS: one request's whole life, counted by running the real code, then the month.

    .venv/bin/python bench/bench_cost.py [--write]

Every function of template.yaml runs in this process against moto, as deployed: the API gets
API Gateway's events, the stream-triggered functions get the table's stream records (filtered
and batched as their event source mappings say), the scheduled functions fire on their
schedules, and a simulated clock (time-machine) moves through a request's life:

  a resident files a minor repair on a working morning and checks its status; the office
  opens the link in its e-mail and takes it half an hour later, resolves it in the afternoon;
  then either the resident rates the work the next evening ("rated"), or does not, and the
  office records the follow-up when it is asked for ("followed up"). The clock runs on for
  40 days, through the reminders, daily digests and the monthly report that see the request.

Counting wrappers around botocore record what AWS would bill, so the figures follow the code
as it changes (a new item per message, a new function or schedule, another index):

- DynamoDB on-demand request units, as DynamoDB bills them: a write is 1 unit per KB of the
  larger of the item before and after (rounded up), twice inside a transaction; each global
  secondary index the write touches costs its own units on the projected item (a key change is
  a delete and a put); a read is 1 unit per 4 KB (GetItem: the whole item; Query: all items the
  key condition reads, before any filter, per page), half for eventually consistent reads.
  Stream reads by Lambda and TTL deletes are free. Storage: each item plus 100 bytes, in the
  table and in each index it appears in, for as long as it is kept (its expires_at).
- Lambda invocations and GB-seconds: memory from template.yaml; duration = the handler's own CPU
  time here (AWS calls excluded) scaled to the function's share of a vCPU (1,769 MB = one vCPU),
  plus a typical in-region latency per AWS call, plus the init phase (the handler module's
  import, measured in a fresh interpreter) when the invocation is cold (billed since 2025). A
  cold invocation also starts with the modules' caches empty, so it builds its clients and
  fetches the signing secret again. An invocation is cold when its function was idle for more
  than 5 minutes, and for every run of a schedule firing less often than that.
- messages (one per recipient, as SES bills), KMS requests behind SSM SecureString reads, log
  bytes (what the functions print, plus Lambda's START/END/REPORT lines), custom metrics.

The request's share is its life less the scheduled runs that found nothing of it (those runs
happen anyway: they are the fixed costs, each costed as on an empty table); a run that did
something for it counts, less one empty run. Rate schedules are simulated every 15 minutes for
the request's first two days, then every 2 hours (a step that falls due is found a little later,
at the same cost); the month counts every one of their firings. The bill uses the prices and the
handbook-traffic assumptions in site/data/costs.yaml, the same model the administrators' cost
page is built from; ``--write`` stores the measured figures there, so the page follows.

Target: a property of 2,000 flats filing 600 requests a month costs at most US$2 a month, text messages
aside: they are priced per message by the carriers (US$0.03 each to mainland China at the price recorded in
costs.yaml, about US$54 a month if every resident chose texts) and are printed beside the target.
"""

from __future__ import annotations

import argparse
import contextlib
import email
import email.policy
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import cfn
import compile_messages
import lambda_events as le

from devstack import functions as lambdas
from devstack import scheduler, stream

HANDBOOK_DATA = le.REPO / "site" / "hooks" / "handbook_data.py"

TARGET_DOLLARS = 2.00
TARGET_VOLUME = 600  # requests a month from a property of 2,000 flats
LIFE_DAYS = 40  # a repair is followed up within 30 days; the monthly report comes on the 1st
STEP = timedelta(minutes=15)  # the finest schedule step simulated, in the request's first days
ACTIVE = timedelta(days=2)  # filing, deadline and resolution, rating: every reminder run is simulated
IDLE_STEP = timedelta(hours=2)  # then rate schedules run every 2 hours (a due step is found later, same cost)
WARM_FOR = timedelta(minutes=5)  # an environment idle this long is taken as gone: the next call is cold
VCPU_MB = 1769  # Lambda gives one vCPU at 1,769 MB, proportionally less below
PLATFORM_LOG_BYTES = 320  # Lambda's START, END and REPORT lines per invocation
# Typical in-region latency of one call, in milliseconds (billed: the function waits for it).
LATENCY_MS = {"dynamodb": 6.0, "dynamodb-transaction": 12.0, "sesv2": 60.0, "ses": 60.0, "ssm": 15.0}
DEFAULT_LATENCY_MS = 20.0
SEND_OPERATIONS = {("sesv2", "SendEmail"), ("ses", "SendEmail"), ("ses", "SendRawEmail")}
CHILD_FLAG = "--life"
LINK = re.compile(r"/api/(?:actions|rate)/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)")


class UnmeteredCall(RuntimeError):
    """A function made an AWS call this benchmark has no billing rule for: add one."""


# --- what DynamoDB bills -------------------------------------------------------------------------


def _number_size(text: str) -> int:
    digits = text.lstrip("-").replace(".", "").lstrip("0").rstrip("0") or "0"
    return math.ceil(len(digits) / 2) + 1


def value_size(value: dict[str, Any]) -> int:
    """Bytes of one attribute value, as DynamoDB sizes items."""
    ((kind, inner),) = value.items()
    if kind == "S":
        return len(inner.encode())
    if kind == "N":
        return _number_size(str(inner))
    if kind == "B":
        return len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(item.encode()) for item in inner)
    if kind == "NS":
        return sum(_number_size(str(item)) for item in inner)
    if kind == "BS":
        return sum(len(item) for item in inner)
    if kind == "M":
        return 3 + sum(len(name.encode()) + value_size(item) + 1 for name, item in inner.items())
    if kind == "L":
        return 3 + sum(value_size(item) + 1 for item in inner)
    raise ValueError(f"unknown attribute type {kind}")


def item_size(item: dict[str, Any] | None) -> int:
    if not item:
        return 0
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def write_units(size: int) -> int:
    return max(1, math.ceil(size / 1024))


def read_units(size: int, consistent: bool) -> float:
    return max(1, math.ceil(size / 4096)) * (1.0 if consistent else 0.5)


@dataclass(frozen=True)
class Index:
    name: str
    keys: tuple[str, ...]
    projection: str  # ALL, KEYS_ONLY or INCLUDE
    included: tuple[str, ...] = ()

    def entry(self, item: dict[str, Any] | None, table_keys: tuple[str, ...]) -> dict[str, Any] | None:
        """The item as this index holds it, or None when the item is not in this (sparse) index."""
        if not item or not all(key in item for key in self.keys):
            return None
        if self.projection == "ALL":
            return item
        kept = (
            set(self.keys) | set(table_keys) | (set(self.included) if self.projection == "INCLUDE" else set())
        )
        return {name: value for name, value in item.items() if name in kept}


def index_write_units(
    index: Index, before: dict | None, after: dict | None, table_keys: tuple[str, ...]
) -> int:
    old, new = index.entry(before, table_keys), index.entry(after, table_keys)
    if old is None and new is None:
        return 0
    if old is None:
        return write_units(item_size(new))
    if new is None:
        return write_units(item_size(old))
    if any(old[key] != new[key] for key in index.keys):
        return write_units(item_size(old)) + write_units(item_size(new))
    if old == new:
        return 0
    return write_units(max(item_size(old), item_size(new)))


# --- the meter: a wrapper around every botocore call ---------------------------------------------


@dataclass
class Usage:
    """What AWS bills, added up."""

    invocations: Counter[str] = field(default_factory=Counter)  # by function
    cold_starts: Counter[str] = field(default_factory=Counter)
    gb_seconds: float = 0.0
    api_requests: int = 0
    api_bytes: int = 0  # answers the API sends back (through CloudFront)
    write_units: float = 0.0
    read_units: float = 0.0
    messages: int = 0
    texts: int = 0  # SMS segments, as SNS bills them
    kms_requests: int = 0
    metric_requests: int = 0
    log_bytes: int = 0
    calls: Counter[str] = field(default_factory=Counter)

    def scalar(self) -> dict[str, float]:
        return {
            "lambda_invocations": float(sum(self.invocations.values())),
            "lambda_gb_seconds": self.gb_seconds,
            "api_calls": float(self.api_requests),
            "api_kb": self.api_bytes / 1000,
            "dynamodb_write_units": self.write_units,
            "dynamodb_read_units": self.read_units,
            "emails": float(self.messages),
            "texts": float(self.texts),
            "kms_requests": float(self.kms_requests),
            "metric_requests": float(self.metric_requests),
            "log_kb": self.log_bytes / 1000,
        }


class Meter:
    """Counts what each call inside a function invocation would cost; calls outside are the harness's."""

    def __init__(self, table: str) -> None:
        from botocore.client import BaseClient

        self.table = table
        self.usage = Usage()
        self.active = False
        self.aws_cpu = 0.0  # CPU time spent in AWS calls (moto) during the current invocation
        self.latency_ms = 0.0
        self.sent: list[str] = []  # bodies of the messages sent, for their links
        self.writes = 0  # table writes so far: no write, no stream record to deliver
        self.unmetered: set[str] = set()  # calls with no billing rule: the life is refused
        self.indexes: list[Index] = []
        self.table_keys: tuple[str, ...] = ()
        self._original = BaseClient._make_api_call
        meter = self

        def counted(client: Any, operation: str, params: dict[str, Any]) -> Any:
            if not meter.active:
                return meter._original(client, operation, params)
            meter.active = False  # the meter's own look-ups are not counted
            started = time.process_time()
            try:
                return meter.call(client, operation, params)
            except UnmeteredCall as unmetered:
                # The functions catch failures (a delivery is retried, a count let go): keep it for the end.
                meter.unmetered.add(str(unmetered))
                raise
            finally:
                meter.aws_cpu += time.process_time() - started
                meter.active = True

        self._counted = counted

    @contextlib.contextmanager
    def installed(self) -> Iterator[Meter]:
        from botocore.client import BaseClient

        BaseClient._make_api_call = self._counted  # type: ignore[method-assign]
        try:
            yield self
        finally:
            BaseClient._make_api_call = self._original  # type: ignore[method-assign]

    def describe(self, client: Any) -> None:
        table = self._original(client, "DescribeTable", {"TableName": self.table})["Table"]
        self.table_keys = tuple(key["AttributeName"] for key in table["KeySchema"])
        self.indexes = [
            Index(
                index["IndexName"],
                tuple(key["AttributeName"] for key in index["KeySchema"]),
                index["Projection"]["ProjectionType"],
                tuple(index["Projection"].get("NonKeyAttributes", ())),
            )
            for index in table.get("GlobalSecondaryIndexes", [])
        ]

    def call(self, client: Any, operation: str, params: dict[str, Any]) -> Any:
        service = client.meta.service_model.service_name
        self.usage.calls[f"{service}.{operation}"] += 1
        if service == "dynamodb":
            return self._dynamodb(client, operation, params)
        self.latency_ms += LATENCY_MS.get(service, DEFAULT_LATENCY_MS)
        if (service, operation) in SEND_OPERATIONS:
            self.usage.messages += _recipients(params)
            self.sent.append(_message_text(params))
        elif service == "sns" and operation == "Publish":
            self.usage.texts += _segments(str(params.get("Message", "")))
        elif service == "sns" and operation == "CheckIfPhoneNumberIsOptedOut":
            pass  # no charge
        elif service == "ssm" and operation in ("GetParameter", "GetParameters", "GetParametersByPath"):
            self.usage.kms_requests += 1 if params.get("WithDecryption") else 0
        elif service == "cloudwatch" and operation == "PutMetricData":
            self.usage.metric_requests += 1
        else:
            raise UnmeteredCall(f"{service}.{operation}: this benchmark has no price for it")
        return self._original(client, operation, params)

    # DynamoDB --------------------------------------------------------------------------------

    def _get(self, client: Any, key: dict[str, Any]) -> dict[str, Any] | None:
        found = self._original(
            client, "GetItem", {"TableName": self.table, "Key": key, "ConsistentRead": True}
        )
        return found.get("Item")

    def _key(self, item: dict[str, Any]) -> dict[str, Any]:
        return {name: item[name] for name in self.table_keys}

    def _write(self, before: dict | None, after: dict | None, transaction: bool, changed: bool) -> None:
        units = write_units(max(item_size(before), item_size(after)))
        self.writes += 1
        self.usage.write_units += units * (2 if transaction else 1)
        if changed:  # index writes follow a change of the item (standard writes, also for transactions)
            self.usage.write_units += sum(
                index_write_units(index, before, after, self.table_keys) for index in self.indexes
            )

    def _dynamodb(self, client: Any, operation: str, params: dict[str, Any]) -> Any:
        from botocore.exceptions import ClientError

        if params.get("TableName", self.table) != self.table:
            raise UnmeteredCall(f"dynamodb.{operation} on another table")
        if operation in ("PutItem", "UpdateItem", "DeleteItem"):
            self.latency_ms += LATENCY_MS["dynamodb"]
            key = self._key(params["Item"]) if operation == "PutItem" else params["Key"]
            before = self._get(client, key)
            try:
                result = self._original(client, operation, params)
            except ClientError:
                self._write(before, params.get("Item") or before, transaction=False, changed=False)
                raise
            self._write(before, self._get(client, key), transaction=False, changed=True)
            return result
        if operation == "TransactWriteItems":
            self.latency_ms += LATENCY_MS["dynamodb-transaction"]
            parts = []
            for entry in params["TransactItems"]:
                ((kind, body),) = entry.items()
                if body.get("TableName") != self.table:
                    raise UnmeteredCall("a transaction on another table")
                key = self._key(body["Item"]) if kind == "Put" else body["Key"]
                parts.append((kind, body, key, self._get(client, key)))
            try:
                result = self._original(client, operation, params)
            except ClientError:
                for _, body, _, before in parts:
                    self._write(before, body.get("Item") or before, transaction=True, changed=False)
                raise
            for kind, _, key, before in parts:
                after = before if kind == "ConditionCheck" else self._get(client, key)
                self._write(before, after, transaction=True, changed=kind != "ConditionCheck")
            return result
        if operation == "GetItem":
            self.latency_ms += LATENCY_MS["dynamodb"]
            whole = self._get(client, params["Key"])
            self.usage.read_units += read_units(item_size(whole), bool(params.get("ConsistentRead")))
            return self._original(client, operation, params)
        if operation == "BatchGetItem":  # each item is its own read, rounded up on its own
            self.latency_ms += LATENCY_MS["dynamodb"]
            for table, asked in params["RequestItems"].items():
                if table != self.table:
                    raise UnmeteredCall("dynamodb.BatchGetItem on another table")
                consistent = bool(asked.get("ConsistentRead"))
                for key in asked["Keys"]:
                    self.usage.read_units += read_units(item_size(self._get(client, key)), consistent)
            return self._original(client, operation, params)
        if operation == "Query":
            self.latency_ms += LATENCY_MS["dynamodb"]
            result = self._original(client, operation, params)
            read = self._original(client, "Query", _unfiltered(params))["Items"]
            consistent = bool(params.get("ConsistentRead")) and "IndexName" not in params
            self.usage.read_units += read_units(sum(item_size(item) for item in read), consistent)
            return result
        raise UnmeteredCall(f"dynamodb.{operation}: add its billing rule to bench_cost.py")

    def storage(self, client: Any, moment: datetime) -> tuple[float, float]:
        """Bytes × months the table and its indexes keep of what is stored now (TTL'd items until they expire)."""
        table_gb_months = index_gb_months = 0.0
        pages = self._original(client, "Scan", {"TableName": self.table, "ConsistentRead": True})
        items = list(pages["Items"])
        while "LastEvaluatedKey" in pages:
            pages = self._original(
                client, "Scan", {"TableName": self.table, "ExclusiveStartKey": pages["LastEvaluatedKey"]}
            )
            items.extend(pages["Items"])
        for item in items:
            months = _months_kept(item, moment)
            table_gb_months += (item_size(item) + 100) / 1e9 * months
            for index in self.indexes:
                entry = index.entry(item, self.table_keys)
                if entry is not None:
                    index_gb_months += (item_size(entry) + 100) / 1e9 * months
        return table_gb_months, index_gb_months


KEPT_WITHOUT_EXPIRY_MONTHS = 25.0  # an item with no expires_at: counted as kept as long as a closed request


def _months_kept(item: dict[str, Any], moment: datetime) -> float:
    expires = item.get("expires_at", {}).get("N")
    if expires is None:
        return KEPT_WITHOUT_EXPIRY_MONTHS
    return max(0.0, (int(Decimal(expires)) - moment.timestamp()) / (30.44 * 86400))


def _unfiltered(params: dict[str, Any]) -> dict[str, Any]:
    """The same Query without its filter and projection: what DynamoDB reads (and bills) for it."""
    kept = {
        key: value
        for key, value in params.items()
        if key
        in (
            "TableName",
            "IndexName",
            "KeyConditionExpression",
            "Limit",
            "ExclusiveStartKey",
            "ScanIndexForward",
        )
    }
    condition = params.get("KeyConditionExpression", "")
    names = {k: v for k, v in params.get("ExpressionAttributeNames", {}).items() if k in condition}
    values = {k: v for k, v in params.get("ExpressionAttributeValues", {}).items() if k in condition}
    return {
        **kept,
        **({"ExpressionAttributeNames": names} if names else {}),
        "ExpressionAttributeValues": values,
    }


def _segments(text: str) -> int:
    """The SMS segments SNS bills for a text: 160 GSM-7 characters, else 70 UCS-2 (one segment, or
    153 / 67 per part of a longer one)."""
    from views.texts import segment_size

    length, limit = segment_size(text)
    part = limit if length <= limit else limit - (7 if limit == 160 else 3)
    return max(1, math.ceil(length / part))


def _recipients(params: dict[str, Any]) -> int:
    destination = params.get("Destination") or {}
    addresses = sum(
        len(destination.get(field, [])) for field in ("ToAddresses", "CcAddresses", "BccAddresses")
    )
    if addresses:
        return addresses
    raw = (params.get("Content") or {}).get("Raw") or params.get("RawMessage") or {}
    message = email.message_from_bytes(bytes(raw.get("Data") or b""), policy=email.policy.default)
    return sum(len(message.get_all(header, [])) for header in ("To", "Cc", "Bcc")) or 1


def _message_text(params: dict[str, Any]) -> str:
    simple = (params.get("Content") or {}).get("Simple") or params.get("Message") or {}
    body = simple.get("Body") or {}
    parts = [str((body.get(kind) or {}).get("Data", "")) for kind in ("Html", "Text")]
    raw = (params.get("Content") or {}).get("Raw") or params.get("RawMessage") or {}
    if raw.get("Data"):
        message = email.message_from_bytes(bytes(raw["Data"]), policy=email.policy.default)
        parts.extend(
            str(part.get_content()) for part in message.walk() if part.get_content_maintype() == "text"
        )
    return "\n".join(parts)


# --- the functions, their triggers and the clock -------------------------------------------------


_SINK = tempfile.TemporaryFile()  # noqa: SIM115 - one file for every invocation's output, for the whole run


@contextlib.contextmanager
def captured_output() -> Iterator[list[int]]:
    """Count the bytes written to stdout and stderr (file descriptors 1 and 2) inside the block."""
    size = [0]
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    _SINK.seek(0)
    _SINK.truncate()
    os.dup2(_SINK.fileno(), 1)
    os.dup2(_SINK.fileno(), 2)
    try:
        yield size
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        os.close(saved[0])
        os.close(saved[1])
        size[0] = _SINK.seek(0, os.SEEK_END)


def import_seconds(handlers: set[str], env: dict[str, str]) -> dict[str, float]:
    """CPU seconds each handler module takes to import in a fresh interpreter (the cold init), median of 3."""
    code = "import importlib, time; t = time.process_time(); importlib.import_module({!r}); print(time.process_time() - t)"
    found = {}
    for handler in sorted(handlers):
        module = handler.rpartition(".")[0]
        runs = [
            float(
                subprocess.run(
                    [sys.executable, "-c", code.format(module)],
                    env={**os.environ, **env, "PYTHONPATH": str(le.FUNCTIONS)},
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
            )
            for _ in range(3)
        ]
        found[handler] = statistics.median(runs)
    return found


CODE_PACKAGES = tuple(sorted(path.parent.name for path in le.FUNCTIONS.glob("*/__init__.py")))


def fresh_environment() -> None:
    """Forget what the functions' modules cache (clients, settings, the catalog, the signing secret), as a
    new Lambda environment starts without it: its first calls are made again, and counted."""
    for name, module in list(sys.modules.items()):
        if name.partition(".")[0] not in CODE_PACKAGES:
            continue
        for value in list(vars(module).values()):
            if getattr(value, "__module__", None) == name and callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


class Account:
    """moto with the template's table, SES identity and signing secret, the functions and their triggers."""

    def __init__(self, meter: Meter, imports: dict[str, float]) -> None:
        import boto3

        self.meter = meter
        self.imports = imports
        self.template = cfn.load_template()
        self.dynamodb = boto3.client("dynamodb", region_name=le.REGION)
        cfn.create_table(self.dynamodb, self.template, "RequestsTable", le.TABLE)
        boto3.client("sesv2", region_name=le.REGION).create_email_identity(EmailIdentity=le.SENDER)
        boto3.client("ses", region_name=le.REGION).verify_email_identity(EmailAddress=le.SENDER)
        boto3.client("ssm", region_name=le.REGION).put_parameter(
            Name=le.SIGNING_PARAMETER, Value=le.SIGNING_SECRET, Type="SecureString"
        )
        meter.describe(self.dynamodb)
        self.streams = boto3.client("dynamodbstreams", region_name=le.REGION)
        self.stream_arn = self.dynamodb.describe_table(TableName=le.TABLE)["Table"]["LatestStreamArn"]
        self.functions = lambdas.template_functions(self.template, le.REPO, le.REGION)
        self.functions = {
            name: function
            for name, function in self.functions.items()
            if function.code_dir.resolve().is_relative_to(le.FUNCTIONS)
        }
        self.subscriptions = stream.stream_subscriptions(self.functions)
        self.schedules = [schedule for schedule in scheduler.schedules(self.functions) if schedule.enabled]
        self.api = next(
            function
            for function in self.functions.values()
            if any(event.get("Type") in ("HttpApi", "Api") for event in function.events.values())
        )
        self.last_call: dict[str, datetime] = {}
        self.iterators: dict[str, str] = {}
        self.responses: list[str] = []

    def renew_table(self) -> None:
        """An empty table again (and its new stream), as freshly deployed."""

        self.dynamodb.delete_table(TableName=le.TABLE)
        cfn.create_table(self.dynamodb, self.template, "RequestsTable", le.TABLE)
        self.stream_arn = self.dynamodb.describe_table(TableName=le.TABLE)["Table"]["LatestStreamArn"]
        self.iterators.clear()
        self.last_call.clear()

    def invoke(self, function: Any, event: dict[str, Any], now: datetime, cold: bool | None = None) -> Any:
        usage, meter = self.meter.usage, self.meter
        last = self.last_call.get(function.logical_id)
        self.last_call[function.logical_id] = now
        if cold is None:
            cold = last is None or now - last > WARM_FOR
        scale = VCPU_MB / function.memory_mb
        if cold:
            fresh_environment()
        meter.aws_cpu, meter.latency_ms = 0.0, 0.0
        with captured_output() as printed:
            started = time.process_time()
            meter.active = True
            try:
                result = function.invoke(event)
            finally:
                meter.active = False
            own = time.process_time() - started - meter.aws_cpu
        billed_ms = math.ceil(own * 1000 * scale + meter.latency_ms)
        if cold:
            billed_ms += math.ceil(self.imports[function.handler] * 1000 * scale)
            usage.cold_starts[function.logical_id] += 1
        usage.invocations[function.logical_id] += 1
        usage.gb_seconds += billed_ms / 1000 * function.memory_mb / 1024
        usage.log_bytes += printed[0] + PLATFORM_LOG_BYTES
        return result

    def deliver_stream(self, now: datetime) -> None:
        """Hand new stream records to the subscribed functions until none are left (Lambda's polling is free)."""

        while True:
            writes = self.meter.writes
            records = []
            for shard in self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"][
                "Shards"
            ]:
                shard_id = shard["ShardId"]
                iterator = (
                    self.iterators.get(shard_id)
                    or self.streams.get_shard_iterator(
                        StreamArn=self.stream_arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
                    )["ShardIterator"]
                )
                response = self.streams.get_records(ShardIterator=iterator)
                self.iterators[shard_id] = response["NextShardIterator"]
                records.extend(
                    stream.lambda_record(raw, le.REGION, self.stream_arn) for raw in response["Records"]
                )
            if not records:
                return
            for subscription in self.subscriptions:
                accepted = [record for record in records if subscription.accepts(record)]
                for start in range(0, len(accepted), subscription.batch_size):
                    batch = accepted[start : start + subscription.batch_size]
                    result = self.invoke(subscription.function, {"Records": batch}, now)
                    if isinstance(result, dict) and result.get("batchItemFailures"):
                        raise RuntimeError(f"{subscription.function.logical_id} failed records: {result}")
            if self.meter.writes == writes:
                return

    def call_api(
        self, method: str, path: str, now: datetime, body: str | None = None, form: bool = False
    ) -> str:
        content_type = "application/x-www-form-urlencoded" if form else ("application/json" if body else None)
        result = self.invoke(self.api, le.http_event(method, path, body, content_type), now)
        status = result.get("statusCode", 500)
        text = result.get("body") or ""
        if not 200 <= status < 300:
            raise RuntimeError(f"{method} {path} answered {status}")
        self.meter.usage.api_requests += 1
        self.meter.usage.api_bytes += len(text.encode()) + 300  # body and headers
        self.responses.append(text)
        self.deliver_stream(now)
        return str(text)

    def fire(self, schedule: Any, now: datetime, cold: bool) -> None:

        writes = self.meter.writes
        self.invoke(schedule.function, scheduler.scheduler_event(schedule, now), now, cold=cold)
        if self.meter.writes != writes:
            self.deliver_stream(now)

    def links(self, now: datetime) -> dict[str, str]:
        """The newest signed link of each action, from every message sent and page answered so far."""
        from lobby import links

        found = {}
        for text in [*self.meter.sent, *self.responses]:
            for token in LINK.findall(text):
                try:
                    found[links.verify(le.SIGNING_SECRET.encode(), token, now).action] = token
                except (links.LinkInvalid, links.LinkExpired):
                    continue
        return found


# --- schedules ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """When a schedule fires: every ``interval``, or on a cron in its time zone."""

    interval: timedelta | None
    cron: Any
    zone: ZoneInfo

    def fires(self, moment: datetime, pace: timedelta) -> bool:
        if self.interval is not None:
            step = max(self.interval, pace)
            return int(moment.timestamp()) % int(step.total_seconds()) == 0
        return bool(self.cron.fires_at(moment.astimezone(self.zone)))

    def per_month(self) -> float:
        if self.interval is not None:
            return 730 * 3600 / self.interval.total_seconds()  # AWS's month of 730 hours
        start = datetime(2027, 1, 1, tzinfo=UTC)
        minutes = sum(
            1
            for n in range(0, 365 * 24 * 60)
            if self.cron.fires_at((start + timedelta(minutes=n)).astimezone(self.zone))
        )
        return minutes / 12

    @property
    def warm(self) -> bool:
        return self.interval is not None and self.interval <= WARM_FOR


def timing(schedule: Any) -> Timing:

    interval = scheduler.rate_interval(schedule.expression)
    cron = None if interval else scheduler.Cron.parse(schedule.expression)
    if interval is None and cron is None:
        raise UnmeteredCall(f"{schedule.event_name}: cannot simulate the schedule {schedule.expression}")
    return Timing(interval, cron, ZoneInfo(schedule.time_zone))


# --- one request's life -------------------------------------------------------------------------


RATING = {"quality": "5", "effect": "5", "attitude": "5", "satisfied": "yes", "comments": ""}


@dataclass
class Life:
    name: str
    share: dict[str, float]  # the request's share: its life less the firings that found nothing of it
    invocations: dict[str, int]
    cold_starts: dict[str, int]
    calls: dict[str, int]
    busy: dict[str, int]  # scheduled firings that did something for the request
    idle: dict[str, int]  # and those that did not
    table_gb_months: float
    index_gb_months: float
    steps: list[str]
    empty: dict[str, dict[str, float]]  # each schedule's firing on the empty table


def office_morning(catalog: Any) -> datetime:
    """A working morning, 40 minutes after the office opens, on a fixed date, so runs are comparable.

    The date is in June: its 40 days reach a month's 1st (the monthly report) and stay clear of the
    autumn, when a year whose holidays the calendar does not know yet sets off a daily e-mail to the
    administrator until the year is added. That notice is a chore of a few weeks, not a monthly cost,
    and a run in November would count it, and stop counting it once the calendar learns the year.
    """
    from lobby.deadlines import next_office_open

    return next_office_open(datetime(2026, 5, 31, 20, 0, tzinfo=UTC), catalog.property) + timedelta(
        minutes=40
    )


EXACT = (
    "lambda_invocations",
    "api_calls",
    "dynamodb_write_units",
    "dynamodb_read_units",
    "emails",
    "texts",
    "kms_requests",
)


def _delta(after: dict[str, float], before: dict[str, float]) -> dict[str, float]:
    return {key: value - before.get(key, 0.0) for key, value in after.items()}


@dataclass
class Timeline:
    """The clock from the first morning to the end of the life, with every scheduled firing on it."""

    account: Account
    clock: Any  # time_machine's traveller
    start: datetime
    end: datetime
    timings: dict[str, Timing]
    follows_up: bool = False  # the office records the follow-up when a message asks for it
    steps: list[str] = field(default_factory=list)

    def run(
        self, script: list[tuple[timedelta, Step]], firing: Callable[[str, datetime, dict[str, float]], None]
    ) -> None:
        """Play the script's steps at their times and fire every schedule due; report each firing's cost."""
        account, meter, start = self.account, self.account.meter, self.start
        moment, asked_follow_up, seen = start, not self.follows_up, 0
        while moment <= self.end:
            for at, step in [entry for entry in script if entry[0] <= moment - start]:
                script.remove((at, step))
                self.clock.move_to(start + at)
                self.steps.append(f"{_offset(at)} {step(account, start + at)}")
            self.clock.move_to(moment)
            pace = STEP if moment - start < ACTIVE else IDLE_STEP
            for schedule in account.schedules:
                plan = self.timings[schedule.event_name]
                if plan.fires(moment, pace):
                    so_far = meter.usage.scalar()
                    account.fire(schedule, moment, cold=not plan.warm)
                    firing(schedule.event_name, moment, _delta(meter.usage.scalar(), so_far))
            if (
                not asked_follow_up
                and len(meter.sent) != seen
                and (token := account.links(moment).get("followup"))
            ):
                script.append((moment - start + timedelta(hours=1), follow_up(token)))
                asked_follow_up = True
            seen = len(meter.sent)
            moment = _next_moment(moment, self.timings, pace)


def live(rated: bool, imports: dict[str, float], catalog_json: Path, days: int = LIFE_DAYS) -> dict[str, Any]:
    """Run the timeline twice in one account: with an empty table, then with one request's life.

    The first pass gives every scheduled firing's cost with no request (the fixed costs, day by
    day: a digest on a day off costs less). In the second, a firing that costs what it cost at the
    same moment in the first (same invocations, request units, messages) found nothing of the
    request: it is left out of the request's share. Any other firing counts, less its empty twin.
    """
    import time_machine
    from moto import mock_aws

    os.environ.update(le.function_environment(catalog_json))
    os.environ.pop("AWS_ENDPOINT_URL", None)
    with mock_aws(), Meter(le.TABLE).installed() as meter:
        from lobby.catalog import load_catalog

        account = Account(meter, imports)
        start = office_morning(load_catalog())
        timings = {schedule.event_name: timing(schedule) for schedule in account.schedules}
        with time_machine.travel(start, tick=False) as clock:
            empty: dict[tuple[str, datetime], dict[str, float]] = {}
            Timeline(account, clock, start, start + timedelta(days=days), timings).run(
                [], lambda name, moment, cost: empty.__setitem__((name, moment), cost)
            )
            account.renew_table()
            meter.usage = Usage()
            busy: Counter[str] = Counter()
            idle: Counter[str] = Counter()
            left_out: Counter[str] = Counter()

            def firing(name: str, moment: datetime, cost: dict[str, float]) -> None:
                twin = empty[(name, moment)]
                if all(abs(cost[key] - twin[key]) < 1e-9 for key in EXACT):
                    idle[name] += 1
                    left_out.update(cost)
                else:
                    busy[name] += 1
                    left_out.update(twin)

            life = Timeline(
                account, clock, start, start + timedelta(days=days), timings, follows_up=not rated
            )
            life.run(life_script(rated), firing)
            table_gb_months, index_gb_months = meter.storage(account.dynamodb, life.end)
        if meter.unmetered:
            raise UnmeteredCall("; ".join(sorted(meter.unmetered)))
    usage = meter.usage
    per_schedule: dict[str, list[dict[str, float]]] = {}
    for (name, _), cost in empty.items():
        per_schedule.setdefault(name, []).append(cost)
    return {
        "share": _delta(usage.scalar(), dict(left_out)),
        "invocations": dict(usage.invocations),
        "cold_starts": dict(usage.cold_starts),
        "calls": dict(usage.calls),
        "busy": dict(busy),
        "idle": dict(idle),
        "table_gb_months": table_gb_months,
        "index_gb_months": index_gb_months,
        "steps": life.steps,
        # each schedule's mean firing with no request: its fixed cost per firing
        "empty": {
            name: {key: statistics.fmean(c[key] for c in costs) for key in costs[0]}
            for name, costs in per_schedule.items()
        },
    }


def run_life(name: str, rated: bool, imports: dict[str, float], catalog_json: Path, days: int) -> Life:
    """One life in a fresh interpreter (no client, setting or catalog cached from another)."""
    spec = json.dumps({"rated": rated, "imports": imports, "catalog": str(catalog_json), "days": days})
    done = subprocess.run(
        [sys.executable, __file__, CHILD_FLAG, spec], capture_output=True, text=True, check=False, cwd=le.REPO
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("LIFE ")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"life '{name}' failed:\n{done.stderr[-3000:] or done.stdout[-3000:]}")
    return Life(name=name, **json.loads(lines[-1].removeprefix("LIFE ")))


def _next_moment(moment: datetime, timings: dict[str, Timing], pace: timedelta) -> datetime:
    """The next minute a schedule fires, at the current pace."""
    candidate = moment + timedelta(minutes=1)
    while candidate < moment + pace and not any(plan.fires(candidate, pace) for plan in timings.values()):
        candidate += timedelta(minutes=1)
    return candidate


def _offset(at: timedelta) -> str:
    hours = int(at.total_seconds() // 3600)
    return f"+{hours // 24}d{hours % 24:02d}h{int(at.total_seconds() % 3600 // 60):02d}"


Step = Callable[[Account, datetime], str | None]


def life_script(rated: bool) -> list[tuple[timedelta, Step]]:
    reference: dict[str, str] = {}

    def submit(account: Account, now: datetime) -> str:
        answer = json.loads(
            # "both": the resident hears by e-mail and by text, the costlier choice.
            account.call_api(
                "POST", "/api/requests/repair", now, json.dumps({**le.SAMPLE_REPAIR, "notify_by": "both"})
            )
        )
        reference["value"] = answer["reference"]
        return "filed (resident and office e-mailed)"

    def status(account: Account, now: datetime) -> str:
        body = {"reference": reference["value"], "contact": le.SAMPLE_REPAIR["phone"], "lang": "en"}
        account.call_api("POST", "/api/status", now, json.dumps(body))
        return "status looked up"

    def staff(action: str) -> Step:
        def act(account: Account, now: datetime) -> str:
            token = account.links(now)[action]
            account.call_api("GET", f"/api/actions/{token}", now)
            fields = {"actor": "Bench Engineer", "note": "Tap washer replaced."}
            account.call_api("POST", f"/api/actions/{token}", now, urlencode(fields), form=True)
            return f"{action} (link opened, then confirmed)"

        return act

    def rate(account: Account, now: datetime) -> str:
        token = account.links(now)["rate"]
        account.call_api("GET", f"/api/rate/{token}", now)
        account.call_api("POST", f"/api/rate/{token}", now, urlencode(RATING), form=True)
        return "rated by the resident"

    script: list[tuple[timedelta, Step]] = [
        (timedelta(0), submit),
        (timedelta(minutes=5), status),
        (timedelta(minutes=30), staff("acknowledge")),
        (timedelta(hours=6), staff("resolve")),
    ]
    if rated:
        script.append((timedelta(days=1, hours=5), rate))
    return script


def follow_up(token: str) -> Step:
    def record(account: Account, now: datetime) -> str:
        account.call_api("GET", f"/api/actions/{token}", now)
        fields = {**RATING, "actor": "Bench Service Desk"}
        account.call_api("POST", f"/api/actions/{token}", now, urlencode(fields), form=True)
        return "follow-up recorded by the office (link from its reminder)"

    return record


# --- the bill -----------------------------------------------------------------------------------


def share_of_request(life: Life) -> dict[str, float]:
    share = {**life.share, "table_gb_months": life.table_gb_months, "index_gb_months": life.index_gb_months}
    return {key: max(0.0, value) for key, value in share.items()}


def fixed_month(empty: dict[str, dict[str, float]], timings: dict[str, Timing]) -> dict[str, float]:
    """Every schedule's firings in a month, each costing what it costs on an empty table."""
    month: Counter[str] = Counter()
    for schedule, usage in empty.items():
        per_month = timings[schedule].per_month()
        for key, value in usage.items():
            month[key] += per_month * value
        month["scheduler_invocations"] += per_month
    return dict(month)


def load_handbook_data() -> Any:
    """The site's cost model (site/hooks/handbook_data.py), loaded from its file: one model for the page and here."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("handbook_data", HANDBOOK_DATA)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="What one Lobby request costs on AWS, and the monthly bill.")
    parser.add_argument(
        "--write", action="store_true", help="store the measured figures in site/data/costs.yaml"
    )
    parser.add_argument("--days", type=int, default=LIFE_DAYS, help="how long the clock runs after filing")
    args = parser.parse_args(argv)

    compile_messages.compile_all()  # the functions' words, as make bench compiles them first
    handbook_data = load_handbook_data()

    functions = lambdas.template_functions(cfn.load_template(), le.REPO, le.REGION)
    functions = {
        name: f for name, f in functions.items() if f.code_dir.resolve().is_relative_to(le.FUNCTIONS)
    }
    timings = {s.event_name: timing(s) for s in scheduler.schedules(functions) if s.enabled}
    with tempfile.TemporaryDirectory(prefix="lobby-cost-") as tmp:
        catalog_json = le.compiled_catalog(Path(tmp))
        imports = import_seconds(
            {f.handler for f in functions.values()}, le.function_environment(catalog_json)
        )
        lives = [
            run_life(name, rated, imports, catalog_json, args.days)
            for name, rated in (("rated", True), ("followed up", False))
        ]

    shares = [(life, share_of_request(life)) for life in lives]
    fixed = fixed_month(lives[0].empty, timings)
    life, per_request = max(shares, key=lambda pair: (pair[1]["emails"], pair[1]["lambda_gb_seconds"]))
    model = handbook_data.load_cost_model()
    measured = {**model, "per_request": _rounded(per_request), "fixed": _rounded(fixed)}
    report(shares, fixed, imports, functions)
    alarms = handbook_data.count_alarms()
    lines = handbook_data.estimate(measured, TARGET_VOLUME, alarms)
    print(
        f"\nmonthly bill for {TARGET_VOLUME} requests a month (a property of 2,000 flats), each charged the "
        f"costlier life ('{life.name}'); {model['region']} list prices as of {model['prices_as_of']}, no free tier:"
    )
    for line in lines:
        print(f"  {handbook_data.cost_label(line.key, 'en'):<46} {line.amount:>14,.2f}  ${line.dollars:7.4f}")
    print("  prices: " + ", ".join(f"{key} {value}" for key, value in model["prices"].items()))
    # Texts are priced per message by the carrier and grow with how many residents choose them: they are
    # shown beside the target (every resident choosing texts and e-mail), not inside it, as on the page.
    without_texts, total = handbook_data.bill(lines, texts=False), handbook_data.bill(lines, texts=True)
    texts = total - without_texts
    verdict = "meets" if without_texts <= TARGET_DOLLARS else "MISSES"
    print(
        f"cost: US${without_texts:.2f} a month without texts — target ≤ US${TARGET_DOLLARS:.2f} — {verdict}"
    )
    print(f"texts: US${texts:.2f} a month more if every resident chooses texts (US${total:.2f} in all)")
    if args.write:
        write_measured(handbook_data.COSTS_YAML, measured["per_request"], measured["fixed"])
        print(f"wrote the measured figures to {handbook_data.COSTS_YAML.relative_to(le.REPO)}")
    return 0 if without_texts <= TARGET_DOLLARS else 1


def _rounded(values: dict[str, float]) -> dict[str, float]:
    return {key: float(f"{value:.4g}") for key, value in sorted(values.items())}


def _figures(values: dict[str, float]) -> str:
    return ", ".join(f"{key} {value:,.4g}" for key, value in sorted(values.items()))


def report(
    shares: list[tuple[Life, dict[str, float]]],
    fixed: dict[str, float],
    imports: dict[str, float],
    functions: dict[str, Any],
) -> None:
    print(
        "cost: init (import) CPU seconds here: "
        + ", ".join(f"{name} {imports[f.handler]:.2f} s ({f.memory_mb} MB)" for name, f in functions.items())
    )
    for life, share in shares:
        print(f"life '{life.name}':")
        for step in life.steps:
            print(f"  {step}")
        print(
            f"  scheduled firings that found the request: {life.busy}; that did not (fixed costs): {life.idle}"
        )
        print(f"  invocations: {life.invocations} (cold: {life.cold_starts})")
        print(f"  AWS calls: {life.calls}")
        print(f"  the request's share: {_figures(share)}")
    print(f"fixed, a month (every schedule's firings, each as on an empty table): {_figures(fixed)}")


def write_measured(path: Path, per_request: dict[str, float], fixed: dict[str, float]) -> None:
    """Replace the measured blocks of costs.yaml, keeping its comments and everything else."""
    text = path.read_text(encoding="utf-8")
    for block, values in (("per_request", per_request), ("fixed", fixed)):
        body = "".join(f"  {key}: {value:g}\n" for key, value in values.items())
        found = re.compile(rf"^{block}:\n(?:  .*\n)*", re.M).search(text)
        if found is None:
            raise SystemExit(f"{path}: no {block}: block to replace")
        text = f"{text[: found.start()]}{block}:\n{body}{text[found.end() :]}"
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:2] == [CHILD_FLAG]:
        spec = json.loads(sys.argv[2])
        print("LIFE " + json.dumps(live(spec["rated"], spec["imports"], Path(spec["catalog"]), spec["days"])))
        raise SystemExit(0)
    raise SystemExit(main())
