"""Shared by the benchmarks: the functions' Lambda environment, events shaped as Lambda delivers
them, a sample request, and the template's table in moto (``moto_table``: what a reminder-run
benchmark needs to fill tables of 1,000 to 100,000 requests and count ``Store.items_read``).
Not a benchmark itself: the Makefile runs bench/bench_*.py only."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
FUNCTIONS = REPO / "functions"

REGION = "ap-southeast-1"
TABLE = "lobby-bench"
SENDER = "desk@bench.example"
SIGNING_PARAMETER = "/lobby-bench/signing-secret"
SIGNING_SECRET = "bench-signing-secret-0123456789abcdef0123456789"
SITE_URL = "https://lobby.example"

# Invented values, so that a benchmark's output never echoes anyone's data.
SAMPLE_REPAIR = {
    "category": "water",
    "size": "minor",
    "name": "Bench Resident",
    "phone": "13900139000",
    "email": "bench.resident@example.com",
    "building": "3",
    "unit": "1502",
    "description": "The kitchen tap drips and will not close.",
    "consent": "yes",
    "website": "",
    "lang": "en",
}


def office_emails() -> dict[str, str]:
    from lobby.catalog import load_catalog

    return {office: f"{office}@bench.example" for office in load_catalog().offices}


def compiled_catalog(directory: Path) -> Path:
    """The catalog as a Lambda package carries it: compiled JSON, so no YAML parser on the cold path."""
    from lobby.catalog import SOURCE_YAML, compile_catalog

    target = directory / "catalog.json"
    compile_catalog(SOURCE_YAML, target)
    return target


SKIPPED_DIRS = {"__pycache__", ".pytest_cache", ".mypy_cache"}


def copy_code(code_dir: Path, target: Path) -> None:
    """The CodeUri as SAM copies it: sources only, plus what ``make build`` compiles into it (the
    catalog's JSON and the message catalogs' .mo, which a clean clone does not hold)."""
    import shutil

    import compile_messages

    shutil.copytree(
        code_dir,
        target,
        dirs_exist_ok=True,
        ignore=lambda _, names: [n for n in names if n in SKIPPED_DIRS or n.endswith((".pyc", ".pyo"))],
    )
    if (target / "lobby" / "catalog.py").is_file():
        compiled_catalog(target / "lobby")
    if (target / "views" / "locale").is_dir():
        compile_messages.compile_all(target / "views" / "locale")


def function_environment(catalog_json: Path) -> dict[str, str]:
    """The variables template.yaml gives the functions, plus fake credentials."""
    return {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "POWERTOOLS_SERVICE_NAME": "lobby",
        "POWERTOOLS_LOG_LEVEL": "INFO",
        "TABLE_NAME": TABLE,
        "SENDER_EMAIL": SENDER,
        "OFFICE_EMAILS": json.dumps(office_emails()),
        "SITE_URL": SITE_URL,
        "SIGNING_SECRET_PARAMETER": SIGNING_PARAMETER,
        # Every submission still counts against the limits (their cost is measured); none trips them.
        "LIMIT_SUBMISSIONS_PER_CLIENT": "1000000",
        "LIMIT_RECEIPTS_PER_RECIPIENT": "1000000",
        "LOBBY_CATALOG": str(catalog_json),
    }


class LambdaContext:
    function_name = "lobby-bench"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = f"arn:aws:lambda:{REGION}:123456789012:function:lobby-bench"
    aws_request_id = "bench-request"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def http_event(
    method: str, path: str, body: str | None = None, content_type: str | None = None
) -> dict[str, Any]:
    """An API Gateway HTTP API (payload 2.0) event; form bodies arrive base64-encoded, as on AWS."""
    headers = {"host": "lobby.example", **({"content-type": content_type} if content_type else {})}
    encoded = body is not None and content_type == "application/x-www-form-urlencoded"
    return {
        "version": "2.0",
        "routeKey": "ANY /api/{proxy+}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api",
            "domainName": "lobby.example",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1"},
            "requestId": "bench",
            "routeKey": "ANY /api/{proxy+}",
            "stage": "$default",
            "time": "22/Nov/2026:06:50:00 +0000",
            "timeEpoch": 1795330200000,
        },
        "body": (base64.b64encode(body.encode()).decode() if encoded else body) if body is not None else None,
        "isBase64Encoded": encoded,
    }


def submit_event(fields: dict[str, str] | None = None) -> dict[str, Any]:
    body = json.dumps(fields or SAMPLE_REPAIR)
    return http_event("POST", "/api/requests/repair", body, "application/json")


def stored_sample() -> tuple[dict[str, Any], dict[str, Any]]:
    """The sample repair as the table holds it: (request item, its "submitted" event item)."""
    from datetime import UTC, datetime

    from lobby.catalog import load_catalog
    from lobby.requests import Event, new_request
    from lobby.service import open_store
    from lobby.settings import Settings
    from lobby.validation import validate_submission

    catalog = load_catalog()
    now = datetime.now(UTC)
    settings = Settings(table_name=TABLE, sender_email=SENDER, office_emails=office_emails())
    store = open_store(catalog, settings)
    submission = validate_submission(catalog, catalog.kinds["repair"], SAMPLE_REPAIR, now)
    request = new_request(catalog, submission, f"{now:%Y%m%d}-0001", now)
    event = Event(type="submitted", at=now, actor="resident", public=True, data={"channel": "web"})
    return store.request_item(request), store.event_item(request.reference, event)


def queued_sample(event_item: dict[str, Any]) -> dict[str, Any]:
    """The office's outbox item of the sample's "submitted" event, as the submit transaction queues it."""
    from datetime import UTC, datetime

    from lobby.catalog import load_catalog
    from lobby.keys import outbox_sk
    from lobby.outbox import EVENT_MESSAGE, Message
    from lobby.settings import Settings
    from lobby.storage import Store

    catalog = load_catalog()
    settings = Settings(table_name=TABLE, sender_email=SENDER, office_emails=office_emails())
    store = Store(settings.table_name, catalog.property.id)
    reference, source = event_item["reference"]["S"], event_item["SK"]["S"]
    message = Message(
        EVENT_MESSAGE, source, "office", "office", catalog.property.staff_language, reference=reference
    )
    return store.outbox_item(event_item["PK"]["S"], outbox_sk(source, "office"), message, datetime.now(UTC))


def stream_event(items: list[dict[str, Any]]) -> dict[str, Any]:
    """A DynamoDB stream batch of INSERT records, in the shape Lambda delivers it."""
    arn = f"arn:aws:dynamodb:{REGION}:123456789012:table/{TABLE}/stream/2026-11-22T00:00:00.000"
    records = []
    for number, item in enumerate(items, start=1):
        records.append(
            {
                "eventID": f"bench-{number}",
                "eventName": "INSERT",
                "eventVersion": "1.1",
                "eventSource": "aws:dynamodb",
                "awsRegion": REGION,
                "dynamodb": {
                    "ApproximateCreationDateTime": int(time.time()),
                    "Keys": {"PK": item["PK"], "SK": item["SK"]},
                    "NewImage": item,
                    "SequenceNumber": f"{number:021d}",
                    "SizeBytes": len(json.dumps(item)),
                    "StreamViewType": "NEW_AND_OLD_IMAGES",
                },
                "eventSourceARN": arn,
            }
        )
    return {"Records": records}


class MotoTable:
    """The template's table in moto, emptied before every block.

    moto deep-copies the whole table on every TransactWriteItems (to roll back on failure), so its
    cost grows with the table; starting each block from an empty table keeps both sides equal.
    """

    def __init__(self, client: Any) -> None:
        import cfn

        self.client = client
        self.template = cfn.load_template()
        self.create()

    def create(self) -> None:
        import cfn

        cfn.create_table(self.client, self.template, "RequestsTable", TABLE)

    def empty(self) -> None:
        self.client.delete_table(TableName=TABLE)
        self.create()


@contextlib.contextmanager
def moto_table(catalog_json: Path) -> Iterator[MotoTable]:
    os.environ.update(function_environment(catalog_json))
    os.environ.pop("AWS_ENDPOINT_URL", None)
    from moto import mock_aws

    with mock_aws():
        import boto3

        yield MotoTable(boto3.client("dynamodb", region_name=REGION))
