"""Handlers against moto: the table is built from template.yaml, the SES sender is verified."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import boto3
import cfn
import pytest
from moto import mock_aws

from devstack.aws import copy_each_table_once_per_transaction
from devstack.stream import lambda_record, matches
from tests.conftest import reset_caches

TABLE = "lobby-test"
SENDER = "desk@harbour-view.example"
OFFICE_EMAILS = {
    "service-centre": "service@harbour-view.example",
    "engineering": "engineering@harbour-view.example",
    "security": "security@harbour-view.example",
    "environment": "environment@harbour-view.example",
    "management": "director@harbour-view.example",
    "general-manager": "gm-office@harbour-view.example",
    "quality": "quality@harbour-view.example",
}
REGION = "ap-southeast-1"
SIGNING_PARAMETER = "/lobby-test/signing-secret"
SIGNING_SECRET = "test-signing-secret-0123456789abcdef0123456789"


@dataclass
class SentMail:
    to: list[str]
    sender: str
    subject: str
    html: str


@dataclass
class Aws:
    """The moto account a test runs in, with helpers to read what was stored and sent."""

    dynamodb: Any
    streams: Any
    template: dict[str, Any]
    # The last sequence number read from each shard. Iterators are not kept: moto rolls a cancelled
    # transaction back by restoring a copy of the table, and an old iterator would read the old stream.
    _shard_iterators: dict[str, str] = field(default_factory=dict)

    def items(self) -> list[dict[str, Any]]:
        pages = self.dynamodb.get_paginator("scan").paginate(TableName=TABLE)
        return [item for page in pages for item in page["Items"]]

    def requests(self) -> list[dict[str, Any]]:
        return [item for item in self.items() if item["SK"]["S"] == "REQUEST"]

    def sent(self) -> list[SentMail]:
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.ses.models import ses_backends

        backend = ses_backends[DEFAULT_ACCOUNT_ID][REGION]
        return [_sent_mail(message) for message in backend.sent_messages]

    def stream_records(self) -> list[dict[str, Any]]:
        """New stream records since the last call, shaped as Lambda receives them."""
        arn = self.dynamodb.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
        records: list[dict[str, Any]] = []
        for shard in self.streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
            shard_id = shard["ShardId"]
            last = self._shard_iterators.get(shard_id)
            position: dict[str, str] = (
                {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": last}
                if last
                else {"ShardIteratorType": "TRIM_HORIZON"}
            )
            iterator = self.streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, **position)
            response = self.streams.get_records(ShardIterator=iterator["ShardIterator"])
            if response["Records"]:
                self._shard_iterators[shard_id] = response["Records"][-1]["dynamodb"]["SequenceNumber"]
            records.extend(lambda_record(raw, REGION, arn) for raw in response["Records"])
        return records

    def notify_batch(self) -> dict[str, Any]:
        """Deliver the new stream records to the notify function, filtered as the template says."""
        from notify.app import lambda_handler

        props = self.template["Resources"]["NotifyFunction"]["Properties"]
        stream = next(e for e in props["Events"].values() if e["Type"] == "DynamoDB")["Properties"]
        patterns = [json.loads(f["Pattern"]) for f in stream["FilterCriteria"]["Filters"]]
        records = [r for r in self.stream_records() if any(matches(p, r) for p in patterns)]
        if not records:
            return {"batchItemFailures": [], "delivered": 0}
        result = lambda_handler({"Records": records}, LambdaContext())
        return {**result, "delivered": len(records)}

    def outbox_run(self, at: datetime) -> dict[str, Any]:
        """Run the sender's retry schedule as EventBridge Scheduler would, at ``at``."""
        from notify.app import lambda_handler

        return dict(lambda_handler({"time": at.astimezone(UTC).isoformat()}, LambdaContext()))

    def outbox(self) -> dict[str, dict[str, Any]]:
        """Every outbox item by its sort key, as stored (plain values)."""
        from lobby.storage import from_item

        return {
            item["SK"]["S"]: from_item(item) for item in self.items() if item["SK"]["S"].startswith("OUTBOX#")
        }


def _sent_mail(message: Any) -> SentMail:
    """A simple message as moto keeps it, or a raw MIME one (e-mails with attachments) parsed."""
    raw = getattr(message, "raw_data", None)
    if raw is None:
        return SentMail(
            to=list(message.destinations.get("ToAddresses", [])),
            sender=message.source,
            subject=message.subject,
            html=message.body,
        )
    from email import message_from_string, policy

    parsed = message_from_string(raw, policy=policy.default)
    body = parsed.get_body(preferencelist=("html", "plain"))
    return SentMail(
        to=[str(address) for address in parsed.get_all("To", [])],
        sender=str(parsed["From"]),
        subject=str(parsed["Subject"]),
        html=body.get_content() if body is not None else "",  # type: ignore[union-attr]
    )


class LambdaContext:
    function_name = "lobby-test"
    memory_limit_in_mb = 256
    invoked_function_arn = f"arn:aws:lambda:{REGION}:123456789012:function:lobby-test"
    aws_request_id = "test-request"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


@contextmanager
def moto_account(monkeypatch: pytest.MonkeyPatch) -> Iterator[Aws]:
    """The functions' environment and a moto account with the table, the sender and the secret."""
    monkeypatch.setenv("TABLE_NAME", TABLE)
    monkeypatch.setenv("SENDER_EMAIL", SENDER)
    monkeypatch.setenv("OFFICE_EMAILS", json.dumps(OFFICE_EMAILS))
    monkeypatch.setenv("SITE_URL", "https://lobby.example")
    monkeypatch.setenv("SIGNING_SECRET_PARAMETER", SIGNING_PARAMETER)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    copy_each_table_once_per_transaction()  # the local stack's speed-up of moto's transactions
    with mock_aws():
        reset_caches()
        template = cfn.load_template()
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        cfn.create_table(dynamodb, template, "RequestsTable", TABLE)
        boto3.client("sesv2", region_name=REGION).create_email_identity(EmailIdentity=SENDER)
        boto3.client("ses", region_name=REGION).verify_email_identity(EmailAddress=SENDER)
        boto3.client("ssm", region_name=REGION).put_parameter(
            Name=SIGNING_PARAMETER, Value=SIGNING_SECRET, Type="SecureString"
        )
        yield Aws(
            dynamodb=dynamodb, streams=boto3.client("dynamodbstreams", region_name=REGION), template=template
        )
    reset_caches()


@pytest.fixture
def clock_at() -> Iterator[Callable[[str], datetime]]:
    """Move the clock the API reads (as ``POST /_local/clock`` does); back to the real time afterwards."""
    from lobby import clock

    yield lambda text: clock.set_time(datetime.fromisoformat(text))
    clock.set_time(None)


def use_catalog_with_years(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, *arrangements: dict[str, Any]
) -> None:
    """Run the functions on the catalog with these years' holiday arrangements typed in by the administrator,
    compiled as a deployment ships it (``LOBBY_CATALOG``)."""
    import msgspec

    from lobby.catalog import SOURCE_YAML, load_catalog, parse_catalog, read_document

    document = read_document(SOURCE_YAML)
    document["property"]["calendar"]["years"] = list(arrangements)
    compiled = tmp_path / "catalog.json"
    compiled.write_bytes(msgspec.json.encode(parse_catalog(document), enc_hook=str))
    monkeypatch.setenv("LOBBY_CATALOG", str(compiled))
    load_catalog.cache_clear()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Aws]:
    with moto_account(monkeypatch) as account:
        yield account


@dataclass
class HttpResponse:
    status: int
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


def http_event(
    method: str,
    path: str,
    *,
    body: str | bytes | None = None,
    content_type: str | None = None,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    base64_body: bool = False,
) -> dict[str, Any]:
    """An API Gateway HTTP API (payload 2.0) event, as the Lambda integration delivers it."""
    all_headers = {"host": "lobby.example", **({"content-type": content_type} if content_type else {})}
    all_headers.update({key.lower(): value for key, value in (headers or {}).items()})
    raw = body.encode() if isinstance(body, str) else body
    encoded = base64_body or (raw is not None and content_type == "application/x-www-form-urlencoded")
    return {
        "version": "2.0",
        "routeKey": "ANY /api/{proxy+}",
        "rawPath": path,
        "rawQueryString": urlencode(query or {}),
        "headers": all_headers,
        "queryStringParameters": query or None,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api",
            "domainName": "lobby.example",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1"},
            "requestId": "req",
            "routeKey": "ANY /api/{proxy+}",
            "stage": "$default",
            "time": "22/Nov/2026:06:50:00 +0000",
            "timeEpoch": 1795330200000,
        },
        "body": (base64.b64encode(raw).decode() if encoded else raw.decode()) if raw is not None else None,
        "isBase64Encoded": bool(encoded and raw is not None),
    }


def call_api(event: dict[str, Any]) -> HttpResponse:
    from api.app import lambda_handler

    result = lambda_handler(event, LambdaContext())
    body = result.get("body") or ""
    if result.get("isBase64Encoded"):
        body = base64.b64decode(body).decode()
    return HttpResponse(status=result["statusCode"], headers=result.get("headers") or {}, body=body)


def post_json(path: str, payload: Any, **kwargs: Any) -> HttpResponse:
    return call_api(
        http_event("POST", path, body=json.dumps(payload), content_type="application/json", **kwargs)
    )


def post_form(path: str, fields: dict[str, str], **kwargs: Any) -> HttpResponse:
    return call_api(
        http_event(
            "POST", path, body=urlencode(fields), content_type="application/x-www-form-urlencoded", **kwargs
        )
    )


def repair_fields(**overrides: str) -> dict[str, str]:
    fields = {
        "category": "water",
        "size": "minor",
        "name": "王小明",
        "phone": "13800138000",
        "email": "resident@example.com",
        "building": "3栋",
        "unit": "1502",
        "description": "厨房水龙头一直滴水，关不紧。",
        "consent": "yes",
        "website": "",
        "lang": "zh",
    }
    fields.update(overrides)
    return fields
